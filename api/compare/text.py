"""The comparison as one chat message, in French, in the widget's Markdown subset (bold, lists,
links): one line per criterion, the communes side by side, numbered sources at the end."""

from collections.abc import Callable
from functools import partial

from api.compare.schemas import Cell, CommuneRow, Comparison, SourceRef

_SEPARATOR = " · "


class _Sources:
    """Numbers each distinct source once, in order of first use."""

    def __init__(self) -> None:
        self.refs: list[SourceRef] = []

    def mark(self, cell: Cell) -> str:
        numbers = []
        for source in _first_per_entry(cell.sources):
            key = (source.title, source.url)
            known = [(ref.title, ref.url) for ref in self.refs]
            if key not in known:
                self.refs.append(source)
                known.append(key)
            numbers.append(known.index(key) + 1)
        unique = sorted(set(numbers))
        return f" [{', '.join(str(n) for n in unique)}]" if unique else ""

    def lines(self) -> list[str]:
        lines = []
        for number, ref in enumerate(self.refs, start=1):
            title = f"[{ref.title}]({ref.url})" if ref.url else ref.title
            lines.append(f"[{number}] {title}")
        return lines


def _first_per_entry(sources: list[SourceRef]) -> list[SourceRef]:
    """A chat message cites an entry by its first source; the JSON keeps them all."""
    seen: set[str] = set()
    kept = []
    for source in sources:
        if source.entry_id is not None:
            if source.entry_id in seen:
                continue
            seen.add(source.entry_id)
        kept.append(source)
    return kept


def _name(row: CommuneRow) -> str:
    if row.commune is None:
        return row.outside.name if row.outside else row.query
    if row.delegated_name:
        return f"{row.delegated_name} ({row.commune.name})"
    return row.commune.name


def _distance(row: CommuneRow, index: int) -> Cell | None:
    return row.distances[index].cell if index < len(row.distances) else None


def comparison_text(comparison: Comparison) -> str:
    found = [row for row in comparison.communes if row.commune is not None]
    sources = _Sources()
    lines = [f"**{' ou '.join(_name(row) for row in comparison.communes)} ?**"]
    for row in comparison.communes:
        if row.commune is None and row.reason:
            lines.append(row.reason)
        elif row.delegated_name and row.commune is not None:
            lines.append(
                f"{row.delegated_name} est une commune déléguée de {row.commune.name} : "
                f"les chiffres sont ceux de {row.commune.name}."
            )
    if len(found) == 0:
        return "\n".join(lines)

    def criterion(label: str, cell_of: Callable[[CommuneRow], Cell | None]) -> None:
        values = []
        for row in found:
            cell = cell_of(row)
            if cell is None:
                continue
            values.append(f"{_name(row)} : {cell.text}{sources.mark(cell)}")
        if values:
            lines.append(f"- **{label}** — {_SEPARATOR.join(values)}")

    lines.append("")
    criterion("Population", lambda row: row.population)
    criterion("Communauté", lambda row: row.communaute)
    criterion("Référents accueil", lambda row: row.referent_team)
    criterion("Écoles (nos fiches)", lambda row: row.schools)
    criterion("Hôpital", lambda row: row.hospital)
    criterion("Gare", lambda row: row.station)
    for index, destination in enumerate(cell.destination for cell in found[0].distances):
        criterion(f"Vers {destination}", partial(_distance, index=index))
    criterion("Prix au m²", lambda row: row.housing_price)
    criterion("Offres en cours", lambda row: row.openings)
    lines += [
        "",
        f"{comparison.method} Hôpitaux et gares : les plus proches parmi ceux de nos fiches.",
        "",
        "Sources : " + " ; ".join(sources.lines()),
    ]
    return "\n".join(lines)
