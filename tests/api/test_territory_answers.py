"""Questions about the territory itself, answered from knowledge/territory/ (real data)."""

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.territory.answers import answer, detect_fact
from api.territory.schemas import TerritoryAnswer
from api.territory.service import Territory

TERRITORY_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "territory"
NBSP = "\u00a0"
COG = "Insee, Code officiel géographique 2026"
POPULATIONS = "Insee, populations légales 2023"
POSTAL_CODES = "La Poste, base officielle des codes postaux 2024"
EPCI = "DGCL, intercommunalités 2025"


def _rows(name: str) -> list[dict[str, str]]:
    with (TERRITORY_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _epci_short(official: str) -> str:
    """The name without its CC / CA prefix: the part every answer shows."""
    return official.split(" ", 1)[1] if official[:3] in ("CC ", "CA ") else official


def _name(result: TerritoryAnswer) -> str | None:
    return result.commune.name if result.commune is not None else None


def _insee(result: TerritoryAnswer) -> str | None:
    return result.commune.insee if result.commune is not None else None


# --- The département ----------------------------------------------------------------------


def test_department_question_without_a_fact_gives_its_identity_card(territory: Territory) -> None:
    result = answer(territory, "Parlez-moi du Lot")
    assert (result.kind, result.fact, result.commune) == ("department", "card", None)
    for fragment in (
        "**Occitanie**",
        "**Cahors**",
        "**Figeac** et **Gourdon**",
        f"**312 communes** au 1er janvier 2026 ({COG})",
        f"**176{NBSP}473 habitants** en population municipale 2023 ({POPULATIONS})",
        f"**5{NBSP}217 km²** (Insee Analyses Occitanie n°12, mars 2016)",
    ):
        assert fragment in result.text
    assert {source.title for source in result.sources} == {
        COG,
        POPULATIONS,
        "Insee Analyses Occitanie n°12, mars 2016",
    }


@pytest.mark.parametrize(
    ("question", "fact", "fragment"),
    [
        ("Le Lot est dans quelle région ?", "region", "région **Occitanie**"),
        ("Quelle est la préfecture du Lot ?", "prefecture", "La préfecture du Lot est **Cahors**"),
        ("Quelles sont les sous-préfectures ?", "subprefectures", "**Figeac** et **Gourdon**"),
        ("Combien d'arrondissements ?", "arrondissements", "**3 arrondissements**"),
        ("Combien de cantons dans le Lot ?", "cantons", "**17 cantons** en 2026"),
        ("Il y a combien de communes dans le Lot ?", "commune_count", "**312 communes**"),
        ("Combien d'habitants dans le Lot ?", "population", f"**176{NBSP}473 habitants**"),
        ("Quelle est la superficie du département ?", "area", f"**5{NBSP}217 km²**"),
        ("Le Lot, c'est où ?", "location", "département de la région **Occitanie**"),
        ("Quelles sont les intercommunalités du Lot ?", "epci", "**10 intercommunalités**"),
    ],
)
def test_department_fact_is_answered_with_its_source(
    territory: Territory, question: str, fact: str, fragment: str
) -> None:
    result = answer(territory, question)
    assert (result.kind, result.fact) == ("department", fact)
    assert fragment in result.text
    assert result.sources
    for source in result.sources:
        assert f"{source.title})" in result.text or f"{source.title} ;" in result.text
        assert source.url.startswith("https://")


def test_a_word_after_au_is_not_taken_for_a_town_when_the_department_is_named(
    territory: Territory,
) -> None:
    result = answer(territory, "combien d'habitants au total dans le departement du lot")
    assert (result.kind, result.fact) == ("department", "population")
    assert "176\u00a0473 habitants" in result.text


@pytest.mark.parametrize(
    ("question", "says_more"),
    [
        ("dans quelle région est le Lot ?", False),
        ("bon serieusement, c'est quoi la prefecture du lot", False),
        ("qui sont les référents pour Souillac ?", False),
        ("la région est-elle bien pour la pêche ?", True),
        ("le Lot, c'est une région sympa pour le vélo ?", True),
    ],
)
def test_a_question_only_mentioning_a_fact_is_told_from_one_asking_it(
    territory: Territory, question: str, says_more: bool
) -> None:
    assert answer(territory, question).says_more is says_more


def test_number_of_communes_is_counted_in_communes_csv(territory: Territory) -> None:
    count = len(_rows("communes.csv"))
    result = answer(territory, "combien de communes compte le Lot ?")
    assert f"**{count} communes** au 1er janvier 2026 ({COG})" in result.text


# --- A commune ------------------------------------------------------------------------------


def test_postal_code_of_a_commune_named_in_a_sentence(territory: Territory) -> None:
    result = answer(territory, "code postal de st cere")
    assert (result.kind, result.fact) == ("commune", "postal_code")
    assert _insee(result) == "46251"
    assert result.text == f"Le code postal de **Saint-Céré** est **46400** ({POSTAL_CODES})."
    assert [source.title for source in result.sources] == [POSTAL_CODES]


@pytest.mark.parametrize(
    ("question", "previous", "fact", "expected"),
    [
        ("et celui de Souillac ?", "code postal de st cere", "postal_code", "**46200**"),
        ("et pour Gramat ?", "combien d'habitants à Martel ?", "population", "**3\u00a0512"),
        ("et pour Martel, pareil ?", "le code postal de Gramat ?", "postal_code", "**46600**"),
    ],
)
def test_a_place_named_alone_after_a_fact_gets_the_same_fact(
    territory: Territory, question: str, previous: str, fact: str, expected: str
) -> None:
    result = answer(territory, question, None, previous)
    assert (result.kind, result.fact) == ("commune", fact)
    assert expected in result.text


def test_a_place_named_with_more_words_after_a_fact_is_not_asked_the_same_fact(
    territory: Territory,
) -> None:
    result = answer(territory, "et Cahors, c'est sympa ?", None, "code postal de Figeac")
    assert result.fact == "card"


def test_a_place_named_alone_after_a_message_on_something_else_asks_no_fact(
    territory: Territory,
) -> None:
    # "km" is a word of the area, but the message before was about the school bus.
    result = answer(territory, "c'est pour Martel", None, "on habite à 2 km du collège")
    assert result.fact == "card"


def test_communaute_of_a_commune(territory: Territory) -> None:
    result = answer(territory, "Pradines c'est dans quelle communauté ?")
    assert (result.kind, result.fact) == ("commune", "epci")
    assert "**communauté d'agglomération du Grand Cahors**" in result.text
    assert f"({EPCI})" in result.text


def test_a_communaute_asked_with_the_word_rattachee_is_the_communaute(
    territory: Territory,
) -> None:
    result = answer(territory, "Martel est rattachée à quelle interco ?")
    assert (result.kind, result.fact) == ("commune", "epci")
    assert "**communauté de communes Causses et Vallée de la Dordogne**" in result.text


def test_a_fact_asked_of_two_communes_is_given_for_each(territory: Territory) -> None:
    result = answer(territory, "Souillac et Martel ont-ils le même code postal ?")
    assert "Le code postal de **Souillac** est **46200**" in result.text
    assert "Le code postal de **Martel** est **46600**" in result.text
    assert result.text.count(f"({POSTAL_CODES})") == 2


def test_population_is_given_with_its_year_and_source(territory: Territory) -> None:
    result = answer(territory, "combien d'habitants a figeac")
    assert (result.kind, result.fact) == ("commune", "population")
    assert result.text == (
        f"**Figeac** compte **9{NBSP}793 habitants** en population municipale 2023 ({POPULATIONS})."
    )
    assert result.sources[0].url == "https://www.insee.fr/fr/statistiques/8680726"


def test_commune_without_a_fact_gives_its_card(territory: Territory) -> None:
    result = answer(territory, "Gramat")
    assert (result.kind, result.fact) == ("commune", "card")
    for fragment in (
        "communauté de communes Causses et Vallée de la Dordogne",
        "**46500**",
        f"**3{NBSP}512 habitants** en population municipale 2023",
        "**Équipe accueil de Cauvaldor**",
    ):
        assert fragment in result.text


def test_referent_team_is_the_one_of_the_commune_with_its_role(territory: Territory) -> None:
    result = answer(territory, "Qui est mon référent à Figeac ?")
    assert (result.kind, result.fact) == ("commune", "referent")
    team = territory.team_for_commune("46102")
    assert f"**{team.name}**" in result.text
    assert team.role[1:] in result.text
    assert "@" not in result.text


def test_misspelt_commune_is_still_found(territory: Territory) -> None:
    result = answer(territory, "population de figeak")
    assert _name(result) == "Figeac"


def test_several_communes_sharing_a_postal_code_are_listed(territory: Territory) -> None:
    result = answer(territory, "46100 c'est quelle commune ?")
    assert (result.kind, result.fact) == ("commune", "postal_code")
    assert "partagé par" in result.text
    assert "**Figeac**" in result.text
    assert "**Capdenac**" in result.text


# --- Communes déléguées, places outside the Lot, unknown places ----------------------------


def test_commune_deleguee_is_said_to_be_part_of_its_commune_nouvelle(territory: Territory) -> None:
    result = answer(territory, "Bagat-en-Quercy c'est dans quelle commune maintenant ?")
    assert (result.kind, result.fact) == ("delegated", "merger")
    assert _name(result) == "Barguelonne-en-Quercy"
    assert result.text.startswith(
        "**Bagat-en-Quercy** est une ancienne commune : depuis la fusion, elle fait partie de "
        "la commune nouvelle **Barguelonne-en-Quercy**"
    )
    assert "**46800**" in result.text


def test_commune_nouvelle_lists_its_former_communes(territory: Territory) -> None:
    result = answer(territory, "Cœur de Causse est une commune nouvelle ?")
    assert (result.kind, result.fact) == ("commune", "merger")
    assert "**Labastide-Murat**" in result.text


def test_capdenac_gare_is_not_in_the_lot(territory: Territory) -> None:
    result = answer(territory, "capdenac gare c'est dans le lot ?")
    assert (result.kind, result.commune) == ("outside", None)
    assert result.text.startswith("**Capdenac-Gare** n'est pas dans le Lot")
    assert "**Aveyron (12)**" in result.text
    assert "**Capdenac**, qui est, elle, une commune du Lot" in result.text


def test_capdenac_is_in_the_lot_and_not_to_be_confused(territory: Territory) -> None:
    result = answer(territory, "capdenac c'est dans le lot ?")
    assert (result.kind, result.fact) == ("commune", "location")
    assert "**Capdenac** est bien une commune du Lot (46)" in result.text
    assert "À ne pas confondre avec **Capdenac-Gare**" in result.text


def test_the_lot_named_beside_another_departement_gets_its_own_fact(
    territory: Territory,
) -> None:
    result = answer(territory, "le Lot c'est Occitanie ou Nouvelle-Aquitaine comme la Dordogne ?")
    assert (result.kind, result.fact) == ("department", "region")
    assert "région **Occitanie**" in result.text
    assert "L'autre département que vous citez, **Dordogne (24)**, n'est pas le Lot" in result.text


def test_a_commune_of_the_lot_is_asked_about_before_the_town_the_visitor_comes_from(
    territory: Territory,
) -> None:
    question = "Nous sommes de Villeneuve-sur-Lot. Prayssac, c'est dans quelle communauté ?"
    result = answer(territory, question)
    assert (result.kind, _name(result), result.fact) == ("commune", "Prayssac", "epci")


def test_a_word_close_to_a_town_outside_is_no_place_when_a_fact_of_the_lot_is_asked(
    territory: Territory,
) -> None:
    result = answer(territory, "on a parié un resto, le Lot est dans quelle région ?")
    assert (result.kind, result.fact) == ("department", "region")
    misspelt = answer(territory, "Toulouze c'est dans le lot ?")
    assert misspelt.kind == "outside"
    assert "**Toulouse** n'est pas dans le Lot" in misspelt.text


def test_postal_code_of_another_departement_is_outside(territory: Territory) -> None:
    result = answer(territory, "le 19100 c'est dans le Lot ?")
    assert result.kind == "outside"
    assert "**19100** n'est pas un code du Lot" in result.text


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("code postal de Trifouilly-les-Oies", "« Trifouilly-les-Oies »"),
        ("Combien d'habitants à Xyzzyville ?", "« Xyzzyville »"),
    ],
)
def test_unknown_place_is_said_plainly(territory: Territory, question: str, shown: str) -> None:
    result = answer(territory, question)
    assert (result.kind, result.commune) == ("unknown", None)
    assert result.text.startswith(f"Je ne trouve pas {shown} parmi les communes du Lot")


