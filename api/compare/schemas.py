"""The comparison of communes as the API returns it (see docs/contracts.md, "Comparing
communes"): one row per commune, every cell known with its sources, or "unknown"."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel

from api.territory.schemas import Commune, OutsidePlace

CellStatus = Literal["known", "unknown"]


class SourceRef(BaseModel):
    """Where a cell comes from: a document (title, link) and the date of the figure or of the
    knowledge entry's last review; `entry_id` when a knowledge entry states it."""

    title: str
    url: str | None = None
    date: dt.date | None = None
    entry_id: str | None = None


class Cell(BaseModel):
    status: CellStatus
    # What the table shows, in French ("9 793 habitants (2023)", "inconnu").
    text: str
    # The same as data, for the bot (shape depends on the row; None when unknown).
    value: Any = None
    sources: list[SourceRef] = []
    # A caveat ("à vol d'oiseau") or, when unknown, where to look.
    note: str | None = None


class DistanceCell(BaseModel):
    destination: str
    cell: Cell


class CommuneRow(BaseModel):
    query: str
    status: Literal["found", "outside_lot"]
    commune: Commune | None = None
    # The commune déléguée the visitor named, answered for its commune nouvelle.
    delegated_name: str | None = None
    outside: OutsidePlace | None = None
    # Why a row has no figures (a place outside the Lot).
    reason: str | None = None
    population: Cell | None = None
    communaute: Cell | None = None
    referent_team: Cell | None = None
    schools: Cell | None = None
    hospital: Cell | None = None
    station: Cell | None = None
    distances: list[DistanceCell] = []
    housing_price: Cell | None = None
    openings: Cell | None = None


class Comparison(BaseModel):
    communes: list[CommuneRow]
    # How distances and driving times are obtained (an estimate, said so).
    method: str
    generated_at: dt.datetime


class ComparisonText(BaseModel):
    """The comparison rendered for a chat message (the widget's Markdown subset)."""

    text: str
    comparison: Comparison
