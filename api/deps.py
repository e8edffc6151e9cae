"""Dependencies shared by the routers: the per-request DB session and service tokens."""

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.core.config import Settings, get_settings
from api.core.db import get_session

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_bearer = HTTPBearer(auto_error=False)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _check_token(credentials: HTTPAuthorizationCredentials | None, expected: str) -> None:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Missing bearer token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(credentials.credentials, expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Invalid token.")


def require_bot(credentials: BearerDep, settings: SettingsDep) -> None:
    """Calls made by the action server on a visitor's behalf."""
    _check_token(credentials, settings.bot_api_token)


def require_admin(credentials: BearerDep, settings: SettingsDep) -> None:
    _check_token(credentials, settings.admin_token)


BotAuth = Depends(require_bot)
AdminAuth = Depends(require_admin)
