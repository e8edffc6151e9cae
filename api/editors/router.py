from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.accounts.models import User
from api.deps import SessionDep, SettingsDep
from api.editors.service import editors_view
from api.knowledge.deps import KnowledgeDep
from api.pages.auth import EditorPageAuth, editor_page_user
from api.pages.render import render_page

# Editors, coordinators and admins only; others are sent to the login page.
EDITOR_PAGE_DEPENDENCIES: list[Any] = [EditorPageAuth]

router = APIRouter(tags=["editors"], dependencies=EDITOR_PAGE_DEPENDENCIES)
EditorUser = Annotated[User, Depends(editor_page_user)]


@router.get("/editeurs")
def editors_page(
    request: Request,
    knowledge: KnowledgeDep,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
) -> Response:
    view = editors_view(knowledge, session, date.today())
    return render_page(request, "editors/editeurs.html", {"view": view}, settings, user=user)
