"""Abuse of the dashboard's login: password guessing is slowed down, and a session ends
everywhere at logout, deactivation or password change (a copied cookie stops working)."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts import service
from api.accounts.models import User
from api.accounts.sessions import COOKIE_NAME
from tests.api.conftest import PASSWORD, UserFactory, login, post_login


@pytest.fixture
def strict_client(app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Three failures per account, five per address: small enough to reach in a test."""
    from api.core.config import get_settings
    from api.main import create_app

    monkeypatch.setenv("LOGIN_LIMIT_PER_ACCOUNT", "3/15 minutes")
    monkeypatch.setenv("LOGIN_LIMIT_PER_ADDRESS", "5/15 minutes")
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client


def test_repeated_wrong_passwords_for_one_account_get_429_in_french(
    strict_client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    statuses = [post_login(strict_client, user.email, "mauvais mot de passe").status_code]
    statuses += [post_login(strict_client, user.email, "mauvais mot de passe").status_code]
    statuses += [post_login(strict_client, user.email, "mauvais mot de passe").status_code]

    blocked = post_login(strict_client, user.email, PASSWORD)

    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion" in blocked.text
    assert int(blocked.headers["Retry-After"]) > 0


def test_one_address_guessing_many_accounts_is_blocked(
    strict_client: TestClient, make_user: UserFactory
) -> None:
    emails = [f"inconnu{n}@example.org" for n in range(5)]
    for email in emails:
        assert post_login(strict_client, email, "mauvais mot de passe").status_code == 401

    blocked = post_login(strict_client, make_user().email, PASSWORD)

    assert blocked.status_code == 429


def test_a_right_password_before_the_limit_still_logs_in(
    strict_client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    post_login(strict_client, user.email, "mauvais mot de passe")
    post_login(strict_client, user.email, "mauvais mot de passe")

    assert post_login(strict_client, user.email, PASSWORD).status_code == 303


def _copy_of_cookie(client: TestClient) -> str:
    cookie = client.cookies.get(COOKIE_NAME)
    assert cookie is not None
    return cookie


def _dashboard_with(client: TestClient, cookie: str) -> int:
    client.cookies.set(COOKIE_NAME, cookie)
    return client.get("/tableau-de-bord", follow_redirects=False).status_code


def test_logout_makes_a_copied_session_cookie_useless(
    client: TestClient, make_user: UserFactory
) -> None:
    csrf = login(client, make_user())
    stolen = _copy_of_cookie(client)
    assert _dashboard_with(client, stolen) == 200

    client.post("/deconnexion", data={"csrf_token": csrf})

    assert _dashboard_with(client, stolen) == 303


def test_logout_on_one_browser_ends_the_other_browsers_sessions(
    client: TestClient, app_env: dict[str, str], make_user: UserFactory
) -> None:
    from api.main import create_app

    user = make_user()
    with TestClient(create_app()) as other_browser:
        login(other_browser, user)
        csrf = login(client, user)

        client.post("/deconnexion", data={"csrf_token": csrf})

        assert other_browser.get("/tableau-de-bord", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "change",
    [
        lambda db, user: service.deactivate(db, user),
        lambda db, user: service.set_password(db, user, "un tout nouveau mot de passe"),
    ],
    ids=["deactivation", "password-change"],
)
def test_deactivation_and_password_change_end_the_accounts_sessions(
    client: TestClient,
    make_user: UserFactory,
    db_session: Session,
    change: Callable[[Session, User], None],
) -> None:
    user = make_user()
    login(client, user)

    change(db_session, user)

    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303
