"""Rasa's SQL tracker store, with connections checked before use.

Rasa 3.6 creates its engine without `pool_pre_ping`: after a PostgreSQL restart its pooled
connections are dead, and the next visitor message fails inside Rasa while the REST channel
still answers 200 with no reply, so the message is lost. Checking a connection before use
costs one round trip and lets the store recover by itself.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PrePingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
