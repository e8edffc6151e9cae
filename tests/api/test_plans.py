"""'Mon projet d'installation': links unguessable, expiring and revocable; a page that shows
only its own visitor's plan, and only what the visitor gave; e-mail, case and purge."""

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.handoffs.models import Case
from api.openings.models import Kind
from api.plans.models import Plan
from api.plans.service import token_hash
from api.privacy import service as privacy
from tests.api.conftest import Mailbox, login

pytestmark = pytest.mark.usefixtures("quiet_rasa")

UNAVAILABLE = "Ce lien ne mène à aucun projet"
_serial = iter(range(1, 10_000))


def plan_payload(**profile: Any) -> dict[str, Any]:
    """The family of the issue: two children (collège, maternelle), a nurse and a carpenter,
    looking at Figeac, renting a house, within the year."""
    body: dict[str, Any] = {
        "household": {
            "adults": [
                {"trade": "infirmière", "looking_for": ["job"]},
                {"trade": "menuisier", "sector": "bâtiment", "looking_for": ["job"]},
            ],
            "children": [{"level": "college"}, {"level": "maternelle"}],
        },
        "housing": {"tenure": "rent", "kind": "house"},
        "area": {"communes": ["Figeac"]},
        "timeline": "d'ici l'été prochain",
    }
    body.update(profile)
    return {"conversation_id": f"conv-plan-{next(_serial)}", "profile": body}


