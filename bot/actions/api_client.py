"""The action server's only module that talks HTTP: the project's API (`/v1`, see
docs/contracts.md) and Rasa's `trigger_intent` (the outbox's announcement; the request is
built by `contract.rasa`, as the API's own calls are). It builds every URL, parses every
JSON body and returns typed objects, so that the actions only deal with French and with
the conversation.

Reads are retried quickly (they are idempotent); creating a handoff is retried too, since
the idempotency key makes a repeat harmless; other writes are sent once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from bot.actions.config import Settings, get_settings
from contract import rasa

logger = logging.getLogger(__name__)


class ApiUnavailable(Exception):
    """No usable answer (down, timeout, 5xx, unreadable body): worth trying again later."""


# The API refuses longer search texts (docs/contracts.md); a visitor's long story is cut
# rather than answered with "I cannot reach my information".
MAX_QUERY_CHARS = 500


class ApiRejected(Exception):
    """The server answered and refused (4xx): sending the same request again will not help."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"HTTP {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    epci_name: str


@dataclass(frozen=True)
class Resolution:
    status: str  # "found" | "outside_lot" | "unknown"
    commune: Commune | None
    alternatives: tuple[Commune, ...]
    # For "outside_lot": the place as the API knows it, and its département when known.
    outside_name: str | None = None
    outside_area: str | None = None


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class KnowledgeHit:
    id: str
    theme: str
    title: str
    answer: str
    sources: tuple[Source, ...]
    reviewed: date | None
    scope_match: str  # "commune" | "epci" | "department"


@dataclass(frozen=True)
class EntryRef:
    id: str
    title: str


@dataclass(frozen=True)
class KnowledgeAnswer:
    """Ranked hits, a runner-up worth offering, and how many entries of the theme are
    written for the visitor's commune or its communauté."""

    hits: tuple[KnowledgeHit, ...]
    close_call: EntryRef | None = None
    local_entries: int = 0


@dataclass(frozen=True)
class TerritoryReply:
    kind: str  # "department" | "commune" | "delegated" | "epci" | "area" | "outside" | "unknown"
    fact: str  # "card" when no particular fact was recognised in the question
    text: str
    sources: tuple[Source, ...]
    commune: Commune | None
    # Words besides places and the fact: "une bonne région pour randonner ?" mentions it.
    says_more: bool = False


@dataclass(frozen=True)
class ComparedTown:
    query: str
    status: str  # "found" | "outside_lot"
    commune: Commune | None  # the Lot commune, for "found" rows


@dataclass(frozen=True)
class ComparisonText:
    """The French chat message of a comparison, and the towns it covers in order."""

    text: str
    towns: tuple[ComparedTown, ...]


@dataclass(frozen=True)
class HandoffReceipt:
    reference: str
    status: str
    team_id: str
    team_name: str
    expected_reply: str


@dataclass(frozen=True)
class PlanLink:
    """A "Mon projet d'installation" link, returned once by the API (only its hash is kept)."""

    token: str
    url: str
    expires_at: date


@dataclass(frozen=True)
class OpeningHit:
    kind: str  # "job" | "business_takeover" | "farm_takeover"
    title: str
    employer_or_seller: str | None
    commune_name: str | None
    distance_km: float | None
    contract: str | None  # contract label for a job, indicative price for a takeover
    url: str | None
    sample_notice: str | None  # set on the generated sample records only


@dataclass(frozen=True)
class OpeningPage:
    total: int
    results: tuple[OpeningHit, ...]


def _opening(data: dict[str, Any]) -> OpeningHit:
    distance = data.get("distance_km")
    return OpeningHit(
        kind=str(data["kind"]),
        title=str(data["title"]),
        employer_or_seller=data.get("employer_or_seller") or data.get("contact_org"),
        commune_name=data.get("commune_name"),
        distance_km=float(distance) if distance is not None else None,
        contract=data.get("contract_label") or data.get("contract_type") or data.get("price_text"),
        url=data.get("url"),
        sample_notice=data.get("sample_notice"),
    )


def _commune(data: dict[str, Any]) -> Commune:
    return Commune(insee=str(data["insee"]), name=data["name"], epci_name=data.get("epci_name", ""))


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _hit(data: dict[str, Any]) -> KnowledgeHit:
    return KnowledgeHit(
        id=str(data["id"]),
        theme=data.get("theme", ""),
        title=data["title"],
        answer=data["answer"],
        sources=tuple(Source(s["title"], s["url"]) for s in data.get("sources") or []),
        reviewed=_date(data.get("reviewed")),
        scope_match=data.get("scope_match") or "department",
    )


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)


