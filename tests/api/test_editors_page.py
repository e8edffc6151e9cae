"""The editors' page: state of the content and questions left without an answer."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Role
from tests.api.conftest import UserFactory, login


@pytest.fixture
def editor_client(knowledge_client: TestClient, make_user: UserFactory) -> TestClient:
    """The knowledge client, logged in as a content editor."""
    login(knowledge_client, make_user(Role.EDITOR))
    return knowledge_client


def _ask(client: TestClient, headers: dict[str, str], text: str, commune: str | None) -> None:
    payload = {"text": text, "theme_guess": "leisure", "commune": commune}
    assert client.post("/v1/unanswered", json=payload, headers=headers).status_code == 201


def test_page_shows_the_entries_per_theme_in_french(editor_client: TestClient) -> None:
    response = editor_client.get("/editeurs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="fr">' in page
    assert "fiches en service" in page
    for label in ("Emploi", "Logement", "Crèches, écoles et études", "Santé", "Transports"):
        assert f"<td>{label}</td>" in page
    assert "Aucune remarque : toutes les fiches sont valides." in page


def test_page_lists_entries_to_review_and_warnings(
    editor_client: TestClient,
    knowledge_copy: Path,
    write_entry: Callable[..., Path],
    admin_headers: dict[str, str],
) -> None:
    write_entry(knowledge_copy, "fiche-ancienne", title="Une fiche ancienne", reviewed="2020-02-03")
    assert editor_client.post("/v1/knowledge/reload", headers=admin_headers).status_code == 200
    page = editor_client.get("/editeurs").text
    assert "Fiches à relire" in page
    assert "<td>Une fiche ancienne</td>" in page
    assert "3 février 2020" in page
    assert "knowledge/housing/fiche-ancienne.md" in page


def test_unanswered_questions_are_grouped_most_frequent_first(
    editor_client: TestClient, bot_headers: dict[str, str]
) -> None:
    _ask(editor_client, bot_headers, "Où faire du tir à l'arc ?", None)
    for text in (
        "Un club de rugby à Gourdon ?",
        "un club de rugby a gourdon",
        "UN CLUB DE RUGBY À GOURDON",
    ):
        _ask(editor_client, bot_headers, text, "46127")
    page = editor_client.get("/editeurs").text
    rugby = page.index("UN CLUB DE RUGBY À GOURDON")
    archery = page.index("Où faire du tir à l&#39;arc ?")
    assert rugby < archery
    row = page[rugby : page.index("</tr>", rugby)]
    assert '<td class="count">3</td>' in row
    assert "<td>Loisirs</td>" in row
    assert "<td>Gourdon</td>" in row


def test_questions_are_shown_escaped_never_as_html(
    editor_client: TestClient, bot_headers: dict[str, str]
) -> None:
    _ask(editor_client, bot_headers, "<script>alert('x')</script> une crèche ?", None)
    page = editor_client.get("/editeurs").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_page_never_shows_a_visitors_phone_number(
    editor_client: TestClient, bot_headers: dict[str, str]
) -> None:
    _ask(editor_client, bot_headers, "Appelez-moi au 06 12 34 56 78 pour un logement", None)
    page = editor_client.get("/editeurs").text
    assert "06 12 34 56 78" not in page
    assert "Appelez-moi au [numéro retiré] pour un logement" in page
