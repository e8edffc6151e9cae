"""Editors' changes reach visitors without a restart; a broken change never does."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Role
from api.core.config import get_settings
from api.knowledge.watcher import ReloadsHandled
from tests.api.conftest import UserFactory, login


def _first_id(client: TestClient, query: str, **params: str) -> str | None:
    body = client.get("/v1/knowledge/search", params={"q": query, **params}).json()
    return body["results"][0]["id"] if body["results"] else None


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip() + f"\n\n{text}\n", encoding="utf-8")


# Generous: how fast an edit is served is measured in bench/, not here; a loaded machine
# must not fail these tests.
WATCH_TIMEOUT_S = 20.0


def _wait_for(client: TestClient, check: Callable[[], bool]) -> None:
    """Until `check()` holds, looked at again after each change the file watcher handled."""
    reloads: ReloadsHandled = client.app.state.knowledge_reloads  # type: ignore[attr-defined]
    assert reloads.wait_for(check, WATCH_TIMEOUT_S), f"not true after {WATCH_TIMEOUT_S} s"


def _wait_until_first(client: TestClient, query: str, entry_id: str) -> None:
    _wait_for(client, lambda: _first_id(client, query) == entry_id)


@pytest.fixture
def watching_client(
    app_env: dict[str, str], knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    from api.main import create_app

    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("KNOWLEDGE_WATCH", "true")
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client


def test_edited_entry_is_served_without_restart(
    watching_client: TestClient, knowledge_copy: Path
) -> None:
    assert _first_id(watching_client, "ornithorynque") is None
    _append(knowledge_copy / "housing" / "logement-cahors.md", "Aucun ornithorynque à Cahors.")
    _wait_for(
        watching_client, lambda: _first_id(watching_client, "ornithorynque") == "logement-cahors"
    )


def test_new_entry_file_is_served_without_restart(
    watching_client: TestClient, knowledge_copy: Path, write_entry: Callable[..., Path]
) -> None:
    write_entry(knowledge_copy, "fiche-ajoutee", body="Les ornithorynques ne vivent pas ici.")
    _wait_for(
        watching_client, lambda: _first_id(watching_client, "ornithorynques") == "fiche-ajoutee"
    )


def test_broken_edit_keeps_the_last_good_content_and_shows_why(
    watching_client: TestClient, knowledge_copy: Path, make_user: UserFactory
) -> None:
    login(watching_client, make_user(Role.EDITOR))
    entry = knowledge_copy / "housing" / "logement-cahors.md"
    _append(entry, "Aucun ornithorynque à Cahors.")
    _wait_for(
        watching_client, lambda: _first_id(watching_client, "ornithorynque") == "logement-cahors"
    )
    entry.write_text(entry.read_text(encoding="utf-8").replace("theme: housing", "theme: logis"))
    _wait_for(
        watching_client, lambda: "thème « logis » inconnu" in watching_client.get("/editeurs").text
    )
    assert _first_id(watching_client, "ornithorynque") == "logement-cahors"
    page = watching_client.get("/editeurs").text
    assert "Le dernier rechargement" in page
    assert "a été refusé" in page
    assert "logement-cahors.md:3" in page


def test_reload_endpoint_needs_the_admin_token(
    knowledge_client: TestClient, bot_headers: dict[str, str]
) -> None:
    assert knowledge_client.post("/v1/knowledge/reload").status_code == 401
    assert knowledge_client.post("/v1/knowledge/reload", headers=bot_headers).status_code == 403


def test_reload_endpoint_applies_changes_now(
    knowledge_client: TestClient, knowledge_copy: Path, admin_headers: dict[str, str]
) -> None:
    _append(knowledge_copy / "schools" / "lycees-figeac.md", "Pas d'ornithorynque au lycée.")
    assert _first_id(knowledge_client, "ornithorynque") is None
    response = knowledge_client.post("/v1/knowledge/reload", headers=admin_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["entries"] >= 30
    assert body["themes"]["schools"] >= 1
    assert set(body["themes"]) == {
        "jobs",
        "business",
        "retraining",
        "schools",
        "housing",
        "leisure",
        "health",
        "transport",
        "living",
    }
    assert _first_id(knowledge_client, "ornithorynque") == "lycees-figeac"


def test_reload_with_errors_answers_422_and_keeps_serving(
    knowledge_client: TestClient,
    knowledge_copy: Path,
    admin_headers: dict[str, str],
    write_entry: Callable[..., Path],
) -> None:
    broken = write_entry(knowledge_copy, "fiche-cassee", reviewed="demain")
    line = broken.read_text(encoding="utf-8").splitlines().index("reviewed: demain") + 1
    _append(knowledge_copy / "schools" / "lycees-figeac.md", "Pas d'ornithorynque au lycée.")
    response = knowledge_client.post("/v1/knowledge/reload", headers=admin_headers)
    assert response.status_code == 422
    body = response.json()
    assert "previous content is still served" in body["detail"]
    assert [problem["location"] for problem in body["problems"]] == [
        f"knowledge/housing/fiche-cassee.md:{line}"
    ]
    assert body["problems"][0]["severity"] == "error"
    assert "date de relecture « demain » invalide" in body["problems"][0]["message"]
    # The previous content is still served: neither the broken entry nor the valid edit.
    assert _first_id(knowledge_client, "ornithorynque") is None
    assert knowledge_client.get("/v1/knowledge/entries/lycees-cahors").status_code == 200


def test_api_starts_with_broken_content_and_says_the_knowledge_is_unavailable(
    app_env: dict[str, str],
    knowledge_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_entry: Callable[..., Path],
    make_user: UserFactory,
) -> None:
    from api.main import create_app

    write_entry(knowledge_copy, "fiche-cassee", theme="logis", folder="housing")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_copy))
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        login(client, make_user(Role.EDITOR))
        assert client.get("/health").status_code == 200
        response = client.get("/v1/knowledge/search", params={"q": "lycée"})
        assert response.status_code == 503
        page = client.get("/editeurs").text
        assert "Aucune fiche n'est en service" in page
        assert "thème « logis » inconnu" in page
