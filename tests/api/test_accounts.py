"""Accounts: argon2 passwords, login and logout, session cookie, API tokens, the CLI."""

import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts import service
from api.accounts.models import Role, User
from api.cli import main as cli
from tests.api.conftest import PASSWORD, UserFactory, csrf_token, login, post_login

pytestmark = pytest.mark.usefixtures("quiet_rasa")


def test_passwords_are_stored_as_argon2_hashes(make_user: UserFactory) -> None:
    user = make_user()

    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_a_hash_of_another_cost_is_redone_at_the_settings_cost_on_login(
    make_user: UserFactory, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.core.config import get_settings

    user = make_user()  # at the suites' lowest cost (tests/conftest.py)
    for name in ("PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_MEMORY_KIB"):
        monkeypatch.delenv(name)
    get_settings.cache_clear()

    assert service.authenticate(db_session, user.email, PASSWORD) == user
    # argon2-cffi's defaults, RFC 9106's profile for 64 MiB.
    assert "$m=65536,t=3,p=4$" in user.password_hash
    assert service.authenticate(db_session, user.email, PASSWORD) == user


def test_login_with_wrong_password_shows_a_french_error(
    client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    page = client.get("/connexion")

    response = client.post(
        "/connexion",
        data={"email": user.email, "password": "pas le bon", "csrf_token": csrf_token(page.text)},
    )

    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.text
    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client: TestClient) -> None:
    page = client.get("/connexion")
    response = client.post(
        "/connexion",
        data={
            "email": "personne@example.org",
            "password": "peu importe",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.text


def test_session_cookie_is_httponly_and_samesite_lax(
    client: TestClient, make_user: UserFactory
) -> None:
    user = make_user()
    page = client.get("/connexion")

    response = client.post(
        "/connexion",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )

    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 303
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # COOKIE_SECURE defaults to false for local http


def test_session_cookie_is_secure_when_configured(
    client: TestClient, make_user: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.core.config import get_settings

    monkeypatch.setenv("COOKIE_SECURE", "true")
    get_settings.cache_clear()

    response = client.get("/connexion")

    assert "secure" in response.headers["set-cookie"].lower()


def test_email_is_matched_whatever_its_case(client: TestClient, make_user: UserFactory) -> None:
    make_user(email="Claire.Dupont@Example.org")

    response = post_login(client, "  claire.dupont@example.ORG ", PASSWORD)

    assert response.status_code == 303


def test_inactive_account_cannot_log_in(
    client: TestClient, make_user: UserFactory, db_session: Session
) -> None:
    user = make_user()
    user.active = False
    db_session.commit()

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 401


def test_logout_ends_the_session(client: TestClient, make_user: UserFactory) -> None:
    csrf = login(client, make_user())

    response = client.post("/deconnexion", data={"csrf_token": csrf})

    assert "Déconnexion effectuée" in response.text
    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_password_change_ends_open_sessions(
    client: TestClient, make_user: UserFactory, db_session: Session
) -> None:
    user = make_user()
    login(client, user)
    user.password_hash = service.hash_password("un tout nouveau mot de passe")
    db_session.commit()

    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_tampered_session_cookie_is_ignored(client: TestClient, make_user: UserFactory) -> None:
    login(client, make_user())
    cookie = client.cookies.get("oml_session")
    assert cookie is not None
    client.cookies.set("oml_session", cookie[:-2] + "xx")

    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_dashboard_session_can_call_the_json_api_with_csrf_header(
    client: TestClient, make_user: UserFactory
) -> None:
    csrf = login(client, make_user())

    listing = client.get("/v1/cases")
    write_without_header = client.post("/v1/cases/OML-2026-AAAAAA/claim")
    write_with_header = client.post(
        "/v1/cases/OML-2026-AAAAAA/claim", headers={"X-CSRF-Token": csrf}
    )

    assert listing.status_code == 200
    assert write_without_header.status_code == 403
    assert write_with_header.status_code == 404  # authorised; the case does not exist


def test_api_token_of_a_deactivated_user_stops_working(
    client: TestClient, make_user: UserFactory, db_session: Session
) -> None:
    user = make_user()
    token = service.create_api_token(db_session, user, "tests")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/cases", headers=headers).status_code == 200

    user.active = False
    db_session.commit()

    assert client.get("/v1/cases", headers=headers).status_code == 401


def test_cli_creates_a_referent_with_a_generated_password_shown_once(
    app_env: dict[str, str],
    client: TestClient,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code = cli(
        [
            "create-user",
            "--email",
            "accueil.figeac@example.org",
            "--name",
            "Référente Figeac",
            "--role",
            "referent",
            "--team",
            "grand-figeac",
            "--generate-password",
        ]
    )
    output = capsys.readouterr().out
    password = output.strip().splitlines()[-1]

    assert code == 0
    assert "Compte créé" in output
    assert post_login(client, "accueil.figeac@example.org", password).status_code == 303


def test_cli_reads_the_password_from_stdin(
    app_env: dict[str, str], db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe choisi\n"))

    code = cli(
        [
            "create-user",
            "--email",
            "coordination@example.org",
            "--name",
            "Coordination",
            "--role",
            "coordinator",
            "--password-stdin",
        ]
    )

    assert code == 0
    assert service.authenticate(db_session, "coordination@example.org", "un mot de passe choisi")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "referent", "--team", "atlantide"], "Équipe inconnue : atlantide"),
        (["--role", "referent"], "un référent appartient à au moins une équipe"),
    ],
)
def test_cli_refuses_a_referent_without_a_real_team(
    app_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code = cli(["create-user", "--email", "x@example.org", "--name", "X", *arguments])

    assert code == 2
    assert message in capsys.readouterr().out


def test_cli_refuses_a_short_password(
    app_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))

    code = cli(
        [
            "create-user",
            "--email",
            "admin@example.org",
            "--name",
            "Admin",
            "--role",
            Role.ADMIN.value,
            "--password-stdin",
        ]
    )

    assert code == 2
    assert "au moins 12 caractères" in capsys.readouterr().out


def test_cli_creates_an_api_token(
    app_env: dict[str, str],
    client: TestClient,
    make_user: UserFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = make_user()

    code = cli(["create-token", "--email", user.email, "--name", "CRM"])
    token = capsys.readouterr().out.strip().splitlines()[-1]

    assert code == 0
    assert token.startswith("oml_")
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_cli_sets_a_new_password_and_the_old_one_stops_working(
    app_env: dict[str, str],
    client: TestClient,
    make_user: UserFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user()
    monkeypatch.setattr("sys.stdin", io.StringIO("un tout nouveau mot de passe\n"))

    code = cli(["set-password", "--email", user.email, "--password-stdin"])

    assert code == 0
    assert "ses sessions ouvertes sont fermées" in capsys.readouterr().out
    assert post_login(client, user.email, PASSWORD).status_code != 303
    assert post_login(client, user.email, "un tout nouveau mot de passe").status_code == 303


def test_cli_deactivated_referent_can_no_longer_log_in_nor_use_a_token(
    app_env: dict[str, str],
    client: TestClient,
    make_user: UserFactory,
    api_headers: Callable[[User], dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = make_user()
    headers = api_headers(user)

    code = cli(["deactivate-user", "--email", user.email])

    assert code == 0
    assert "désactivé" in capsys.readouterr().out
    assert post_login(client, user.email, PASSWORD).status_code != 303
    assert client.get("/v1/cases", headers=headers).status_code == 401


def test_cli_account_commands_name_an_unknown_address(
    app_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["deactivate-user", "--email", "personne@example.org"]) == 2
    assert "Aucun compte pour personne@example.org." in capsys.readouterr().out
