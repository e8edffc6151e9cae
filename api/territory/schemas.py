"""Territory types: communes, referent teams, the département's facts, the result of resolving
a place name and the answer to a question about the territory."""

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from api.territory.hours import OpeningHours


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
    # When a person can answer live (referents.yml `hours:`); None: not stated.
    hours: OpeningHours | None = None


ResolutionStatus = Literal["found", "outside_lot", "unknown"]
# "postal_code" and "short_name" extend the contract's list: both are certain matches
# that are neither the exact name nor a guessed spelling.
ResolutionVia = Literal["exact", "delegated", "postal_code", "insee_code", "short_name", "fuzzy"]


class Resolution(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str
    status: ResolutionStatus
    commune: Commune | None = None
    via: ResolutionVia | None = None
    delegated_name: str | None = None
    outside: OutsidePlace | None = None
    alternatives: list[Commune] = []


class Source(BaseModel):
    """Where a fact comes from: shown to the visitor as "(title)" with a link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    url: str


FactValue = TypeVar("FactValue")


class DepartmentFact(BaseModel, Generic[FactValue]):
    """One fact of the département: its value, the year it describes (if any) and its source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: FactValue
    year: int | None = None
    source: Source


class DatedSource(BaseModel):
    """The source of one kind of commune figure (a column of communes.csv) and its year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int
    source: Source


class CommuneDataSources(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    communes: DatedSource
    population: DatedSource
    postal_codes: DatedSource
    epci: DatedSource


class Department(BaseModel):
    """The département's identity and the sources of the commune data (departement.yml,
    which these models validate: unknown fields are refused)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: str
    region: DepartmentFact[str]
    prefecture: DepartmentFact[str]
    subprefectures: DepartmentFact[list[str]]
    arrondissements: DepartmentFact[list[str]]
    cantons: DepartmentFact[int]
    population: DepartmentFact[int]
    area_km2: DepartmentFact[int]
    commune_data: CommuneDataSources


AnswerKind = Literal["department", "commune", "delegated", "outside", "unknown"]
TerritoryFact = Literal[
    "card",
    "location",
    "region",
    "prefecture",
    "subprefectures",
    "arrondissements",
    "cantons",
    "commune_count",
    "population",
    "area",
    "epci",
    "postal_code",
    "insee_code",
    "merger",
    "referent",
]


class TerritoryAnswer(BaseModel):
    """The answer to a visitor's question about the département or one of its communes."""

    model_config = ConfigDict(frozen=True)

    query: str
    kind: AnswerKind
    fact: TerritoryFact
    text: str
    sources: list[Source]
    commune: Commune | None = None
