from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.dashboard.auth import EditorPageAuth
from api.deps import SessionDep
from api.editors.service import editors_view
from api.knowledge.deps import KnowledgeDep

# Editors, coordinators and admins only; others are sent to the login page.
EDITOR_PAGE_DEPENDENCIES: list[Any] = [EditorPageAuth]

router = APIRouter(tags=["editors"], dependencies=EDITOR_PAGE_DEPENDENCIES)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_PARIS = ZoneInfo("Europe/Paris")


def _day(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _paris(value: datetime) -> str:
    local = value.astimezone(_PARIS)
    return f"{_day(local)} à {local:%H:%M}"


templates.env.filters["jour"] = _day
templates.env.filters["paris"] = _paris


@router.get("/editeurs", response_class=HTMLResponse)
def editors_page(request: Request, knowledge: KnowledgeDep, session: SessionDep) -> HTMLResponse:
    view = editors_view(knowledge, session, date.today())
    return templates.TemplateResponse(request, "editeurs.html", {"view": view})
