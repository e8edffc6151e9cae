"""Openings from the partners' data: job offers, and businesses or farms to take over.

A search is remembered in the `openings_search` slot so that "Voir plus" shows the next
page of the same search.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, replace
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import texts
from bot.actions.api_client import ApiClient, ApiRejected, ApiUnavailable
from bot.actions.conversation import intent_of

logger = logging.getLogger(__name__)

PER_PAGE = 3
RADIUS_KM = 30.0
# When nothing is found near the town, the search is widened once to this radius.
WIDE_RADIUS_KM = 60.0


@dataclass(frozen=True)
class Search:
    kind: str  # a key of texts.OPENING_KINDS
    query: str | None
    commune: str | None
    commune_name: str | None
    radius_km: float | None
    page: int = 1

    def dump(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def load(cls, raw: Any) -> Search | None:
        try:
            return cls(**json.loads(str(raw)))
        except (TypeError, ValueError):
            return None


def kind_of(tracker: Tracker) -> str:
    kind = tracker.get_slot("opening_kind")
    return kind if kind in texts.OPENING_KINDS else "job"


async def search_and_reply(
    dispatcher: CollectingDispatcher,
    search: Search,
    *,
    widen: bool = True,
    only_if_found: bool = False,
) -> list[EventType] | None:
    """Runs the search (widened once when nothing is near the town) and says the result;
    with `only_if_found`, says nothing and returns None when nothing is found (or the API is
    out of reach), so that the caller answers otherwise."""
    api = ApiClient()
    kinds = texts.OPENING_KINDS[search.kind]
    widened_from: float | None = None
    try:
        page = await api.search_openings(
            search.query, kinds, search.commune, search.radius_km, search.page, PER_PAGE
        )
        if widen and page.total == 0 and search.commune and search.radius_km == RADIUS_KM:
            widened_from, search = (
                RADIUS_KM,
                Search(**{**asdict(search), "radius_km": WIDE_RADIUS_KM}),
            )
            page = await api.search_openings(
                search.query, kinds, search.commune, search.radius_km, search.page, PER_PAGE
            )
    except (ApiUnavailable, ApiRejected):
        logger.warning("openings.search_failed")
        if only_if_found:
            return None
        reply = texts.api_down_reply("jobs" if search.kind == "job" else "business")
        dispatcher.utter_message(**texts.as_message(reply))
        return []
    if only_if_found and page.total == 0:
        return None
    reply = texts.openings_reply(
        search.kind,
        page,
        query=search.query,
        commune_name=search.commune_name,
        radius_km=search.radius_km if search.commune else None,
        shown_before=(search.page - 1) * PER_PAGE,
        widened_from_km=widened_from,
    )
    dispatcher.utter_message(**texts.as_message(reply))
    return [SlotSet("openings_search", search.dump())]


def new_search(
    kind: str, query: str | None, commune: str | None, commune_name: str | None
) -> Search:
    return Search(
        kind=kind,
        query=query or None,
        commune=commune,
        commune_name=commune_name if commune else None,
        radius_km=RADIUS_KM if commune else None,
    )


class ActionSearchOpenings(Action):
    """After the openings form, or on "Voir plus"."""

    def name(self) -> str:
        return "action_search_openings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if intent_of(tracker.latest_message) == "more_openings":
            previous = Search.load(tracker.get_slot("openings_search"))
            if previous is None:
                dispatcher.utter_message(**texts.as_message(texts.no_search_yet_reply()))
                return []
            following = replace(previous, page=previous.page + 1)
            return await search_and_reply(dispatcher, following, widen=False) or []
        query = tracker.get_slot("opening_query")
        search = new_search(
            kind_of(tracker),
            None if query == "*" else query,
            tracker.get_slot("commune"),
            tracker.get_slot("commune_name"),
        )
        # The question is asked again on the next search.
        found = await search_and_reply(dispatcher, search) or []
        return [*found, SlotSet("opening_query", None)]


class ActionAskOpeningQuery(Action):
    def name(self) -> str:
        return "action_ask_opening_query"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.ask_opening_query_text(kind_of(tracker)))
        return []


class ValidateOpeningsForm(FormValidationAction):
    def name(self) -> str:
        return "validate_openings_form"

    def validate_opening_query(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = " ".join(str(slot_value or "").split()).strip(" .!?")
        if not text:
            dispatcher.utter_message(text=texts.ask_opening_query_text(kind_of(tracker)))
            return {"opening_query": None}
        # "*" stands for "any trade": the search then has no keywords.
        return {"opening_query": "*" if text.lower() in texts.ANY_TRADE else text}
