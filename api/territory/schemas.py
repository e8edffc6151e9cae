"""Territory types: communes, referent teams and the result of resolving a place name."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Commune(BaseModel):
    model_config = ConfigDict(frozen=True)

    insee: str
    name: str
    postal_codes: list[str]
    epci_siren: str
    epci_name: str
    population: int
    latitude: float
    longitude: float


class DelegatedCommune(BaseModel):
    """A former commune merged into a commune nouvelle; people still use its name."""

    model_config = ConfigDict(frozen=True)

    insee: str
    name: str
    commune_insee: str


class OutsidePlace(BaseModel):
    """A well-known place outside the Lot that visitors often mention."""

    model_config = ConfigDict(frozen=True)

    name: str
    departement: str
    departement_code: str
    aliases: list[str] = []


class Team(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    role: str
    email: str
    epci: list[str]
    default: bool = False


ResolutionStatus = Literal["found", "outside_lot", "unknown"]
# "postal_code" and "short_name" extend the contract's list: both are certain matches
# that are neither the exact name nor a guessed spelling.
ResolutionVia = Literal["exact", "delegated", "postal_code", "short_name", "fuzzy"]


class Resolution(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str
    status: ResolutionStatus
    commune: Commune | None = None
    via: ResolutionVia | None = None
    delegated_name: str | None = None
    outside: OutsidePlace | None = None
    alternatives: list[Commune] = []
