"""The referents' dashboard: login required, team isolation, escaping, CSRF, the case page."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.handoffs import service
from tests.api.conftest import UserFactory, csrf_token, login
from tests.api.test_site import csp_directives

pytestmark = pytest.mark.usefixtures("quiet_rasa")

OpenCase = Callable[..., dict[str, Any]]


def test_queue_requires_login(client: TestClient) -> None:
    response = client.get("/tableau-de-bord", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suivant=%2Ftableau-de-bord"


def test_login_brings_back_to_the_requested_case(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    reference = new_case()["reference"]
    user = make_user()
    page = client.get(f"/tableau-de-bord/dossiers/{reference}")
    assert "Connexion" in page.text

    response = client.post(
        "/connexion",
        data={
            "email": user.email,
            "password": "un mot de passe assez long",
            "suivant": f"/tableau-de-bord/dossiers/{reference}",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == f"/tableau-de-bord/dossiers/{reference}"


def test_login_never_redirects_to_another_site(client: TestClient, make_user: UserFactory) -> None:
    user = make_user()
    page = client.get("/connexion", params={"suivant": "//evil.example.com/"})

    response = client.post(
        "/connexion",
        data={
            "email": user.email,
            "password": "un mot de passe assez long",
            "suivant": "//evil.example.com/",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == "/tableau-de-bord"


def test_queue_lists_only_the_cases_of_my_teams(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    figeac = new_case(commune="46102")
    gramat = new_case(commune="46128")
    login(client, make_user(Role.REFERENT, ("cauvaldor",)))

    page = client.get("/tableau-de-bord").text

    assert gramat["reference"] in page
    assert figeac["reference"] not in page


def test_the_case_page_reads_itself_again_as_often_as_the_settings_say(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.core.config import get_settings

    reference = new_case(commune="46102")["reference"]
    login(client, make_user())
    default = client.get(f"/tableau-de-bord/dossiers/{reference}").text
    monkeypatch.setenv("DASHBOARD_REFRESH_SECONDS", "2.5")
    get_settings.cache_clear()

    page = client.get(f"/tableau-de-bord/dossiers/{reference}").text

    assert '<script src="/tableau-de-bord/live.js" data-refresh-ms="10000" defer>' in default
    assert '<script src="/tableau-de-bord/live.js" data-refresh-ms="2500" defer>' in page


def test_referent_of_cauvaldor_cannot_open_a_grand_figeac_case(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    reference = new_case(commune="46102")["reference"]
    login(client, make_user(Role.REFERENT, ("cauvaldor",)))

    response = client.get(f"/tableau-de-bord/dossiers/{reference}")

    assert response.status_code == 404
    assert "ne relève pas de vos équipes" in response.text


def test_queue_shows_counts_and_filters_by_status(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    first = new_case()
    second = new_case()
    csrf = login(client, make_user())
    client.post(
        f"/tableau-de-bord/dossiers/{first['reference']}/prendre", data={"csrf_token": csrf}
    )

    page = client.get("/tableau-de-bord", params={"statut": "new"}).text

    assert "Nouvelles : <strong>1</strong>" in page
    assert "Prises en charge : <strong>1</strong>" in page
    assert second["reference"] in page
    assert first["reference"] not in page


def test_visitor_text_is_escaped_everywhere_in_the_case_page(
    client: TestClient, bot_headers: dict[str, str], new_case: OpenCase, make_user: UserFactory
) -> None:
    attack = "<script>alert('xss')</script>"
    case = new_case(
        contact={"first_name": attack, "email": "camille@example.net"},
        profile={"job": attack},
        transcript=[{"role": "visitor", "text": attack, "at": None}],
    )
    csrf = login(client, make_user())
    client.post(f"/tableau-de-bord/dossiers/{case['reference']}/prendre", data={"csrf_token": csrf})
    client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": case["conversation_id"], "text": attack},
        headers=bot_headers,
    )

    case_page = client.get(f"/tableau-de-bord/dossiers/{case['reference']}").text
    queue_page = client.get("/tableau-de-bord").text

    for page in (case_page, queue_page):
        assert "<script>" not in page
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page


def test_post_without_csrf_token_is_forbidden(
    client: TestClient, new_case: OpenCase, make_user: UserFactory, db_session: Session
) -> None:
    reference = new_case()["reference"]
    login(client, make_user())

    missing = client.post(f"/tableau-de-bord/dossiers/{reference}/prendre")
    wrong = client.post(
        f"/tableau-de-bord/dossiers/{reference}/prendre", data={"csrf_token": "forged"}
    )

    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert "Ce formulaire a expiré" in missing.text
    case = service.get_case(db_session, reference)
    assert case is not None
    assert case.status == "new"


def test_login_without_csrf_token_is_forbidden(client: TestClient, make_user: UserFactory) -> None:
    user = make_user()
    response = client.post(
        "/connexion", data={"email": user.email, "password": "un mot de passe assez long"}
    )
    assert response.status_code == 403


def test_case_page_shows_profile_transcript_and_thread_with_delivery_state(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    case = new_case(contact={"first_name": "Camille", "email": None, "phone": "0612345678"})
    csrf = login(client, make_user())

    after_reply = client.post(
        f"/tableau-de-bord/dossiers/{case['reference']}/repondre",
        data={"texte": "Bonjour Camille", "csrf_token": csrf},
    ).text

    assert "Métier" in after_reply
    assert "infirmier" in after_reply
    assert "Je cherche un poste d’infirmier" in after_reply
    assert "0612345678" in after_reply
    assert "Bonjour Camille" in after_reply
    assert "En attente d’envoi" in after_reply  # Rasa is not running in this test


def test_notes_stay_internal_and_are_listed(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    reference = new_case()["reference"]
    csrf = login(client, make_user(name="Alex Martin"))

    page = client.post(
        f"/tableau-de-bord/dossiers/{reference}/note",
        data={"texte": "Rappeler jeudi", "csrf_token": csrf},
    ).text

    assert "Votre note est enregistrée." in page
    assert "Rappeler jeudi" in page
    assert "Alex Martin" in page


def test_close_and_reopen_from_the_case_page(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    reference = new_case()["reference"]
    csrf = login(client, make_user())

    closed = client.post(
        f"/tableau-de-bord/dossiers/{reference}/cloturer", data={"csrf_token": csrf}
    ).text
    reopened = client.post(
        f"/tableau-de-bord/dossiers/{reference}/rouvrir", data={"csrf_token": csrf}
    ).text

    assert "La demande est clôturée." in closed
    assert "Rouvrir la demande" in closed
    assert "La demande est rouverte" in reopened
    assert "Prise en charge" in reopened


def test_editor_has_no_access_to_visitor_cases(client: TestClient, make_user: UserFactory) -> None:
    login(client, make_user(Role.EDITOR))

    response = client.get("/tableau-de-bord")

    assert response.status_code == 403
    assert "ne donne pas accès aux demandes" in response.text


def test_pages_forbid_framing_and_caching(client: TestClient) -> None:
    response = client.get("/connexion")

    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_every_back_office_response_gets_the_same_security_headers(
    client: TestClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.COORDINATOR))
    for path in (
        "/tableau-de-bord",
        "/tableau-de-bord/dossiers/LOT-INCONNU",
        "/tableau-de-bord/style.css",
        "/statistiques",
        "/statistiques.csv",
    ):
        response = client.get(path)

        policy = csp_directives(response.headers["content-security-policy"])
        assert policy["script-src"] == ["'self'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["x-content-type-options"] == "nosniff", path
    assert client.get("/tableau-de-bord/dossiers/LOT-INCONNU").status_code == 404


def test_the_json_api_is_left_to_its_own_headers(client: TestClient) -> None:
    response = client.get("/health")

    assert "content-security-policy" not in response.headers
    assert "cache-control" not in response.headers


def test_stylesheet_is_served_locally(client: TestClient) -> None:
    response = client.get("/tableau-de-bord/style.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_editors_page_needs_an_editor_coordinator_or_admin(
    client: TestClient, make_user: UserFactory
) -> None:
    anonymous = client.get("/editeurs", follow_redirects=False)
    login(client, make_user(Role.REFERENT))
    referent = client.get("/editeurs")
    client.cookies.clear()
    login(client, make_user(Role.EDITOR))
    editor = client.get("/editeurs")

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/connexion?suivant=%2Fediteurs"
    assert referent.status_code == 403
    assert editor.status_code == 200


def test_editor_lands_on_the_editors_page_after_login(
    client: TestClient, make_user: UserFactory
) -> None:
    editor = make_user(Role.EDITOR)
    page = client.get("/connexion")

    response = client.post(
        "/connexion",
        data={
            "email": editor.email,
            "password": "un mot de passe assez long",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == "/editeurs"


def test_referents_are_told_when_e_mails_are_only_written_to_the_log(
    client: TestClient, make_user: UserFactory
) -> None:
    login(client, make_user())

    page = client.get("/tableau-de-bord")

    assert "L’envoi des e-mails n’est pas configuré sur ce serveur" in page.text


def test_no_mail_warning_once_smtp_is_configured(
    client: TestClient, make_user: UserFactory, smtp_server: object
) -> None:
    login(client, make_user())

    page = client.get("/tableau-de-bord")

    assert page.status_code == 200
    assert "L’envoi des e-mails n’est pas configuré" not in page.text
