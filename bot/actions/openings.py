"""Openings from the partners' data: job offers, and businesses or farms to take over.

A search is remembered in the `openings_search` slot so that "Voir plus" shows the next
page of the same search.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import (
    ApiClient,
    ApiRejected,
    ApiUnavailable,
    OpeningHit,
    OpeningPage,
)
from bot.actions.texts import (
    Reply,
    api_down_reply,
    as_message,
    at_place,
    button,
    menu_button,
    openings_button,
    referent_button,
)

logger = logging.getLogger(__name__)

PER_PAGE = 3
RADIUS_KM = 30.0
# When nothing is found near the town, the search is widened once to this radius.
WIDE_RADIUS_KM = 60.0
# What a search covers, by the kind the visitor chose; takeovers cover businesses and farms.
OPENING_KINDS = {
    "job": ("job",),
    "takeover": ("business_takeover", "farm_takeover"),
}
OPENING_NOUNS = {"job": "offre d'emploi", "takeover": "activité à reprendre"}
OPENING_NOUNS_PLURAL = {"job": "offres d'emploi", "takeover": "activités à reprendre"}
# Answers meaning "show me everything" to "which trade?".
ANY_TRADE = frozenset(
    {"peu importe", "tout", "tous", "toutes", "n'importe", "n'importe quoi", "indifférent"}
)


@dataclass(frozen=True)
class Search:
    kind: str  # a key of OPENING_KINDS
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
    return kind if kind in OPENING_KINDS else "job"


async def search_and_reply(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    search: Search,
    *,
    widen: bool = True,
    only_if_found: bool = False,
) -> list[EventType] | None:
    """Runs the search (widened once when nothing is near the town) and says the result;
    with `only_if_found`, says nothing and returns None when nothing is found (or the API is
    out of reach), so that the caller answers otherwise."""
    kinds = OPENING_KINDS[search.kind]
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
        reply = api_down_reply("jobs" if search.kind == "job" else "business")
        dispatcher.utter_message(**as_message(reply))
        return []
    if only_if_found and page.total == 0:
        return None
    reply = openings_reply(
        search.kind,
        page,
        query=search.query,
        commune_name=search.commune_name,
        radius_km=search.radius_km if search.commune else None,
        shown_before=(search.page - 1) * PER_PAGE,
        widened_from_km=widened_from,
    )
    dispatcher.utter_message(**as_message(reply))
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


# -- what the visitor reads ---------------------------------------------------------------


def _opening_line(opening: OpeningHit) -> str:
    place = opening.commune_name or ""
    if place and opening.distance_km is not None and opening.distance_km >= 1:
        place += f" ({opening.distance_km:.0f} km)"
    details = " · ".join(
        part for part in (opening.employer_or_seller, place, opening.contract) if part
    )
    line = f"- **{opening.title}**"
    if details:
        line += f" — {details}"
    if opening.url:
        line += f" — [voir l'annonce]({opening.url})"
    return line


def _search_scope(query: str | None, commune_name: str | None, radius_km: float | None) -> str:
    what = f" pour « {query} »" if query else ""
    if commune_name and radius_km:
        return f"{what} à moins de {radius_km:.0f} km {_around(commune_name)}"
    return f"{what} dans tout le Lot"


def _around(commune_name: str) -> str:
    """French "autour de" contracted with the article: autour du Vigan, autour des…"""
    place = at_place(commune_name)
    if place.startswith("au "):
        return "autour du " + place[3:]
    if place.startswith("aux "):
        return "autour des " + place[4:]
    return "autour de " + commune_name


def openings_reply(
    kind: str,
    page: OpeningPage,
    *,
    query: str | None,
    commune_name: str | None,
    radius_km: float | None,
    shown_before: int,
    widened_from_km: float | None,
) -> Reply:
    scope = _search_scope(query, commune_name, radius_km)
    plural = OPENING_NOUNS_PLURAL[kind]
    if not page.results:
        return Reply(
            f"Je n'ai trouvé aucune {OPENING_NOUNS[kind]}{scope} pour le moment. "
            "Les référents accueil connaissent aussi des opportunités qui ne sont pas "
            "publiées : voulez-vous qu'un référent vous recontacte ?",
            [referent_button(), openings_button(kind), menu_button()],
        )
    lines = []
    if widened_from_km and commune_name:
        lines.append(
            f"Rien à moins de {widened_from_km:.0f} km {_around(commune_name)} : "
            "j'ai élargi la recherche."
        )
    first, last = shown_before + 1, shown_before + len(page.results)
    if page.total > 1:
        lines.append(
            f"Voici les {plural}{scope} ({first} à {last} sur {page.total}), "
            "les plus récentes d'abord :"
        )
    else:
        lines.append(f"Voici la seule {OPENING_NOUNS[kind]}{scope} :")
    lines.extend(_opening_line(opening) for opening in page.results)
    text = "\n".join(lines)
    if any(opening.sample_notice for opening in page.results):
        # A paragraph of its own: after a single line break it would join the last item.
        text += (
            "\n\n⚠️ Ce sont des données d'exemple (fictives), chargées pour essayer "
            "l'assistant : elles ne correspondent à aucune vraie annonce."
        )
    buttons = []
    if last < page.total:
        buttons.append(button("Voir plus", "more_openings"))
    buttons += [
        button("Autre recherche", "search_openings", opening_kind=kind),
        referent_button(),
        menu_button(),
    ]
    return Reply(text, buttons)
