"""The openings form and its search: which trade, then the partners' offers; or, when the
visitor meant something else, the answer to that.

Apart from `openings.py` because it answers from the knowledge base too (`knowledge.py`
already uses the openings' search)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import texts
from bot.actions.api_client import UsesApi
from bot.actions.conversation import entity_values, intent_of, is_payload
from bot.actions.knowledge import ThemeAnswer
from bot.actions.openings import ANY_TRADE, Search, kind_of, new_search, search_and_reply

OPENINGS_INTENT = "search_openings"
# Themes whose own listings "les annonces" means in a conversation about them: the
# partners' openings are jobs and businesses to take over, not homes to rent.
LISTING_THEMES = frozenset({"housing"})
# The partners' openings are what these themes' questions are about.
OPENINGS_THEMES = frozenset({"jobs", "business"})
# A reply to "which trade?" this long and asked as a question is no trade.
QUESTION_MIN_WORDS = 4
# Words by which a message still asks for the partners' openings ("les annonces d'emploi").
OPENINGS_WORDS = frozenset(
    {
        "emploi",
        "emplois",
        "job",
        "jobs",
        "boulot",
        "travail",
        "poste",
        "postes",
        "offres",
        "recrute",
        "recrutent",
        "embauche",
        "embauchent",
        "reprise",
        "reprendre",
    }
)


def names_a_trade(parse_data: dict[str, Any]) -> bool:
    """A trade, a sector or a kind of openings named, as an entity or in so many words."""
    if any(entity_values(parse_data, entity) for entity in ("job", "sector", "opening_kind")):
        return True
    words = re.findall(r"\w+", str(parse_data.get("text") or "").lower())
    return not OPENINGS_WORDS.isdisjoint(words)


def theme_meant_instead(tracker: Tracker) -> str | None:
    """The theme the visitor asks about when the openings are not what is meant: "on
    trouve les annonces où ?" in a conversation about renting (housing listings), or "et
    un logement pour un alternant ?" given as the trade."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if is_payload(text) or names_a_trade(latest):
        return None
    intent = intent_of(latest)
    last_theme = tracker.get_slot("last_theme")
    if intent == OPENINGS_INTENT:
        return last_theme if last_theme in LISTING_THEMES else None
    theme = texts.THEME_INTENTS.get(intent or "")
    asked = len(text.split()) >= QUESTION_MIN_WORDS and text.rstrip().endswith("?")
    return theme if asked and theme not in OPENINGS_THEMES else None


class ActionSearchOpenings(UsesApi, Action):
    """After the openings form, or on "Voir plus"."""

    def name(self) -> str:
        return "action_search_openings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if intent_of(tracker.latest_message) == "more_openings":
            previous = Search.load(tracker.get_slot("openings_search"))
            if previous is None:
                dispatcher.utter_message(response="utter_no_search_yet")
                return []
            following = replace(previous, page=previous.page + 1)
            return await search_and_reply(self.api, dispatcher, following, widen=False) or []
        # The question is asked again on the next search.
        forget = SlotSet("opening_query", None)
        theme = theme_meant_instead(tracker)
        if theme is not None:
            answer = ThemeAnswer(self.api, dispatcher, tracker, asked_theme=theme)
            return [forget, *await answer.run()]
        query = tracker.get_slot("opening_query")
        search = new_search(
            kind_of(tracker),
            None if query == "*" else query,
            tracker.get_slot("commune"),
            tracker.get_slot("commune_name"),
        )
        found = await search_and_reply(self.api, dispatcher, search) or []
        return [*found, forget]


class ValidateOpeningsForm(FormValidationAction):
    def name(self) -> str:
        return "validate_openings_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # No trade to ask for when the visitor meant another theme's listings: the search
        # action answers that question at once.
        return [] if theme_meant_instead(tracker) else domain_slots

    def validate_opening_query(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = " ".join(str(slot_value or "").split()).strip(" .!?")
        if not text:
            dispatcher.utter_message(response="utter_ask_opening_query")
            return {"opening_query": None}
        # "*" stands for "any trade": the search then has no keywords.
        return {"opening_query": "*" if text.lower() in ANY_TRADE else text}
