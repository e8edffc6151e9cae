"""The analytics page and its CSV export: figures from the tracker store and the API's own
records, and team figures only for those who see the team's cases."""

import csv
import io
import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.handoffs import service as handoffs
from api.handoffs.models import Case
from tests.api.conftest import RATED_ENTRY, UserFactory, feedback_payload, login

pytestmark = pytest.mark.usefixtures("quiet_rasa")

NOW = datetime.now(UTC)
RATING_TAG = {"data": {"feedback": {"entry_id": RATED_ENTRY, "theme": "housing"}}}


def _turn(
    path: Path, sender: str, text: str, intent: str, *, action: str, bot: dict[str, Any]
) -> None:
    at = NOW.timestamp()
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (sender, "user", at, intent, None, json.dumps({"text": text})),
                (sender, "action", at + 0.1, None, action, "{}"),
                (sender, "bot", at + 0.2, None, None, json.dumps({"text": "…", **bot})),
            ],
        )


@pytest.fixture
def activity(tracker_store: Path, client: TestClient, bot_headers: dict[str, str]) -> None:
    """Three conversations: one answered from an entry, one sent to the fallback ladder, one
    out of scope; one unanswered question, one 👎 and one 👍."""
    _turn(
        tracker_store,
        "a",
        "Comment louer à Figeac ?",
        "ask_housing",
        action="action_answer_theme",
        bot={"custom": RATING_TAG},
    )
    _turn(tracker_store, "a", "/help", "help", action="utter_help", bot={})
    _turn(tracker_store, "b", "blablabla", "nlu_fallback", action="action_fallback_ladder", bot={})
    _turn(
        tracker_store,
        "c",
        "Quel temps à Tokyo ?",
        "out_of_scope",
        action="utter_out_of_scope",
        bot={},
    )
    client.post("/v1/unanswered", json={"text": "Une piscine à Gourdon ?"}, headers=bot_headers)
    client.put(f"/v1/feedback/{uuid.uuid4()}", json=feedback_payload(reason="outdated"))
    client.put(f"/v1/feedback/{uuid.uuid4()}", json=feedback_payload(rating="up"))


def export(client: TestClient) -> dict[tuple[str, str, str, str], str]:
    response = client.get("/statistiques.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return {
        (
            row["section"],
            row["theme"] or row["entry_id"] or row["team_id"],
            row["week"],
            row["figure"],
        ): row["value"]
        for row in rows
    }


def this_week() -> str:
    day = NOW.date()
    return (day - timedelta(days=day.weekday())).isoformat()


@pytest.mark.usefixtures("activity")
def test_the_csv_export_counts_questions_and_how_they_were_answered(
    client: TestClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.EDITOR))
    figures = export(client)
    week = this_week()
    assert figures[("week", "", week, "conversations")] == "3"
    assert figures[("week", "", week, "questions")] == "3"
    assert figures[("week", "", week, "answered_from_knowledge")] == "1"
    assert figures[("week", "", week, "sent_to_fallback")] == "1"
    assert figures[("week", "", week, "out_of_scope")] == "1"
    assert figures[("week", "", week, "unanswered")] == "1"
    assert figures[("week", "", week, "thumbs_down")] == "1"
    assert figures[("theme", "housing", "", "answered_from_knowledge")] == "1"
    assert figures[("entry", RATED_ENTRY, "", "thumbs_up")] == "1"
    assert figures[("entry", RATED_ENTRY, "", "thumbs_down")] == "1"


@pytest.mark.usefixtures("activity")
def test_the_page_shows_the_unanswered_and_thumbs_down_counts_with_charts(
    client: TestClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.EDITOR))
    page = client.get("/statistiques").text
    assert '<strong id="total-sans-reponse">1</strong>' in page
    assert '<strong id="total-pouce-bas">1</strong>' in page
    assert page.count("<svg") == 3
    assert "50 %" in page  # one 👍 out of two ratings of the entry


def test_without_a_tracker_store_the_page_says_why_conversations_are_missing(
    client: TestClient, make_user: UserFactory
) -> None:
    login(client, make_user(Role.EDITOR))
    assert "TRACKER_STORE_URL" in client.get("/statistiques").text


# -- who sees which team ----------------------------------------------------------------------


@pytest.fixture
def two_teams(
    new_case: Callable[..., dict[str, Any]], db_session: Session, make_user: UserFactory
) -> None:
    """A Figeac case answered after 30 minutes, a Cahors case answered after 90."""
    referent = make_user(Role.REFERENT, ("grand-figeac", "grand-cahors"))
    for commune, minutes in (("46102", 30), ("46042", 90)):
        reference = new_case(commune=commune)["reference"]
        case = db_session.scalars(select(Case).where(Case.reference == reference)).one()
        handoffs.add_referent_message(
            db_session, case, referent, "Bonjour !", case.created_at + timedelta(minutes=minutes)
        )


def _teams(client: TestClient) -> dict[str, str]:
    return {
        team: value
        for (section, team, _, figure), value in export(client).items()
        if section == "team" and figure == "median_first_reply_minutes"
    }


@pytest.mark.usefixtures("two_teams")
@pytest.mark.parametrize(
    ("role", "teams", "seen"),
    [
        (Role.COORDINATOR, (), {"grand-figeac": "30.0", "grand-cahors": "90.0"}),
        (Role.ADMIN, (), {"grand-figeac": "30.0", "grand-cahors": "90.0"}),
        (Role.REFERENT, ("grand-figeac",), {"grand-figeac": "30.0"}),
        (Role.REFERENT, ("grand-cahors",), {"grand-cahors": "90.0"}),
        (Role.EDITOR, (), {}),
    ],
)
def test_team_figures_are_scoped_like_the_cases(
    client: TestClient,
    make_user: UserFactory,
    role: Role,
    teams: tuple[str, ...],
    seen: dict[str, str],
) -> None:
    login(client, make_user(role, teams))
    assert _teams(client) == seen
    page = client.get("/statistiques").text
    assert ("Équipe accueil du Grand-Figeac" in page) == ("grand-figeac" in seen)
    assert ("Grand Cahors" in page) == ("grand-cahors" in seen)


def test_the_analytics_need_a_login(client: TestClient) -> None:
    for path in ("/statistiques", "/statistiques.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/connexion")


def test_the_visitors_satisfaction_is_shown_per_team(
    client: TestClient,
    new_case: Callable[..., dict[str, Any]],
    db_session: Session,
    make_user: UserFactory,
) -> None:
    for score in (4, 5):
        reference = new_case(commune="46102")["reference"]
        case = db_session.scalars(select(Case).where(Case.reference == reference)).one()
        handoffs.record_satisfaction(db_session, case, score, None, NOW)
    db_session.commit()
    login(client, make_user(Role.COORDINATOR, ()))

    figures = export(client)
    page = client.get("/statistiques").text

    assert figures[("team", "grand-figeac", "", "satisfaction_answers")] == "2"
    assert figures[("team", "grand-figeac", "", "satisfaction_mean")] == "4.50"
    assert "4,5 / 5 (2)" in page
