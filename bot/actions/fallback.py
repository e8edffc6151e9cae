"""A message the NLU could not place: answered when the knowledge base clearly holds the
answer (read with the last topic when it is a short follow-up), else the fallback ladder:
first "Vouliez-vous parler de… ?", then a person or the menu."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import texts
from bot.actions.api_client import ApiClient, ApiRejected, ApiUnavailable
from bot.actions.conversation import (
    consecutive_fallbacks,
    is_payload,
    last_question_about,
    theme_guesses,
)
from bot.actions.knowledge import record_unanswered

# "c'est possible dans le Lot ?", "et là-bas ?", "combien ça coûte ?": a follow-up this
# short is read together with the last question on the last theme.
FOLLOW_UP_MAX_WORDS = 8


class ActionFallbackLadder(Action):
    def name(self) -> str:
        return "action_fallback_ladder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        themes = theme_guesses(latest.get("intent_ranking") or [])
        text = str(latest.get("text") or "")
        if text and not is_payload(text):
            answered = await answer_if_clear(dispatcher, tracker, text, themes)
            if answered is not None:
                return answered
            # The API strips e-mail addresses and phone numbers before storing the text.
            await record_unanswered(
                ApiClient(), text, themes[0] if themes else None, tracker.get_slot("commune")
            )
        if consecutive_fallbacks(tracker.events) >= 2:
            reply = texts.still_not_understood_reply()
        else:
            reply = texts.did_you_mean_reply(themes)
        dispatcher.utter_message(**texts.as_message(reply))
        return []


async def answer_if_clear(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str, themes: list[str]
) -> list[EventType] | None:
    """Answers from the knowledge base when an entry is clearly about the message; None
    when none is (or the API is out of reach: the ladder then does its usual work)."""
    last_theme: str | None = tracker.get_slot("last_theme")
    commune: str | None = tracker.get_slot("commune")
    query, theme = text, themes[0] if themes else None
    if last_theme and len(text.split()) <= FOLLOW_UP_MAX_WORDS:
        previous = last_question_about(tracker.events[:-1], last_theme)
        query = f"{previous[0]} {text}" if previous else text
        theme = last_theme
    try:
        answer = await ApiClient().search_knowledge(query, theme, commune, confident_only=True)
    except (ApiUnavailable, ApiRejected):
        return None
    if not answer.hits:
        return None
    hit = answer.hits[0]
    reply = texts.answer_reply(
        hit,
        hit.theme,
        tracker.get_slot("commune_name"),
        local_entries=answer.local_entries,
        close_call=answer.close_call,
    )
    dispatcher.utter_message(**texts.as_message(reply))
    return [SlotSet("last_theme", hit.theme)]
