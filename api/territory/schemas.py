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


class Epci(BaseModel):
    """An intercommunality with communes in the Lot, as communes.csv names it."""

    model_config = ConfigDict(frozen=True)

    siren: str
    name: str
    # It has member communes in another département too, which communes.csv leaves out
    # (secteurs.yml `outside_lot`): its figures here are those of its Lot communes.
    outside_lot: bool = False


class Area(BaseModel):
    """A name visitors give to a part of the Lot: an EPCI's own name or one of secteurs.yml.
    `communaute`: the name means exactly that one EPCI (resolved to its most populated
    commune); else a wider area, over the EPCIs listed (maybe none), never one commune."""

    model_config = ConfigDict(frozen=True)

    name: str
    epcis: list[Epci]
    communaute: bool


ResolutionStatus = Literal["found", "outside_lot", "unknown"]
# "postal_code" and "short_name" extend the contract's list: both are certain matches
# that are neither the exact name nor a guessed spelling. "area": a communauté's name
# ("Cauvaldor", "le Figeacois"), resolved to its most populated commune.
ResolutionVia = Literal[
    "exact", "delegated", "postal_code", "insee_code", "short_name", "area", "fuzzy"
]


class Resolution(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str
    status: ResolutionStatus
    commune: Commune | None = None
    via: ResolutionVia | None = None
    delegated_name: str | None = None
    outside: OutsidePlace | None = None
    alternatives: list[Commune] = []
    # The communauté or area named: with "found", the communauté `commune` is the centre of;
    # with "unknown", an area over several communautés, left unresolved.
    area: Area | None = None


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


AnswerKind = Literal["department", "commune", "delegated", "epci", "area", "outside", "unknown"]
TerritoryFact = Literal[
    "card",
    "location",
    "region",
    "prefecture",
    "subprefectures",
    "arrondissements",
    "cantons",
    "commune_count",
    "commune_list",
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
    # The communauté or area the question named ("Cauvaldor", "le Ségala"), if any.
    area: Area | None = None
    # The question says more than places and the fact ("une bonne région pour randonner ?"):
    # it may be about something else that only mentions the fact.
    says_more: bool = False
