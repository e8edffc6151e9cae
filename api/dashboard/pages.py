"""Rendering of the back-office pages of other areas (review inbox, analytics) inside the
dashboard's frame: same base template, navigation, security headers and session."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from api.accounts import service as accounts
from api.accounts.dependencies import read_web_session, write_web_session
from api.accounts.models import User
from api.accounts.sessions import anonymous_session
from api.core.config import Settings

from .templating import TEMPLATES_DIR
from .templating import templates as dashboard_templates

# Every page of the dashboard and of the editors' areas: no inline script or style
# attribute (inline <svg> charts are fine), no framing, forms post only here.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages hold personal data: no copy in any cache.
    "Cache-Control": "no-store",
}


def area_templates(directory: Path) -> Jinja2Templates:
    """An area's templates, which may extend the dashboard's base.html."""
    base: Environment = dashboard_templates.env
    env = base.overlay(
        loader=ChoiceLoader([FileSystemLoader(directory), FileSystemLoader(TEMPLATES_DIR)])
    )
    return Jinja2Templates(env=env)


def render_page(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    context: dict[str, Any],
    settings: Settings,
    *,
    user: User,
    info: str | None = None,
    status_code: int = 200,
) -> Response:
    web_session = read_web_session(request, settings) or anonymous_session()
    response = templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "can_handle_cases": accounts.can_handle_cases(user),
            "can_edit_content": accounts.can_edit_content(user),
            "csrf_token": web_session.csrf,
            "info": info,
            **context,
        },
        status_code=status_code,
        headers=SECURITY_HEADERS,
    )
    write_web_session(response, web_session, settings)
    return response