def test_ambiguous_name_offers_the_communes_it_may_be(territory: Territory) -> None:
    result = answer(territory, "code postal de saint cirq")
    assert result.kind == "unknown"
    assert "Vouliez-vous dire" in result.text
    assert "**Saint-Cirq-Lapopie**" in result.text


# --- The commune of the conversation ---------------------------------------------------------


def test_commune_hint_is_used_when_the_question_names_no_place(territory: Territory) -> None:
    result = answer(territory, "et combien d'habitants ?", commune_hint="46102")
    assert (result.kind, result.fact) == ("commune", "population")
    assert _name(result) == "Figeac"


def test_commune_hint_may_be_a_name(territory: Territory) -> None:
    result = answer(territory, "c'est dans le lot ?", commune_hint="labastide murat")
    assert result.kind == "delegated"
    assert _name(result) == "Cœur de Causse"


def test_place_named_in_the_question_wins_over_the_hint(territory: Territory) -> None:
    result = answer(territory, "code postal de Gramat", commune_hint="46102")
    assert _name(result) == "Gramat"


def test_question_about_the_department_ignores_the_hint(territory: Territory) -> None:
    for question in ("combien d'habitants dans le Lot ?", "quelle est la préfecture ?"):
        result = answer(territory, question, commune_hint="46102")
        assert result.kind == "department", question


