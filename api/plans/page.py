"""What a plan page gathers for the visitor's area and profile: the knowledge answers that
matter (schools for the children's levels, housing, health, transport) with their sources and
dates, matching openings for each adult, and the référent team of the area."""

from dataclasses import dataclass, field
from datetime import date, datetime

from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from api.knowledge.schemas import Entry
from api.knowledge.service import KnowledgeService
from api.openings.models import Kind, Opening
from api.openings.service import SAMPLE_NOTICE, SearchQuery, search_openings
from api.plans.models import Plan
from api.territory.schemas import Commune, Team
from api.territory.service import Territory
from contract.profile import HOUSING_KIND_LABELS, HOUSING_TENURE_LABELS, SCHOOL_LEVEL_LABELS

# Openings "near" the area: within this distance of its first commune, as the crow flies.
OPENINGS_RADIUS_KM = 30.0
OPENINGS_PER_ADULT = 5
# What each child's level is searched with in the knowledge base (theme "schools").
SCHOOL_QUERIES = {
    "creche": ("La crèche et la garde des tout-petits", "crèche assistante maternelle garde"),
    "maternelle": ("L'école maternelle", "inscrire mon enfant à l'école maternelle"),
    "elementaire": ("L'école élémentaire", "inscrire mon enfant à l'école primaire"),
    "college": ("Le collège", "quel collège pour mon enfant"),
    "lycee": ("Le lycée", "quel lycée pour mon ado"),
    "superieur": ("Les études supérieures", "études supérieures après le bac"),
}
LOOKING_FOR_LABELS = {
    Kind.JOB.value: "un emploi",
    Kind.BUSINESS_TAKEOVER.value: "une entreprise à reprendre",
    Kind.FARM_TAKEOVER.value: "une exploitation agricole à reprendre",
}

_markdown = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Answer:
    topic: str
    entry: Entry
    html: str


@dataclass(frozen=True)
class OpeningLine:
    title: str
    place: str | None
    detail: str | None
    url: str | None
    source: str
    updated: date
    sample_notice: str | None


@dataclass(frozen=True)
class AdultSection:
    label: str
    looking_for: str
    openings: list[OpeningLine]


@dataclass
class PlanPage:
    area_label: str
    communes: list[Commune]
    team: Team
    summary: list[tuple[str, str]]
    schools: list[Answer] = field(default_factory=list)
    living: list[Answer] = field(default_factory=list)
    adults: list[AdultSection] = field(default_factory=list)
    expires_at: datetime | None = None


def _answer(
    knowledge: KnowledgeService, topic: str, query: str, theme: str, commune: str | None
) -> Answer | None:
    response = knowledge.search(query, theme, commune, limit=1, local_first=True)
    if not response.results:
        return None
    hit = response.results[0]
    entry = Entry(**hit.model_dump(include=set(Entry.model_fields)))
    return Answer(topic=topic, entry=entry, html=_markdown.render(entry.answer))


def _area(plan: Plan, territory: Territory) -> tuple[str, list[Commune], Commune | None, Team]:
    """Label, communes, the commune local searches are made for, and the area's team."""
    communes = [c for c in (territory.commune(insee) for insee in plan.area_communes) if c]
    if communes:
        label = ", ".join(commune.name for commune in communes)
        return label, communes, communes[0], territory.team_for_commune(communes[0].insee)
    if plan.area_epci is not None:
        members = sorted(
            (c for c in territory.communes() if c.epci_siren == plan.area_epci),
            key=lambda c: -c.population,
        )
        name = territory.epcis().get(plan.area_epci, plan.area_epci)
        # The communauté's largest commune stands for it in the local searches.
        anchor = members[0] if members else None
        team = territory.team_for_commune(anchor.insee if anchor else None)
        return name, [], anchor, team
    return "le Lot (pas encore de commune choisie)", [], None, territory.default_team()


def area_label(plan: Plan, territory: Territory) -> str:
    return _area(plan, territory)[0]


