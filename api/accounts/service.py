"""Accounts: creating users, checking passwords and API tokens, deciding who sees which team."""

import hashlib
import secrets
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import ApiToken, Role, User, UserTeam
from api.core.config import get_settings
from api.core.db import utcnow

MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "oml_"  # noqa: S105  (a marker that makes leaked tokens greppable)


@lru_cache(maxsize=4)
def _hasher_costing(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    """Argon2id at the cost the settings give; a hash of another cost is redone at login."""
    settings = get_settings()
    return _hasher_costing(settings.password_hash_time_cost, settings.password_hash_memory_kib)


@lru_cache(maxsize=4)
def _unknown_user_hash(hasher: PasswordHasher) -> str:
    """Verifying against this when the e-mail is unknown keeps the answer time the same,
    so that timing does not tell which addresses have an account."""
    return hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request that cannot be honoured; the message, in French, is for the operator."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères"
        )
    return _hasher().hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    team_ids: Iterable[str] = (),
) -> User:
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"adresse e-mail invalide : {email}")
    if not display_name.strip():
        raise AccountError("le nom affiché ne peut pas être vide")
    teams = sorted(set(team_ids))
    if role == Role.REFERENT and not teams:
        raise AccountError("un référent appartient à au moins une équipe (--team)")
    if find_user(session, email) is not None:
        raise AccountError(f"un compte existe déjà pour {email}")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        active=True,
        teams=[UserTeam(team_id=team_id) for team_id in teams],
    )
    session.add(user)
    session.commit()
    return user


def end_all_sessions(session: Session, user: User) -> None:
    """Every dashboard session of the account stops working, on every browser at once."""
    user.session_version += 1
    session.commit()


def set_password(session: Session, user: User, password: str) -> None:
    """Also ends the user's open dashboard sessions."""
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)


def deactivate(session: Session, user: User) -> None:
    """Keeps the account for the audit log and the cases it handled; it can no longer log in,
    its API tokens stop working, its sessions end and it gets no more notifications."""
    user.active = False
    end_all_sessions(session, user)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user(session, email)
    if user is None or not user.active:
        _verify(_unknown_user_hash(_hasher()), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
        session.commit()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_fingerprint(user: User) -> str:
    """Changes with the password and the session version (logout, deactivation): a signed
    cookie copied before then is worth nothing after."""
    material = f"{user.session_version}:{user.password_hash}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _token_digest(raw_token: str) -> str:
    # Tokens are 256-bit random values: a fast hash is enough, unlike for passwords.
    return hashlib.sha256(raw_token.encode()).hexdigest()


def create_api_token(session: Session, user: User, name: str) -> str:
    """Returns the token in clear: it is shown once and never stored."""
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_digest(raw_token)))
    session.commit()
    return raw_token


def user_for_api_token(session: Session, raw_token: str) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(raw_token)))
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    session.commit()
    return token.user


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def can_handle_cases(user: User) -> bool:
    return user.role in (Role.REFERENT, Role.COORDINATOR, Role.ADMIN)


def can_edit_content(user: User) -> bool:
    return user.role in (Role.EDITOR, Role.COORDINATOR, Role.ADMIN)


def visible_team_ids(user: User) -> set[str] | None:
    """The teams whose cases the user may see; None means every team."""
    if user.sees_every_team:
        return None
    if user.role == Role.REFERENT:
        return set(user.team_ids)
    return set()


def active_team_members(session: Session, team_id: str) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserTeam)
            .where(UserTeam.team_id == team_id, User.active.is_(True))
            .order_by(User.id)
        )
    )
