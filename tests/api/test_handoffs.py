"""POST /v1/handoffs and the referent JSON API: idempotency, routing, validation, access."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.core import db
from api.core.db import utcnow
from api.handoffs import service
from api.handoffs.models import AuditEntry, Case
from api.handoffs.schemas import HandoffIn
from api.territory.service import get_territory
from tests.api.conftest import UserFactory, handoff_payload
from tests.conftest import postgres_url

pytestmark = pytest.mark.usefixtures("quiet_rasa")

OpenCase = Callable[..., dict[str, Any]]


def _case_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def test_same_idempotency_key_twice_gives_one_case(
    client: TestClient, bot_headers: dict[str, str], db_session: Session
) -> None:
    payload = handoff_payload()
    first = client.post("/v1/handoffs", json=payload, headers=bot_headers)
    second = client.post("/v1/handoffs", json=payload, headers=bot_headers)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert _case_count(db_session) == 1


def test_reference_is_human_friendly(open_case_response: dict[str, Any]) -> None:
    reference = open_case_response["reference"]
    assert reference.startswith("OML-20")
    assert len(reference) == len("OML-2026-K7Q4MZ")


@pytest.fixture
def open_case_response(new_case: OpenCase) -> dict[str, Any]:
    return new_case()


def _race_on_one_key(url: str, threads: int = 8) -> set[str]:
    """`threads` sessions open the same case at the same instant; returns the references."""
    payload = HandoffIn.model_validate(handoff_payload())
    team = get_territory().team_for_commune(payload.commune)
    engine = db.make_engine(url)
    barrier = threading.Barrier(threads)
    references: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                case, _ = service.open_case(session, payload, team, utcnow())
                references.append(case.reference)
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    engine.dispose()
    assert not errors, errors
    return set(references)


def test_concurrent_calls_with_one_key_give_one_case(
    database_url: str, db_session: Session
) -> None:
    references = _race_on_one_key(database_url)

    assert len(references) == 1
    assert _case_count(db_session) == 1


@pytest.mark.postgres
def test_concurrent_calls_with_one_key_give_one_case_on_postgresql() -> None:
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
    from api.db_migrate import upgrade

    upgrade(url)
    assert len(_race_on_one_key(url)) == 1


def test_visitor_interested_in_figeac_goes_to_grand_figeac_team(new_case: OpenCase) -> None:
    case = new_case(commune="46102")

    assert case["team"] == {"id": "grand-figeac", "name": "Équipe accueil du Grand-Figeac"}
    assert case["status"] == "new"
    assert "l’équipe accueil du Grand-Figeac" in case["expected_reply"]
    assert case["reference"] in case["expected_reply"]


@pytest.mark.parametrize("commune", [None, "75056", "46999"])
def test_unknown_or_missing_commune_goes_to_department_team(
    new_case: OpenCase, commune: str | None
) -> None:
    assert new_case(commune=commune)["team"]["id"] == "departement"


def test_expected_reply_says_how_the_answer_comes_without_email(new_case: OpenCase) -> None:
    case = new_case(contact={"first_name": "Léa", "email": None, "phone": "06 12 34 56 78"})

    assert "par téléphone" in case["expected_reply"]
    assert "e-mail" not in case["expected_reply"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"consent": None}, "consent"),
        ({"consent": False}, "consent"),
        ({"consent": {"text": "", "given_at": "2026-11-25T10:00:00+00:00"}}, "consent"),
        ({"contact": {"first_name": "Camille", "email": "pas-une-adresse"}}, "email"),
        ({"contact": {"first_name": "", "email": "a@example.org"}}, "first_name"),
        ({"commune": "Figeac"}, "commune"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_invalid_handoff_is_refused_with_its_reason(
    client: TestClient,
    bot_headers: dict[str, str],
    db_session: Session,
    change: dict[str, Any],
    reason: str,
) -> None:
    response = client.post("/v1/handoffs", json=handoff_payload(**change), headers=bot_headers)

    assert response.status_code == 422
    assert reason in str(response.json()["detail"])
    assert _case_count(db_session) == 0


def test_missing_consent_field_is_refused(client: TestClient, bot_headers: dict[str, str]) -> None:
    payload = handoff_payload()
    del payload["consent"]

    response = client.post("/v1/handoffs", json=payload, headers=bot_headers)

    assert response.status_code == 422


def test_handoff_without_token_is_unauthorized(client: TestClient) -> None:
    response = client.post("/v1/handoffs", json=handoff_payload())
    assert response.status_code == 401


def test_handoff_with_wrong_token_is_forbidden(client: TestClient) -> None:
    response = client.post(
        "/v1/handoffs", json=handoff_payload(), headers={"Authorization": "Bearer nope-nope"}
    )
    assert response.status_code == 403


def test_opening_a_case_is_audited_without_personal_data(
    new_case: OpenCase, db_session: Session
) -> None:
    case = new_case()
    entry = db_session.scalars(select(AuditEntry)).one()

    assert (entry.action, entry.case_reference, entry.actor_kind) == (
        "case.opened",
        case["reference"],
        "bot",
    )
    assert "Camille" not in str(entry.details)
    assert "camille@example.net" not in str(entry.details)


# --- Visitor messages ----------------------------------------------------------------------


def test_visitor_message_reaches_the_claimed_case(
    client: TestClient,
    bot_headers: dict[str, str],
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    case = new_case()
    headers = api_headers(make_user())
    client.post(f"/v1/cases/{case['reference']}/claim", headers=headers)

    response = client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": case["conversation_id"], "text": "Merci, et pour l’école ?"},
        headers=bot_headers,
    )

    assert response.status_code == 201
    assert response.json()["reference"] == case["reference"]
    detail = client.get(f"/v1/cases/{case['reference']}", headers=headers).json()
    assert [m["text"] for m in detail["messages"]] == ["Merci, et pour l’école ?"]
    assert detail["messages"][0]["direction"] == "visitor"


def test_visitor_message_without_live_case_is_not_found(
    client: TestClient, bot_headers: dict[str, str], new_case: OpenCase
) -> None:
    case = new_case()  # new, nobody has claimed it: not live yet

    unclaimed = client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": case["conversation_id"], "text": "Il y a quelqu’un ?"},
        headers=bot_headers,
    )
    unknown = client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": "never-seen", "text": "Bonjour"},
        headers=bot_headers,
    )

    assert unclaimed.status_code == 404
    assert unknown.status_code == 404


def test_visitor_message_after_close_is_not_found(
    client: TestClient,
    bot_headers: dict[str, str],
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    case = new_case()
    headers = api_headers(make_user())
    client.post(f"/v1/cases/{case['reference']}/claim", headers=headers)
    client.post(f"/v1/cases/{case['reference']}/close", headers=headers)

    response = client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": case["conversation_id"], "text": "Encore une question"},
        headers=bot_headers,
    )

    assert response.status_code == 404


# --- Referent API --------------------------------------------------------------------------


def test_referent_api_without_token_is_unauthorized(client: TestClient) -> None:
    assert client.get("/v1/cases").status_code == 401
    assert client.get("/v1/cases/OML-2026-AAAAAA").status_code == 401


def test_revoked_or_made_up_token_is_unauthorized(client: TestClient) -> None:
    response = client.get("/v1/cases", headers={"Authorization": "Bearer oml_made-up"})
    assert response.status_code == 401


def test_referent_cannot_read_other_territory_case(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    figeac_case = new_case(commune="46102")
    cauvaldor_referent = api_headers(make_user(Role.REFERENT, ("cauvaldor",)))
    reference = figeac_case["reference"]

    assert client.get(f"/v1/cases/{reference}", headers=cauvaldor_referent).status_code == 404
    assert (
        client.post(f"/v1/cases/{reference}/claim", headers=cauvaldor_referent).status_code == 404
    )
    assert (
        client.get(f"/v1/cases/{reference}/export", headers=cauvaldor_referent).status_code == 404
    )
    assert client.get("/v1/cases", headers=cauvaldor_referent).json()["total"] == 0


def test_coordinator_sees_every_team(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    new_case(commune="46102")  # Figeac
    new_case(commune="46128")  # Gramat, Cauvaldor
    coordinator = api_headers(make_user(Role.COORDINATOR))

    listing = client.get("/v1/cases", headers=coordinator).json()

    assert {case["team"]["id"] for case in listing["cases"]} == {"grand-figeac", "cauvaldor"}


def test_editor_account_cannot_use_the_case_api(
    client: TestClient, make_user: UserFactory, api_headers: Callable[..., dict[str, str]]
) -> None:
    editor = api_headers(make_user(Role.EDITOR))
    assert client.get("/v1/cases", headers=editor).status_code == 403


def test_queue_filters_and_counts(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    first = new_case(contact={"first_name": "Amélie", "email": "amelie@example.net"})
    new_case(contact={"first_name": "Bastien", "email": "bastien@example.net"})
    headers = api_headers(make_user())
    client.post(f"/v1/cases/{first['reference']}/claim", headers=headers)

    counts = client.get("/v1/cases/counts", headers=headers).json()
    claimed = client.get("/v1/cases", params={"status": "claimed"}, headers=headers).json()
    found = client.get("/v1/cases", params={"q": "basti"}, headers=headers).json()

    assert counts == {"new": 1, "claimed": 1, "waiting": 0, "closed": 0}
    assert [case["reference"] for case in claimed["cases"]] == [first["reference"]]
    assert [case["first_name"] for case in found["cases"]] == ["Bastien"]


def test_case_lifecycle_claim_reply_close_reopen(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    reference = new_case()["reference"]
    referent = make_user(name="Référente Figeac")
    headers = api_headers(referent)

    claimed = client.post(f"/v1/cases/{reference}/claim", headers=headers).json()
    replied = client.post(
        f"/v1/cases/{reference}/reply", json={"text": "Bonjour !"}, headers=headers
    )
    note = client.post(f"/v1/cases/{reference}/notes", json={"text": "À rappeler"}, headers=headers)
    closed = client.post(f"/v1/cases/{reference}/close", headers=headers).json()
    closed_twice = client.post(f"/v1/cases/{reference}/close", headers=headers)
    reply_on_closed = client.post(
        f"/v1/cases/{reference}/reply", json={"text": "Encore"}, headers=headers
    )
    reopened = client.post(f"/v1/cases/{reference}/reopen", headers=headers).json()

    assert claimed["status"] == "claimed"
    assert claimed["claimed_by"]["display_name"] == "Référente Figeac"
    assert replied.status_code == 201
    assert note.status_code == 201
    assert closed["status"] == "closed"
    assert closed_twice.status_code == 409
    assert reply_on_closed.status_code == 409
    assert reopened["status"] == "claimed"
    assert reopened["closed_at"] is None
    assert [n["text"] for n in reopened["notes"]] == ["À rappeler"]


def test_reply_is_refused_when_empty(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Callable[..., dict[str, str]],
) -> None:
    reference = new_case()["reference"]
    response = client.post(
        f"/v1/cases/{reference}/reply", json={"text": "   "}, headers=api_headers(make_user())
    )
    assert response.status_code == 422
