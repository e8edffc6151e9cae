"""Two or three communes side by side: every figure from the territory data, the knowledge
entries or the openings, with its source; what none of them says is "unknown"."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from api.compare.distances import METHOD_TEXT, driving_minutes, french_duration
from api.compare.facilities import Facilities, Facility, french_number
from api.compare.schemas import (
    Cell,
    CommuneRow,
    Comparison,
    DistanceCell,
    SourceRef,
)
from api.knowledge.schemas import Entry
from api.openings.search import haversine_km
from api.openings.service import count_nearby
from api.territory.schemas import Commune, DatedSource, Resolution
from api.territory.service import Territory

MIN_COMMUNES = 2
MAX_COMMUNES = 3
# Openings "nearby": within this distance of the commune's point, as the crow flies.
NEARBY_OPENINGS_KM = 20.0
# Where to find what the knowledge base does not list (official directories).
SCHOOLS_DIRECTORY = SourceRef(
    title="Annuaire de l'éducation", url="https://www.education.gouv.fr/annuaire"
)
TEAMS_SOURCE = SourceRef(
    title="Réseau accueil Oh my Lot ! (équipes par communauté)",
    url="https://www.choisirlelot.fr",
)
OPENINGS_SOURCE_TITLE = "Offres transmises par les partenaires (emploi, reprises)"
UNKNOWN = "inconnu"


class CompareError(ValueError):
    """The request cannot be answered as asked; the message says why (English, for the API)."""


@dataclass(frozen=True)
class CompareContext:
    territory: Territory
    entries: Sequence[Entry]
    facilities: Facilities
    session: Session
    now: datetime


def resolve_all(territory: Territory, queries: Sequence[str]) -> list[Resolution]:
    """Each name or INSEE code resolved; raises CompareError for a bad list or an unknown name."""
    cleaned = [query.strip() for query in queries]
    if not MIN_COMMUNES <= len(cleaned) <= MAX_COMMUNES:
        raise CompareError(
            f"Give {MIN_COMMUNES} or {MAX_COMMUNES} communes to compare, not {len(cleaned)}."
        )
    if any(not query for query in cleaned):
        raise CompareError("A commune name is empty.")
    resolutions = [territory.lookup(query) for query in cleaned]
    for resolution in resolutions:
        if resolution.status == "unknown":
            names = ", ".join(c.name for c in resolution.alternatives)
            hint = f" Did you mean: {names}?" if names else ""
            raise CompareError(f"'{resolution.query}' is not a commune of the Lot.{hint}")
    seen: dict[str, str] = {}
    for resolution in resolutions:
        if resolution.commune is None:
            continue
        insee = resolution.commune.insee
        if insee in seen:
            raise CompareError(
                f"'{seen[insee]}' and '{resolution.query}' are the same commune "
                f"({resolution.commune.name}): name different communes."
            )
        seen[insee] = resolution.query
    return resolutions


def compare(context: CompareContext, queries: Sequence[str]) -> Comparison:
    rows = [_row(context, resolution) for resolution in resolve_all(context.territory, queries)]
    return Comparison(communes=rows, method=METHOD_TEXT, generated_at=context.now)


def _row(context: CompareContext, resolution: Resolution) -> CommuneRow:
    if resolution.status == "outside_lot" or resolution.commune is None:
        place = resolution.outside
        where = f"en {place.departement} ({place.departement_code})" if place else "hors du Lot"
        name = place.name if place else resolution.query
        return CommuneRow(
            query=resolution.query,
            status="outside_lot",
            outside=place,
            reason=f"{name} est {where}, hors du Lot : je ne compare que des communes du Lot.",
        )
    commune = resolution.commune
    return CommuneRow(
        query=resolution.query,
        status="found",
        commune=commune,
        delegated_name=resolution.delegated_name,
        population=_population(context.territory, commune),
        communaute=_communaute(context.territory, commune),
        referent_team=_team(context.territory, commune),
        schools=_schools(context.entries, commune),
        hospital=_nearest(context.facilities.hospitals, commune, "hôpital"),
        station=_nearest(context.facilities.stations, commune, "gare"),
        distances=_distances(context.facilities, commune),
        housing_price=_housing_price(context.facilities, commune),
        openings=_openings(context, commune),
    )


def _dated(source: DatedSource) -> SourceRef:
    return SourceRef(title=source.source.title, url=source.source.url or None)


def _entry_sources(entry: Entry) -> list[SourceRef]:
    return [
        SourceRef(title=source.title, url=source.url, date=entry.reviewed, entry_id=entry.id)
        for source in entry.sources
    ]


def _population(territory: Territory, commune: Commune) -> Cell:
    data = territory.department().commune_data.population
    return Cell(
        status="known",
        text=f"{french_number(commune.population)} habitants ({data.year})",
        value={"population": commune.population, "year": data.year},
        sources=[_dated(data)],
    )


def _communaute(territory: Territory, commune: Commune) -> Cell:
    data = territory.department().commune_data.epci
    return Cell(
        status="known",
        text=commune.epci_name,
        value={"siren": commune.epci_siren, "name": commune.epci_name},
        sources=[_dated(data)],
    )


def _team(territory: Territory, commune: Commune) -> Cell:
    team = territory.team_for_commune(commune.insee)
    return Cell(
        status="known",
        text=f"{team.name} ({team.email})",
        value={"id": team.id, "name": team.name, "email": team.email},
        sources=[TEAMS_SOURCE],
    )


def local_entries(entries: Sequence[Entry], theme: str, commune: Commune) -> list[Entry]:
    """Entries of `theme` written for the commune or for its communauté."""
    return [
        entry
        for entry in entries
        if entry.theme == theme
        and (commune.insee in entry.scope.communes or commune.epci_siren in entry.scope.epci)
    ]


def _schools(entries: Sequence[Entry], commune: Commune) -> Cell:
    found = local_entries(entries, "schools", commune)
    if not found:
        return Cell(
            status="unknown",
            text=UNKNOWN,
            sources=[SCHOOLS_DIRECTORY],
            note="Aucune fiche sur les écoles de cette commune ou de sa communauté : "
            "consultez l'Annuaire de l'éducation.",
        )
    return Cell(
        status="known",
        text=" ; ".join(entry.title for entry in found),
        value=[{"id": entry.id, "title": entry.title} for entry in found],
        sources=[source for entry in found for source in _entry_sources(entry)],
        note="Fiches de la base sur les écoles de la commune ou de sa communauté.",
    )


def _nearest(facilities: Sequence[Facility], commune: Commune, kind: str) -> Cell:
    if not facilities:
        return Cell(status="unknown", text=UNKNOWN, note=f"Aucune {kind} dans nos fiches.")

    def distance(facility: Facility) -> float:
        place = facility.commune
        return haversine_km(commune.latitude, commune.longitude, place.latitude, place.longitude)

    nearest = min(facilities, key=lambda facility: (distance(facility), facility.name))
    km = round(distance(nearest))
    here = nearest.commune.insee == commune.insee
    line = f", ligne {nearest.line}" if nearest.line else ""
    text = (
        f"{nearest.name}{line}"
        if here
        else f"{nearest.name} à {nearest.commune.name}, {km} km{line}"
    )
    note = None if here else f"La plus proche parmi celles de nos fiches, à vol d'oiseau ({kind})."
    return Cell(
        status="known",
        text=text,
        value={
            "name": nearest.name,
            "commune": nearest.commune.name,
            "insee": nearest.commune.insee,
            "in_commune": here,
            "distance_km": 0 if here else km,
            "line": nearest.line,
        },
        sources=_entry_sources(nearest.entry),
        note=note,
    )


def _distances(facilities: Facilities, commune: Commune) -> list[DistanceCell]:
    cells = []
    for destination in facilities.destinations:
        km = haversine_km(
            commune.latitude, commune.longitude, destination.latitude, destination.longitude
        )
        sources = [SourceRef(title=destination.source.title, url=destination.source.url)]
        if round(km) == 0:
            cell = Cell(status="known", text="sur place", value={"distance_km": 0}, sources=sources)
        else:
            minutes = driving_minutes(km)
            cell = Cell(
                status="known",
                text=f"{round(km)} km, ≈ {french_duration(minutes)} en voiture",
                value={"distance_km": round(km), "driving_minutes_estimate": minutes},
                sources=sources,
                note="Distance à vol d'oiseau ; temps en voiture estimé.",
            )
        cells.append(DistanceCell(destination=destination.name, cell=cell))
    return cells


def _housing_price(facilities: Facilities, commune: Commune) -> Cell:
    price = facilities.housing_prices.get(commune.insee)
    if price is None:
        return Cell(
            status="unknown",
            text=UNKNOWN,
            note="Aucun prix sourcé pour cette commune dans nos fiches.",
        )
    parts = []
    if price.flat_eur_m2:
        parts.append(f"appartement {french_number(price.flat_eur_m2)} €/m²")
    if price.house_eur_m2:
        parts.append(f"maison {french_number(price.house_eur_m2)} €/m²")
    return Cell(
        status="known",
        text=f"{', '.join(parts)} (au {price.date.strftime('%d/%m/%Y')})",
        value={
            "flat_eur_m2": price.flat_eur_m2,
            "house_eur_m2": price.house_eur_m2,
            "date": price.date.isoformat(),
        },
        sources=_entry_sources(price.entry),
        note="Prix moyens d'achat, d'après un site spécialisé : un ordre de grandeur.",
    )


def _openings(context: CompareContext, commune: Commune) -> Cell:
    count = count_nearby(context.session, commune, NEARBY_OPENINGS_KM, context.now)
    text = f"{count.total} à moins de {NEARBY_OPENINGS_KM:.0f} km"
    note = None
    if count.samples:
        note = f"dont {count.samples} exemple(s) fictif(s) de démonstration"
        text += f" ({note})"
    return Cell(
        status="known",
        text=text,
        value={"total": count.total, "samples": count.samples, "radius_km": NEARBY_OPENINGS_KM},
        sources=[SourceRef(title=OPENINGS_SOURCE_TITLE, date=context.now.date())],
        note=note,
    )
