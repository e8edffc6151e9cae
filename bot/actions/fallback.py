"""A message the NLU could not place: answered when the knowledge base clearly holds the
answer (read with the last topic when it is a short follow-up), else the fallback ladder:
first "Vouliez-vous parler de… ?", then a person or the menu."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import texts
from bot.actions.api_client import UsesApi
from bot.actions.conversation import (
    consecutive_fallbacks,
    details_theme,
    is_payload,
    leaning_theme,
    theme_guesses,
)
from bot.actions.knowledge import (
    ThemeAnswer,
    answer_again_for_the_lot,
    answer_if_clear,
    leans_to_territory,
    named_place,
    place_events,
    read_territory,
    record_unanswered,
    say_if_agreed,
    say_territory_fact,
    slot_place,
    widened_to_department,
)
from contract.themes import THEME_LABELS

# Answer first: a message the NLU leans to a theme for, this sure and this far ahead of its
# next guess, is answered on that theme rather than met with "Vouliez-vous parler de… ?".
LEANING_LEAST = 0.35
LEANING_LEAD = 0.1


class ActionFallbackLadder(UsesApi, Action):
    def name(self) -> str:
        return "action_fallback_ladder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        api = self.api
        latest = tracker.latest_message or {}
        themes = theme_guesses(latest.get("intent_ranking") or [])
        text = str(latest.get("text") or "")
        typed = bool(text) and not is_payload(text)
        # "et sur tout le Lot ?" after a town's answer: that question again, for the Lot.
        if typed and widened_to_department(tracker, text):
            return await ThemeAnswer(api, dispatcher, tracker).run()
        # "je vais vivre près de Gourdon, il faut que je trouve du taf": the answer, and the
        # turns after it ("et une gare ?"), are about that town.
        place = await named_place(api, latest) if typed else None
        events = place_events(place)
        if typed:
            # The territory data's reading, once: an exact fact, or a place outside the Lot.
            reading = await read_territory(api, tracker, text)
            leaning = leans_to_territory(latest)
            # "qui sont les référents pour Souillac ?": the territory data answers it exactly,
            # where an entry would only say what a référent is; "la région est-elle bien
            # pour la pêche ?" only mentions a fact, and an entry clearly about it comes first.
            if reading is not None and leaning and not reading.says_more:
                answered = say_territory_fact(dispatcher, reading, territory_leaning=True)
                if answered is not None:
                    return answered
            # "nous on est en Dordogne, c'est les mêmes dates ?": the last answer, for the Lot.
            if reading is not None:
                again = await answer_again_for_the_lot(api, dispatcher, tracker, text, reading)
                if again is not None:
                    return again
            where = (place.insee, place.name) if place else None
            answered = await answer_if_clear(api, dispatcher, tracker, text, themes, place=where)
            if answered is not None:
                return [*events, *answered]
            # "et son interco ?" after a town: a fact of the territory the NLU did not expect,
            # better answered than met with "Vouliez-vous parler de… ?".
            if reading is not None and not leaning:
                answered = say_territory_fact(dispatcher, reading)
                if answered is not None:
                    return answered
            ranking = latest.get("intent_ranking") or []
            theme = leaning_theme(ranking, LEANING_LEAST, LEANING_LEAD)
            # "faut que je trouve une location vite fait": the one theme its details point
            # to, when the NLU hesitated towards it too.
            pointed = details_theme(latest)
            theme = theme or (pointed if pointed in themes else None)
            if theme is not None:
                return await ThemeAnswer(api, dispatcher, tracker, asked_theme=theme).run()
            # "vivre à biars ça vaut le coup ?": no theme stands out, but the entry likely
            # about it is of one the NLU hesitated towards.
            if themes:
                answered = await say_if_agreed(
                    api, dispatcher, tracker, text, themes, where or slot_place(tracker)
                )
                if answered is not None:
                    return [*events, *answered]
            # Nothing answers what the message says beside the fact it mentions: the fact.
            if reading is not None and leaning:
                answered = say_territory_fact(dispatcher, reading, territory_leaning=True)
                if answered is not None:
                    return answered
            # The API strips e-mail addresses and phone numbers before storing the text.
            commune = place.insee if place else tracker.get_slot("commune")
            await record_unanswered(api, text, themes[0] if themes else None, commune)
        if consecutive_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_still_not_understood")
        elif themes:
            dispatcher.utter_message(response="utter_did_you_mean", buttons=guess_buttons(themes))
        else:
            dispatcher.utter_message(response="utter_rephrase_or_pick_theme")
        return events


def guess_buttons(themes: list[str]) -> list[dict[str, str]]:
    """The themes the NLU hesitated between, and a way out when it is none of them."""
    return [
        *(texts.button(THEME_LABELS[theme], f"ask_{theme}") for theme in themes),
        texts.button("Autre chose", "deny"),
    ]


# "j'ai pas de garant non plus": more words than a yes or a no, read as one by the NLU.
YES_NO_MAX_WORDS = 3


class ActionYesNoOutOfContext(UsesApi, Action):
    """A yes or a no when nothing was asked: "Très bien. Que puis-je faire d'autre ?", unless
    the message says more than a yes or a no and an entry is clearly about it (read with
    the last topic when it is a short follow-up)."""

    def name(self) -> str:
        return "action_yes_no_out_of_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        if not is_payload(text) and len(text.split()) > YES_NO_MAX_WORDS:
            answered = await answer_if_clear(self.api, dispatcher, tracker, text, [])
            if answered is not None:
                return answered
        dispatcher.utter_message(response="utter_anything_else")
        return []
