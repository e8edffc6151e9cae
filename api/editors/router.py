from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.accounts.models import User
from api.dashboard.auth import EditorPageAuth, editor_page_user
from api.dashboard.pages import area_templates, render_page
from api.deps import SessionDep, SettingsDep
from api.editors.service import editors_view
from api.knowledge.deps import KnowledgeDep

# Editors, coordinators and admins only; others are sent to the login page.
EDITOR_PAGE_DEPENDENCIES: list[Any] = [EditorPageAuth]

router = APIRouter(tags=["editors"], dependencies=EDITOR_PAGE_DEPENDENCIES)
# The back office's layout (skip link, navigation, sign-out) and security headers.
templates = area_templates(Path(__file__).parent / "templates")
EditorUser = Annotated[User, Depends(editor_page_user)]
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


@router.get("/editeurs")
def editors_page(
    request: Request,
    knowledge: KnowledgeDep,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
) -> Response:
    view = editors_view(knowledge, session, date.today())
    return render_page(templates, request, "editeurs.html", {"view": view}, settings, user=user)
