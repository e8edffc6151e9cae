"""Client of France Travail's "Offres d'emploi v2" API and the sync of the Lot's job offers.

The contract (../shared/facts/lot_facts.md §7.1): OAuth2 client credentials;
`GET /offres/search` with `range=a-b` (at most 150 offers a call, first index <= 1000, last
<= 1149), answered 206 with `Content-Range: offres a-b/total` while more pages follow, 200
for the last page, 204 when nothing matches; 429 with `Retry-After` when calls come too fast.
"""

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from api.core.config import Settings
from api.openings.imports import Importer, ImportReport
from api.openings.records import record_from_france_travail
from api.territory.service import Territory

log = logging.getLogger(__name__)

PARTNER_ID = "france-travail"
PAGE_SIZE = 150
MAX_FIRST_INDEX = 1000
MAX_LAST_INDEX = 1149
REACHABLE = MAX_LAST_INDEX + 1
_CONTENT_RANGE = re.compile(r"^\s*offres\s+(\d+)-(\d+)/(\d+)\s*$")
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A window this narrow that still holds more than REACHABLE offers cannot be split further.
_MIN_WINDOW = timedelta(hours=1)


class FranceTravailError(Exception):
    """The sync cannot go on; the message is French, for whoever runs the command."""


class _RateLimited(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after_s}s")
        self.retry_after_s = retry_after_s


class _Transient(Exception):
    pass


@dataclass(frozen=True)
class FranceTravailConfig:
    client_id: str
    client_secret: str
    token_url: str
    api_url: str
    scopes: str
    departement: str = "46"
    timeout_s: float = 30.0
    max_attempts: int = 6
    max_wait_s: float = 60.0
    # Offers older than this are not looked for when the department holds too many to page.
    max_age_days: int = 400

    @classmethod
    def from_settings(cls, settings: Settings) -> "FranceTravailConfig":
        if not settings.ft_client_id or not settings.ft_client_secret:
            raise FranceTravailError(
                "identifiants France Travail absents : définissez FT_CLIENT_ID et "
                "FT_CLIENT_SECRET (application déclarée sur francetravail.io)"
            )
        return cls(
            client_id=settings.ft_client_id,
            client_secret=settings.ft_client_secret.get_secret_value(),
            token_url=settings.ft_token_url,
            api_url=settings.ft_api_url.rstrip("/"),
            scopes=settings.ft_scopes,
            departement=settings.ft_departement,
        )


@dataclass(frozen=True)
class Page:
    offers: list[dict[str, Any]]
    total: int
    last_index: int
    more: bool


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, _RateLimited):
        return error.retry_after_s
    return float(min(2 ** (state.attempt_number - 1), 30))


def _retry_after(response: httpx.Response, cap: float) -> float:
    value = response.headers.get("Retry-After", "1")
    try:
        seconds = float(value)
    except ValueError:
        seconds = 1.0
    return max(0.0, min(seconds, cap))