# Building a client's TLS context loads the CA bundle: a third of the action server's busy
# time under load went there (bench/profile.py), so every client shares this one.
_TLS = httpx.create_ssl_context()
# Under the keep-alive timeout of the servers we call (uvicorn's and Sanic's: 5 s), so that
# an idle pooled connection is dropped here before the server closes it under a request.
KEEPALIVE_EXPIRY_S = 2.0


class _Pools:
    """One httpx client, hence one pool of kept-alive connections, per event loop.

    A new client per request paid a TCP connection and the client's set-up on every call
    (about 1 ms of a turn's latency, bench/profile.py). A client's connections belong to
    the loop that opened them, and this process runs two loops: the action server's and
    the outbox's (outbox.py); tests run one per `asyncio.run`. A client whose loop is
    closed is dropped: its connections went with that loop.
    """

    def __init__(self) -> None:
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        self._lock = threading.Lock()

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._clients.get(loop)
            if client is None or client.is_closed:
                for old in [old for old in self._clients if old.is_closed()]:
                    del self._clients[old]
                client = httpx.AsyncClient(
                    verify=_TLS, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S)
                )
                self._clients[loop] = client
            return client

    async def close(self) -> None:
        """Closes the running loop's client (the action server calls it when it stops)."""
        with self._lock:
            client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


POOLS = _Pools()