def summary(plan: Plan, where: str) -> list[tuple[str, str]]:
    """The visitor's own words, as the page shows them back ("Ce que vous nous avez dit")."""
    lines: list[tuple[str, str]] = [("Où", where)]
    adults = plan.household.get("adults", [])
    for number, adult in enumerate(adults, start=1):
        wanted = ", ".join(LOOKING_FOR_LABELS[k] for k in adult.get("looking_for", []))
        trade = " – ".join(part for part in (adult.get("trade"), adult.get("sector")) if part)
        label = "Adulte" if len(adults) == 1 else f"Adulte {number}"
        lines.append((label, f"{trade} ({wanted})" if trade else wanted))
    for number, child in enumerate(plan.household.get("children", []), start=1):
        lines.append((f"Enfant {number}", SCHOOL_LEVEL_LABELS[child["level"]]))
    if plan.housing_tenure or plan.housing_kind:
        tenure = HOUSING_TENURE_LABELS.get(plan.housing_tenure or "", "se loger")
        kind = HOUSING_KIND_LABELS.get(plan.housing_kind or "", "")
        lines.append(("Logement", f"{tenure} {kind}".strip()))
    if plan.timeline:
        lines.append(("Quand", plan.timeline))
    return lines


def _opening_line(opening: Opening) -> OpeningLine:
    detail = " · ".join(
        part
        for part in (opening.employer_or_seller, opening.contract_label, opening.salary_text)
        if part
    )
    return OpeningLine(
        title=opening.title,
        place=opening.commune_name,
        detail=detail or None,
        url=opening.url,
        source=opening.partner.name,
        updated=opening.updated_at.date(),
        sample_notice=SAMPLE_NOTICE if opening.is_sample else None,
    )


def _adults(
    plan: Plan, session: Session, territory: Territory, anchor: Commune | None
) -> list[AdultSection]:
    sections = []
    adults = plan.household.get("adults", [])
    for number, adult in enumerate(adults, start=1):
        kinds = tuple(Kind(kind) for kind in adult.get("looking_for", [Kind.JOB.value]))
        # Trade words narrow job offers; takeovers are few, so all nearby ones are shown
        # (a sector's words rarely meet a business's title: "maraîchage", "ferme maraîchère").
        words = (adult.get("trade") or adult.get("sector")) if Kind.JOB in kinds else None
        result = search_openings(
            session,
            territory,
            SearchQuery(
                text=words,
                kinds=kinds,
                commune=anchor.insee if anchor else None,
                radius_km=OPENINGS_RADIUS_KM if anchor else None,
                per_page=OPENINGS_PER_ADULT,
            ),
        )
        trade = adult.get("trade") or adult.get("sector") or ""
        label = f"Adulte {number}" if len(adults) > 1 else "Pour vous"
        sections.append(
            AdultSection(
                label=f"{label} : {trade}" if trade else label,
                looking_for=", ".join(LOOKING_FOR_LABELS[kind.value] for kind in kinds),
                openings=[_opening_line(hit.opening) for hit in result.hits],
            )
        )
    return sections


def build_page(
    plan: Plan, knowledge: KnowledgeService, territory: Territory, session: Session
) -> PlanPage:
    where, communes, anchor, team = _area(plan, territory)
    commune = anchor.insee if anchor else None
    page = PlanPage(
        area_label=where,
        communes=communes,
        team=team,
        summary=summary(plan, where),
        expires_at=plan.expires_at,
    )
    seen: set[str] = set()

    def add(target: list[Answer], answer: Answer | None) -> None:
        if answer is not None and answer.entry.id not in seen:
            seen.add(answer.entry.id)
            target.append(answer)

    levels = dict.fromkeys(child["level"] for child in plan.household.get("children", []))
    for level in levels:
        topic, query = SCHOOL_QUERIES[level]
        add(page.schools, _answer(knowledge, topic, query, "schools", commune))
    tenure = HOUSING_TENURE_LABELS.get(plan.housing_tenure or "", "trouver")
    kind = HOUSING_KIND_LABELS.get(plan.housing_kind or "", "un logement")
    add(page.living, _answer(knowledge, "Se loger", f"{tenure} {kind}", "housing", commune))
    add(
        page.living,
        _answer(knowledge, "Se soigner", "trouver un médecin, hôpital", "health", commune),
    )
    add(
        page.living, _answer(knowledge, "Se déplacer", "transports train car", "transport", commune)
    )
    page.adults = _adults(plan, session, territory, anchor)
    return page
