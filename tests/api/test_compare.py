"""Towns side by side: two or three communes, every cell sourced or "inconnu", a commune
déléguée answered for its commune, a place outside the Lot said so, bad requests refused."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.compare.distances import AVERAGE_DRIVING_SPEED_KMH, ROAD_DETOUR_FACTOR
from api.compare.facilities import FACILITIES_FILE, check_facilities

pytestmark = pytest.mark.usefixtures("quiet_rasa")


def compare(client: TestClient, *communes: str, text: bool = False) -> Any:
    path = "/v1/compare/text" if text else "/v1/compare"
    return client.get(path, params=[("commune", name) for name in communes])


def cells(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("population", "communaute", "referent_team", "schools", "hospital", "station"):
        yield row[key]
    yield row["housing_price"]
    yield row["openings"]
    for distance in row["distances"]:
        yield distance["cell"]


def test_two_towns_side_by_side_every_known_cell_with_its_source(
    client: TestClient, make_opening: Callable[..., Any]
) -> None:
    make_opening(title="Infirmier (H/F)", commune="46102")
    response = compare(client, "Figeac", "Cahors")
    assert response.status_code == 200, response.text
    figeac, cahors = response.json()["communes"]
    assert figeac["commune"]["insee"] == "46102"
    assert cahors["commune"]["insee"] == "46042"

    assert figeac["population"]["value"] == {"population": 9793, "year": 2023}
    assert "Insee" in figeac["population"]["sources"][0]["title"]
    assert figeac["communaute"]["text"] == "CC Grand-Figeac"
    assert figeac["referent_team"]["value"]["id"] == "grand-figeac"
    assert figeac["hospital"]["value"]["in_commune"] is True
    assert cahors["station"]["value"]["line"] == "Paris – Orléans – Limoges – Toulouse"
    assert figeac["housing_price"]["value"]["flat_eur_m2"] == 1828
    assert {s["entry_id"] for s in figeac["housing_price"]["sources"]} == {"logement-figeac"}
    assert "logement-figeac" not in {s["entry_id"] for s in cahors["housing_price"]["sources"]}
    school_ids = {entry["id"] for entry in figeac["schools"]["value"]}
    assert "lycees-figeac" in school_ids
    # The opening is in Figeac, 49 km from Cahors: nearby for one only.
    assert figeac["openings"]["value"]["total"] == 1
    assert cahors["openings"]["value"]["total"] == 0

    for row in (figeac, cahors):
        for cell in cells(row):
            if cell["status"] == "known":
                assert cell["sources"], cell
            else:
                assert cell["text"] == "inconnu", cell
                assert cell["value"] is None, cell


def test_distances_are_crow_flies_and_driving_times_are_stated_estimates(
    client: TestClient,
) -> None:
    body = compare(client, "Figeac", "Cahors").json()
    figeac = body["communes"][0]
    by_destination = {d["destination"]: d["cell"] for d in figeac["distances"]}
    assert list(by_destination) == ["Cahors", "Brive-la-Gaillarde", "Toulouse"]
    toulouse = by_destination["Toulouse"]
    km = toulouse["value"]["distance_km"]
    assert 115 <= km <= 125  # Figeac and Toulouse's points, as the crow flies
    expected = km * ROAD_DETOUR_FACTOR / AVERAGE_DRIVING_SPEED_KMH * 60
    assert abs(toulouse["value"]["driving_minutes_estimate"] - expected) <= 5
    assert "estimé" in toulouse["note"]
    assert "vol d'oiseau" in toulouse["note"]
    assert "estimations" in body["method"]
    cahors = body["communes"][1]
    assert cahors["distances"][0]["cell"]["text"] == "sur place"


def test_three_towns_with_a_commune_deleguee_and_a_place_outside_the_lot(
    client: TestClient,
) -> None:
    response = compare(client, "Gourdon", "labastide murat", "Brive")
    assert response.status_code == 200, response.text
    gourdon, labastide, brive = response.json()["communes"]
    assert labastide["commune"]["name"] == "Cœur de Causse"
    assert labastide["delegated_name"] == "Labastide-Murat"
    assert labastide["population"]["value"]["population"] == 886
    assert brive["status"] == "outside_lot"
    assert "Corrèze" in brive["reason"]
    assert "hors du Lot" in brive["reason"]
    assert brive["population"] is None
    assert brive["distances"] == []
    # No sourced price for either town: said so, not guessed.
    assert gourdon["housing_price"]["status"] == "unknown"
    assert labastide["housing_price"]["text"] == "inconnu"
    # The nearest hospital and station among those the entries name.
    assert labastide["hospital"]["value"]["in_commune"] is False
    assert labastide["hospital"]["note"].startswith("La plus proche parmi celles de nos fiches")


def test_insee_codes_work_like_names(client: TestClient) -> None:
    response = compare(client, "46102", "46042")
    assert response.status_code == 200
    assert [row["commune"]["name"] for row in response.json()["communes"]] == ["Figeac", "Cahors"]


def test_the_chat_text_names_the_towns_says_estimate_and_lists_sources(
    client: TestClient,
) -> None:
    response = compare(client, "Figeac", "Labastide-Murat", "Brive", text=True)
    assert response.status_code == 200, response.text
    text = response.json()["text"]
    assert text.startswith("**Figeac ou Labastide-Murat (Cœur de Causse) ou Brive-la-Gaillarde ?**")
    assert "Labastide-Murat est une commune déléguée de Cœur de Causse" in text
    assert "Brive-la-Gaillarde est en Corrèze (19), hors du Lot" in text
    assert "- **Population** — Figeac : 9 793 habitants (2023) [1]" in text
    assert "Prix au m²** — Figeac : appartement 1 828 €/m²" in text
    assert "Cœur de Causse) : inconnu" in text
    assert "estimations" in text
    assert "Sources : [1] [Insee, populations légales 2023](https://" in text


@pytest.mark.parametrize(
    ("communes", "reason"),
    [
        (["Figeac"], "Give 2 or 3 communes"),
        (["Figeac", "Cahors", "Gourdon", "Souillac"], "Give 2 or 3 communes"),
        (["Figeac", "Trifouillis-les-Oies"], "'Trifouillis-les-Oies' is not a commune of the Lot"),
        (["Figeac", "46102"], "are the same commune (Figeac)"),
        (["Figeac", "  "], "A commune name is empty"),
        (["Figeac", "x" * 201], "over 200 characters"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(
    client: TestClient, communes: list[str], reason: str
) -> None:
    response = compare(client, *communes)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


def test_no_commune_at_all_is_a_422(client: TestClient) -> None:
    assert client.get("/v1/compare").status_code == 422


def _facilities_file(directory: Path, body: str) -> Path:
    path = directory / FACILITIES_FILE
    path.write_text(body, encoding="utf-8")
    return path


def test_a_price_the_entry_does_not_state_is_left_out_with_a_warning(
    tmp_path: Path, real_knowledge: Any
) -> None:
    snapshot = real_knowledge.snapshot
    entries = {loaded.entry.id: loaded.entry for loaded in snapshot.by_id.values()}
    path = _facilities_file(
        tmp_path,
        "housing_prices:\n"
        "  - commune: Figeac\n"
        "    entry: logement-figeac\n"
        "    date: 2026-02-01\n"
        "    flat_eur_m2: 1999\n",
    )
    facilities, problems = check_facilities(path, snapshot.territory, entries)
    assert facilities.housing_prices == {}
    assert [(p.line, p.severity) for p in problems] == [(3, "warning")]
    assert "n'écrit pas le prix 1 999" in problems[0].message


def test_an_unknown_commune_in_the_facilities_is_an_error_at_its_line(
    tmp_path: Path, real_knowledge: Any
) -> None:
    snapshot = real_knowledge.snapshot
    path = _facilities_file(
        tmp_path,
        "hospitals:\n  - name: Hôpital\n    commune: Figeak\n    entry: sante-hopital-figeac\n",
    )
    facilities, problems = check_facilities(path, snapshot.territory, {})
    assert facilities.hospitals == []
    assert [(p.line, p.severity) for p in problems[:1]] == [(3, "error")]
    assert "Figeak" in problems[0].message
