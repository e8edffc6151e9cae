"""Two or three towns side by side: the API writes the comparison, this action picks the
towns from the conversation and words what went wrong.

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
from bot.actions.conversation import entity_values

logger = logging.getLogger(__name__)

MAX_TOWNS = 3
SLOT = "compared_communes"


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


def _remember(towns: list[str]) -> SlotSet:
    return SlotSet(SLOT, json.dumps(towns, ensure_ascii=False))


class ActionCompareCommunes(UsesApi, Action):
    def name(self) -> str:
        return "action_compare_communes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        towns = towns_to_compare(tracker)
        if not towns:
            name = tracker.get_slot("commune_name")
            if not name:
                return _say(dispatcher, texts.ask_towns_to_compare_reply())
            towns = [str(name)]
        if len(towns) == 1:
            return _say(dispatcher, texts.ask_second_town_reply(towns[0]), _remember(towns))
        if len(towns) > MAX_TOWNS:
            return _say(dispatcher, texts.compare_count_reply())
        api = self.api
        try:
            comparison = await api.compare_communes(towns)
        except ApiUnavailable:
            logger.warning("compare.api_unavailable")
            return _say(dispatcher, texts.api_down_reply(None))
        except ApiRejected as rejected:
            logger.info("compare.rejected", extra={"detail": rejected.detail})
            return await _explain_refusal(dispatcher, api, towns)
        found = [town.commune.name for town in comparison.towns if town.commune is not None]
        return _say(dispatcher, texts.comparison_reply(comparison.text), _remember(found))


async def _explain_refusal(
    dispatcher: CollectingDispatcher, api: ApiClient, towns: list[str]
) -> list[EventType]:
    """The API says what it refused in English; the visitor reads which name it was, from
    each name's own resolution."""
    try:
        resolutions = await asyncio.gather(*(api.resolve_commune(town) for town in towns))
    except (ApiUnavailable, ApiRejected):
        return _say(dispatcher, texts.api_down_reply(None))
    known = [r.commune.name for r in resolutions if r.commune is not None]
    for town, resolution in zip(towns, resolutions, strict=True):
        if resolution.status == "unknown":
            reply = texts.compare_unknown_reply(town, resolution.alternatives)
            return _say(dispatcher, reply, _remember(known))
    seen: set[str] = set()
    for resolution in resolutions:
        if resolution.commune is None:
            continue
        if resolution.commune.insee in seen:
            name = resolution.commune.name
            return _say(dispatcher, texts.compare_same_commune_reply(name), _remember([name]))
        seen.add(resolution.commune.insee)
    return _say(dispatcher, texts.ask_towns_to_compare_reply())


def _say(
    dispatcher: CollectingDispatcher, reply: texts.Reply, *events: EventType
) -> list[EventType]:
    dispatcher.utter_message(**texts.as_message(reply))
    return list(events)
