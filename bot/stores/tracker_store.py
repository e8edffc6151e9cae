"""Rasa's SQL tracker store, with connections checked before use and, on SQLite, a
write-ahead log on a kept connection.

Rasa 3.6 creates its engine without `pool_pre_ping`: after a PostgreSQL restart its pooled
connections are dead, and the next visitor message fails inside Rasa while the REST channel
still answers 200 with no reply, so the message is lost. Checking a connection before use
costs one round trip and lets the store recover by itself.

Rasa reads the tracker and saves it once per visitor message, and waits for the commit. On
SQLite (the local set-up), SQLAlchemy 1.4 opens a new connection for each of these, and the
default rollback journal makes every commit write and sync the journal, then the database,
then delete the journal: about as much of a turn's time as the NLU (bench/profile.py). In
WAL mode a commit appends to the log and syncs it once; `synchronous` stays FULL, so a
committed message survives a crash just the same. The connection is kept in a pool
because closing SQLite's last connection checkpoints the log into the database, which
would bring the syncs back. The mode is stored in the database file, and the API's reads of
it (figures, privacy purge) work unchanged.

Rasa reads the whole current session of the conversation on every message, and before each
save counts its rows with a query that sorts them, JSON included: both grew with the
conversation's length. The store keeps the events it has built between turns and reads only
the new rows (session_events.py says why that gives the same tracker), and counts the rows
without sorting them. Everything is still written and stored as by Rasa: the full history
stays in the table for the API and for Rasa's own reads of all sessions (`retrieve_full_tracker`,
unchanged).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores.session_events import SessionEventCache


class PrePingSQLTrackerStore(SQLTrackerStore):
    engine: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite" and url.database:
            self.engine = _sqlite_engine(url)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._session_events = SessionEventCache(self.SQLEvent.__table__)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions or not self.domain:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            events = self._session_events.session_events(session.connection(), sender_id)
        if events is None:
            return None
        # What Rasa's from_dict does once the rows are parsed.
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events past the rows stored for its session, as in Rasa."""
        table = self.SQLEvent.__table__
        start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(
                table.c.sender_id == tracker.sender_id,
                table.c.type_name == SessionStarted.type_name,
            )
            .scalar_subquery()
        )
        stored = session.execute(
            sa.select(sa.func.count())
            .select_from(table)
            .where(
                table.c.sender_id == tracker.sender_id,
                sa.or_(table.c.timestamp >= start, start.is_(None)),
            )
        ).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))


def _sqlite_engine(url: sa.engine.URL) -> sa.engine.Engine:
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        # Rasa uses the store from its event loop's thread; the pool hands a connection to
        # one session at a time, so letting it cross threads is safe.
        connect_args={"check_same_thread": False},
    )
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    return engine
