"""One action answers the nine themes from the knowledge base, through the API."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import texts
from bot.actions.api_client import ApiClient, ApiRejected, ApiUnavailable
from bot.actions.conversation import (
    entity_values,
    intent_of,
    is_payload,
    last_question_about,
    without_place,
)
from bot.actions.openings import new_search, search_and_reply

logger = logging.getLogger(__name__)


def _say(dispatcher: CollectingDispatcher, reply: texts.Reply) -> None:
    dispatcher.utter_message(**texts.as_message(reply))


def search_text(tracker: Tracker, theme: str) -> str:
    """The words to search with: the visitor's question about this theme, without the
    place (the commune is a separate filter), or the theme's name after a button click."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if texts.THEME_INTENTS.get(intent_of(latest) or "") == theme and not is_payload(text):
        question: tuple[str, dict[str, Any]] | None = (text, latest)
    else:
        question = last_question_about(tracker.events, theme)
    if question:
        cleaned = without_place(*question)
        if cleaned:
            return cleaned
    return texts.THEME_PHRASES[theme]


class ActionAnswerTheme(Action):
    def name(self) -> str:
        return "action_answer_theme"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        intent = intent_of(latest)
        theme = texts.THEME_INTENTS.get(intent or "") or tracker.get_slot("last_theme")
        undecided = intent == "undecided_place"
        events: list[EventType] = []
        if theme:
            events.append(SlotSet("last_theme", theme))
        commune: str | None = tracker.get_slot("commune")
        commune_name: str | None = tracker.get_slot("commune_name")
        api = ApiClient()

        places = entity_values(latest, "commune")
        if undecided:
            commune = commune_name = None
            events += [
                SlotSet("place_undecided", True),
                SlotSet("commune", None),
                SlotSet("commune_name", None),
            ]
        elif places:
            try:
                resolution = await api.resolve_commune(places[0])
            except (ApiUnavailable, ApiRejected):
                logger.warning("knowledge.resolve_failed", extra={"sender": tracker.sender_id})
                _say(dispatcher, texts.api_down_reply(theme))
                return events
            if resolution.status == "outside_lot":
                _say(dispatcher, texts.outside_lot_reply(places[0], resolution))
                return events
            if resolution.status != "found" or resolution.commune is None:
                _say(dispatcher, texts.unknown_place_reply(places[0], resolution.alternatives))
                return events
            commune, commune_name = resolution.commune.insee, resolution.commune.name
            events += [
                SlotSet("commune", commune),
                SlotSet("commune_name", commune_name),
                SlotSet("place_undecided", False),
            ]

        if not theme:
            reply = (
                texts.place_noted_reply(commune_name)
                if commune_name
                else texts.undecided_without_theme_reply()
            )
            _say(dispatcher, reply)
            return events

        # "Je cherche un emploi d'infirmier à Figeac": the visitor wants the offers themselves.
        trade = [*entity_values(latest, "job"), *entity_values(latest, "sector")]
        if theme == "jobs" and trade:
            search = new_search("job", trade[0], commune, commune_name)
            found = await search_and_reply(dispatcher, search)
            return [*events, SlotSet("opening_kind", "job"), *found]

        place_unknown = not commune and not undecided and not tracker.get_slot("place_undecided")
        if theme in texts.PLACE_THEMES and place_unknown and not tracker.get_slot("place_asked"):
            _say(dispatcher, texts.place_question())
            return [*events, SlotSet("place_asked", True)]

        query = search_text(tracker, theme)
        try:
            hits = await api.search_knowledge(query, theme, commune)
        except (ApiUnavailable, ApiRejected):
            logger.warning("knowledge.search_failed", extra={"sender": tracker.sender_id})
            _say(dispatcher, texts.api_down_reply(theme))
            return events

        if not hits:
            await record_unanswered(api, query, theme, commune)
            _say(dispatcher, texts.no_answer_reply(commune_name))
            return events

        reply = texts.answer_reply(hits[0], theme, commune_name)
        if undecided:
            reply = texts.Reply(f"{texts.undecided_intro()}\n\n{reply.text}", reply.buttons)
        _say(dispatcher, reply)
        return events


async def record_unanswered(
    api: ApiClient, text: str, theme: str | None, commune: str | None
) -> None:
    """Best effort: the editors' list of open questions must never break a conversation."""
    try:
        await api.record_unanswered(text, theme, commune)
    except (ApiUnavailable, ApiRejected):
        logger.warning("knowledge.unanswered_not_recorded")
