"""How the assistant understands the place a visitor names (real territory data), and the
checks of the territory files."""

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.cli import main as cli_main
from api.content.problems import ContentError
from api.territory.service import Territory, check_territory, load_territory

TERRITORY_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "territory"

# (what the visitor typed, INSEE code of the commune meant)
FOUND = [
    ("Cahors", "46042"),
    ("cahors", "46042"),
    ("CAHORS", "46042"),
    ("  Cahors  ", "46042"),
    ("Figeac", "46102"),
    ("figeak", "46102"),
    ("Figeacc", "46102"),
    ("Gourdon", "46127"),
    ("gourdon", "46127"),
    ("Saint-Céré", "46251"),
    ("St Cere", "46251"),
    ("saint cere", "46251"),
    ("st-cere", "46251"),
    ("St-Céré", "46251"),
    ("saint-céré", "46251"),
    ("Saint-Cirq-Lapopie", "46256"),
    ("saint-cirq lapopie", "46256"),
    ("St Cirq Lapopie", "46256"),
    ("saint cirq lapopi", "46256"),
    ("Biars-sur-Cère", "46029"),
    ("Biars sur Cere", "46029"),
    ("biars", "46029"),
    ("Souillac", "46309"),
    ("souillac", "46309"),
    ("souilac", "46309"),
    ("Gramat", "46128"),
    ("gramatt", "46128"),
    ("Rocamadour", "46240"),
    ("rocamadoure", "46240"),
    ("Le Vigan", "46334"),
    ("le vigan en quercy", "46334"),
    ("capdenac", "46055"),
    ("Capdenac", "46055"),
    ("Puy-l'Évêque", "46231"),
    ("puy l eveque", "46231"),
    ("Puy-l’Évêque", "46231"),
    ("Montcuq", "46201"),
    ("Cœur de Causse", "46138"),
    ("coeur de causse", "46138"),
    ("Martel", "46185"),
    ("Bretenoux", "46038"),
    ("Lacapelle-Marival", "46143"),
    ("Bagnac sur Célé", "46015"),
    ("à Figeac", "46102"),
    ("vers Souillac", "46309"),
    ("près de Gramat", "46128"),
    ("Cahors (46)", "46042"),
    ("Figeac 46100", "46102"),
    ("Les Arques", "46008"),
    ("arques", "46008"),
]

# (former commune, now part of a commune nouvelle: INSEE of the commune nouvelle)
DELEGATED = [
    ("labastide murat", "46138", "Labastide-Murat"),
    ("Labastide-Murat", "46138", "Labastide-Murat"),
    ("Pern", "46172", "Pern"),
    ("Sousceyrac", "46311", "Sousceyrac"),
    ("Saint Géry", "46268", "Saint-Géry"),
    ("laroque des arcs", "46156", "Laroque-des-Arcs"),
    ("Les Quatre-Routes-du-Lot", "46232", "Les Quatre-Routes-du-Lot"),
]

OUTSIDE = [
    "Brive",
    "Brive-la-Gaillarde",
    "brives",
    "Toulouse",
    "toulouze",
    "Montauban",
    "Aurillac",
    "Rodez",
    "Villefranche-de-Rouergue",
    "Sarlat",
    "Périgueux",
    "Agen",
    "Bordeaux",
    "Paris",
    "Lyon",
    "Capdenac-Gare",
    "capdenac gare",
    "Decazeville",
    "Villeneuve-sur-Lot",
]


@pytest.mark.parametrize(("text", "insee"), FOUND)
def test_visitor_spelling_resolves_to_the_lot_commune(
    territory: Territory, text: str, insee: str
) -> None:
    resolution = territory.resolve(text)
    assert resolution.status == "found", resolution
    assert resolution.commune is not None
    assert resolution.commune.insee == insee


@pytest.mark.parametrize(("text", "insee", "former"), DELEGATED)
def test_former_commune_resolves_to_its_commune_nouvelle(
    territory: Territory, text: str, insee: str, former: str
) -> None:
    resolution = territory.resolve(text)
    assert resolution.status == "found"
    assert resolution.via == "delegated"
    assert resolution.commune is not None
    assert resolution.commune.insee == insee
    assert resolution.delegated_name == former


