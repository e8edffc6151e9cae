"""Access to the back-office pages (dashboard, editors, review, statistics): login redirect,
roles, CSRF on every form, French errors."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from api.accounts.dependencies import read_web_session, user_of_session
from api.accounts.models import User
from api.accounts.service import can_edit_content, can_handle_cases
from api.accounts.sessions import CSRF_FIELD
from api.deps import SessionDep, SettingsDep

LOGIN_PATH = "/connexion"
HOME_PATH = "/tableau-de-bord"


class PageError(Exception):
    """Ends a page request with a French error page, or a redirect when `redirect_to` is set."""

    def __init__(self, status_code: int, message: str, *, redirect_to: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.redirect_to = redirect_to


def safe_next(target: str | None) -> str | None:
    """Only paths of this site: an open redirect would help phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _login_redirect(request: Request) -> PageError:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return PageError(303, "", redirect_to=f"{LOGIN_PATH}?{urlencode({'suivant': target})}")


def page_user(request: Request, db: SessionDep, settings: SettingsDep) -> User:
    user = user_of_session(db, read_web_session(request, settings))
    if user is None:
        raise _login_redirect(request)
    return user


def referent_page_user(user: Annotated[User, Depends(page_user)]) -> User:
    if not can_handle_cases(user):
        raise PageError(403, "Votre compte ne donne pas accès aux demandes des visiteurs.")
    return user


def editor_page_user(user: Annotated[User, Depends(page_user)]) -> User:
    if not can_edit_content(user):
        raise PageError(403, "Votre compte ne donne pas accès à l’espace des éditeurs.")
    return user


async def require_csrf(request: Request, settings: SettingsDep) -> None:
    web_session = read_web_session(request, settings)
    token = (await request.form()).get(CSRF_FIELD)
    if web_session is None or not isinstance(token, str) or not web_session.csrf_matches(token):
        raise PageError(
            403,
            "Ce formulaire a expiré ou ne vient pas de cette page. "
            "Rechargez la page, puis recommencez.",
        )


ReferentPageUser = Annotated[User, Depends(referent_page_user)]
CsrfProtected = Depends(require_csrf)
# For other areas' pages, e.g. the editors' page: `dependencies=[EditorPageAuth]`.
EditorPageAuth = Depends(editor_page_user)
