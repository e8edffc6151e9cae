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
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


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
