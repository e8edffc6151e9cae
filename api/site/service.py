"""The demo page's logic: the widget configuration and the security headers of the page."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from api.core.config import Settings
from api.site.schemas import WidgetConfig
from api.territory.schemas import Team

_WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}


def public_rasa_url(settings: Settings) -> str:
    return (settings.rasa_public_url or settings.rasa_url).rstrip("/")


def widget_config(settings: Settings, teams: Iterable[Team]) -> WidgetConfig:
    return WidgetConfig(
        socket_url=public_rasa_url(settings),
        referent_teams=[team.name for team in teams],
    )


def _origins(url: str) -> tuple[str, str]:
    """The HTTP and the WebSocket origin of `url` (socket.io polls first, then upgrades)."""
    parts = urlsplit(url)
    if parts.scheme not in _WEBSOCKET_SCHEMES or not parts.netloc:
        raise ValueError(f"RASA_PUBLIC_URL must be an http(s) URL, got {url!r}")
    return (
        f"{parts.scheme}://{parts.netloc}",
        f"{_WEBSOCKET_SCHEMES[parts.scheme]}://{parts.netloc}",
    )


def content_security_policy(rasa_public_url: str) -> str:
    http_origin, ws_origin = _origins(rasa_public_url)
    directives = {
        "default-src": "'none'",
        "script-src": "'self'",
        # The widget bundle injects its stylesheet as <style> elements at run time;
        # scripts stay strictly 'self', so injected markup still cannot run code.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",  # the carousel's icon font is inlined
        "connect-src": f"'self' {http_origin} {ws_origin}",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(rasa_public_url: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(rasa_public_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
