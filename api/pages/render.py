"""A back-office page: its template, the account's navigation, and the session re-signed."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.accounts import service as accounts
from api.accounts.dependencies import read_web_session, write_web_session
from api.accounts.models import User
from api.accounts.sessions import WebSession, anonymous_session
from api.core.config import Settings
from api.pages.templating import templates


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    settings: Settings,
    *,
    user: User | None,
    info: str | None = None,
    web_session: WebSession | None = None,
    status_code: int = 200,
) -> Response:
    web_session = web_session or read_web_session(request, settings) or anonymous_session()
    response = templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "can_handle_cases": user is not None and accounts.can_handle_cases(user),
            "can_edit_content": user is not None and accounts.can_edit_content(user),
            "csrf_token": web_session.csrf,
            "info": info,
            **context,
        },
        status_code=status_code,
    )
    # Re-signed on every page: the session lasts as long as the person keeps working.
    write_web_session(response, web_session, settings)
    return response