# --- Every commune and every commune déléguée ------------------------------------------------


def test_every_commune_gets_its_postal_code_and_communaute(territory: Territory) -> None:
    failures = []
    for row in _rows("communes.csv"):
        name, insee = row["nom"], row["code_insee"]
        postal = answer(territory, f"code postal de {name}")
        codes = row["codes_postaux"].split(";")
        if not (
            postal.kind == "commune"
            and postal.fact == "postal_code"
            and _insee(postal) == insee
            and all(f"**{code}**" in postal.text for code in codes)
        ):
            failures.append(f"code postal de {name}: {postal.kind} {postal.text[:80]}")
        epci = answer(territory, f"{name} c'est dans quelle communauté ?")
        if not (
            epci.kind == "commune"
            and epci.fact == "epci"
            and _insee(epci) == insee
            and epci.commune is not None
            and epci.commune.epci_name == row["epci_nom"]
            and _epci_short(row["epci_nom"]) in epci.text
        ):
            failures.append(f"{name} c'est dans quelle communauté ?: {epci.text[:80]}")
    assert failures == []
    assert len(_rows("communes.csv")) == 312


def test_every_commune_deleguee_leads_to_its_commune_nouvelle(territory: Territory) -> None:
    failures = []
    for row in _rows("communes_deleguees.csv"):
        name, nouvelle = row["nom_commune_deleguee"], row["nom_commune_nouvelle"]
        target = territory.commune(row["code_insee_commune_nouvelle"])
        assert target is not None
        for question, fact, expected in (
            (f"code postal de {name}", "postal_code", target.postal_codes),
            (f"{name} c'est dans quelle communauté ?", "epci", [_epci_short(target.epci_name)]),
        ):
            result = answer(territory, question)
            if not (
                result.fact == fact
                and _insee(result) == target.insee
                and f"**{nouvelle}**" in result.text
                and all(item in result.text for item in expected)
            ):
                failures.append(f"{question}: {result.kind} {result.text[:80]}")
    assert failures == []
    assert len(_rows("communes_deleguees.csv")) == 37


