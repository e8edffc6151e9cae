"""A stand-in for the project's API in the action tests: ApiClient's methods and return
types (bot/actions/api_client.py), answering from what the test put in, with no HTTP.

What the real API answers, and that ApiClient reads it into the same types, is checked
by tests/actions/test_contract.py against the running API; the tests using this fake
check what the actions do with those answers and what the visitor reads.

Runs in the bot env (Python 3.10): rasa-sdk's packages only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.actions.api_client import (
    ApiClient,
    ApiRejected,
    ApiUnavailable,
    Commune,
    ComparedTown,
    ComparisonText,
    HandoffReceipt,
    KnowledgeAnswer,
    KnowledgeHit,
    OpeningHit,
    OpeningPage,
    PlanLink,
    Resolution,
    Source,
    TerritoryReply,
)


@dataclass(frozen=True)
class Search:
    """One call of search_knowledge, as the action made it."""

    query: str
    theme: str | None
    commune: str | None
    confident_only: bool = False
    local_first: bool = False
    place_carried: bool = False
    likely_only: bool = False
    covered_by: str | None = None


@dataclass(frozen=True)
class OpeningsSearch:
    """One call of search_openings, as the action made it."""

    query: str | None
    kinds: tuple[str, ...]
    commune: str | None
    radius_km: float | None
    page: int
    per_page: int


def entry(
    entry_id: str,
    answer: str,
    *,
    theme: str = "schools",
    scope_match: str = "department",
    reviewed: date | None = date(2026, 11, 25),
) -> KnowledgeHit:
    """An entry as the API sends it, with one source."""
    return KnowledgeHit(
        id=entry_id,
        theme=theme,
        title=f"Test : {entry_id}",
        answer=answer,
        sources=(Source("Source de test", "https://example.org/test"),),
        reviewed=reviewed,
        scope_match=scope_match,
    )


def comparison_text(names: list[str]) -> str:
    """The fake API's comparison of `names`."""
    return "Comparaison de test : " + " / ".join(names)


@dataclass
class Plan:
    """One plan the fake API made, as the action asked for it."""

    conversation_id: str
    profile: dict[str, Any]
    working: bool = True


def opening(title: str, **fields: Any) -> OpeningHit:
    values: dict[str, Any] = {
        "kind": "job",
        "title": title,
        "employer_or_seller": None,
        "commune_name": None,
        "distance_km": None,
        "contract": None,
        "url": None,
        "sample_notice": None,
    }
    return OpeningHit(**{**values, **fields})


