"""Reading the conversation: pure functions over the tracker's events and parse data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from bot.actions.texts import THEME_INTENTS
from contract.places import commune_aware_entities, without_place
from contract.rasa import is_external

FALLBACK_ACTION = "action_fallback_ladder"
# The reply to the "Autre chose" button of the fallback ladder: part of the same struggle.
REPHRASE_RESPONSE = "utter_ask_rephrase"

# "reprendre", "reprise", "racheter", "rachat", "à céder", "cession" (accents optional).
_TAKEOVER = re.compile(r"\b(?:repren|repris|rachet|rachat|c[eé]d|cession)", re.IGNORECASE)


# "comment on les inscrit", "c'est combien" : a question even without its question mark;
# "on voudrait louer 2-3 mois", "je cherche un médecin": a request, asked as much.
# "où" only with its accent: "ou" is "or" ("une maison ou un appartement").
_QUESTION_WORDS = re.compile(
    r"\b(?:comment|combien|quel(?:le)?s?|pourquoi|est[- ]ce qu|y a[- ]t[- ]il|peut[- ]on|"
    r"faut[- ]il|voudrai[st]?|voudrions|aimerai[st]?|aimerions|cherche|cherchons)\b"
    r"|(?<!\w)où(?!\w)",
    re.IGNORECASE,
)


def asks_question(text: str) -> bool:
    """The message asks something, whatever else it says."""
    return "?" in text or bool(_QUESTION_WORDS.search(text))


# "et en Corrèze ?", "c'est pareil en Dordogne ?", "les mêmes dates ?": the question just
# answered, asked again for another place.
_SAME_AGAIN = re.compile(
    r"^\s*et\b|\b(?:pareils?|pareilles?|m[eê]mes?|aussi|idem)\b", re.IGNORECASE
)


def asks_same_elsewhere(text: str) -> bool:
    return bool(_SAME_AGAIN.search(text))


# "sinon, il fait combien à Gramat ?", "autre question : …": a new subject, not a question
# on the last answer.
_NEW_SUBJECT = re.compile(
    r"^\W*(?:sinon|autre (?:question|chose)|au fait|rien à voir|par ailleurs"
    r"|changement de sujet)\b",
    re.IGNORECASE,
)


def changes_subject(text: str) -> bool:
    return bool(_NEW_SUBJECT.search(text))


def other_reading(intent_ranking: Sequence[dict[str, Any]], besides: str) -> str | None:
    """The NLU's best reading of a message other than `besides` (and its fallback)."""
    for item in intent_ranking:
        name = item.get("name")
        if name and name not in (besides, "nlu_fallback"):
            return str(name)
    return None


def asks_takeover(text: str) -> bool:
    """The visitor speaks of taking a business over, not of creating one."""
    return bool(_TAKEOVER.search(text))


def intent_of(parse_data: dict[str, Any] | None) -> str | None:
    if not parse_data:
        return None
    intent = parse_data.get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def intent_confidence(parse_data: dict[str, Any] | None) -> float:
    """How sure the NLU was of its reading (1.0 for a button's payload)."""
    intent = (parse_data or {}).get("intent") or {}
    return float(intent.get("confidence") or 0.0)


def is_payload(text: str | None) -> bool:
    """Button clicks arrive as `/intent{...}`, not as words the visitor typed."""
    return bool(text) and str(text).startswith("/")


def entity_values(parse_data: dict[str, Any] | None, entity: str) -> list[str]:
    return [
        str(item["value"])
        for item in commune_aware_entities(parse_data, entity)
        if item.get("value")
    ]


def joined_place(parse_data: dict[str, Any] | None) -> str | None:
    """The words of the first two `commune` entities with what lies between them, when only
    spaces or hyphens do: the entity extractor sometimes cuts a name in two in a long
    sentence ("on emménage à [lacapelle] [marival], où vais-je accoucher ?")."""
    text = str((parse_data or {}).get("text") or "")
    spans = sorted(
        (int(item["start"]), int(item["end"]))
        for item in commune_aware_entities(parse_data, "commune")
        if "start" in item and "end" in item
    )
    if len(spans) < 2 or not text:
        return None
    (start, first_end), (second_start, end) = spans[0], spans[1]
    between = text[first_end:second_start]
    if not between or between.strip(" -") or second_start <= first_end:
        return None
    return text[start:end]