@dataclass
class FranceTravailClient:
    config: FranceTravailConfig
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))
    _token: str | None = None
    _token_expires: datetime | None = None

    def _access_token(self, force: bool = False) -> str:
        now = datetime.now(UTC)
        if (
            not force
            and self._token is not None
            and self._token_expires is not None
            and now < self._token_expires
        ):
            return self._token
        response = self.http.post(
            self.config.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "scope": self.config.scopes,
            },
            timeout=self.config.timeout_s,
        )
        if response.status_code != 200:
            raise FranceTravailError(
                f"France Travail refuse de délivrer un jeton (HTTP {response.status_code}) : "
                "vérifiez FT_CLIENT_ID, FT_CLIENT_SECRET et les scopes de l'application"
            )
        body = response.json()
        self._token = str(body["access_token"])
        # Renew a minute early: a token that dies mid-request costs a 401 and a retry.
        lifetime = max(int(body.get("expires_in", 0)) - 60, 0)
        self._token_expires = now + timedelta(seconds=lifetime)
        return self._token

    def _get_once(self, params: Mapping[str, str]) -> httpx.Response:
        url = f"{self.config.api_url}/offres/search"
        for attempt in range(2):
            try:
                response = self.http.get(
                    url,
                    params=params,
                    headers={
                        "Authorization": f"Bearer {self._access_token(force=attempt > 0)}",
                        "Accept": "application/json",
                    },
                    timeout=self.config.timeout_s,
                )
            except httpx.TransportError as error:
                raise _Transient(str(error)) from error
            if response.status_code == 401:
                if attempt == 0:
                    log.info("france_travail.token_refused_refreshing")
                    continue
                break
            if response.status_code == 429:
                raise _RateLimited(_retry_after(response, self.config.max_wait_s))
            if response.status_code in (500, 502, 503, 504):
                raise _Transient(f"HTTP {response.status_code}")
            return response
        raise FranceTravailError(
            "France Travail refuse le jeton même renouvelé (HTTP 401) : vérifiez les droits "
            "de l'application sur l'API Offres d'emploi v2"
        )

    def _get(self, params: Mapping[str, str]) -> httpx.Response:
        retrying = Retrying(
            retry=retry_if_exception_type((_RateLimited, _Transient)),
            wait=_wait,
            stop=stop_after_attempt(self.config.max_attempts),
            reraise=True,
        )
        try:
            return retrying(self._get_once, params)
        except _RateLimited as error:
            raise FranceTravailError(
                "France Travail limite toujours le débit (HTTP 429) après "
                f"{self.config.max_attempts} essais : relancez plus tard"
            ) from error
        except _Transient as error:
            raise FranceTravailError(
                f"France Travail ne répond pas correctement ({error}) après "
                f"{self.config.max_attempts} essais : relancez plus tard"
            ) from error

    def page(self, first: int, last: int, filters: Mapping[str, str] | None = None) -> Page:
        params = {"departement": self.config.departement, "range": f"{first}-{last}"}
        params.update(filters or {})
        response = self._get(params)
        if response.status_code == 204:
            return Page([], 0, -1, more=False)
        if response.status_code not in (200, 206):
            raise FranceTravailError(
                f"réponse inattendue de France Travail (HTTP {response.status_code}) "
                f"pour range={first}-{last}"
            )
        offers = response.json().get("resultats") or []
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if match is None:
            total = first + len(offers)
            last_index = first + len(offers) - 1
        else:
            last_index, total = int(match.group(2)), int(match.group(3))
        return Page(list(offers), total, last_index, more=response.status_code == 206)

    def pages(self, filters: Mapping[str, str], first_page: Page) -> Iterator[dict[str, Any]]:
        page = first_page
        while True:
            yield from page.offers
            next_first = page.last_index + 1
            if not page.more or not page.offers or next_first >= min(page.total, REACHABLE):
                return
            # The API refuses a first index above 1000: the last page overlaps the one before.
            first = min(next_first, MAX_FIRST_INDEX)
            page = self.page(first, min(first + PAGE_SIZE - 1, MAX_LAST_INDEX), filters)

    def offers(self) -> "OfferFeed":
        return OfferFeed(self)

    def close(self) -> None:
        self.http.close()


class OfferFeed:
    """Every offer of the department, each once; `complete` says whether all were reachable."""

    def __init__(self, client: FranceTravailClient) -> None:
        self._client = client
        self.total = 0
        self.fetched = 0
        self.complete = True

    def __iter__(self) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for offer in self._all():
            offer_id = str(offer.get("id", ""))
            if offer_id and offer_id in seen:
                continue
            seen.add(offer_id)
            self.fetched += 1
            yield offer
        if self.fetched < self.total:
            self.complete = False

    def _all(self) -> Iterator[dict[str, Any]]:
        client = self._client
        first = client.page(0, PAGE_SIZE - 1)
        self.total = first.total
        if first.total <= REACHABLE:
            yield from client.pages({}, first)
            return
        # More offers than one search reaches: split by creation date until each part fits.
        now = datetime.now(UTC).replace(microsecond=0)
        start = now - timedelta(days=client.config.max_age_days)
        yield from self._window(start, now)

    def _window(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        client = self._client
        filters = {
            "minCreationDate": start.strftime(_DATE_FORMAT),
            "maxCreationDate": end.strftime(_DATE_FORMAT),
        }
        first = client.page(0, PAGE_SIZE - 1, filters)
        if first.total > REACHABLE and end - start > _MIN_WINDOW:
            middle = (start + (end - start) / 2).replace(microsecond=0)
            yield from self._window(start, middle)
            yield from self._window(middle, end)
            return
        if first.total > REACHABLE:
            self.complete = False
        yield from client.pages(filters, first)


def sync_france_travail(
    sessions: sessionmaker[Session],
    territory: Territory,
    client: FranceTravailClient,
    *,
    full: bool = True,
    partner_id: str = PARTNER_ID,
) -> ImportReport:
    """Import every offer of the department; a full sync expires the offers that vanished,
    but only when every offer announced by the API was received."""
    importer = Importer(sessions, partner_id, "API France Travail", full=full)
    feed = client.offers()
    for number, offer in enumerate(feed, start=1):
        importer.add(f"offre n° {number}", partial(record_from_france_travail, offer, territory))
    skip = None
    if not feed.complete:
        skip = (
            f"France Travail annonce {feed.total} offres mais {feed.fetched} seulement ont pu "
            "être lues ; relancez la synchronisation plus tard"
        )
    report = importer.finish(skip_expiry_reason=skip)
    log.info(
        "france_travail.synced total=%s fetched=%s created=%s updated=%s expired=%s rejected=%s",
        feed.total,
        feed.fetched,
        report.created,
        report.updated,
        report.expired,
        len(report.rejected),
    )
    return report
