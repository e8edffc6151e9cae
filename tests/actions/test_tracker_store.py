"""Rasa's SQL tracker store as endpoints.yml configures it: on SQLite, a write-ahead log with
full syncs on a kept connection, and conversations saved and read back as with Rasa's own
store."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from conftest import ROOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

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