# --- The endpoint ------------------------------------------------------------------------------


def test_answer_endpoint_reads_the_message_before_for_the_fact_asked(client: TestClient) -> None:
    params = {"q": "et celui de Souillac ?", "previous": "code postal de st cere"}
    body = client.get("/v1/territory/answer", params=params).json()
    assert (body["fact"], body["commune"]["name"]) == ("postal_code", "Souillac")
    assert "**46200**" in body["text"]


def test_answer_endpoint_follows_the_contract(client: TestClient) -> None:
    response = client.get("/v1/territory/answer", params={"q": "code postal de st cere"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"query", "kind", "fact", "text", "sources", "commune", "area", "says_more"}
    assert body["area"] is None
    assert body["says_more"] is False
    assert body["query"] == "code postal de st cere"
    assert (body["kind"], body["fact"]) == ("commune", "postal_code")
    assert body["commune"]["insee"] == "46251"
    assert body["sources"] == [
        {"title": POSTAL_CODES, "url": "https://github.com/rcarlier/datas.fun"}
    ]


def test_answer_endpoint_uses_the_commune_of_the_conversation(client: TestClient) -> None:
    response = client.get(
        "/v1/territory/answer", params={"q": "et la communauté ?", "commune": "Gramat"}
    )
    assert response.status_code == 200
    assert response.json()["commune"]["insee"] == "46128"
    assert response.json()["fact"] == "epci"


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_answer_endpoint_rejects_an_empty_or_too_long_question(
    client: TestClient, question: str
) -> None:
    assert client.get("/v1/territory/answer", params={"q": question}).status_code == 422


def test_answer_endpoint_accepts_a_question_of_500_characters(client: TestClient) -> None:
    question = ("combien d'habitants dans le Lot ? " * 20)[:500]
    assert client.get("/v1/territory/answer", params={"q": question}).status_code == 200


def test_another_departement_is_never_answered_with_the_lots_facts(territory: Territory) -> None:
    result = answer(territory, "quelle est la prefecture de la correze")
    assert result.kind == "outside"
    assert "Corrèze (19)" in result.text
    assert "Cahors" not in result.text


def test_the_dordogne_valley_is_not_taken_for_the_departement(territory: Territory) -> None:
    result = answer(territory, "la vallée de la Dordogne c'est dans quel département ?")
    assert result.kind != "outside"


@pytest.mark.parametrize(
    "question", ["les grosses boîtes dans le nord du Lot, c'est lesquelles ?", "le nord-est du Lot"]
)
def test_the_north_of_the_lot_is_not_the_departement_nord(
    territory: Territory, question: str
) -> None:
    assert answer(territory, question).kind != "outside"


def test_the_departement_nord_is_still_another_departement(territory: Territory) -> None:
    result = answer(territory, "on vient du Nord, la préfecture c'est Lille ?")
    assert result.kind == "outside"


# --- Misspelt fact words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "fact", "insee"),
    [
        ("populasion de figeac", "population", "46102"),
        ("habitans a gramat", "population", "46128"),
        ("code postale de souillac", "postal_code", "46309"),
        ("c'est quelle comunaute Pradines ?", "epci", "46224"),
        ("qui sont mes referants a figeac", "referent", "46102"),
    ],
)
def test_a_misspelt_fact_word_is_still_read_as_the_fact(
    territory: Territory, question: str, fact: str, insee: str
) -> None:
    result = answer(territory, question)
    assert (result.kind, result.fact, _insee(result)) == ("commune", fact, insee)


