"""Browser sessions in a signed cookie, each carrying the CSRF token its forms must echo.

Every visitor of the dashboard gets a session, logged in or not, so that the login
form itself is protected against cross-site request forgery.
"""

import secrets
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "oml_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SALT = "oml-dashboard-session"


@dataclass(frozen=True)
class WebSession:
    csrf: str
    user_id: int | None = None
    fingerprint: str | None = None

    def logged_in(self, user_id: int, fingerprint: str) -> "WebSession":
        # A fresh CSRF token at login: a token seen before login is worth nothing after.
        return WebSession(csrf=new_csrf_token(), user_id=user_id, fingerprint=fingerprint)

    def logged_out(self) -> "WebSession":
        return replace(self, csrf=new_csrf_token(), user_id=None, fingerprint=None)

    def csrf_matches(self, candidate: str | None) -> bool:
        return candidate is not None and secrets.compare_digest(self.csrf, candidate)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def anonymous_session() -> WebSession:
    return WebSession(csrf=new_csrf_token())


class SessionCodec:
    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.max_age_seconds = max_age_seconds

    def dumps(self, session: WebSession) -> str:
        return self._serializer.dumps(
            {"c": session.csrf, "u": session.user_id, "f": session.fingerprint}
        )

    def loads(self, raw: str | None) -> WebSession | None:
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user_id = data.get("u")
        fingerprint = data.get("f")
        return WebSession(
            csrf=data["c"],
            user_id=user_id if isinstance(user_id, int) else None,
            fingerprint=fingerprint if isinstance(fingerprint, str) else None,
        )
