"""Rasa's `trigger_intent`: how a process speaks into a visitor's conversation outside a turn.

Two processes call it, each for what only it knows (docs/contracts.md):
- the API, when a referent claims, answers or closes a case (`api/handoffs/relay.py`);
- the action server's outbox, when a handoff request saved while the API was down has
  finally been created and the visitor who waited is told (`bot/actions/outbox.py`).
Both build the request here; the intents and their entities are declared in domain.yml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

# Intents only a process sends, never the visitor (bot/policies/live_handoff.py).
EXTERNAL_INTENT_PREFIX = "EXTERNAL_"
# Sent by the API.
HANDOFF_CLAIMED = "EXTERNAL_handoff_claimed"
REFERENT_MESSAGE = "EXTERNAL_referent_message"
HANDOFF_CLOSED = "EXTERNAL_handoff_closed"
# Sent by the action server's outbox.
HANDOFF_CREATED = "EXTERNAL_handoff_created"
EXTERNAL_INTENTS = (HANDOFF_CLAIMED, REFERENT_MESSAGE, HANDOFF_CLOSED, HANDOFF_CREATED)
# How Rasa writes such an intent as the text of the user message it makes of it.
EXTERNAL_TEXT_PREFIX = "EXTERNAL: "


@dataclass(frozen=True)
class TriggerIntent:
    """One `POST {RASA_URL}{path}?{params}` with `body` as JSON."""

    path: str
    params: dict[str, str]
    body: dict[str, object] = field(default_factory=dict)


def conversation_path(conversation_id: str, leaf: str) -> str:
    return f"/conversations/{quote(conversation_id, safe='')}/{leaf}"


def trigger_intent(
    conversation_id: str, intent: str, entities: dict[str, str], token: str
) -> TriggerIntent:
    """Rasa runs `intent` as if the visitor had sent it; `output_channel=latest` sends the
    bot's answer to the channel the visitor last used (the chat widget). Rasa takes its
    token as a query parameter, not as a bearer header."""
    return TriggerIntent(
        path=conversation_path(conversation_id, "trigger_intent"),
        params={"output_channel": "latest", "token": token},
        body={"name": intent, "entities": dict(entities)},
    )


def is_external(message: Mapping[str, Any] | None) -> bool:
    """A user message (a tracker event or a latest message) that Rasa made of a
    trigger_intent call: never typed by the visitor. Marked in its metadata, or its parse
    data's, and by its text."""
    if not message:
        return False
    metadata = message.get("metadata") or (message.get("parse_data") or {}).get("metadata") or {}
    return bool(metadata.get("is_external")) or str(message.get("text") or "").startswith(
        EXTERNAL_TEXT_PREFIX
    )