def test_a_misspelt_fact_word_is_not_taken_for_an_unknown_place(territory: Territory) -> None:
    result = answer(territory, "et combien d'habitans ?", commune_hint="46102")
    assert (result.kind, result.fact, _name(result)) == ("commune", "population", "Figeac")


@pytest.mark.parametrize("words", [["habitat"], ["carton"], ["capital"], ["cap"], ["populaire"]])
def test_a_real_word_near_a_fact_word_is_not_corrected_into_it(words: list[str]) -> None:
    assert detect_fact(words) is None


# --- Several places in one question ----------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "le village de Vers pres de cahors il depend de quelle commune ?",
        "Vers, près de Cahors, c'est rattaché à quelle commune ?",
        "à côté de Cahors il y a Vers, c'est dans quelle commune ?",
    ],
)
def test_the_place_asked_about_wins_over_a_landmark(territory: Territory, question: str) -> None:
    result = answer(territory, question)
    assert (result.kind, result.fact) == ("delegated", "merger")
    assert result.text.startswith("**Vers** est une ancienne commune")
    assert _name(result) == "Saint Géry-Vers"


def test_a_landmark_alone_is_still_the_place_answered(territory: Territory) -> None:
    result = answer(territory, "code postal près de Gramat")
    assert (_name(result), result.fact) == ("Gramat", "postal_code")


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("j'habite vers cahors, quel code postal ?", "Cahors"),
        ("on arrive vers Figeac demain, combien d'habitants ?", "Figeac"),
    ],
)
def test_vers_before_a_place_is_a_preposition(
    territory: Territory, question: str, name: str
) -> None:
    assert _name(answer(territory, question)) == name