def asked_theme(intent_ranking: Sequence[dict[str, Any]], least: float) -> str | None:
    """The theme of the question a message asks besides its first reading ("on arrive avec
    deux enfants, un en CE1, comment on les inscrit" is a description first, a question on
    schools second): the best theme intent after the first, if at least `least` sure."""
    for item in intent_ranking[1:3]:
        if item.get("name") in THEME_INTENTS and float(item.get("confidence") or 0) >= least:
            return THEME_INTENTS[item["name"]]
    return None


def leaning_theme(
    intent_ranking: Sequence[dict[str, Any]], least: float, lead: float
) -> str | None:
    """The theme the NLU leans to on a message it could not place: its first guess, if a
    theme at least `least` sure and ahead of the next guess by `lead`."""
    guesses = [item for item in intent_ranking if item.get("name") != "nlu_fallback"]
    if not guesses or guesses[0].get("name") not in THEME_INTENTS:
        return None
    first = float(guesses[0].get("confidence") or 0)
    second = float(guesses[1].get("confidence") or 0) if len(guesses) > 1 else 0.0
    if first < least or first - second < lead:
        return None
    return THEME_INTENTS[guesses[0]["name"]]


# The theme a description's details point to when it asks something: the children's classes
# are the schools', a trade is the jobs'.
_ENTITY_THEMES = {
    "school_level": "schools",
    "housing_kind": "housing",
    "job": "jobs",
    "sector": "jobs",
}


def details_theme(parse_data: dict[str, Any] | None) -> str | None:
    """The one theme the message's details point to ("deux enfants, un en CE1, comment on
    les inscrit": schools); None when they point to none or to several."""
    themes = {
        _ENTITY_THEMES[str(item.get("entity"))]
        for item in (parse_data or {}).get("entities") or []
        if item.get("entity") in _ENTITY_THEMES
    }
    return themes.pop() if len(themes) == 1 else None


def theme_guesses(intent_ranking: Sequence[dict[str, Any]], limit: int = 3) -> list[str]:
    """The themes the NLU hesitated between, most likely first."""
    themes = [
        THEME_INTENTS[item["name"]]
        for item in intent_ranking
        if item.get("name") in THEME_INTENTS and float(item.get("confidence") or 0) >= 0.05
    ]
    return themes[:limit]