@pytest.fixture
def make_plan(client: TestClient, bot_headers: dict[str, str]) -> Callable[..., dict[str, Any]]:
    def make(payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = payload or plan_payload()
        response = client.post("/v1/plans", json=body, headers=bot_headers)
        assert response.status_code == 201, response.text
        return {**response.json(), "conversation_id": body["conversation_id"], "body": body}

    return make


def mail_plan(
    client: TestClient, headers: dict[str, str], conversation_id: str, token: str, email: str
) -> Any:
    body = {"conversation_id": conversation_id, "token": token, "email": email}
    return client.post("/v1/plans/email", json=body, headers=headers)


def page_path(plan: dict[str, Any]) -> str:
    return f"/projet/{plan['token']}"


def test_links_are_unguessable_and_only_their_hash_is_stored(
    make_plan: Callable[..., dict[str, Any]], db_session: Session
) -> None:
    first, second = make_plan(), make_plan()
    for plan in (first, second):
        raw = base64.urlsafe_b64decode(plan["token"] + "=")
        assert len(raw) * 8 >= 128
        assert plan["url"].endswith(page_path(plan))
    assert first["token"] != second["token"]
    rows = db_session.scalars(select(Plan)).all()
    assert {row.token_hash for row in rows} == {
        token_hash(first["token"]),
        token_hash(second["token"]),
    }
    stored = repr([(row.__dict__) for row in rows])
    assert first["token"] not in stored
    assert second["token"] not in stored


def test_the_page_gathers_schools_living_openings_and_the_team_with_sources(
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    make_opening: Callable[..., Any],
) -> None:
    make_opening(title="Infirmier (H/F)", commune="46102")
    make_opening(title="Comptable (H/F)", commune="46102")
    plan = make_plan()
    response = client.get(page_path(plan))
    assert response.status_code == 200, response.text
    html = response.text
    for section in (
        "Ce que vous nous avez dit",
        "La scolarité des enfants",
        "Se loger, se soigner, se déplacer",
        "Les offres en cours",
        "Votre équipe accueil",
    ):
        assert section in html
    assert "Le collège" in html
    assert "L&#39;école maternelle" in html
    assert "fiche relue le" in html
    assert "Infirmier (H/F)" in html
    assert "Comptable (H/F)" not in html
    assert "Équipe accueil du Grand-Figeac" in html
    assert "d&#39;ici l&#39;été prochain" in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_the_link_expires_after_the_configured_days(
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.core.config import get_settings

    monkeypatch.setenv("PLAN_LINK_DAYS", "7")
    get_settings.cache_clear()
    plan = make_plan()
    expires = datetime.fromisoformat(plan["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    db_session.execute(
        update(Plan)
        .where(Plan.token_hash == token_hash(plan["token"]))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db_session.commit()
    response = client.get(page_path(plan))
    assert response.status_code == 410
    assert UNAVAILABLE in response.text
    assert "infirmière" not in response.text


def test_forgetting_revokes_and_erases_every_plan_of_the_conversation(
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    bot_headers: dict[str, str],
    db_session: Session,
) -> None:
    plan = make_plan()
    response = client.post(
        "/v1/plans/revoke", json={"conversation_id": plan["conversation_id"]}, headers=bot_headers
    )
    assert response.json() == {"revoked": 1}
    page = client.get(page_path(plan))
    assert page.status_code == 410
    assert UNAVAILABLE in page.text
    row = db_session.scalar(select(Plan).where(Plan.token_hash == token_hash(plan["token"])))
    assert row is not None
    assert row.revoked_at is not None
    assert (row.household, row.area_communes, row.timeline, row.conversation_id) == (
        {},
        [],
        None,
        None,
    )


def test_the_visitor_erases_the_plan_from_its_page(
    client: TestClient, make_plan: Callable[..., dict[str, Any]]
) -> None:
    plan = make_plan()
    erased = client.post(page_path(plan) + "/effacer")
    assert erased.status_code == 200
    assert "Votre projet est effacé" in erased.text
    assert client.get(page_path(plan)).status_code == 410


def test_a_new_plan_replaces_the_conversation_s_previous_link(
    client: TestClient, make_plan: Callable[..., dict[str, Any]]
) -> None:
    first = make_plan()
    body = plan_payload(area={"communes": ["Cahors"]})
    body["conversation_id"] = first["conversation_id"]
    second = make_plan(body)
    assert client.get(page_path(first)).status_code == 410
    assert client.get(page_path(second)).status_code == 200


@pytest.mark.parametrize("token", ["A" * 43, "too-short", "%2e%2e", "A" * 44])
def test_unknown_or_malformed_tokens_answer_the_same_404_page(
    client: TestClient, token: str
) -> None:
    response = client.get(f"/projet/{token}")
    assert response.status_code == 404
    assert UNAVAILABLE in response.text


def test_no_other_visitor_s_data_leaks(
    client: TestClient, make_plan: Callable[..., dict[str, Any]], bot_headers: dict[str, str]
) -> None:
    mine = make_plan()
    other_body = plan_payload(
        household={"adults": [{"trade": "souffleur de verre"}], "children": [{"level": "lycee"}]},
        area={"communes": ["Gourdon"]},
        timeline="après la Toussaint 2027",
    )
    other = make_plan(other_body)
    page = client.get(page_path(mine)).text
    assert "souffleur" not in page
    assert "Toussaint" not in page
    assert "Équipe accueil de Quercy-Bouriane" not in page
    # Revoking one conversation leaves the other's link working.
    client.post(
        "/v1/plans/revoke", json={"conversation_id": mine["conversation_id"]}, headers=bot_headers
    )
    assert client.get(page_path(other)).status_code == 200
    # Another conversation cannot have this plan mailed.
    response = mail_plan(
        client, bot_headers, mine["conversation_id"], other["token"], "intrus@example.net"
    )
    assert response.status_code == 404


def test_the_plan_holds_only_what_the_visitor_gave(
    client: TestClient, bot_headers: dict[str, str], db_session: Session
) -> None:
    body = {
        "conversation_id": "conv-minimal",
        "profile": {"household": {"children": [{"level": "lycee"}]}},
    }
    assert client.post("/v1/plans", json=body, headers=bot_headers).status_code == 201
    row = db_session.scalar(select(Plan).where(Plan.conversation_id == "conv-minimal"))
    assert row is not None
    assert row.household == {"adults": [], "children": [{"level": "lycee"}]}
    given = (row.housing_tenure, row.housing_kind, row.area_communes, row.area_epci, row.timeline)
    assert given == (None, None, [], None, None)
    # Anything else the bot might send is refused, not quietly stored.
    extra = {**body, "profile": {**body["profile"], "first_name": "Camille"}}
    refused = client.post("/v1/plans", json=extra, headers=bot_headers)
    assert refused.status_code == 422
    assert "first_name" in refused.text


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        ({"area": {"communes": ["Brive"]}}, "outside the Lot"),
        ({"area": {"communes": ["Trifouillis"]}}, "is not a commune of the Lot"),
        ({"area": {"communaute": "Grand Paris"}}, "is not a communauté of the Lot"),
        ({"household": {"children": [{"level": "cm2"}]}}, "level"),
        ({"household": {"adults": [{"looking_for": ["job"]}]}}, "needs a trade or a sector"),
        ({"housing": {"tenure": "squat"}}, "tenure"),
        ({"timeline": "x" * 101}, "timeline"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(
    client: TestClient, bot_headers: dict[str, str], profile: dict[str, Any], reason: str
) -> None:
    body = {"conversation_id": "conv-bad", "profile": profile}
    response = client.post("/v1/plans", json=body, headers=bot_headers)
    assert response.status_code == 422
    assert reason in response.text


def test_only_the_bot_creates_or_revokes_plans(client: TestClient) -> None:
    assert client.post("/v1/plans", json=plan_payload()).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    response = client.post("/v1/plans/revoke", json={"conversation_id": "x"}, headers=wrong)
    assert response.status_code == 403


def test_the_link_is_sent_by_email_and_the_address_is_not_kept(
    smtp_server: Mailbox,
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    bot_headers: dict[str, str],
    db_session: Session,
) -> None:
    plan = make_plan()
    response = mail_plan(
        client, bot_headers, plan["conversation_id"], plan["token"], "famille@example.net"
    )
    assert response.json() == {"sent": True}
    recipients, message = smtp_server.wait_for(1)[0]
    assert recipients == ["famille@example.net"]
    assert message["Subject"] == "Votre projet d’installation dans le Lot"
    body = message.get_content()
    assert f"https://accueil.example.org/projet/{plan['token']}" in body
    row = db_session.scalar(select(Plan).where(Plan.token_hash == token_hash(plan["token"])))
    assert row is not None
    assert row.emailed_at is not None
    assert "famille@example.net" not in repr(row.__dict__)


def test_the_plan_travels_with_the_case_and_the_referent_sees_it(
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    new_case: Callable[..., dict[str, Any]],
    make_user: Callable[..., User],
    api_headers: Callable[[User], dict[str, str]],
) -> None:
    plan = make_plan()
    case = new_case(
        conversation_id=plan["conversation_id"],
        idempotency_key=f"{plan['conversation_id']}-handoff",
    )
    referent = make_user(teams=("grand-figeac",))
    detail = client.get(f"/v1/cases/{case['reference']}", headers=api_headers(referent)).json()
    assert detail["plan"]["status"] == "active"
    lines = {line["label"]: line["value"] for line in detail["plan"]["lines"]}
    assert lines["Où"] == "Figeac"
    assert lines["Adulte 1"] == "infirmière (un emploi)"
    assert lines["Enfant 1"] == "collège"
    login(client, referent)
    html = client.get(f"/tableau-de-bord/dossiers/{case['reference']}").text
    assert "Projet d’installation de la personne" in html
    assert "menuisier – bâtiment" in html


def test_a_case_without_a_plan_says_so(
    client: TestClient,
    new_case: Callable[..., dict[str, Any]],
    make_user: Callable[..., User],
) -> None:
    case = new_case()
    referent = make_user(teams=("grand-figeac",))
    login(client, referent)
    html = client.get(f"/tableau-de-bord/dossiers/{case['reference']}").text
    assert "n’a pas créé de page « Mon projet d’installation »" in html


def test_the_purge_deletes_dead_plans_and_keeps_those_a_case_carries(
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    new_case: Callable[..., dict[str, Any]],
    bot_headers: dict[str, str],
    db_session: Session,
) -> None:
    live, revoked, carried = make_plan(), make_plan(), make_plan()
    new_case(
        conversation_id=carried["conversation_id"],
        idempotency_key=f"{carried['conversation_id']}-handoff",
    )
    client.post(
        "/v1/plans/revoke",
        json={"conversation_id": revoked["conversation_id"]},
        headers=bot_headers,
    )
    later = datetime.now(UTC) + timedelta(days=1)
    db_session.execute(
        update(Plan)
        .where(Plan.token_hash == token_hash(carried["token"]))
        .values(expires_at=later - timedelta(hours=1))
    )
    db_session.commit()
    report = privacy.purge(db_session, later, retention_days=365, tracker_store_url=None)
    assert report.plans_deleted == 1
    hashes = set(db_session.scalars(select(Plan.token_hash)))
    assert token_hash(revoked["token"]) not in hashes
    assert token_hash(carried["token"]) in hashes  # expired, but its case still needs it
    assert token_hash(live["token"]) in hashes
    # Deleting the case deletes the plan it carries.
    case = db_session.scalar(select(Case).where(Case.conversation_id == carried["conversation_id"]))
    assert case is not None
    privacy.delete_case(db_session, case, later, tracker_store_url=None)
    assert token_hash(carried["token"]) not in set(db_session.scalars(select(Plan.token_hash)))


def test_takeover_seekers_see_takeovers_near_the_communaute(
    client: TestClient,
    make_plan: Callable[..., dict[str, Any]],
    make_opening: Callable[..., Any],
) -> None:
    make_opening(
        title="Ferme maraîchère à reprendre",
        commune="46102",
        kind=Kind.FARM_TAKEOVER,
        contract=None,
    )
    plan = make_plan(
        plan_payload(
            household={"adults": [{"sector": "maraîchage", "looking_for": ["farm_takeover"]}]},
            area={"communaute": "Grand-Figeac"},
        )
    )
    html = client.get(page_path(plan)).text
    assert "Ferme maraîchère à reprendre" in html
    assert re.search(r"une exploitation agricole à reprendre", html)
    assert "CC Grand-Figeac" in html
