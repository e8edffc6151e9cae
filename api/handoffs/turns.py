"""What the visitor and the assistant said after the request was sent, read from Rasa's
tracker events, as transcript turns for the referent (the bot sends the earlier ones)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.handoffs.schemas import MAX_TEXT
from contract.rasa import is_external


@dataclass(frozen=True)
class Turn:
    role: str  # "visitor" | "bot"
    text: str
    at: datetime

    def as_json(self) -> dict[str, Any]:
        # Marked so that the case page can show where the waiting time begins.
        return {
            "role": self.role,
            "text": self.text,
            "at": self.at.isoformat(),
            "after_request": True,
        }


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def turns_after(events: Iterable[dict[str, Any]], since: datetime) -> list[Turn]:
    """Visitor messages (a button click shown as its title) and bot texts later than `since`."""
    turns: list[Turn] = []
    buttons: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        text = str(event.get("text") or "").strip()
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
        timestamp = event.get("timestamp")
        if kind not in ("bot", "user") or not text or timestamp is None:
            continue
        at = datetime.fromtimestamp(float(timestamp), tz=UTC)
        if at <= since:
            continue
        if kind == "user":
            if is_external(event):
                continue
            if text.startswith("/"):
                title = next((b.get("title") for b in buttons if b.get("payload") == text), None)
                if title is None:
                    continue
                text = str(title)
        turns.append(Turn("visitor" if kind == "user" else "bot", _cut(text), at))
    return turns
