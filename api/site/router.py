"""Serves the demo page at `/`, its accessibility statement and its static files (their
security headers: `SITE_AREA`, applied by the pages' middleware, api/pages/security.py)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from api.core.config import get_settings
from api.deps import SettingsDep
from api.pages.security import PageArea
from api.pages.templating import templates
from api.site import service
from api.territory.service import Territory, get_territory

SITE_DIR = Path(__file__).resolve().parent
STATIC_URL = "/site/static"

router = APIRouter(include_in_schema=False)


def _site_headers() -> dict[str, str]:
    return service.security_headers(service.public_rasa_url(get_settings()))


SITE_AREA = PageArea(
    paths=frozenset({"/", "/accessibilite"}), prefixes=(STATIC_URL + "/",), headers=_site_headers
)


@router.get("/", response_class=HTMLResponse)
def home_page(
    request: Request,
    settings: SettingsDep,
    territory: Annotated[Territory, Depends(get_territory)],
) -> HTMLResponse:
    config = service.widget_config(settings, territory.teams())
    return templates.TemplateResponse(
        request,
        "site/index.html",
        {
            "widget_config": config.model_dump(by_alias=True),
            "static_url": STATIC_URL,
            # The privacy paragraph says how long a plan's link and a conversation are kept.
            "plan_link_days": settings.plan_link_days,
            "retention_days": settings.retention_days,
        },
    )


@router.get("/accessibilite", response_class=HTMLResponse)
def accessibility_statement(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "site/accessibilite.html", {"static_url": STATIC_URL}
    )


router.mount(STATIC_URL, StaticFiles(directory=SITE_DIR / "static"), name="site-static")
