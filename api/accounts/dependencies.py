"""Who is calling: a referent's bearer token or dashboard session, for the JSON API."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status

from api.accounts import service
from api.accounts.models import User
from api.accounts.sessions import COOKIE_NAME, CSRF_HEADER, SessionCodec, WebSession
from api.core.config import Settings
from api.deps import BearerDep, SessionDep, SettingsDep

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_codec(settings: Settings) -> SessionCodec:
    return SessionCodec(settings.session_secret, settings.session_max_age_hours * 3600)


def read_web_session(request: Request, settings: Settings) -> WebSession | None:
    return session_codec(settings).loads(request.cookies.get(COOKIE_NAME))


def write_web_session(response: Response, web_session: WebSession, settings: Settings) -> None:
    codec = session_codec(settings)
    response.set_cookie(
        COOKIE_NAME,
        codec.dumps(web_session),
        max_age=codec.max_age_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def user_of_session(db: SessionDep, web_session: WebSession | None) -> User | None:
    """The logged-in user, if the session names one who is still active with that password."""
    if web_session is None or web_session.user_id is None:
        return None
    user = service.active_user(db, web_session.user_id)
    if user is None or web_session.fingerprint != service.session_fingerprint(user):
        return None
    return user


def require_api_user(
    request: Request, credentials: BearerDep, db: SessionDep, settings: SettingsDep
) -> User:
    """Bearer token, or the dashboard's cookie plus its CSRF token in a header for writes."""
    if credentials is not None:
        user = service.user_for_api_token(db, credentials.credentials)
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="Invalid or revoked token.",
                headers={"WWW-Authenticate": "Bearer"},
            )
    else:
        web_session = read_web_session(request, settings)
        user = user_of_session(db, web_session)
        if user is None or web_session is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="Authentication required: a bearer token or a dashboard session.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method not in _SAFE_METHODS and not web_session.csrf_matches(
            request.headers.get(CSRF_HEADER)
        ):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Missing or invalid CSRF token.")
    if not service.can_handle_cases(user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="This account does not handle visitor cases."
        )
    return user


ApiUser = Annotated[User, Depends(require_api_user)]
