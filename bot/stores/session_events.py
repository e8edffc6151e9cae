"""The current session's events of recent conversations, kept by a Rasa server between turns.

On every visitor message Rasa's SQL tracker store reads every stored row of the
conversation's current session, parses each row's JSON and rebuilds each event: a
conversation gains about nine rows a turn, so its 40th turn paid several milliseconds more
than its first for this alone (`python -m bench long_conversation`). The rows never change
once written (Rasa only appends; the API's privacy purge only deletes), so a server keeps the
events it has already built and, on the next read, fetches only the rows written since (by
itself or by another server) and checks by a count that none of the rows it had were deleted;
if some were, it reads the conversation again in full.

What it hands back is what Rasa's own query would give: the rows whose timestamp is at or
after the latest `session_started` row of the conversation (all rows when there is none), in
the order of their ids, each built with Rasa's `deserialise_events`. Rasa shares event
objects between trackers itself (`DialogueStateTracker.copy`), and replaying an event on a
tracker gives the same state each time, so trackers built from the kept objects are the same
as trackers built from freshly parsed rows.

The cache is bounded by a total number of events (least recently read conversations out
first), so that a server's memory does not grow with the number of conversations.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted, deserialise_events

# About 2.5 KB of Python objects an event (measured with tracemalloc on the benchmark's long
# conversations): 15 MB at most, the last turns of a hundred visitors' conversations.
DEFAULT_MAX_EVENTS = 6_000

Row = Sequence[Any]  # id, type_name, timestamp, data


@dataclass
class _Conversation:
    last_id: int = -1
    # Rows of the conversation (every session) with an id up to last_id, deleted ones detected.
    rows_up_to_last: int = 0
    session_start: float | None = None
    # The current session's rows, in id order: (timestamp, the events built from the row).
    rows: list[tuple[float | None, list[Event]]] = field(default_factory=list)
    events: int = 0

    def add(self, rows: Sequence[Row]) -> None:
        starts = [
            row[2] for row in rows if row[1] == SessionStarted.type_name and row[2] is not None
        ]
        if starts:
            start = max(starts)
            if self.session_start is None or start > self.session_start:
                self.session_start = start
                self.rows = [row for row in self.rows if self._in_session(row[0])]
        for row_id, _type_name, timestamp, data in rows:
            if self._in_session(timestamp):
                self.rows.append((timestamp, deserialise_events([json.loads(data)])))
            self.last_id = max(self.last_id, row_id)
        self.rows_up_to_last += len(rows)
        self.events = sum(len(events) for _, events in self.rows)

    def _in_session(self, timestamp: float | None) -> bool:
        # As in SQL: a row without a timestamp is never at or after the session's start.
        if self.session_start is None:
            return True
        return timestamp is not None and timestamp >= self.session_start


class SessionEventCache:
    def __init__(self, table: sa.Table, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self._table = table
        self._max_events = max_events
        self._conversations: OrderedDict[str, _Conversation] = OrderedDict()
        self._events = 0

    def session_events(self, connection: Any, sender_id: str) -> list[Event] | None:
        """The current session's events, or None when the conversation has no stored row."""
        conversation = self._take(sender_id)
        if conversation is not None and not self._intact(connection, sender_id, conversation):
            conversation = None
        if conversation is None:
            conversation = _Conversation()
        conversation.add(self._rows_after(connection, sender_id, conversation.last_id))
        if not conversation.rows:
            return None if conversation.rows_up_to_last == 0 else []
        self._keep(sender_id, conversation)
        return [event for _, events in conversation.rows for event in events]

    def _take(self, sender_id: str) -> _Conversation | None:
        conversation = self._conversations.pop(sender_id, None)
        if conversation is not None:
            self._events -= conversation.events
        return conversation

    def _rows_after(self, connection: Any, sender_id: str, last_id: int) -> Sequence[Row]:
        table = self._table
        query = (
            sa.select(table.c.id, table.c.type_name, table.c.timestamp, table.c.data)
            .where(table.c.sender_id == sender_id, table.c.id > last_id)
            .order_by(table.c.id)
        )
        return list(connection.execute(query).all())

    def _intact(self, connection: Any, sender_id: str, conversation: _Conversation) -> bool:
        table = self._table
        query = (
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.sender_id == sender_id, table.c.id <= conversation.last_id)
        )
        return bool(connection.execute(query).scalar() == conversation.rows_up_to_last)

    def _keep(self, sender_id: str, conversation: _Conversation) -> None:
        self._conversations[sender_id] = conversation
        self._events += conversation.events
        while self._events > self._max_events and len(self._conversations) > 1:
            _, dropped = self._conversations.popitem(last=False)
            self._events -= dropped.events