class _Http:
    def __init__(self, base_url: str, token: str | None, settings: Settings, attempts: int) -> None:
        self._base_url = base_url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = httpx.Timeout(
            settings.api_timeout_s, connect=min(settings.api_timeout_s, 1.0)
        )
        self._attempts = max(1, attempts)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry: bool = False,
        accept: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Sends one request (several when `retry`); statuses in `accept` are not errors."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts if retry else 1),
            wait=wait_exponential(multiplier=0.25, max=1.0),
            retry=retry_if_exception_type(ApiUnavailable),
            reraise=True,
        )
        response: httpx.Response = await retrying(self._send, method, path, params, json, accept)
        return response

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        accept: tuple[int, ...],
    ) -> httpx.Response:
        try:
            response = await POOLS.client().request(
                method,
                self._base_url + path,
                params=params,
                json=json,
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code in accept:
            return response
        if response.status_code >= 500:
            raise ApiUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ApiRejected(response.status_code, _detail(response))
        return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise ApiUnavailable(f"unreadable body from {response.url}") from error


class ApiClient:
    """The project's API, with the bot's token."""

    def __init__(self, settings: Settings | None = None, *, attempts: int | None = None) -> None:
        settings = settings or get_settings()
        self._http = _Http(
            settings.api_url,
            settings.bot_api_token,
            settings,
            settings.api_attempts if attempts is None else attempts,
        )

    async def resolve_commune(self, name: str) -> Resolution:
        response = await self._http.request(
            "GET", "/v1/communes/resolve", params={"name": name}, retry=True
        )
        body = _json(response)
        try:
            commune = body.get("commune")
            outside = body.get("outside") or {}
            return Resolution(
                status=body["status"],
                commune=_commune(commune) if commune else None,
                alternatives=tuple(_commune(c) for c in body.get("alternatives") or []),
                outside_name=outside.get("name"),
                outside_area=outside.get("departement"),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ApiUnavailable(f"unexpected commune resolution: {error!r}") from error

    async def search_knowledge(
        self,
        query: str,
        theme: str | None,
        commune: str | None,
        limit: int = 3,
        *,
        confident_only: bool = False,
        local_first: bool = False,
        place_carried: bool = False,
        likely_only: bool = False,
        covered_by: str | None = None,
    ) -> KnowledgeAnswer:
        params: dict[str, Any] = {"q": query[:MAX_QUERY_CHARS], "limit": limit}
        if covered_by:
            params["covered_by"] = covered_by
        if likely_only:
            params["likely_only"] = "true"
        if confident_only:
            params["confident_only"] = "true"
        if local_first:
            params["local_first"] = "true"
        if place_carried:
            params["place_carried"] = "true"
        if theme:
            params["theme"] = theme
        if commune:
            params["commune"] = commune
        response = await self._http.request(
            "GET", "/v1/knowledge/search", params=params, retry=True
        )
        body = _json(response)
        try:
            close = body.get("close_call")
            return KnowledgeAnswer(
                hits=tuple(_hit(result) for result in body["results"]),
                close_call=EntryRef(str(close["id"]), str(close["title"])) if close else None,
                local_entries=int(body.get("local_entries") or 0),
            )
        except (KeyError, TypeError) as error:
            raise ApiUnavailable(f"unexpected search result: {error!r}") from error

    async def knowledge_entry(self, entry_id: str) -> KnowledgeHit | None:
        """One entry by id; None when it no longer exists (edited away since offered)."""
        try:
            response = await self._http.request(
                "GET", f"/v1/knowledge/entries/{quote(entry_id, safe='')}", retry=True
            )
        except ApiRejected:
            return None
        try:
            return _hit(_json(response))
        except (KeyError, TypeError) as error:
            raise ApiUnavailable(f"unexpected entry: {error!r}") from error

    async def territory_answer(
        self, question: str, commune: str | None, previous: str | None = None
    ) -> TerritoryReply:
        params = {"q": question[:MAX_QUERY_CHARS], **({"commune": commune} if commune else {})}
        if previous:
            params["previous"] = previous[:MAX_QUERY_CHARS]
        response = await self._http.request(
            "GET", "/v1/territory/answer", params=params, retry=True
        )
        body = _json(response)
        try:
            place = body.get("commune")
            return TerritoryReply(
                kind=str(body["kind"]),
                fact=str(body.get("fact") or "card"),
                text=str(body["text"]),
                sources=tuple(Source(s["title"], s["url"]) for s in body.get("sources") or []),
                commune=_commune(place) if place else None,
                says_more=bool(body.get("says_more")),
            )
        except (KeyError, TypeError) as error:
            raise ApiUnavailable(f"unexpected territory answer: {error!r}") from error

    async def compare_communes(self, names: list[str]) -> ComparisonText:
        """Two or three communes side by side; ApiRejected (422) for an unknown name, a
        wrong count or the same commune twice."""
        response = await self._http.request(
            "GET", "/v1/compare/text", params={"commune": names}, retry=True
        )
        body = _json(response)
        try:
            rows = body["comparison"]["communes"]
            return ComparisonText(
                text=str(body["text"]),
                towns=tuple(
                    ComparedTown(
                        query=str(row["query"]),
                        status=str(row["status"]),
                        commune=_commune(row["commune"]) if row.get("commune") else None,
                    )
                    for row in rows
                ),
            )
        except (KeyError, TypeError) as error:
            raise ApiUnavailable(f"unexpected comparison: {error!r}") from error

    async def search_openings(
        self,
        query: str | None,
        kinds: tuple[str, ...],
        commune: str | None,
        radius_km: float | None,
        page: int,
        per_page: int,
    ) -> OpeningPage:
        params: dict[str, Any] = {"kind": list(kinds), "page": page, "per_page": per_page}
        if query:
            params["q"] = query
        if commune:
            params["commune"] = commune
            if radius_km:
                params["radius_km"] = radius_km
        response = await self._http.request("GET", "/v1/openings", params=params, retry=True)
        body = _json(response)
        try:
            return OpeningPage(
                total=int(body["total"]),
                results=tuple(_opening(result) for result in body["results"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ApiUnavailable(f"unexpected openings page: {error!r}") from error

    async def record_unanswered(
        self, text: str, theme_guess: str | None, commune: str | None
    ) -> None:
        await self._http.request(
            "POST",
            "/v1/unanswered",
            json={"text": text, "theme_guess": theme_guess, "commune": commune},
        )

    async def create_handoff(self, payload: dict[str, Any]) -> HandoffReceipt:
        """Creates the case, or returns the existing one for the same idempotency key."""
        response = await self._http.request("POST", "/v1/handoffs", json=payload, retry=True)
        body = _json(response)
        try:
            return HandoffReceipt(
                reference=body["reference"],
                status=body["status"],
                team_id=body["team"]["id"],
                team_name=body["team"]["name"],
                expected_reply=body["expected_reply"],
            )
        except (KeyError, TypeError) as error:
            raise ApiUnavailable(f"unexpected handoff receipt: {error!r}") from error

    async def forward_visitor_message(self, conversation_id: str, text: str) -> bool:
        """False when the API has no live case for this conversation any more."""
        response = await self._http.request(
            "POST",
            "/v1/handoffs/visitor-messages",
            json={"conversation_id": conversation_id, "text": text},
            accept=(404,),
        )
        return response.status_code != 404

    async def rate_handoff(
        self,
        conversation_id: str,
        reference: str,
        *,
        score: int | None = None,
        comment: str | None = None,
    ) -> None:
        body: dict[str, Any] = {"conversation_id": conversation_id, "reference": reference}
        if score is not None:
            body["score"] = score
        if comment is not None:
            body["comment"] = comment
        await self._http.request("POST", "/v1/handoffs/satisfaction", json=body)

    async def email_transcript(self, conversation_id: str, reference: str) -> bool:
        """True once the conversation left for the visitor's address."""
        response = await self._http.request(
            "POST",
            "/v1/handoffs/transcript-email",
            json={"conversation_id": conversation_id, "reference": reference},
        )
        return bool(_json(response).get("sent"))

    async def create_plan(self, conversation_id: str, profile: dict[str, Any]) -> PlanLink:
        """A plan of the profile the visitor gave; ApiRejected (422) with the API's reason for
        a place outside the Lot or a field the plan does not hold. The API revokes the
        conversation's earlier plans, so a repeat after a lost answer leaves one link."""
        response = await self._http.request(
            "POST",
            "/v1/plans",
            json={"conversation_id": conversation_id, "profile": profile},
            retry=True,
        )
        body = _json(response)
        try:
            expires = _date(body["expires_at"])
            if expires is None:
                raise ValueError(body["expires_at"])
            return PlanLink(token=str(body["token"]), url=str(body["url"]), expires_at=expires)
        except (KeyError, TypeError, ValueError) as error:
            raise ApiUnavailable(f"unexpected plan link: {error!r}") from error

    async def revoke_plans(self, conversation_id: str) -> int:
        """Every plan of the conversation stops working and is erased; how many worked.
        Retried: revoking twice changes nothing more."""
        response = await self._http.request(
            "POST", "/v1/plans/revoke", json={"conversation_id": conversation_id}, retry=True
        )
        try:
            return int(_json(response)["revoked"])
        except (KeyError, TypeError, ValueError) as error:
            raise ApiUnavailable(f"unexpected revocation: {error!r}") from error

    async def email_plan(self, conversation_id: str, token: str, email: str) -> bool | None:
        """True once the link left for `email`, False when the mail could not go; None when
        the link no longer works (expired or erased)."""
        response = await self._http.request(
            "POST",
            "/v1/plans/email",
            json={"conversation_id": conversation_id, "token": token, "email": email},
            accept=(404,),
        )
        if response.status_code == 404:
            return None
        return bool(_json(response).get("sent"))


class UsesApi:
    """Mixed into the actions that call the API. The action server builds them without
    arguments (the API of the settings, over HTTP); a test hands them a stand-in with
    ApiClient's methods and return types (tests/fakes/api.py)."""

    def __init__(self, api: ApiClient | None = None) -> None:
        self._api = api

    @property
    def api(self) -> ApiClient:
        return self._api or ApiClient()


class RasaClient:
    """Rasa's HTTP API, used to speak to a visitor outside of a request/answer turn."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self._token = settings.rasa_token
        # The token goes in the query (contract.rasa), not in a bearer header.
        self._http = _Http(settings.rasa_url, None, settings, 1)

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, str]
    ) -> None:
        request = rasa.trigger_intent(conversation_id, intent, entities, self._token)
        await self._http.request("POST", request.path, params=request.params, json=request.body)