@pytest.mark.parametrize("text", OUTSIDE)
def test_place_outside_the_lot_is_said_so_never_mapped_to_a_lot_commune(
    territory: Territory, text: str
) -> None:
    resolution = territory.resolve(text)
    assert resolution.status == "outside_lot"
    assert resolution.commune is None
    assert resolution.outside is not None


def test_outside_place_comes_with_its_departement(territory: Territory) -> None:
    resolution = territory.resolve("Capdenac-Gare")
    assert resolution.outside is not None
    assert resolution.outside.departement == "Aveyron"
    assert territory.resolve("Brive").outside.departement == "Corrèze"  # type: ignore[union-attr]


def test_misspelling_is_marked_fuzzy_so_the_bot_can_check(territory: Territory) -> None:
    assert territory.resolve("figeak").via == "fuzzy"
    assert territory.resolve("Figeac").via == "exact"


def test_postal_code_gives_the_largest_commune_and_the_others_as_alternatives(
    territory: Territory,
) -> None:
    resolution = territory.resolve("46100")
    assert resolution.status == "found"
    assert resolution.via == "postal_code"
    assert resolution.commune is not None
    assert resolution.commune.name == "Figeac"
    assert "Capdenac" in [commune.name for commune in resolution.alternatives]
    assert territory.resolve("46000").commune.name == "Cahors"  # type: ignore[union-attr]


def test_postal_code_of_another_departement_is_outside_the_lot(territory: Territory) -> None:
    assert territory.resolve("19100").status == "outside_lot"
    assert territory.resolve("46999").status == "unknown"


def test_start_of_several_names_asks_instead_of_guessing(territory: Territory) -> None:
    resolution = territory.resolve("saint cirq")
    assert resolution.status == "unknown"
    names = {commune.name for commune in resolution.alternatives}
    assert "Saint-Cirq-Lapopie" in names
    assert len(resolution.alternatives) <= 3


@pytest.mark.parametrize("text", ["xyzzy", "Lot", "", "la plage", "Mars"])
def test_unknown_text_is_unknown(territory: Territory, text: str) -> None:
    resolution = territory.resolve(text)
    assert resolution.status == "unknown"
    assert resolution.commune is None
    assert len(resolution.alternatives) <= 3


def test_short_name_never_steals_a_name_shared_by_several_communes(territory: Territory) -> None:
    # "Saint-Jean" starts four communes: no single answer is right.
    assert territory.resolve("Saint-Jean").status == "unknown"
    assert territory.resolve("Labastide").status == "unknown"


def test_no_outside_place_is_named_like_a_lot_commune() -> None:
    _territory, problems = check_territory(TERRITORY_DIR)
    assert [problem.render() for problem in problems] == []


