"""Rasa's SQL tracker store as endpoints.yml configures it: on SQLite, a write-ahead log with
full syncs on a kept connection, and conversations saved and read back as with Rasa's own
store, also when it keeps their events between turns and other servers write or the purge
deletes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from conftest import ROOT
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.stores.session_events import SessionEventCache
from bot.stores.tracker_store import PrePingSQLTrackerStore


def store(path: Path) -> PrePingSQLTrackerStore:
    domain = Domain.load(ROOT / "domain.yml")
    return PrePingSQLTrackerStore(domain, dialect="sqlite", db=str(path))


def test_sqlite_store_writes_ahead_and_syncs_every_commit(tmp_path: Path) -> None:
    tracker_store = store(tmp_path / "rasa-tracker.db")

    with tracker_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # 2 = FULL, SQLite's default: the log is synced at each commit.
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    with sqlite3.connect(tmp_path / "rasa-tracker.db") as other_reader:
        assert other_reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_saved_conversation_reads_back_in_order(tmp_path: Path) -> None:
    tracker_store = store(tmp_path / "rasa-tracker.db")
    domain = tracker_store.domain
    tracker = DialogueStateTracker.from_events(
        "visitor-1",
        [ActionExecuted("action_listen"), UserUttered("Bonjour", {"name": "greet"})],
        domain.slots,
    )

    asyncio.run(tracker_store.save(tracker))
    tracker.update(ActionExecuted("utter_greet"))
    asyncio.run(tracker_store.save(tracker))
    # Still a log: no connection closing after each save checkpointed it into the database.
    assert (tmp_path / "rasa-tracker.db-wal").exists()
    again = asyncio.run(store(tmp_path / "rasa-tracker.db").retrieve("visitor-1"))

    assert again is not None
    assert [event.as_dict()["event"] for event in again.events] == ["action", "user", "action"]
    assert again.latest_message is not None
    assert again.latest_message.text == "Bonjour"


def read(tracker_store: SQLTrackerStore, sender_id: str) -> dict[str, Any] | None:
    tracker = asyncio.run(tracker_store.retrieve(sender_id))
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)


def turn(tracker: DialogueStateTracker, text: str, intent: str) -> None:
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.99}))
    tracker.update(ActionExecuted("action_answer_theme"))
    tracker.update(BotUttered("Voici ce que je sais."))
    tracker.update(SlotSet("last_theme", intent.removeprefix("ask_")))
    tracker.update(ActionExecuted("action_listen"))


def test_a_server_reads_what_rasa_reads_as_another_server_writes_and_the_purge_deletes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rasa-tracker.db"
    this_server, other_server = store(path), store(path)
    rasa_store = SQLTrackerStore(this_server.domain, dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events(
        "visitor-1", [ActionExecuted("action_listen")], this_server.domain.slots
    )
    for number, writer in enumerate([this_server, other_server, this_server, other_server]):
        turn(tracker, f"question {number}", "ask_housing")
        asyncio.run(writer.save(tracker))

        assert read(this_server, "visitor-1") == read(rasa_store, "visitor-1")
    # A new session: Rasa reads only the events from its start on.
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "et les écoles ?", "ask_schools")
    asyncio.run(other_server.save(tracker))
    new_session = read(this_server, "visitor-1")

    assert new_session == read(rasa_store, "visitor-1")
    assert new_session is not None
    assert [event["event"] for event in new_session["events"]][:2] == ["session_started", "action"]
    assert len(new_session["events"]) == 7
    # The API's purge deletes stored rows (api/privacy/service.py).
    with sqlite3.connect(path) as database:
        database.execute(
            "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id DESC LIMIT 5)"
        )
    assert read(this_server, "visitor-1") == read(rasa_store, "visitor-1")
    with sqlite3.connect(path) as database:
        database.execute("DELETE FROM events WHERE sender_id = 'visitor-1'")
    assert read(this_server, "visitor-1") is None


def test_kept_conversations_stay_within_their_bound(tmp_path: Path) -> None:
    tracker_store = store(tmp_path / "rasa-tracker.db")
    cache = SessionEventCache(tracker_store.SQLEvent.__table__, max_events=12)
    for number in range(5):
        tracker = DialogueStateTracker.from_events(
            f"visitor-{number}", [ActionExecuted("action_listen")], tracker_store.domain.slots
        )
        turn(tracker, "un logement ?", "ask_housing")
        asyncio.run(tracker_store.save(tracker))
        with tracker_store.engine.connect() as connection:
            events = cache.session_events(connection, f"visitor-{number}")
        assert [event.as_dict() for event in events or []] == [
            event.as_dict() for event in tracker.events
        ]

    assert cache._events <= 12
    assert list(cache._conversations) == ["visitor-4", "visitor-3"][::-1]