# --- The commune in context ------------------------------------------------------------------


def test_the_prefecture_answer_carries_the_prefecture_as_its_commune(territory: Territory) -> None:
    result = answer(territory, "c'est quoi la prefecture du lot")
    assert (result.kind, result.fact, _name(result)) == ("department", "prefecture", "Cahors")


def test_other_department_answers_carry_no_commune(territory: Territory) -> None:
    for question in ("Quelles sont les sous-préfectures ?", "Parlez-moi du Lot"):
        assert answer(territory, question).commune is None, question


@pytest.mark.parametrize(
    "question",
    [
        "combien d'habitants dans cette ville ?",
        "combien d'habitants ici ?",
        "et combien d'habitants là-bas ?",
        "il y a combien d'habitants dans ce village ?",
    ],
)
def test_this_town_means_the_commune_of_the_conversation(
    territory: Territory, question: str
) -> None:
    result = answer(territory, question, commune_hint="46042")
    assert (result.kind, result.fact, _name(result)) == ("commune", "population", "Cahors")
    assert f"20{NBSP}050 habitants" in result.text


# --- Common words are not places -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("du coup combien d'habitants ?", "population"),
        ("Bon, c'est quoi la préfecture ?", "prefecture"),
        ("je suis au bon endroit pour connaître la population ?", "population"),
        ("on arrive vers 18h, c'est où la préfecture ?", "prefecture"),
        ("combien de km pour faire le tour du lot ?", "area"),
        ("le lot compte combien de communes ?", "commune_count"),
        ("ça fait beaucoup de monde au total, combien d'habitants ?", "population"),
    ],
)
def test_a_common_word_is_never_taken_for_a_place(
    territory: Territory, question: str, fact: str
) -> None:
    result = answer(territory, question)
    assert (result.kind, result.fact) == ("department", fact)
    # Only the préfecture answer names a commune, and it is Cahors.
    assert _name(result) == ("Cahors" if fact == "prefecture" else None)


