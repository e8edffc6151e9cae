"""Bad input seen in probes of a running stack: each gets a clear 4xx, never a 500, and
never an echo of megabytes; dashboard forms come back in French with what was typed."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import UserFactory, login

pytestmark = pytest.mark.usefixtures("quiet_rasa")

OpenCase = Callable[..., dict[str, Any]]
HUGE = 10**30


@pytest.mark.parametrize("opening_id", [2**31, 2**63, HUGE])
def test_a_huge_opening_id_is_not_found(client: TestClient, opening_id: int) -> None:
    response = client.get(f"/v1/openings/{opening_id}")

    assert response.status_code == 404


def test_a_huge_offset_in_the_case_list_is_refused_with_a_reason(
    client: TestClient, make_user: UserFactory, api_headers: Callable[..., dict[str, str]]
) -> None:
    response = client.get("/v1/cases", params={"offset": HUGE}, headers=api_headers(make_user()))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_422_does_not_echo_a_megabyte_back(
    client: TestClient, bot_headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": "conv-1", "text": "a" * 1_000_000},
        headers=bot_headers,
    )

    assert response.status_code == 422
    assert len(response.content) < 2000
    assert response.json()["detail"][0]["loc"] == ["body", "text"]


@pytest.mark.parametrize(
    ("code", "name", "via"),
    [
        ("46102", "Figeac", "insee_code"),
        ("46100", "Figeac", "postal_code"),
        ("46042", "Cahors", "insee_code"),
    ],
)
def test_communes_resolve_reads_an_insee_code_as_well_as_a_postcode(
    client: TestClient, code: str, name: str, via: str
) -> None:
    body = client.get("/v1/communes/resolve", params={"name": code}).json()

    assert body["status"] == "found"
    assert body["commune"]["name"] == name
    assert body["via"] == via


def _post_case_form(
    client: TestClient, new_case: OpenCase, make_user: UserFactory, form: str, text: str
) -> httpx.Response:
    """A logged-in referent posts `text` to a form (repondre, note) of a new case's page."""
    reference = new_case()["reference"]
    csrf = login(client, make_user())
    return client.post(
        f"/tableau-de-bord/dossiers/{reference}/{form}",
        data={"texte": text, "csrf_token": csrf},
        follow_redirects=False,
    )


def test_a_reply_over_the_limit_shows_the_form_again_in_french_with_the_text(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    too_long = "Bonjour Camille. " * 400

    response = _post_case_form(client, new_case, make_user, "repondre", too_long)

    assert response.status_code == 422
    assert "raccourcissez-le à 5000 caractères au plus" in response.text
    assert "Bonjour Camille. Bonjour Camille." in response.text
    assert '"detail"' not in response.text


def test_a_reply_at_the_limit_with_line_breaks_sent_as_crlf_is_accepted(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    # 5000 characters as the browser's maxlength counts them (a line break is one).
    as_counted = "\n".join(["x" * 99] * 50)
    as_counted += "y" * (5000 - len(as_counted))
    as_sent = as_counted.replace("\n", "\r\n")

    response = _post_case_form(client, new_case, make_user, "repondre", as_sent)

    assert len(as_sent) > 5000
    assert response.status_code == 303


def test_an_empty_note_shows_the_form_again_in_french(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    response = _post_case_form(client, new_case, make_user, "note", "   ")

    assert response.status_code == 422
    assert "La note est vide" in response.text


def test_an_overlong_login_field_gets_a_french_page_not_json(client: TestClient) -> None:
    from tests.api.conftest import csrf_token

    token = csrf_token(client.get("/connexion").text)
    response = client.post(
        "/connexion",
        data={"email": "a" * 300 + "@example.org", "password": "x", "csrf_token": token},
    )

    assert response.status_code == 422
    assert "Formulaire incomplet ou trop long" in response.text
    assert '"detail"' not in response.text