@dataclass
class FakeApi(ApiClient):
    """Answers from its tables; `down` makes every call fail as an unreachable API does,
    `refusing` as an API that answers 4xx."""

    communes: dict[str, Commune] = field(default_factory=dict)
    outside: dict[str, Resolution] = field(default_factory=dict)
    entries: dict[str, KnowledgeHit] = field(default_factory=dict)
    # First rule whose test accepts the search answers it; none: no hit.
    searches: list[tuple[Callable[[Search], bool], KnowledgeAnswer]] = field(default_factory=list)
    territory: list[tuple[Callable[[str], bool], TerritoryReply]] = field(default_factory=list)
    openings: list[OpeningHit] = field(default_factory=list)
    receipt: HandoffReceipt | None = None
    live: bool = True
    transcript_sent: bool = True
    plan_email_sent: bool = True
    down: bool = False
    refusing: bool = False
    # What the actions sent, in order.
    knowledge_searches: list[Search] = field(default_factory=list)
    openings_searches: list[OpeningsSearch] = field(default_factory=list)
    unanswered: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    forwarded: list[tuple[str, str]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    transcripts: list[tuple[str, str]] = field(default_factory=list)
    comparisons: list[list[str]] = field(default_factory=list)
    # By token, in the order made.
    plans: dict[str, Plan] = field(default_factory=dict)
    plan_emails: list[tuple[str, str, str]] = field(default_factory=list)

    # -- what the test puts in ---------------------------------------------------------

    def add_commune(self, insee: str, name: str, epci_name: str = "") -> Commune:
        commune = Commune(insee, name, epci_name)
        self.communes[name.casefold()] = commune
        return commune

    def answer(self, when: Callable[[Search], bool], *hits: KnowledgeHit, **more: Any) -> None:
        """`when` a search matches, answer `hits` (`close_call`, `local_entries`: more)."""
        self.searches.append((when, KnowledgeAnswer(hits=hits, **more)))

    def knows(self, when: Callable[[str], bool], reply: TerritoryReply) -> None:
        """`when` a territory question matches, answer `reply`."""
        self.territory.append((when, reply))

    # -- ApiClient ---------------------------------------------------------------------

    def _call(self) -> None:
        if self.down:
            raise ApiUnavailable("the fake API is down")
        if self.refusing:
            raise ApiRejected(422, "the fake API refuses")

    async def resolve_commune(self, name: str) -> Resolution:
        self._call()
        found = self.communes.get(name.casefold())
        if found is not None:
            return Resolution("found", found, ())
        if name.casefold() in self.outside:
            return self.outside[name.casefold()]
        close = tuple(c for key, c in self.communes.items() if key[:3] == name.casefold()[:3])
        return Resolution("unknown", None, close)

    async def search_knowledge(
        self,
        query: str,
        theme: str | None,
        commune: str | None,
        limit: int = 3,
        **flags: bool | str | None,
    ) -> KnowledgeAnswer:
        self._call()
        search = Search(query, theme, commune, **flags)
        self.knowledge_searches.append(search)
        for when, answer in self.searches:
            if when(search):
                return answer
        return KnowledgeAnswer(hits=())

    async def knowledge_entry(self, entry_id: str) -> KnowledgeHit | None:
        self._call()
        return self.entries.get(entry_id)

    async def territory_answer(
        self, question: str, commune: str | None, previous: str | None = None
    ) -> TerritoryReply:
        self._call()
        for when, reply in self.territory:
            if when(question):
                return reply
        return TerritoryReply("unknown", "card", "", (), None)

    async def compare_communes(self, names: list[str]) -> ComparisonText:
        """Refuses as the API does (a wrong count, an unknown name, one commune twice);
        else a text of its own, naming the towns as asked, with the towns as resolved."""
        self._call()
        self.comparisons.append(list(names))
        resolved = [(name, await self.resolve_commune(name)) for name in names]
        if not 2 <= len(names) <= 3 or any(r.status == "unknown" for _, r in resolved):
            raise ApiRejected(422, "the fake API compares 2 or 3 known places")
        insees = [r.commune.insee for _, r in resolved if r.commune is not None]
        if len(set(insees)) < len(insees):
            raise ApiRejected(422, "the fake API compares a commune with another one")
        return ComparisonText(
            text=comparison_text(names),
            towns=tuple(ComparedTown(name, r.status, r.commune) for name, r in resolved),
        )

    async def search_openings(self, *asked: Any) -> OpeningPage:
        """Nearest first is the API's order; here, the table's."""
        self._call()
        search = OpeningsSearch(*asked)
        self.openings_searches.append(search)
        query = (search.query or "").casefold()
        matching = [
            item
            for item in self.openings
            if item.kind in search.kinds
            and query in item.title.casefold()
            and (search.radius_km is None or (item.distance_km or 0) <= search.radius_km)
        ]
        start = (search.page - 1) * search.per_page
        return OpeningPage(len(matching), tuple(matching[start : start + search.per_page]))

    async def record_unanswered(
        self, text: str, theme_guess: str | None, commune: str | None
    ) -> None:
        self._call()
        self.unanswered.append((text, theme_guess, commune))

    async def create_handoff(self, payload: dict[str, Any]) -> HandoffReceipt:
        self._call()
        self.handoffs.append(payload)
        return self.receipt or HandoffReceipt(
            "OML-TEST", "new", "dept", "L'équipe d'accueil du Lot", ""
        )

    async def forward_visitor_message(self, conversation_id: str, text: str) -> bool:
        self._call()
        if self.live:
            self.forwarded.append((conversation_id, text))
        return self.live

    async def rate_handoff(self, conversation_id: str, reference: str, **rating: Any) -> None:
        self._call()
        self.ratings.append({"reference": reference, **rating})

    async def email_transcript(self, conversation_id: str, reference: str) -> bool:
        self._call()
        self.transcripts.append((conversation_id, reference))
        return self.transcript_sent

    async def create_plan(self, conversation_id: str, profile: dict[str, Any]) -> PlanLink:
        """Refuses as the API does a place that is no Lot commune; a new plan stops the
        conversation's earlier ones; the link works 30 days."""
        self._call()
        for place in profile.get("area", {}).get("communes", []):
            if (await self.resolve_commune(place)).status != "found":
                raise ApiRejected(422, f"the fake API plans Lot communes only, not {place}")
        await self.revoke_plans(conversation_id)
        token = f"fake-plan-{len(self.plans) + 1}"
        self.plans[token] = Plan(conversation_id, profile)
        return PlanLink(
            token=token,
            url=f"https://fake-api.test/projet/{token}",
            expires_at=date.today() + timedelta(days=30),
        )

    async def revoke_plans(self, conversation_id: str) -> int:
        self._call()
        working = [
            plan
            for plan in self.plans.values()
            if plan.conversation_id == conversation_id and plan.working
        ]
        for plan in working:
            plan.working = False
        return len(working)

    async def email_plan(self, conversation_id: str, token: str, email: str) -> bool | None:
        """None (the API's 404) unless `token` is a working plan of the conversation."""
        self._call()
        plan = self.plans.get(token)
        if plan is None or not plan.working or plan.conversation_id != conversation_id:
            return None
        if self.plan_email_sent:
            self.plan_emails.append((conversation_id, token, email))
        return self.plan_email_sent
