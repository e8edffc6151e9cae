"""The API's size limits (docs/contracts.md), applied before sending, so that a visitor's
long message is shortened with a visible marker instead of making the whole request fail."""

from __future__ import annotations

from typing import Any

# POST /v1/handoffs: at most this many transcript turns of at most this many characters;
# POST /v1/handoffs/visitor-messages: one text of at most MAX_TEXT characters.
MAX_TEXT = 5000
MAX_TURNS = 400
# A live message longer than this many parts is cut after the last one.
MAX_PARTS = 4


def cut_marker(total: int) -> str:
    return f" […] (message tronqué : {total} caractères au total)"


def truncate(text: str, limit: int = MAX_TEXT) -> str:
    """`text` itself when short enough, else its beginning and a marker saying it was cut."""
    if len(text) <= limit:
        return text
    marker = cut_marker(len(text))
    return text[: limit - len(marker)].rstrip() + marker


def bounded_transcript(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every turn within MAX_TEXT, and the latest turns only when there are too many, the
    first one then saying how many earlier turns were left out."""
    bounded = [{**turn, "text": truncate(str(turn.get("text") or ""))} for turn in turns]
    if len(bounded) <= MAX_TURNS:
        return bounded
    kept = bounded[-(MAX_TURNS - 1) :]
    left_out = len(bounded) - len(kept)
    marker = {
        "role": "bot",
        "text": f"[… {left_out} échanges plus anciens ne sont pas repris ici]",
        "at": bounded[0].get("at"),
    }
    return [marker, *kept]


def split_message(text: str, limit: int = MAX_TEXT) -> tuple[list[str], int]:
    """`text` in parts of at most `limit` characters, cut at a space where possible; at most
    MAX_PARTS parts. Returns the parts and how many characters did not fit."""
    parts: list[str] = []
    rest = text.strip()
    while rest and len(parts) < MAX_PARTS:
        if len(rest) <= limit:
            parts.append(rest)
            rest = ""
            break
        cut = rest.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts, len(rest)