def test_a_place_name_close_to_a_commune_is_still_offered(territory: Territory) -> None:
    result = answer(territory, "combien d'habitants a gourdonn")
    assert _name(result) == "Gourdon"


# --- A communauté, or an area of the Lot -----------------------------------------------------


def _members(siren: str) -> list[dict[str, str]]:
    """The communes of communes.csv in that EPCI, the most populated first."""
    rows = [row for row in _rows("communes.csv") if row["epci_siren"] == siren]
    return sorted(rows, key=lambda row: -int(row["population_municipale_2023"]))


def _people(rows: list[dict[str, str]]) -> str:
    total = sum(int(row["population_municipale_2023"]) for row in rows)
    return f"{total:,}".replace(",", NBSP)


CAUVALDOR, GRAND_FIGEAC, QUERCY_BLANC = "200066371", "200067361", "200039519"


def test_communaute_commune_count_is_counted_with_its_source_and_year(
    territory: Territory,
) -> None:
    result = answer(territory, "combien de communes dans Cauvaldor ?")
    assert (result.kind, result.fact, _name(result)) == ("epci", "commune_count", "Gramat")
    assert "communauté de communes Causses et Vallée de la Dordogne" in result.text
    assert f"**{len(_members(CAUVALDOR))} communes** en 2025 ({EPCI})" in result.text


def test_communaute_population_is_the_sum_of_its_communes_said_so(territory: Territory) -> None:
    result = answer(
        territory, "combien d'habitants dans la communauté de communes du Grand Figeac ?"
    )
    members = _members(GRAND_FIGEAC)
    assert (result.kind, result.fact, _name(result)) == ("epci", "population", "Figeac")
    assert f"**{_people(members)} habitants**" in result.text
    assert f"la somme des populations municipales 2023 de ses {len(members)} communes du Lot" in (
        result.text
    )
    assert {POPULATIONS, EPCI} <= {source.title for source in result.sources}
    # Six of its communes are in the Aveyron: the figures say they are the Lot's part.
    assert "ne portent que sur celles du Lot" in result.text


@pytest.mark.parametrize(
    ("question", "previous", "fact"),
    [
        ("combien d'habitants dans toute la communauté de communes ?", None, "population"),
        ("et l'interco, elle fait combien de communes ?", None, "commune_count"),
        ("il y a combien de communes dedans ?", "Figeac, c'est dans quelle interco ?", None),
    ],
)
def test_communaute_of_the_commune_in_view(
    territory: Territory, question: str, previous: str | None, fact: str | None
) -> None:
    result = answer(territory, question, commune_hint="46102", previous=previous)
    assert (result.kind, _name(result)) == ("epci", "Figeac")
    assert "**Figeac** fait partie de la **communauté de communes Grand-Figeac**" in result.text
    members = _members(GRAND_FIGEAC)
    expected = {
        "population": f"**{_people(members)} habitants**",
        "commune_count": f"**{len(members)} communes**",
        None: f"**{len(members)} communes**",
    }[fact]
    assert expected in result.text


def test_population_asked_after_a_communaute_is_the_communautes(territory: Territory) -> None:
    result = answer(
        territory,
        "et combien d'habitants ?",
        commune_hint="46128",
        previous="c'est quoi Cauvaldor ?",
    )
    assert (result.kind, result.fact) == ("epci", "population")
    assert f"**{_people(_members(CAUVALDOR))} habitants**" in result.text


def test_communes_asked_of_a_communaute_named_beside_a_commune_are_the_communautes(
    territory: Territory,
) -> None:
    result = answer(territory, "cauvaldor c'est quelles communes ? on regarde vers vayrac")
    assert (result.kind, result.fact) == ("epci", "commune_list")
    assert f"**{len(_members(CAUVALDOR))} communes**" in result.text


