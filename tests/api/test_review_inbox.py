"""The editors' review inbox: misses grouped by similarity, statuses with their history,
reopening, notes, attaching questions to an entry, and who may see it."""

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.core.config import get_settings
from api.review.models import ReviewEvent, ReviewGroup, ReviewItem
from tests.api.conftest import UserFactory, feedback_payload, login

POOL = "Y a-t-il une piscine à Gourdon ?"
POOL_AGAIN = "Est-ce qu'il existe une piscine municipale à Gourdon"
RUGBY = "Y a-t-il un club de rugby à Gourdon ?"


@pytest.fixture(params=["use", "none"])
def encoder(
    request: pytest.FixtureRequest, app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """The sentence encoder of the knowledge search, and rapidfuzz when there is none."""
    monkeypatch.setenv("KNOWLEDGE_ENCODER", request.param)
    get_settings.cache_clear()
    return str(request.param)


@pytest.fixture
def editor(client: TestClient, make_user: UserFactory) -> dict[str, Any]:
    return {"csrf": login(client, make_user(Role.EDITOR))}


def ask_unanswered(client: TestClient, bot_headers: dict[str, str], text: str) -> None:
    response = client.post(
        "/v1/unanswered", json={"text": text, "commune": "46127"}, headers=bot_headers
    )
    assert response.status_code == 201


def dislike(client: TestClient, question: str) -> None:
    import uuid

    response = client.put(
        f"/v1/feedback/{uuid.uuid4()}",
        json=feedback_payload(question=question, commune="46127", reason="not_my_question"),
    )
    assert response.status_code == 201, response.text


def groups_of(db_session: Session) -> dict[str, int]:
    """Label of each group -> number of misses in it."""
    db_session.expire_all()
    return {
        group.label: len(group.items)
        for group in db_session.scalars(select(ReviewGroup).order_by(ReviewGroup.id))
    }


def open_inbox(client: TestClient, status: str = "todo") -> str:
    response = client.get(f"/editeurs/relecture?statut={status}")
    assert response.status_code == 200, response.text
    return html.unescape(response.text)


def group_id(db_session: Session, label: str) -> int:
    db_session.expire_all()
    found = db_session.scalar(select(ReviewGroup.id).where(ReviewGroup.label == label))
    assert found is not None
    return found


def set_status(client: TestClient, editor: dict[str, Any], gid: int, status: str) -> None:
    response = client.post(
        f"/editeurs/relecture/{gid}/statut",
        data={"statut": status, "csrf_token": editor["csrf"]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def history(db_session: Session, gid: int) -> list[tuple[str, str | None]]:
    db_session.expire_all()
    events = db_session.scalars(
        select(ReviewEvent).where(ReviewEvent.group_id == gid).order_by(ReviewEvent.id)
    )
    return [(event.action, event.details.get("to")) for event in events]


# -- grouping ---------------------------------------------------------------------------------


def test_two_phrasings_of_one_question_make_one_group_and_an_unrelated_one_stays_apart(
    encoder: str,
    client: TestClient,
    bot_headers: dict[str, str],
    editor: dict[str, Any],
    db_session: Session,
) -> None:
    ask_unanswered(client, bot_headers, POOL)
    dislike(client, POOL_AGAIN)
    ask_unanswered(client, bot_headers, RUGBY)
    page = open_inbox(client)
    assert groups_of(db_session) == {POOL: 2, RUGBY: 1}
    assert POOL_AGAIN in page
    assert "Ce n'est pas ma question (1)" in page


def test_a_miss_is_grouped_once_however_often_the_inbox_is_read(
    client: TestClient, bot_headers: dict[str, str], editor: dict[str, Any], db_session: Session
) -> None:
    ask_unanswered(client, bot_headers, POOL)
    open_inbox(client)
    open_inbox(client)
    assert db_session.scalars(select(ReviewItem)).all().__len__() == 1


def test_thumbs_up_are_not_in_the_inbox(
    client: TestClient, editor: dict[str, Any], db_session: Session
) -> None:
    import uuid

    client.put(f"/v1/feedback/{uuid.uuid4()}", json=feedback_payload(rating="up"))
    open_inbox(client)
    assert groups_of(db_session) == {}


# -- statuses -----------------------------------------------------------------------------------


@pytest.fixture
def pool_group(
    client: TestClient, bot_headers: dict[str, str], editor: dict[str, Any], db_session: Session
) -> int:
    ask_unanswered(client, bot_headers, POOL)
    open_inbox(client)
    return group_id(db_session, POOL)


def test_a_new_group_is_to_be_handled(pool_group: int, db_session: Session) -> None:
    assert db_session.get(ReviewGroup, pool_group).status == "todo"  # type: ignore[union-attr]
    assert history(db_session, pool_group) == [("created", None)]


@pytest.mark.parametrize(
    ("steps", "shown_in"),
    [
        (["resolved"], "resolved"),
        (["ignored"], "ignored"),
        (["resolved", "todo"], "todo"),
        (["ignored", "todo"], "todo"),
        (["resolved", "ignored"], "ignored"),
        (["ignored", "resolved"], "resolved"),
    ],
)
def test_every_status_change_is_applied_listed_under_its_status_and_kept_in_the_history(
    client: TestClient,
    editor: dict[str, Any],
    pool_group: int,
    db_session: Session,
    steps: list[str],
    shown_in: str,
) -> None:
    for step in steps:
        set_status(client, editor, pool_group, step)
    assert history(db_session, pool_group) == [("created", None)] + [("status", s) for s in steps]
    assert POOL in open_inbox(client, shown_in)
    other = "todo" if shown_in != "todo" else "resolved"
    assert POOL not in open_inbox(client, other)


def test_a_resolved_group_comes_back_to_be_handled_when_the_question_is_asked_again(
    client: TestClient,
    bot_headers: dict[str, str],
    editor: dict[str, Any],
    pool_group: int,
    db_session: Session,
) -> None:
    set_status(client, editor, pool_group, "resolved")
    ask_unanswered(client, bot_headers, "une piscine à Gourdon, il y en a une ?")
    open_inbox(client)
    db_session.expire_all()
    assert db_session.get(ReviewGroup, pool_group).status == "todo"  # type: ignore[union-attr]
    assert history(db_session, pool_group)[-1] == ("reopened", "todo")


def test_an_ignored_group_stays_ignored_when_the_question_comes_again(
    client: TestClient,
    bot_headers: dict[str, str],
    editor: dict[str, Any],
    pool_group: int,
    db_session: Session,
) -> None:
    set_status(client, editor, pool_group, "ignored")
    ask_unanswered(client, bot_headers, POOL)
    open_inbox(client)
    db_session.expire_all()
    group = db_session.get(ReviewGroup, pool_group)
    assert group is not None
    assert group.status == "ignored"
    assert len(group.items) == 2


def test_a_note_is_saved_and_kept_in_the_history(
    client: TestClient, editor: dict[str, Any], pool_group: int, db_session: Session
) -> None:
    response = client.post(
        f"/editeurs/relecture/{pool_group}/note",
        data={"note": "Demander les horaires à la mairie", "csrf_token": editor["csrf"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Demander les horaires à la mairie" in open_inbox(client)
    assert history(db_session, pool_group)[-1] == ("note", None)


def test_a_status_change_without_the_form_token_is_refused(
    client: TestClient, pool_group: int, db_session: Session
) -> None:
    response = client.post(f"/editeurs/relecture/{pool_group}/statut", data={"statut": "ignored"})
    assert response.status_code == 403
    assert db_session.get(ReviewGroup, pool_group).status == "todo"  # type: ignore[union-attr]


def test_an_unknown_status_is_refused(
    client: TestClient, editor: dict[str, Any], pool_group: int
) -> None:
    response = client.post(
        f"/editeurs/relecture/{pool_group}/statut",
        data={"statut": "fini", "csrf_token": editor["csrf"]},
    )
    assert response.status_code == 422


# -- who sees the inbox -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EDITOR, Role.COORDINATOR, Role.ADMIN])
def test_editors_coordinators_and_admins_see_the_inbox(
    client: TestClient, make_user: UserFactory, role: Role
) -> None:
    login(client, make_user(role))
    assert client.get("/editeurs/relecture").status_code == 200


def test_a_referent_does_not_see_the_inbox(client: TestClient, make_user: UserFactory) -> None:
    login(client, make_user(Role.REFERENT))
    response = client.get("/editeurs/relecture")
    assert response.status_code == 403
    assert "espace des éditeurs" in response.text


def test_the_inbox_asks_for_a_login(client: TestClient) -> None:
    response = client.get("/editeurs/relecture", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion")


# -- attaching a group's questions to an entry --------------------------------------------------


@pytest.fixture
def editor_on_copy(
    knowledge_client: TestClient, make_user: UserFactory, bot_headers: dict[str, str]
) -> Iterator[tuple[TestClient, str]]:
    csrf = login(knowledge_client, make_user(Role.EDITOR))
    ask_unanswered(knowledge_client, bot_headers, POOL)
    ask_unanswered(knowledge_client, bot_headers, POOL_AGAIN)
    open_inbox(knowledge_client)
    return knowledge_client, csrf


ENTRY = "loisirs-equipements-quotidien"


def _entry_file(knowledge_copy: Path) -> Path:
    found = [
        p for p in knowledge_copy.rglob("*.md") if re.search(rf"^id: {ENTRY}$", p.read_text(), re.M)
    ]
    assert found, ENTRY
    return found[0]


def test_attaching_shows_the_exact_questions_lines_to_add(
    editor_on_copy: tuple[TestClient, str], db_session: Session
) -> None:
    client, _ = editor_on_copy
    gid = group_id(db_session, POOL)
    page = client.get(f"/editeurs/relecture/{gid}/rattacher?fiche={ENTRY}").text
    expected = f"  - {POOL}\n  - {POOL_AGAIN}"
    assert expected in html.unescape(page)


def test_attaching_writes_the_questions_validates_reloads_and_resolves_the_group(
    editor_on_copy: tuple[TestClient, str], knowledge_copy: Path, db_session: Session
) -> None:
    client, csrf = editor_on_copy
    gid = group_id(db_session, POOL)
    response = client.post(
        f"/editeurs/relecture/{gid}/rattacher",
        data={"fiche": ENTRY, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "  - Y a-t-il une piscine à Gourdon ?" in _entry_file(knowledge_copy).read_text()
    found = client.get("/v1/knowledge/search", params={"q": POOL, "limit": 1}).json()
    assert found["results"][0]["id"] == ENTRY
    db_session.expire_all()
    assert db_session.get(ReviewGroup, gid).status == "resolved"  # type: ignore[union-attr]
    assert [a for a, _ in history(db_session, gid)][-2:] == ["attached", "status"]


def test_attaching_is_refused_and_explained_when_the_content_does_not_validate(
    editor_on_copy: tuple[TestClient, str],
    knowledge_copy: Path,
    db_session: Session,
    write_entry: Any,
) -> None:
    client, csrf = editor_on_copy
    gid = group_id(db_session, POOL)
    before = _entry_file(knowledge_copy).read_text()
    write_entry(knowledge_copy, "fiche-cassee", sources=None)
    response = client.post(
        f"/editeurs/relecture/{gid}/rattacher", data={"fiche": ENTRY, "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert "remise comme avant" in response.text
    assert "fiche-cassee.md" in response.text
    assert _entry_file(knowledge_copy).read_text() == before
    assert db_session.get(ReviewGroup, gid).status == "todo"  # type: ignore[union-attr]


def test_when_the_files_are_read_only_only_the_lines_are_shown(
    editor_on_copy: tuple[TestClient, str],
    knowledge_copy: Path,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, csrf = editor_on_copy
    monkeypatch.setenv("KNOWLEDGE_WRITABLE", "false")
    get_settings.cache_clear()
    gid = group_id(db_session, POOL)
    before = _entry_file(knowledge_copy).read_text()
    page = client.get(f"/editeurs/relecture/{gid}/rattacher?fiche={ENTRY}").text
    assert "pas modifiable" in page
    assert "Ajouter ces lignes" not in page
    response = client.post(
        f"/editeurs/relecture/{gid}/rattacher", data={"fiche": ENTRY, "csrf_token": csrf}
    )
    assert response.status_code == 409
    assert _entry_file(knowledge_copy).read_text() == before
