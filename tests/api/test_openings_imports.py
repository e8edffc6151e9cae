"""File imports (`python -m api.cli import-openings`): the partner CSV template and JSON files in
France Travail's shape; good rows kept, bad rows reported, re-imports idempotent."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.cli import main as cli
from api.openings.imports import ImportFileError, import_file
from api.openings.models import Opening
from api.territory.service import Territory
from tests.fakes.france_travail import ft_offer

HEADER = (
    "reference;type;intitule;description;commune;prix_indicatif;date_publication;lien;"
    "contact_organisme"
)


def takeover_row(ref: str, **fields: str) -> dict[str, str]:
    row = {
        "reference": ref,
        "type": "commerce",
        "intitule": f"Commerce {ref} à reprendre",
        "description": "Commerce de centre-bourg.",
        "commune": "Gramat",
        "prix_indicatif": "",
        "date_publication": "2026-10-01",
        "lien": "",
        "contact_organisme": "CCI du Lot",
    }
    row.update(fields)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    lines = [HEADER] + [";".join(row[key] for key in HEADER.split(";")) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def live_refs(sessions: "sessionmaker[Session]", partner: str) -> set[str]:
    now = datetime.now(UTC)
    with sessions() as session:
        openings = session.scalars(select(Opening).where(Opening.partner_id == partner))
        return {
            opening.partner_ref
            for opening in openings
            if opening.expires_at is None or opening.expires_at > now
        }


def test_good_rows_are_kept_and_bad_rows_reported_with_their_line(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    path = write_csv(
        tmp_path / "reprises.csv",
        [
            takeover_row("C-1"),
            takeover_row("C-2", commune="Brive-la-Gaillarde"),
            takeover_row("C-3", type="artisanat", commune="St Céré"),
            takeover_row("C-4", type="boutique"),
            takeover_row("C-5", intitule="", date_publication="31/02/2026"),
            takeover_row("C-6", type="agricole", commune="46019"),
        ],
    )

    report = import_file(sessions, territory, "cci-lot", path)

    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    rejected = {rejection.location: rejection for rejection in report.rejected}
    assert set(rejected) == {"ligne 3", "ligne 5", "ligne 6"}
    assert rejected["ligne 3"].ref == "C-2"
    assert "n'est pas dans le Lot" in rejected["ligne 3"].reasons[0]
    assert "type « boutique » inconnu" in rejected["ligne 5"].reasons[0]
    assert any("intitule" in reason for reason in rejected["ligne 6"].reasons)
    assert any("date_publication" in reason for reason in rejected["ligne 6"].reasons)
    assert "ligne 5 (référence C-4)" in report.render()
    assert live_refs(sessions, "cci-lot") == {"C-1", "C-3", "C-6"}
    with sessions() as session:
        farm = session.scalars(select(Opening).where(Opening.partner_ref == "C-6")).one()
    # 46019 is Beaumat, merged into Cœur de Causse.
    assert (farm.kind, farm.sector, farm.commune_name) == (
        "farm_takeover",
        "agricole",
        "Cœur de Causse",
    )


def test_reimporting_the_same_file_changes_nothing(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    path = write_csv(tmp_path / "reprises.csv", [takeover_row("C-1"), takeover_row("C-2")])
    import_file(sessions, territory, "cci-lot", path)
    with sessions() as session:
        before = {o.partner_ref: o.last_changed_at for o in session.scalars(select(Opening))}

    report = import_file(sessions, territory, "cci-lot", path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    with sessions() as session:
        after = {o.partner_ref: o.last_changed_at for o in session.scalars(select(Opening))}
    assert after == before


def test_a_changed_row_is_updated_in_place(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    import_file(
        sessions, territory, "cci-lot", write_csv(tmp_path / "a.csv", [takeover_row("C-1")])
    )
    changed = write_csv(
        tmp_path / "b.csv", [takeover_row("C-1", intitule="Épicerie rénovée à reprendre")]
    )

    report = import_file(sessions, territory, "cci-lot", changed)

    assert (report.created, report.updated) == (0, 1)
    with sessions() as session:
        titles = [opening.title for opening in session.scalars(select(Opening))]
    assert titles == ["Épicerie rénovée à reprendre"]


def test_full_import_expires_what_the_file_no_longer_lists(
    tmp_path: Path,
    sessions: "sessionmaker[Session]",
    territory: Territory,
    client: TestClient,
) -> None:
    rows = [takeover_row("C-1"), takeover_row("C-2"), takeover_row("C-3")]
    import_file(sessions, territory, "cci-lot", write_csv(tmp_path / "a.csv", rows))
    import_file(
        sessions, territory, "cma-lot", write_csv(tmp_path / "cma.csv", [takeover_row("M-1")])
    )
    smaller = write_csv(tmp_path / "b.csv", [takeover_row("C-1")])

    report = import_file(sessions, territory, "cci-lot", smaller, full=True)

    assert (report.unchanged, report.expired) == (1, 2)
    assert live_refs(sessions, "cci-lot") == {"C-1"}
    # Another partner's openings are not touched.
    assert live_refs(sessions, "cma-lot") == {"M-1"}
    shown = {result["partner_ref"] for result in client.get("/v1/openings").json()["results"]}
    assert shown == {"C-1", "M-1"}


def test_an_expired_opening_listed_again_comes_back(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    both = write_csv(tmp_path / "a.csv", [takeover_row("C-1"), takeover_row("C-2")])
    import_file(sessions, territory, "cci-lot", both)
    import_file(
        sessions,
        territory,
        "cci-lot",
        write_csv(tmp_path / "b.csv", [takeover_row("C-1")]),
        full=True,
    )

    report = import_file(sessions, territory, "cci-lot", both, full=True)

    assert (report.updated, report.unchanged, report.expired) == (1, 1, 0)
    assert live_refs(sessions, "cci-lot") == {"C-1", "C-2"}


def test_partial_import_keeps_what_the_file_does_not_list(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    import_file(
        sessions, territory, "cci-lot", write_csv(tmp_path / "a.csv", [takeover_row("C-1")])
    )

    report = import_file(
        sessions, territory, "cci-lot", write_csv(tmp_path / "b.csv", [takeover_row("C-2")])
    )

    assert report.expired == 0
    assert live_refs(sessions, "cci-lot") == {"C-1", "C-2"}


def test_full_import_keeps_a_listed_opening_whose_new_row_is_rejected(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    import_file(
        sessions, territory, "cci-lot", write_csv(tmp_path / "a.csv", [takeover_row("C-1")])
    )
    broken = write_csv(tmp_path / "b.csv", [takeover_row("C-1", commune="Nulle-Part-sur-Lot")])

    report = import_file(sessions, territory, "cci-lot", broken, full=True)

    assert len(report.rejected) == 1
    assert report.expired == 0
    assert live_refs(sessions, "cci-lot") == {"C-1"}


def test_a_reference_twice_in_a_file_keeps_the_first(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [takeover_row("C-1", intitule="Premier"), takeover_row("C-1", intitule="Second")],
    )

    report = import_file(sessions, territory, "cci-lot", path)

    assert report.created == 1
    assert [r.location for r in report.rejected] == ["ligne 3"]
    assert "déjà vue : ligne 2" in report.rejected[0].reasons[0]


def test_excel_windows_csv_with_accented_headers_is_read(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "Référence;Type;Intitulé;Description;Commune\r\n"
        "E-1;Agricole;Élevage de brebis;Troupeau et bâtiments;Lalbenque\r\n".encode("cp1252")
    )

    report = import_file(sessions, territory, "chambre-agriculture-lot", path)

    assert report.created == 1
    assert any("Windows-1252" in warning for warning in report.warnings)
    with sessions() as session:
        opening = session.scalars(select(Opening)).one()
    assert (opening.title, opening.commune_name) == ("Élevage de brebis", "Lalbenque")


def test_a_csv_without_the_required_columns_changes_nothing(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("ref,titre\nX,Y\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match="obligatoire"):
        import_file(sessions, territory, "cci-lot", path)
    assert live_refs(sessions, "cci-lot") == set()


def test_expiration_date_hides_the_opening_after_that_day(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory, client: TestClient
) -> None:
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    next_week = (date.today() + timedelta(days=7)).isoformat()
    path = tmp_path / "a.csv"
    path.write_text(
        "reference;type;intitule;description;commune;date_publication;date_expiration\n"
        f"C-1;commerce;Ancienne annonce;Texte;Cahors;2026-01-01;{yesterday}\n"
        f"C-2;commerce;Annonce en cours;Texte;Cahors;2026-01-01;{next_week}\n",
        encoding="utf-8",
    )

    import_file(sessions, territory, "cci-lot", path)

    shown = [result["title"] for result in client.get("/v1/openings").json()["results"]]
    assert shown == ["Annonce en cours"]


def write_json(path: Path, offers: list[Any]) -> Path:
    path.write_text(json.dumps({"resultats": offers}, ensure_ascii=False), encoding="utf-8")
    return path


def test_json_file_in_france_travail_shape(
    tmp_path: Path, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    offers = [
        ft_offer(1),
        ft_offer(2, insee="19031", label="19 - BRIVE-LA-GAILLARDE"),
        {"intitule": "Sans identifiant"},
        ft_offer(4, insee="", label="46 - Lot"),
    ]

    report = import_file(
        sessions, territory, "france-travail", write_json(tmp_path / "ft.json", offers)
    )

    assert report.created == 2
    assert {r.location: r.reasons[0] for r in report.rejected} == {
        "offre n° 2": "lieu de travail hors du Lot (commune 19031)",
        "offre n° 3": "identifiant « id » manquant",
    }
    with sessions() as session:
        by_ref = {o.partner_ref: o for o in session.scalars(select(Opening))}
    # A department-wide offer keeps France Travail's place name and coordinates.
    assert by_ref["FT000004"].commune_insee is None
    assert by_ref["FT000004"].commune_name == "46 - Lot"


def test_cli_prints_the_report_and_says_whether_rows_were_rejected(
    tmp_path: Path, app_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_csv(tmp_path / "good.csv", [takeover_row("C-1")])
    mixed = write_csv(tmp_path / "mixed.csv", [takeover_row("C-2", commune="Paris")])

    assert cli(["import-openings", "--partner", "cci-lot", "--file", str(good)]) == 0
    assert cli(["import-openings", "--partner", "cci-lot", "--file", str(mixed), "--full"]) == 1
    assert cli(["import-openings", "--partner", "inconnu", "--file", str(good)]) == 2

    output = capsys.readouterr().out
    assert "créées : 1" in output
    assert "ligne 2 (référence C-2) : la commune « Paris » n'est pas dans le Lot" in output
    assert "expirées : 1" in output
    assert "partenaire « inconnu » inconnu" in output


def test_sample_data_loads_once_and_is_all_marked_fictitious(
    app_env: dict[str, str], client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["load-sample-openings"]) == 0
    assert cli(["load-sample-openings"]) == 0

    output = capsys.readouterr().out
    assert "rejetées : 0" in output
    assert "données d'exemple non chargées" in output
    body = client.get("/v1/openings", params={"per_page": 50}).json()
    assert body["total"] > 300
    assert all(result["is_sample"] for result in body["results"])
    assert all("Exemple fictif" in result["title"] for result in body["results"])
    assert all(result["url"] is None for result in body["results"])
    farms = client.get("/v1/openings", params={"kind": "farm_takeover"}).json()
    assert farms["total"] >= 5

    assert cli(["load-sample-openings", "--remove"]) == 0
    assert client.get("/v1/openings").json()["total"] == 0
