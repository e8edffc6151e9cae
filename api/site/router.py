"""Serves the demo page at `/`, its accessibility statement and its static files, with the
pages' security headers."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.core.config import get_settings
from api.deps import SettingsDep
from api.site import service
from api.territory.service import Territory, get_territory

SITE_DIR = Path(__file__).resolve().parent
STATIC_URL = "/site/static"

templates = Jinja2Templates(directory=SITE_DIR / "templates")
router = APIRouter(include_in_schema=False)


class _SiteStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        rasa_url = service.public_rasa_url(get_settings())
        response.headers.update(service.security_headers(rasa_url))
        return response


@router.get("/", response_class=HTMLResponse)
def home_page(
    request: Request,
    settings: SettingsDep,
    territory: Annotated[Territory, Depends(get_territory)],
) -> HTMLResponse:
    config = service.widget_config(settings, territory.teams())
    return templates.TemplateResponse(
        request,
        "index.html",
        {"widget_config": config.model_dump(by_alias=True), "static_url": STATIC_URL},
        headers=service.security_headers(config.socket_url),
    )


@router.get("/accessibilite", response_class=HTMLResponse)
def accessibility_statement(request: Request, settings: SettingsDep) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "accessibilite.html",
        {"static_url": STATIC_URL},
        headers=service.security_headers(service.public_rasa_url(settings)),
    )


router.mount(STATIC_URL, _SiteStaticFiles(directory=SITE_DIR / "static"), name="site-static")
