"""A local stand-in for France Travail's OAuth2 token endpoint and "Offres d'emploi v2" search,
answering in the documented shape (../shared/facts/lot_facts.md §7.1): `range=a-b` paging of
at most 150 offers, first index <= 1000 and last <= 1149, `Content-Range: offres a-b/total`,
206 while more offers follow, 200 for the last page, 204 when nothing matches, 401 for an
unknown or expired token, 429 with `Retry-After` when asked to.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.serve import free_port, serving

TOKEN_PATH = "/connexion/oauth2/access_token"
API_PATH = "/partenaire/offresdemploi/v2"
REQUIRED_SCOPES = {"api_offresdemploiv2", "o2dsoffre"}
MAX_PAGE = 150
MAX_FIRST = 1000
MAX_LAST = 1149


def ft_offer(
    number: int,
    *,
    insee: str = "46042",
    label: str = "46 - CAHORS",
    title: str = "Infirmier (H/F)",
    created: datetime | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """One offer as found in `resultats[]`."""
    created = created or datetime(2026, 11, 1, 9, 0, tzinfo=UTC) - timedelta(minutes=number)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    offer: dict[str, Any] = {
        "id": f"FT{number:06d}",
        "intitule": title,
        "description": "Poste en établissement de santé, travail en équipe.",
        "dateCreation": stamp,
        "dateActualisation": stamp,
        "lieuTravail": {
            "libelle": label,
            "latitude": 44.0,
            "longitude": 1.0,
            "codePostal": "46000",
            "commune": insee,
        },
        "romeCode": "J1506",
        "romeLibelle": "Soins infirmiers généralistes",
        "appellationlibelle": "Infirmier / Infirmière",
        "entreprise": {"nom": "Employeur de test"},
        "typeContrat": "CDI",
        "typeContratLibelle": "Contrat à durée indéterminée",
        "salaire": {"libelle": "Selon profil"},
        "origineOffre": {"urlOrigine": f"https://offres.example.org/{number}"},
    }
    offer.update(overrides)
    return offer


def _parse_date(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass
class FakeFranceTravail:
    offers: list[dict[str, Any]] = field(default_factory=list)
    client_id: str = "test-client"
    client_secret: str = "test-secret"
    token_lifetime_s: int = 1499
    # Search calls answered 429 before the next normal answer.
    rate_limited_calls: int = 0
    retry_after: str = "1"
    # After this many search calls, every token issued so far stops working (expiry).
    expire_tokens_after_calls: int | None = None
    refuse_every_token: bool = False
    tokens: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _valid: set[str] = field(default_factory=set)

    @property
    def token_url(self) -> str:
        return f"{self.url}{TOKEN_PATH}?realm=/partenaire"

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_PATH}"

    def statuses(self) -> list[int]:
        return [call["status"] for call in self.calls]

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        if request.query_params.get("realm") != "/partenaire":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if not set(str(form.get("scope", "")).split()) >= REQUIRED_SCOPES:
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        token = secrets.token_hex(8)
        self.tokens.append(token)
        self._valid.add(token)
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_s,
                "scope": form.get("scope"),
            }
        )

    def _answer(self, request: Request) -> tuple[int, dict[str, str], Any]:
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ")
        if self.refuse_every_token or token not in self._valid:
            return 401, {}, {"message": "invalid token"}
        if self.rate_limited_calls > 0:
            self.rate_limited_calls -= 1
            return 429, {"Retry-After": self.retry_after}, {"message": "too many requests"}
        params = request.query_params
        if params.get("departement") != "46":
            return 400, {}, {"message": "this fake only knows the Lot (departement=46)"}
        first_text, _, last_text = params.get("range", "0-149").partition("-")
        first, last = int(first_text), int(last_text)
        if first > MAX_FIRST or last > MAX_LAST or last < first or last - first >= MAX_PAGE:
            return 400, {}, {"message": f"range {first}-{last} refused"}
        offers = self.offers
        if "minCreationDate" in params or "maxCreationDate" in params:
            low = _parse_date(params["minCreationDate"])
            high = _parse_date(params["maxCreationDate"])
            offers = [
                offer
                for offer in offers
                if low <= datetime.fromisoformat(offer["dateCreation"]) <= high
            ]
        total = len(offers)
        page = offers[first : last + 1]
        if not page:
            return 204, {}, None
        end = first + len(page) - 1
        headers = {"Content-Range": f"offres {first}-{end}/{total}"}
        body = {"resultats": page, "filtresPossibles": []}
        return (206 if end < total - 1 else 200), headers, body

    async def _search(self, request: Request) -> Response:
        status, headers, body = self._answer(request)
        self.calls.append({"params": dict(request.query_params), "status": status})
        searches = len(self.calls)
        if (
            self.expire_tokens_after_calls is not None
            and searches == self.expire_tokens_after_calls
        ):
            self._valid.clear()
        if body is None:
            return Response(status_code=status, headers=headers)
        return JSONResponse(body, status_code=status, headers=headers)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(TOKEN_PATH, self._token, methods=["POST"]),
                Route(f"{API_PATH}/offres/search", self._search, methods=["GET"]),
            ]
        )


@contextmanager
def running(fake: FakeFranceTravail) -> Iterator[FakeFranceTravail]:
    """Serve `fake` with uvicorn on a free local port for the duration of the block."""
    port = free_port()
    with serving(fake.app(), port):
        fake.url = f"http://127.0.0.1:{port}"
        yield fake
