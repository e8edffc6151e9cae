"""Two or three towns side by side: the API writes the comparison, this action picks the
towns from the conversation and says what went wrong (domain.yml's responses; the buttons
of the towns to pick are formatted here).

The towns are the commune entities of the latest message. A single one is compared with
the towns of the last comparison ("et par rapport à Gramat ?") or, failing that, with the
conversation's commune; with neither, the visitor is asked for a second town and the first
one waits in `compared_communes`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import texts
from bot.actions.api_client import ApiClient, ApiRejected, ApiUnavailable, UsesApi
from bot.actions.conversation import entity_values, is_payload, other_reading
from bot.actions.knowledge import say_if_clear, slot_place

logger = logging.getLogger(__name__)

MAX_TOWNS = 3
SLOT = "compared_communes"
# "On hésite entre Cahors et Figeac pour élever nos enfants, que nous conseillez-vous ?" asks
# more than the figures side by side: from this many words, an entry clearly about the
# question answers first (choosing where to live weighs as the theme), and the comparison
# follows.
ASKS_MORE_WORDS = 6
CHOOSING_THEME = "living"
COMPARE_INTENT = "compare_communes"


def remembered(tracker: Tracker) -> list[str]:
    """The towns of the last comparison, or the one waiting for a second."""
    try:
        towns = json.loads(str(tracker.get_slot(SLOT) or "[]"))
    except ValueError:
        return []
    return [str(town) for town in towns] if isinstance(towns, list) else []


def towns_to_compare(tracker: Tracker) -> list[str]:
    named = entity_values(tracker.latest_message, "commune")
    if len(named) != 1:
        return named
    base = remembered(tracker) or [
        name for name in (tracker.get_slot("commune_name"),) if isinstance(name, str) and name
    ]
    return [*base[: MAX_TOWNS - 1], *named]


def asks_more(text: str) -> bool:
    """Typed words enough to ask something besides which towns to compare."""
    return not is_payload(text) and len(text.split()) >= ASKS_MORE_WORDS


def _remember(towns: list[str]) -> SlotSet:
    return SlotSet(SLOT, json.dumps(towns, ensure_ascii=False))


def compare_buttons(towns: list[str]) -> list[dict[str, str]]:
    """One button per town to compare (the buttons following the questions' responses)."""
    return [texts.button(town, "compare_communes", commune=town) for town in towns]


def other_towns(name: str) -> list[str]:
    """Main towns to compare `name` with."""
    return [town for town in texts.MAIN_TOWNS if town.casefold() != name.casefold()][:5]


class ActionCompareCommunes(UsesApi, Action):
    def name(self) -> str:
        return "action_compare_communes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        if not entity_values(latest, "commune") and asks_more(text):
            # "et les EHPAD, on peut comparer les prix quelque part ?": prices, not towns.
            reading = other_reading(latest.get("intent_ranking") or [], COMPARE_INTENT)
            theme = texts.THEME_INTENTS.get(reading or "") or tracker.get_slot("last_theme")
            instead = await say_if_clear(
                self.api, dispatcher, tracker, text, theme, slot_place(tracker)
            )
            if instead is not None:
                return instead
        towns = towns_to_compare(tracker)
        if not towns:
            name = tracker.get_slot("commune_name")
            if not name:
                dispatcher.utter_message(response="utter_ask_towns_to_compare")
                return []
            towns = [str(name)]
        if len(towns) == 1:
            dispatcher.utter_message(
                response="utter_ask_second_town",
                town=towns[0],
                buttons=compare_buttons(other_towns(towns[0])),
            )
            return [_remember(towns)]
        if len(towns) > MAX_TOWNS:
            dispatcher.utter_message(response="utter_compare_count")
            return []
        api = self.api
        try:
            comparison = await api.compare_communes(towns)
        except ApiUnavailable:
            logger.warning("compare.api_unavailable")
            dispatcher.utter_message(**texts.as_message(texts.api_down_reply(None)))
            return []
        except ApiRejected as rejected:
            logger.info("compare.rejected", extra={"detail": rejected.detail})
            return await _explain_refusal(dispatcher, api, towns)
        answered: list[EventType] | None = None
        if asks_more(text):
            answered = await say_if_clear(
                api, dispatcher, tracker, text, CHOOSING_THEME, (None, None)
            )
        # The API's text as it is: a bold title, one line per criterion, the sources.
        dispatcher.utter_message(
            text=comparison.text, buttons=[texts.menu_button(), texts.referent_button()]
        )
        found = [town.commune.name for town in comparison.towns if town.commune is not None]
        return [*(answered or []), _remember(found)]


async def _explain_refusal(
    dispatcher: CollectingDispatcher, api: ApiClient, towns: list[str]
) -> list[EventType]:
    """The API says what it refused in English; the visitor reads which name it was, from
    each name's own resolution."""
    try:
        resolutions = await asyncio.gather(*(api.resolve_commune(town) for town in towns))
    except (ApiUnavailable, ApiRejected):
        dispatcher.utter_message(**texts.as_message(texts.api_down_reply(None)))
        return []
    known = [r.commune.name for r in resolutions if r.commune is not None]
    for town, resolution in zip(towns, resolutions, strict=True):
        if resolution.status == "unknown":
            _say_unknown(dispatcher, town, [commune.name for commune in resolution.alternatives])
            return [_remember(known)]
    seen: set[str] = set()
    for resolution in resolutions:
        if resolution.commune is None:
            continue
        if resolution.commune.insee in seen:
            name = resolution.commune.name
            dispatcher.utter_message(
                response="utter_compare_same_commune",
                town=name,
                buttons=compare_buttons(other_towns(name)),
            )
            return [_remember([name])]
        seen.add(resolution.commune.insee)
    dispatcher.utter_message(response="utter_ask_towns_to_compare")
    return []


def _say_unknown(dispatcher: CollectingDispatcher, place: str, close: list[str]) -> None:
    """A name no Lot commune has: the close ones to pick, else main towns."""
    if close:
        dispatcher.utter_message(
            response="utter_compare_unknown_close",
            place=place,
            close=" ou ".join(close[:3]),
            buttons=compare_buttons(close[:3]),
        )
    else:
        dispatcher.utter_message(
            response="utter_compare_unknown",
            place=place,
            buttons=compare_buttons(list(texts.MAIN_TOWNS[:5])),
        )