def _user_turns(events: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], str | None]]:
    """Each visitor message with the first action that answered it (None: still running)."""
    turns: list[tuple[dict[str, Any], str | None]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user" and not is_external(event.get("parse_data") or event):
            turns.append((event, None))
        elif kind == "action" and turns and turns[-1][1] is None:
            name = event.get("name")
            if name and name != "action_listen":
                turns[-1] = (turns[-1][0], name)
    return turns


def previous_answer(events: Iterable[dict[str, Any]]) -> str | None:
    """The action that answered the visitor's message before the latest one."""
    turns = _user_turns(events)
    return turns[-2][1] if len(turns) > 1 else None


def consecutive_fallbacks(events: Sequence[dict[str, Any]]) -> int:
    """How many visitor messages in a row the assistant has failed to understand,
    counting the current one. A message the fallback action answered from the knowledge
    base (it then sets `last_theme`) was understood."""
    turns = _user_turns(events)
    answered = _answered_by_fallback(events)
    count = 1
    for event, answered_by in reversed(turns[:-1]):
        if answered_by == FALLBACK_ACTION and id(event) not in answered:
            count += 1
        elif answered_by != REPHRASE_RESPONSE:
            break
    return count


def _answered_by_fallback(events: Iterable[dict[str, Any]]) -> set[int]:
    """The visitor messages after which a theme was set: those that got an answer."""
    answered: set[int] = set()
    latest: dict[str, Any] | None = None
    for event in events:
        if event.get("event") == "user":
            latest = event
        elif event.get("event") == "slot" and event.get("name") == "last_theme" and latest:
            answered.add(id(latest))
    return answered


def last_question_about(
    events: Sequence[dict[str, Any]], theme: str
) -> tuple[str, dict[str, Any]] | None:
    """The last message the visitor typed about `theme`, with its parse data."""
    for event in reversed(events):
        if event.get("event") != "user" or is_payload(event.get("text")):
            continue
        parse_data = event.get("parse_data") or {}
        if THEME_INTENTS.get(intent_of(parse_data) or "") == theme:
            return str(event.get("text") or ""), parse_data
    return None


# "et après, ça embauche ?": a short question pointing back at the one before.
_POINTING_BACK = frozenset({"ça", "ca", "cela"})
POINTING_BACK_MAX_WORDS = 8


def points_back(text: str) -> bool:
    words = [word.strip("?!.,;:'’") for word in text.lower().split()]
    return len(words) <= POINTING_BACK_MAX_WORDS and not _POINTING_BACK.isdisjoint(words)


def previous_question(
    events: Sequence[dict[str, Any]], before: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The question the visitor typed before the latest message (or before the message
    whose parse data is `before`), on whatever theme."""
    users = [event for event in events if event.get("event") == "user"]
    if before is not None:
        positions = [i for i, event in enumerate(users) if event.get("parse_data") is before]
        users = users[: positions[-1] + 1] if positions else []
    for event in reversed(users[:-1]):
        parse_data = event.get("parse_data") or {}
        if not is_payload(event.get("text")) and intent_of(parse_data) in THEME_INTENTS:
            return str(event.get("text") or ""), parse_data
    return None


def typed_before_latest(events: Sequence[dict[str, Any]]) -> str | None:
    """The message the visitor typed before the latest one, whatever it was about."""
    typed = [
        str(event.get("text") or "")
        for event in events
        if event.get("event") == "user"
        and event.get("text")
        and not is_payload(event.get("text"))
        and not is_external(event.get("parse_data") or event)
    ]
    return typed[-2] if len(typed) > 1 else None


def subject_of(question: tuple[str, dict[str, Any]]) -> str:
    """What an earlier question was about, to carry into one that points back at it: the
    trade it names ("formation soudeur pour adulte" -> "soudeur"; the rest would pull its
    theme back in), else its words without the place."""
    trade = [*entity_values(question[1], "job"), *entity_values(question[1], "sector")]
    return " ".join(dict.fromkeys(trade)) or without_place(*question)


def carried_subject(events: Sequence[dict[str, Any]], question: tuple[str, dict[str, Any]]) -> str:
    """The subject an earlier question carried from the one before it, when it pointed back
    ("la formation, ça se passe où ?" after "auxiliaire de vie sans diplôme, je peux devenir
    aide-soignante ?"), so that a follow-up on it keeps that subject; else ""."""
    if not points_back(question[0]):
        return ""
    before = previous_question(events, before=question[1])
    return subject_of(before) if before else ""


def last_user_timestamp(events: Sequence[dict[str, Any]]) -> float | None:
    for event in reversed(events):
        if event.get("event") == "user" and event.get("timestamp") is not None:
            return float(event["timestamp"])
    return None


def iso_utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def _clicked_title(text: str, buttons: Sequence[dict[str, Any]]) -> str | None:
    return next((str(b.get("title")) for b in buttons if b.get("payload") == text), None)


def transcript(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the visitor and the assistant said, as the referent will read it.

    A button click is shown as the button's title ("Logement à Figeac"), not its payload.
    """
    turns: list[dict[str, Any]] = []
    last_buttons: Sequence[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        text = str(event.get("text") or "").strip()
        at = iso_utc(float(event["timestamp"])) if event.get("timestamp") else None
        if kind == "bot":
            last_buttons = (event.get("data") or {}).get("buttons") or []
            if text:
                turns.append({"role": "bot", "text": text, "at": at})
        elif kind == "user" and text and not is_external(event.get("parse_data") or event):
            if is_payload(text):
                title = _clicked_title(text, last_buttons)
                if title is None:
                    continue
                text = title
            turns.append({"role": "visitor", "text": text, "at": at})
    return turns