def test_resolve_endpoint_follows_the_contract(client: TestClient) -> None:
    response = client.get("/v1/communes/resolve", params={"name": "labastide murat"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "labastide murat"
    assert body["status"] == "found"
    assert body["via"] == "delegated"
    assert body["delegated_name"] == "Labastide-Murat"
    assert body["commune"]["insee"] == "46138"
    assert body["commune"]["name"] == "Cœur de Causse"
    assert body["commune"]["postal_codes"] == ["46240"]
    assert set(body["commune"]) == {
        "insee",
        "name",
        "postal_codes",
        "epci_siren",
        "epci_name",
        "population",
        "latitude",
        "longitude",
    }


def test_resolve_endpoint_says_capdenac_gare_is_in_aveyron(client: TestClient) -> None:
    body = client.get("/v1/communes/resolve", params={"name": "Capdenac-Gare"}).json()
    assert body["status"] == "outside_lot"
    assert body["commune"] is None
    assert body["outside"]["departement"] == "Aveyron"


def test_resolve_endpoint_rejects_an_empty_name(client: TestClient) -> None:
    assert client.get("/v1/communes/resolve", params={"name": ""}).status_code == 422


# --- Referent teams -----------------------------------------------------------------------


def test_commune_is_routed_to_the_team_of_its_epci(territory: Territory) -> None:
    assert territory.team_for_commune("46102").id == "grand-figeac"
    assert territory.team_for_commune("46042").id == "grand-cahors"


def test_unknown_or_uncovered_commune_goes_to_the_department_team(territory: Territory) -> None:
    default = territory.default_team()
    assert default.default
    assert territory.team_for_commune(None) == default
    assert territory.team_for_commune("99999") == default
    # Laramière belongs to an Aveyron EPCI that no Lot team covers.
    assert territory.team_for_commune("46154") == default


def test_team_lookup_by_id(territory: Territory) -> None:
    team = territory.team("cauvaldor")
    assert team is not None
    assert "200066371" in team.epci
    assert territory.team("nobody") is None


def test_commune_lookup_by_insee(territory: Territory) -> None:
    commune = territory.commune("46042")
    assert commune is not None
    assert commune.name == "Cahors"
    assert commune.population > 0
    assert len(territory.communes()) == 312


@pytest.fixture
def territory_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "territory"
    shutil.copytree(TERRITORY_DIR, copy)
    return copy


def _replace(path: Path, old: str, new: str) -> int:
    """Replaces the first `old`; returns the number of its line."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_territory(directory)
    return [problem.render() for problem in raised.value.problems]


def test_referents_with_a_duplicate_team_id_are_refused(territory_copy: Path) -> None:
    _replace(territory_copy / "referents.yml", "id: grand-figeac", "id: grand-cahors")
    problems = _problems(territory_copy)
    assert len(problems) == 1
    assert "referents.yml:" in problems[0]
    assert "« grand-cahors » est déjà pris" in problems[0]


def test_referents_with_an_unknown_epci_are_refused_at_its_line(territory_copy: Path) -> None:
    referents = territory_copy / "referents.yml"
    _replace(referents, 'epci: ["200067361"]', 'epci: ["123456789"]')
    line = next(
        number
        for number, text in enumerate(referents.read_text().splitlines(), 1)
        if "123456789" in text
    )
    problems = _problems(territory_copy)
    assert problems[0].startswith(f"{referents}:{line}: l'intercommunalité 123456789 n'existe pas")


def test_referents_without_a_default_team_are_refused(territory_copy: Path) -> None:
    _replace(territory_copy / "referents.yml", "    default: true", "    default: false")
    assert any("default: true" in problem for problem in _problems(territory_copy))


def test_outside_list_naming_a_lot_commune_is_refused(territory_copy: Path) -> None:
    _replace(territory_copy / "hors_lot.yml", "aliases: [Brive]", "aliases: [Brive, Gramat]")
    assert any(
        "« Gramat » est aussi le nom d'une commune du Lot" in p for p in _problems(territory_copy)
    )


def _line_of(path: Path, text: str) -> int:
    return next(
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text in line
    )


def test_sectors_with_an_unknown_epci_are_refused_at_its_line(territory_copy: Path) -> None:
    sectors = territory_copy / "secteurs.yml"
    _replace(sectors, 'epci: ["244600482", "200035327"]', 'epci: ["244600482", "123456789"]')
    problems = _problems(territory_copy)
    assert len(problems) == 1
    line = _line_of(sectors, "123456789")
    assert problems[0].startswith(f"{sectors}:{line}: l'intercommunalité 123456789 n'existe pas")


def test_sectors_naming_a_lot_commune_are_refused_at_its_line(territory_copy: Path) -> None:
    sectors = territory_copy / "secteurs.yml"
    _replace(sectors, "names: [Cauvaldor]", "names: [Cauvaldor, Gramat]")
    line = _line_of(sectors, "Gramat")
    assert _problems(territory_copy) == [
        f"{sectors}:{line}: « Gramat » est déjà le nom de la commune Gramat — retirez ce nom : "
        "l'assistant le reconnaît déjà"
    ]


def test_sectors_with_a_name_given_twice_are_refused(territory_copy: Path) -> None:
    sectors = territory_copy / "secteurs.yml"
    first = _line_of(sectors, "names: [le Figeacois")
    again = _replace(sectors, "[le Ségala, le Ségala lotois]", "[le Ségala, le Figeacois]")
    assert _problems(territory_copy) == [
        f"{sectors}:{again}: le nom « le Figeacois » figure déjà dans ce fichier (ligne {first})"
        " — gardez-le une seule fois"
    ]


def test_sectors_with_an_unknown_field_are_refused(territory_copy: Path) -> None:
    sectors = territory_copy / "secteurs.yml"
    _replace(sectors, "    outside_lot: true", "    hors_du_lot: true")
    line = _line_of(sectors, "hors_du_lot")
    assert any(problem.startswith(f"{sectors}:{line}:") for problem in _problems(territory_copy))


def test_resolve_endpoint_gives_a_communautes_commune_and_says_which_communaute(
    client: TestClient,
) -> None:
    body = client.get("/v1/communes/resolve", params={"name": "Cauvaldor"}).json()
    assert (body["status"], body["via"], body["commune"]["name"]) == ("found", "area", "Gramat")
    assert body["area"]["name"] == "Cauvaldor"
    assert body["area"]["communaute"] is True
    assert body["area"]["epcis"] == [
        {"siren": "200066371", "name": "CC Causses et Vallée de la Dordogne", "outside_lot": False}
    ]


def test_resolve_endpoint_leaves_an_area_over_several_communautes_open(
    client: TestClient,
) -> None:
    body = client.get("/v1/communes/resolve", params={"name": "le Ségala"}).json()
    assert (body["status"], body["commune"]) == ("unknown", None)
    assert body["area"]["communaute"] is False
    assert len(body["area"]["epcis"]) == 2


# --- departement.yml: the département's facts and the sources of the commune figures ---


def test_the_real_department_file_is_valid_and_matches_the_communes() -> None:
    territory, problems = check_territory(TERRITORY_DIR)
    assert [problem.render() for problem in problems] == []
    department = territory.department()
    assert department.population.value == sum(c.population for c in territory.communes())
    assert department.population.year == 2023


# (text replaced in departement.yml, its replacement, offset of the reported line, problem)
BROKEN_DEPARTMENT = [
    (
        "    source: insee-analyses-2016",
        "    source: insee-2099",
        0,
        "la source « insee-2099 » n'est pas décrite sous « sources: » — ajoutez-la sous "
        "« sources: » (title et url) ou reprenez un identifiant existant (cog-2026, dgcl-2025, "
        "insee-analyses-2016, insee-populations-2023, laposte-2024)",
    ),
    (
        "value: [Figeac, Gourdon]",
        "value: [Figeac, Gourdun]",
        0,
        "« Gourdun » n'est pas le nom d'une commune de communes.csv — écrivez le nom officiel "
        "de la commune, tel qu'il figure dans communes.csv",
    ),
    (
        "url: https://www.insee.fr/fr/statistiques/8680726",
        "url: insee.fr/statistiques",
        0,
        "l'adresse de la source « insee-populations-2023 » n'est pas une adresse web — écrivez "
        "l'adresse complète, commençant par https:// (ou http://)",
    ),
    (
        "    value: 17\n",
        "",
        -1,
        "champ « cantons.value » invalide (Field required) — corrigez ce champ",
    ),
    (
        "  area_km2:\n    value: 5217",
        "  area:\n    value: 5217",
        0,
        "champ « area » invalide (Extra inputs are not permitted) — corrigez ce champ",
    ),
]


@pytest.mark.parametrize(("old", "new", "offset", "problem"), BROKEN_DEPARTMENT)
def test_broken_department_file_is_refused_at_the_line_to_fix(
    territory_copy: Path, old: str, new: str, offset: int, problem: str
) -> None:
    path = territory_copy / "departement.yml"
    line = _replace(path, old, new) + offset
    assert f"{path}:{line}: {problem}" in _problems(territory_copy)


def test_missing_department_file_is_refused(territory_copy: Path) -> None:
    (territory_copy / "departement.yml").unlink()
    assert _problems(territory_copy) == [
        f"{territory_copy / 'departement.yml'}:1: fichier introuvable — remettez le fichier "
        "d'origine"
    ]


def test_department_population_unlike_the_communes_is_a_warning(territory_copy: Path) -> None:
    _replace(territory_copy / "departement.yml", "value: 176473", "value: 175620")
    territory, problems = check_territory(territory_copy)
    assert [problem.severity for problem in problems] == ["warning"]
    assert "n'est pas la somme des populations municipales" in problems[0].message
    assert territory.department().population.value == 175620


def test_validate_command_reports_a_broken_department_file(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = knowledge_copy / "territory" / "departement.yml"
    line = _replace(path, "  prefecture:\n    value: Cahors", "  prefecture:\n    value: Cahor")
    assert cli_main(["validate", "--dir", str(knowledge_copy)]) == 1
    out = capsys.readouterr().out
    assert f"departement.yml:{line + 1}: « Cahor » n'est pas le nom d'une commune" in out
