"""Visitors' turns read from Rasa's tracker store (the SQLTrackerStore's `events` table):
what was asked, and whether the knowledge base, the fallback ladder or the out-of-scope
reply answered it. Nothing is copied: the figures are computed from the events each time."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    select,
)

# The columns of Rasa 3.6's SQLEvent that the figures need (rasa/core/tracker_store.py).
_events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
FALLBACK_ACTION = "action_fallback_ladder"
OUT_OF_SCOPE = "out_of_scope"


@dataclass
class Turn:
    conversation: str
    at: datetime
    question: bool  # typed by the visitor (a button's payload is not a question)
    intent: str | None
    theme: str | None = None
    answered: bool = False  # from a knowledge entry (the answer carries its rating tag)
    fallback: bool = False

    @property
    def out_of_scope(self) -> bool:
        return self.intent == OUT_OF_SCOPE


def _data(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def rated_entry(bot_data: dict[str, Any]) -> dict[str, Any] | None:
    """The rating tag a knowledge answer carries (bot/actions/feedback.py), if any."""
    custom = bot_data.get("custom")
    tag = custom.get("data", {}).get("feedback") if isinstance(custom, dict) else None
    return tag if isinstance(tag, dict) else None


def turns(url: str, since: datetime) -> Iterator[Turn]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return
            rows = connection.execute(
                select(_events)
                .where(
                    _events.c.timestamp >= since.timestamp(),
                    _events.c.type_name.in_(("user", "bot", "action")),
                )
                .order_by(_events.c.sender_id, _events.c.id)
            )
            current: Turn | None = None
            for row in rows:
                if row.type_name == "user":
                    if current is not None:
                        yield current
                    text = str(_data(row.data).get("text") or "")
                    intent = row.intent_name or None
                    current = Turn(
                        conversation=row.sender_id,
                        at=datetime.fromtimestamp(row.timestamp, UTC),
                        question=bool(text.strip()) and not text.startswith("/"),
                        intent=intent,
                        theme=intent[4:] if intent and intent.startswith("ask_") else None,
                    )
                elif current is None or row.sender_id != current.conversation:
                    continue
                elif row.type_name == "action" and row.action_name == FALLBACK_ACTION:
                    current.fallback = True
                elif row.type_name == "bot" and (tag := rated_entry(_data(row.data))):
                    current.answered = True
                    current.theme = str(tag.get("theme") or current.theme or "") or None
            if current is not None:
                yield current
    finally:
        engine.dispose()