def test_a_small_communaute_lists_all_its_communes(territory: Territory) -> None:
    result = answer(territory, "quelles communes font partie du Quercy Blanc ?")
    assert (result.kind, result.fact) == ("epci", "commune_list")
    members = _members(QUERCY_BLANC)
    assert all(f"**{row['nom']}**" in result.text for row in members)
    assert f"ces {len(members)} communes en 2025 ({EPCI})" in result.text


def test_a_large_communaute_gives_its_count_and_largest_communes(territory: Territory) -> None:
    result = answer(territory, "quelles communes font partie de Cauvaldor ?")
    members = _members(CAUVALDOR)
    assert f"**{len(members)} communes**" in result.text
    assert all(f"**{row['nom']}**" in result.text for row in members[:10])
    assert f"**{members[-1]['nom']}**" not in result.text
    assert POPULATIONS in {source.title for source in result.sources}


@pytest.mark.parametrize(
    ("name", "siren"),
    [
        ("Grand Figeac", GRAND_FIGEAC),
        ("grand-figeac", GRAND_FIGEAC),
        ("Grand Figeak", GRAND_FIGEAC),
        ("Cauvaldor", CAUVALDOR),
        ("cauvaldore", CAUVALDOR),
        ("Grand Cahors", "200023737"),
        ("Quercy Bouriane", "244600482"),
        ("Quercy Blanc", QUERCY_BLANC),
        ("Vallée du Lot et du Vignoble", "244600433"),
        ("Causse de Labastide-Murat", "244600573"),
        ("Cazals-Salviac", "200035327"),
        ("la communauté de communes du Grand Figeac", GRAND_FIGEAC),
        ("le figeacois", GRAND_FIGEAC),
        ("pays de Figeac", GRAND_FIGEAC),
        ("le Cahorsin", "200023737"),
        ("le gourdonnais", "244600482"),
    ],
)
def test_communaute_or_area_of_one_resolves_to_its_most_populated_commune(
    territory: Territory, name: str, siren: str
) -> None:
    resolution = territory.resolve(name)
    assert resolution.status == "found"
    assert resolution.commune is not None
    assert resolution.commune.insee == _members(siren)[0]["code_insee"]
    assert resolution.area is not None
    assert [epci.siren for epci in resolution.area.epcis] == [siren]


def test_an_area_name_after_a_question_is_understood_as_the_place(territory: Territory) -> None:
    result = answer(territory, "et sur le figeacois", commune_hint="46042")
    assert (result.kind, _name(result)) == ("epci", "Figeac")
    assert "Par « le Figeacois », j'entends la **communauté de communes Grand-Figeac**" in (
        result.text
    )
    assert "Sa commune la plus peuplée est **Figeac**" in result.text


@pytest.mark.parametrize(
    "name",
    ["le Ségala", "la vallée du Lot", "la vallée de la Dordogne", "le causse", "la Bouriane"],
)
def test_an_area_over_several_communautes_is_never_forced_to_one_place(
    territory: Territory, name: str
) -> None:
    resolution = territory.resolve(name)
    assert (resolution.status, resolution.commune) == ("unknown", None)
    result = answer(territory, f"combien d'habitants dans {name} ?", commune_hint="46102")
    assert (result.kind, result.commune) == ("area", None)
    assert "je n'ai ni chiffre ni liste de communes propres à ce secteur" in result.text


def test_an_area_says_which_communautes_it_spans(territory: Territory) -> None:
    result = answer(territory, "c'est où le Ségala ?")
    assert "plusieurs communautés de communes" in result.text
    assert "**communauté de communes Grand-Figeac**" in result.text
    assert "**communauté de communes Causses et Vallée de la Dordogne**" in result.text


def test_a_commune_named_with_a_communaute_is_the_place_asked_about(territory: Territory) -> None:
    result = answer(territory, "Gramat, c'est dans le Grand Figeac ?")
    assert (result.kind, _name(result)) == ("commune", "Gramat")
