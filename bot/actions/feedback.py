"""The rating tag of a knowledge answer: the custom data that lets the demo page's script show
"Cette réponse vous a-t-elle aidé ?" under the answer and send the rating to the API
(`PUT /v1/feedback/{key}`, docs/contracts.md "Rating an answer").

The tag is signed with BOT_API_TOKEN (the API checks it: only answers the assistant gave can be
rated). It holds no conversation id: the rating is stored without one."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker

from bot.actions.config import get_settings
from bot.actions.conversation import is_payload

# The API's limit on the question kept with a rating.
QUESTION_MAX = 1000
PURPOSE = "answer-feedback"


def asked_question(tracker: Tracker) -> str:
    """The visitor's last typed message (a button's payload is not a question)."""
    for event in reversed(tracker.events):
        text = event.get("text") if event.get("event") == "user" else None
        if text and not is_payload(text):
            return str(text)[:QUESTION_MAX]
    return ""


def rating_tag(
    tracker: Tracker, entry_id: str, theme: str | None, commune: str | None
) -> dict[str, Any]:
    """A `json_message` sent just before the answer; Rasa's socket.io channel emits the value
    of "data" as a message of its own."""
    question = asked_question(tracker) or entry_id
    message = json.dumps(
        [PURPOSE, entry_id, question, theme, commune], ensure_ascii=False, separators=(",", ":")
    )
    signature = hmac.new(
        get_settings().bot_api_token.encode(), message.encode(), hashlib.sha256
    ).hexdigest()
    return {
        "data": {
            "feedback": {
                "entry_id": entry_id,
                "question": question,
                "theme": theme,
                "commune": commune,
                "signature": signature,
            }
        }
    }


def last_shown_entry(events: Sequence[dict[str, Any]]) -> tuple[str, str | None] | None:
    """(id, theme) of the entry that answered the visitor's message before the latest one,
    from its rating tag; None when no entry did."""
    users = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users > 1:
                return None
        elif kind == "bot" and users == 1:
            custom = (event.get("data") or {}).get("custom") or {}
            tag = (custom.get("data") or {}).get("feedback") if isinstance(custom, dict) else None
            if isinstance(tag, dict) and tag.get("entry_id"):
                return str(tag["entry_id"]), tag.get("theme")
    return None
