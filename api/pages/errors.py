"""French error pages for every back-office page; a short JSON body for the API."""

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from api.core.config import get_settings
from api.core.errors import validation_error_response
from api.pages.auth import PageError
from api.pages.render import render_page


async def page_error_handler(request: Request, error: Exception) -> Response:
    """Installed by create_app for PageError: French error page, or redirect to the login."""
    assert isinstance(error, PageError)
    if error.redirect_to is not None:
        return RedirectResponse(error.redirect_to, status_code=303)
    titles = {403: "Accès refusé", 404: "Demande introuvable"}
    return render_page(
        request,
        "pages/error.html",
        {
            "title": titles.get(error.status_code, "Impossible de continuer"),
            "message": error.message,
        },
        get_settings(),
        user=None,
        status_code=error.status_code,
    )


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(("/v1/", "/health"))


async def validation_error_handler(request: Request, error: Exception) -> Response:
    """Installed by create_app for RequestValidationError: a French page for the pages'
    forms, a short JSON body for the API."""
    assert isinstance(error, RequestValidationError)
    if not _is_page(request):
        return validation_error_response(error)
    return render_page(
        request,
        "pages/error.html",
        {
            "title": "Formulaire incomplet ou trop long",
            "message": (
                "Un champ du formulaire est vide, trop long ou mal rempli. Revenez à la page "
                "précédente, vérifiez ce que vous avez saisi, puis recommencez."
            ),
        },
        get_settings(),
        user=None,
        status_code=422,
    )
