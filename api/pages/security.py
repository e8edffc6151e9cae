"""One middleware gives every page its security headers, chosen by the page's area.

Areas are told apart by path: the public site (the demo page, its statement and static
files) needs Rasa's origins in its policy; the back office (dashboard, editors, review,
statistics) holds personal data and is never cached. Other responses (the JSON API, the
health check) are left as they are.
"""

from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.pages.auth import HOME_PATH, LOGIN_PATH

# No inline script or style attribute (inline <svg> charts are fine), no framing, forms
# post only here.
BACK_OFFICE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages hold personal data: no copy in any cache.
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class PageArea:
    """Paths named exactly or by their start, and the headers of their responses (read at
    each response: they may depend on the settings)."""

    paths: frozenset[str]
    prefixes: tuple[str, ...]
    headers: Callable[[], dict[str, str]]

    def serves(self, path: str) -> bool:
        return path in self.paths or path.startswith(self.prefixes)


BACK_OFFICE_AREA = PageArea(
    paths=frozenset({LOGIN_PATH, "/deconnexion", "/statistiques", "/statistiques.csv"}),
    prefixes=(HOME_PATH, "/editeurs"),
    headers=lambda: BACK_OFFICE_HEADERS,
)


class SecurityHeaders:
    """Pure ASGI (no BaseHTTPMiddleware): streamed and file responses pass through as they
    are. A header a route set itself is kept."""

    def __init__(self, app: ASGIApp, areas: tuple[PageArea, ...]) -> None:
        self.app = app
        self.areas = areas

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        area = (
            next((a for a in self.areas if a.serves(scope["path"])), None)
            if scope["type"] == "http"
            else None
        )
        if area is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in area.headers().items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
