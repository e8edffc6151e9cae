"""Which entry a visitor gets for a question (real content of knowledge/)."""

from dataclasses import replace

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.knowledge import index as index_module
from api.knowledge.service import KnowledgeService
from api.territory.service import Territory

# (visitor's question, theme from the NLU, commune the visitor named, entry expected first)
EXPECTED_FIRST = [
    ("Quels lycées y a-t-il à Cahors ?", "schools", "Cahors", "lycees-cahors"),
    ("lycée Cahors", "schools", None, "lycees-cahors"),
    ("Où inscrire mon fils au lycée ?", "schools", "Figeac", "lycees-figeac"),
    ("lycée", "schools", "Souillac", "lycees-souillac"),
    ("Y a-t-il un lycée à Saint-Céré ?", "schools", "Saint-Céré", "lycee-saint-cere"),
    ("collège", "schools", "Biars-sur-Cère", "colleges-biars-bretenoux"),
    ("collège et lycée", "schools", "Gourdon", "ecoles-gourdon-cite-scolaire"),
    ("Je cherche une crèche pour mon bébé", "schools", "Cahors", "creche-grand-cahors"),
    (
        "inscrire mon enfant en maternelle",
        "schools",
        None,
        "ecoles-inscription-maternelle-elementaire",
    ),
    (
        "faire des études supérieures à Figeac, IUT",
        "schools",
        "Figeac",
        "etudes-superieures-figeac",
    ),
    ("transport scolaire car", "schools", "Cahors", "transport-scolaire-grand-cahors"),
    ("le bus scolaire pour aller au collège", "schools", "Lalbenque", "transport-scolaire-lot"),
    ("louer un appartement", "housing", "Figeac", "logement-figeac"),
    # "et pour le logement ?" after a question about Figeac: the town's own entry first.
    ("le logement", "housing", "Figeac", "logement-figeac"),
    ("logement social HLM", "housing", None, "logement-social-lot"),
    ("acheter une maison", "housing", "Gourdon", "logement-acheter-lot"),
    ("logement temporaire en arrivant", "housing", None, "logement-temporaire-lot"),
    ("rénover une vieille maison", "housing", None, "logement-renover-lot"),
    ("conseil juridique sur le bail ADIL", "housing", "Souillac", "logement-adil-lot"),
    ("trouver un médecin traitant", "health", "Albas", "sante-medecin-traitant"),
    ("les urgences", "health", None, "sante-urgences-lot"),
    ("hôpital", "health", "Cahors", "sante-hopital-cahors"),
    ("hôpital", "health", "Gramat", "sante-cauvaldor"),
    ("emploi", "jobs", "Figeac", "emploi-figeac"),
    ("travail saisonnier l'été", "jobs", None, "emploi-saisonnier"),
    ("mon conjoint cherche un emploi", "jobs", None, "emploi-conjoint"),
    ("France Travail", "jobs", None, "emploi-france-travail"),
    ("emploi dans l'industrie aéronautique", "jobs", None, "emploi-industrie"),
    ("reprendre une entreprise", "business", None, "entreprendre-reprise"),
    ("s'installer comme agriculteur", "business", None, "entreprendre-installation-agricole"),
    ("ouvrir un gîte", "business", None, "entreprendre-meuble-tourisme-chambres-hotes"),
    ("VAE validation des acquis", "retraining", None, "reconversion-vae"),
    ("formation aux métiers du soin", "retraining", None, "reconversion-sante"),
    ("le train pour Paris", "transport", None, "transport-train-paris-toulouse"),
    ("le train", "transport", "Figeac", "transport-figeac"),
    ("aéroport", "transport", None, "transport-aeroports"),
    ("autoroute A20", "transport", None, "transport-a20-routes"),
    ("télétravail fibre", "living", None, "vivre-teletravail"),
    ("vivre à Gramat", "living", "Gramat", "vivre-gramat"),
    ("randonnée chemin de Saint-Jacques", "leisure", None, "loisirs-randonnee-gr65"),
    ("festival", "leisure", "Saint-Céré", "loisirs-saint-cere"),
    ("grotte préhistorique", "leisure", None, "loisirs-saint-cirq-lapopie-pech-merle"),
    ("sortir le soir", "leisure", "Figeac", "loisirs-figeac"),
]


@pytest.mark.parametrize(("query", "theme", "commune", "expected"), EXPECTED_FIRST)
def test_question_gets_the_right_entry_first(
    real_knowledge: KnowledgeService,
    query: str,
    theme: str,
    commune: str | None,
    expected: str,
) -> None:
    response = real_knowledge.search(query, theme, commune, 3)
    assert [result.id for result in response.results][:1] == [expected]


@pytest.mark.parametrize("signal", ["semantic", "characters"])
def test_over_many_entries_the_best_matches_keep_their_exact_score(
    real_knowledge: KnowledgeService, monkeypatch: pytest.MonkeyPatch, signal: str
) -> None:
    """Over thousands of entries only a shortlist gets its exact best cosine (in meaning,
    and in spelling with the n-grams common to many questions); made small here, the three
    entries closest to each question still get their exact score, the others a lower one
    (their mean cosine, their cosine over rarer n-grams), and no entry gains."""
    index = real_knowledge.snapshot.index
    queries = [query for query, *_ in EXPECTED_FIRST]
    exact = [getattr(index.signals(query), signal) for query in queries]
    monkeypatch.setattr(index_module, "SEMANTIC_SHORTLIST", 24)
    monkeypatch.setattr(index_module, "SHORTLIST_BY_WORDS", 8)

    for query, everyone in zip(queries, exact, strict=True):
        shortlisted = getattr(index.signals(query), signal)
        closest = np.argsort(-everyone)[:3]
        assert shortlisted[closest] == pytest.approx(everyone[closest], abs=1e-5), query
        assert (shortlisted <= everyone + 1e-5).all(), query
        assert (shortlisted < everyone - 1e-3).any(), query


WITH_COMMUNE = [(q, theme, commune) for q, theme, commune, _ in EXPECTED_FIRST if commune]


@pytest.mark.parametrize(("query", "theme", "commune"), WITH_COMMUNE)
def test_entries_for_other_places_never_answer_for_the_visitors_commune(
    real_knowledge: KnowledgeService, territory: Territory, query: str, theme: str, commune: str
) -> None:
    resolved = territory.resolve(commune).commune
    assert resolved is not None
    for result in real_knowledge.search(query, theme, commune, 10).results:
        scope = result.scope
        assert (
            scope.level == "department"
            or resolved.insee in scope.communes
            or resolved.epci_siren in scope.epci
        ), result.id


def test_a_figeac_entry_never_answers_for_cahors(real_knowledge: KnowledgeService) -> None:
    ids = [r.id for r in real_knowledge.search("lycée à Figeac", "schools", "Cahors", 10).results]
    assert "lycees-figeac" not in ids
    assert ids[0] == "lycees-cahors"


def test_village_without_its_own_entry_gets_a_department_wide_one(
    real_knowledge: KnowledgeService,
) -> None:
    # Albas has no school entry of its own, nor has its EPCI.
    response = real_knowledge.search("lycée", "schools", "Albas", 3)
    assert response.commune is not None
    assert response.commune.name == "Albas"
    assert response.results
    assert {result.scope.level for result in response.results} == {"department"}
    assert {result.scope_match for result in response.results} == {"department"}


def test_commune_entry_beats_epci_entry_beats_department_entry(
    real_knowledge: KnowledgeService,
) -> None:
    results = real_knowledge.search("hôpital se soigner", "health", "Figeac", 3).results
    assert [result.scope_match for result in results] == ["commune", "epci", "department"]


def test_question_without_any_match_gets_the_themes_overview(
    real_knowledge: KnowledgeService,
) -> None:
    results = real_knowledge.search("xyzzy", "housing", "Albas", 3).results
    assert [result.id for result in results] == ["logement-panorama-lot"]
    assert results[0].scope.level == "department"
    assert results[0].score == 0


def test_question_without_match_and_without_theme_gets_nothing(
    real_knowledge: KnowledgeService,
) -> None:
    assert real_knowledge.search("xyzzy", None, None, 3).results == []


def test_the_asked_theme_weighs_on_a_near_tie(real_knowledge: KnowledgeService) -> None:
    results = real_knowledge.search("vin", "leisure", None, 10).results
    assert results[0].id == "loisirs-vin-de-cahors"
    assert "entreprendre-vin-de-cahors" in [result.id for result in results]


def test_a_clear_match_in_another_theme_wins_over_a_weak_one_in_the_asked_theme(
    real_knowledge: KnowledgeService,
) -> None:
    # The NLU heard a jobs question; the words are about taking a farm over.
    results = real_knowledge.search(
        "s'installer comme agriculteur, reprendre une exploitation", "jobs", None, 3
    ).results
    assert results[0].id == "entreprendre-installation-agricole"


def test_a_close_runner_up_is_offered(real_knowledge: KnowledgeService) -> None:
    # No town given: the Région's coaches, Grand Cahors's free buses and the school buses,
    # as close as each other: one is answered, another offered.
    buses = {"transport-cars-lio", "transport-bus-evidence-grand-cahors", "transport-scolaire-lot"}
    response = real_knowledge.search("le bus", "transport", None, 3)
    assert response.close_call is not None
    assert response.results[0].id != response.close_call.id
    assert {response.results[0].id, response.close_call.id} <= buses


def test_no_runner_up_is_offered_when_the_first_answer_is_clear(
    real_knowledge: KnowledgeService,
) -> None:
    response = real_knowledge.search("maternité", "health", None, 3)
    assert response.results[0].id == "sante-maternite-accouchement"
    assert response.close_call is None


def test_local_entries_of_the_theme_are_counted_for_the_visitors_commune(
    real_knowledge: KnowledgeService,
) -> None:
    assert real_knowledge.search("écoles", "schools", "Souillac", 3).local_entries >= 1
    assert real_knowledge.search("écoles", "schools", None, 3).local_entries == 0


def test_a_vague_message_gets_nothing_when_only_confident_answers_are_wanted(
    real_knowledge: KnowledgeService,
) -> None:
    assert real_knowledge.search("bof", None, None, 3, confident_only=True).results == []
    clear = real_knowledge.search(
        "Quels lycées y a-t-il à Cahors ?", None, None, 3, confident_only=True
    )
    assert clear.results[0].id == "lycees-cahors"


def test_only_entries_likely_about_the_question_are_found_when_asked_so(
    real_knowledge: KnowledgeService,
) -> None:
    assert real_knowledge.search("bof", "housing", None, 3, likely_only=True).results == []
    question = "Un terrain pas loin de la Cère, comment savoir s'il est inondable ?"
    likely = real_knowledge.search(question, None, None, 3, likely_only=True)
    assert likely.results[0].id == "logement-risques-naturels"


def test_a_message_one_entry_answers_far_better_than_any_other_is_answered(
    real_knowledge: KnowledgeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = real_knowledge.snapshot.index
    # Below the relevance that answers alone, but no other entry comes close.
    monkeypatch.setattr(index, "ranking", replace(index.ranking, confident=2.5))
    found = real_knowledge.search(
        "je cherche un tiers-lieu pour travailler quelques jours par semaine",
        None,
        None,
        3,
        confident_only=True,
    )
    assert [result.id for result in found.results] == ["vivre-teletravail"]
    assert found.results[0].score < index.ranking.confident


def test_commune_may_be_given_by_insee_code_name_or_misspelling(
    real_knowledge: KnowledgeService,
) -> None:
    by_code = real_knowledge.search("lycée", "schools", "46102", 3)
    by_name = real_knowledge.search("lycée", "schools", "Figeac", 3)
    misspelled = real_knowledge.search("lycée", "schools", "figeak", 3)
    assert by_code.commune == by_name.commune == misspelled.commune
    assert by_code.results == by_name.results == misspelled.results


def test_place_outside_the_lot_is_not_taken_as_a_commune(real_knowledge: KnowledgeService) -> None:
    response = real_knowledge.search("lycée", "schools", "Capdenac-Gare", 3)
    assert response.commune is None


def test_search_endpoint_follows_the_contract(client: TestClient) -> None:
    response = client.get(
        "/v1/knowledge/search",
        params={"q": "Quels lycées à Cahors ?", "theme": "schools", "commune": "46042"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Quels lycées à Cahors ?"
    assert body["theme"] == "schools"
    assert body["commune"]["name"] == "Cahors"
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert first["id"] == "lycees-cahors"
    assert first["scope_match"] == "commune"
    assert first["scope"] == {"level": "communes", "epci": [], "communes": ["46042"]}
    assert first["sources"][0]["url"].startswith("https://")
    assert first["score"] > body["results"][1]["score"]
    assert {"id", "theme", "title", "answer", "scope", "sources", "reviewed", "score"} <= set(first)


def test_search_endpoint_respects_the_limit(client: TestClient) -> None:
    body = client.get("/v1/knowledge/search", params={"q": "logement", "limit": 1}).json()
    assert len(body["results"]) == 1


def test_search_endpoint_refuses_an_unknown_theme_or_empty_query(client: TestClient) -> None:
    assert client.get("/v1/knowledge/search", params={"q": "x", "theme": "foo"}).status_code == 422
    assert client.get("/v1/knowledge/search", params={"q": ""}).status_code == 422


def test_entry_endpoint_returns_the_entry(client: TestClient) -> None:
    response = client.get("/v1/knowledge/entries/lycees-cahors")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Les lycées de Cahors"
    assert body["reviewed"].count("-") == 2
    assert "Clément-Marot" in body["answer"]


def test_entry_endpoint_says_404_for_an_unknown_id(client: TestClient) -> None:
    response = client.get("/v1/knowledge/entries/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "No knowledge entry 'nothing-here'."}


def test_a_place_named_after_the_question_brings_its_own_entry_of_the_theme_first(
    real_knowledge: KnowledgeService,
) -> None:
    # "Quels festivals l'été ?", answered for the whole Lot, then "plutôt vers Montcuq".
    question = "quels festivals l'été dans le Lot"
    ranked = real_knowledge.search(question, "leisure", "Montcuq", 3)
    local = real_knowledge.search(question, "leisure", "Montcuq", 3, local_first=True)
    assert ranked.results[0].id == "loisirs-festivals-lot"
    assert local.results[0].id == "loisirs-montcuq-quercy-blanc"
    assert local.close_call is None


def test_a_place_named_after_the_question_brings_its_entry_even_when_few_words_match(
    real_knowledge: KnowledgeService,
) -> None:
    # "je suis plombier et je veux créer ma boîte dans le secteur", then "à figeac plus
    # précisément": the communauté's entry on setting up shares few words with the question.
    question = "je suis plombier et je veux créer ma boîte dans le secteur"
    local = real_knowledge.search(question, "business", "Figeac", 3, local_first=True)
    assert local.results[0].id == "entreprendre-grand-figeac"


def test_a_place_without_entries_of_its_own_keeps_the_department_answer(
    real_knowledge: KnowledgeService,
) -> None:
    ranked = real_knowledge.search("lycée", "schools", "Albas", 3)
    local = real_knowledge.search("lycée", "schools", "Albas", 3, local_first=True)
    assert local.results == ranked.results


@pytest.mark.parametrize(
    ("question", "theme", "place", "expected"),
    [
        # The place's entries on outings do not answer a question on getting about: its
        # entries on transport (the town's, the agglomeration's buses) do.
        (
            "sans voiture on peut s'en sortir",
            "transport",
            "Cahors",
            {"transport-cahors", "transport-bus-evidence-grand-cahors"},
        ),
        # Nor its entry on housing one on where to settle.
        (
            "où se poser dans le Lot avec la famille, un conseil ?",
            "living",
            "Figeac",
            {"vivre-figeac"},
        ),
        # A department entry that answers the very question stays first.
        (
            "la neige sur les routes l'hiver",
            "transport",
            "Latronquière",
            {"transport-hiver-routes"},
        ),
    ],
)
def test_a_place_named_after_a_question_brings_its_entry_on_that_theme_not_on_another(
    real_knowledge: KnowledgeService, question: str, theme: str, place: str, expected: set[str]
) -> None:
    results = real_knowledge.search(question, theme, place, 3, local_first=True).results
    assert results[0].id in expected


def test_a_towns_entry_on_another_theme_needs_to_answer_the_question_to_come_first(
    real_knowledge: KnowledgeService,
) -> None:
    # About Cahors, a vague question on business: not Cahors's entry on studies.
    results = real_knowledge.search("et s'il voulait créer son entreprise", "business", "Cahors", 3)
    assert results.results[0].id == "entreprendre-grand-cahors"


def test_a_word_few_entries_hold_points_to_them(real_knowledge: KnowledgeService) -> None:
    # "crues": only the entry on natural risks speaks of floods; buying a house, of the rest.
    question = (
        "maison achetée en bord de rivière : les crues, "
        "où vérifier avant de signer chez le notaire ?"
    )
    results = real_knowledge.search(question, "housing", None, 3).results
    assert results[0].id == "logement-risques-naturels"


def test_a_word_typed_without_its_accent_still_finds_the_entries_using_it(
    real_knowledge: KnowledgeService,
) -> None:
    # spaCy lemmatizes the unaccented "hopitaux" to "hopitau": the typed form must match too.
    results = real_knowledge.search("hopitaux", None, None, 3).results
    assert results
    assert {result.theme for result in results[:2]} == {"health"}


def test_a_general_question_with_a_known_town_gets_the_towns_entry_not_the_overview(
    real_knowledge: KnowledgeService,
) -> None:
    # "et niveau transports ?" in a conversation about Saint-Céré.
    without_town = real_knowledge.search("et niveau transports ?", "transport", None, 3)
    with_town = real_knowledge.search("et niveau transports ?", "transport", "Saint-Céré", 3)
    assert without_town.results[0].id == "transport-lot-panorama"
    assert with_town.results[0].id == "transport-cauvaldor"


def test_a_question_the_overview_answers_gets_the_communautes_entry_even_sharing_no_word(
    real_knowledge: KnowledgeService,
) -> None:
    # "qu'est-ce qu'on fait le week-end par là-bas ?" in a conversation about Cazals.
    question = "qu'est ce qu'on fait le week end par la bas"
    without_town = real_knowledge.search(question, "leisure", None, 3)
    with_town = real_knowledge.search(question, "leisure", "Cazals", 3)
    assert without_town.results[0].id == "loisirs-panorama-lot"
    assert with_town.results[0].id == "loisirs-cazals-salviac-gindou"


@pytest.mark.parametrize(
    ("question", "theme", "department_entry"),
    [
        ("faire des études après le bac dans le Lot", "schools", "etudes-superieures-lot"),
        ("trouver un hôpital dans le 46", "health", "sante-panorama-lot"),
    ],
)
def test_a_question_about_the_whole_lot_gets_the_department_entry_not_a_towns(
    real_knowledge: KnowledgeService, question: str, theme: str, department_entry: str
) -> None:
    results = real_knowledge.search(question, theme, None, 3).results
    assert results[0].id == department_entry


@pytest.mark.parametrize(
    ("question", "theme", "expected"),
    [
        # Every word a town's entry matches, the department's entry has too.
        ("y a-t-il un hôpital pas loin de chez nous ?", "health", "sante-panorama-lot"),
        ("une crèche pour notre bébé crèche", "schools", "creche-petite-enfance-lot"),
        # A name only the town's entry holds.
        ("la Quercynoise embauche ?", "jobs", "emploi-gramat"),
    ],
)
def test_without_a_place_a_towns_entry_answers_only_what_the_departments_does_not(
    real_knowledge: KnowledgeService, question: str, theme: str, expected: str
) -> None:
    assert real_knowledge.search(question, theme, None, 3).results[0].id == expected


def test_chat_words_match_no_entry_and_the_towns_own_answer_stands_in_for_the_overview(
    real_knowledge: KnowledgeService,
) -> None:
    # "ok" appears in an entry on telework; "spectacles" only in another town's entry.
    found = real_knowledge.search("ok. et l'été, il y a des spectacles ?", "leisure", "Figeac", 3)
    assert [result.id for result in found.results][:1] == ["loisirs-figeac"]
    assert "vivre-teletravail" not in [result.id for result in found.results]


def test_a_town_carried_from_the_conversation_yields_to_the_entry_on_the_questions_subject(
    real_knowledge: KnowledgeService,
) -> None:
    # "et l'avion, l'aéroport le plus près ?" in a conversation about Cahors: the airports,
    # not Cahors's general entry on getting about.
    question = "et l'avion, l'aéroport le plus près ?"
    found = real_knowledge.search(question, "transport", "Cahors", 3, place_carried=True)
    assert found.results[0].id == "transport-aeroports"


@pytest.mark.parametrize(
    ("question", "theme", "commune", "expected"),
    [
        # The bot sends the words without the place the visitor named.
        (
            "ma fille entre en BTS, faut-il changer sa carte vitale ?",
            "schools",
            "Cahors",
            "sante-assurance-maladie-cpam",
        ),
        (
            "faire un bout du chemin de Saint-Jacques à pied depuis la ville ?",
            "transport",
            "Figeac",
            "loisirs-randonnee-gr65",
        ),
        (
            "on loue quelques mois avant d'acheter, c'est possible ?",
            "housing",
            "Figeac",
            "logement-temporaire-lot",
        ),
    ],
)
def test_a_town_named_in_the_question_yields_to_an_entry_clearly_about_its_subject(
    real_knowledge: KnowledgeService, question: str, theme: str, commune: str, expected: str
) -> None:
    found = real_knowledge.search(question, theme, commune, 3)
    assert found.results[0].id == expected


def test_a_town_named_with_few_other_words_keeps_its_own_entry(
    real_knowledge: KnowledgeService,
) -> None:
    # "Gourdon, ça irait pour une famille ?": no entry for the department is clearly about
    # the rest of the words, the town is what is asked about.
    found = real_knowledge.search("ça irait pour une famille ?", "living", "Gourdon", 3)
    assert found.results[0].id == "vivre-gourdon"


@pytest.mark.parametrize(
    ("question", "theme", "expected"),
    [
        ("louer une maison", "housing", "logement-figeac"),
        ("et pour le logement ?", "housing", "logement-figeac"),
    ],
)
def test_a_town_carried_from_the_conversation_keeps_its_entries_that_answer_the_question(
    real_knowledge: KnowledgeService, question: str, theme: str, expected: str
) -> None:
    found = real_knowledge.search(question, theme, "Figeac", 3, place_carried=True)
    assert found.results[0].id == expected


def test_a_licence_letter_tells_the_bus_licence_from_the_cars(
    real_knowledge: KnowledgeService,
) -> None:
    lemmatizer = real_knowledge.snapshot.index.lemmatizer
    assert "d" in lemmatizer.terms("qui paie le permis D ?")
    # The "C'" of "C'est" is no letter standing alone.
    assert "c" not in lemmatizer.terms("C'est quand la rentrée ?")
    found = real_knowledge.search("le permis D pour conduire un bus", None, None, 3)
    assert found.results[0].id == "reconversion-permis-poids-lourd-bus"


def test_a_towns_entry_on_another_theme_yields_to_the_theme_asked(
    real_knowledge: KnowledgeService,
) -> None:
    # Gramat's collèges share "enfants" with the question; it asks about jobs.
    question = "On déménage avec nos deux enfants, est-ce que ça recrute là-bas ?"
    found = real_knowledge.search(question, "jobs", "Gramat", 3)
    assert found.results[0].theme == "jobs"


def test_a_follow_up_the_entry_just_shown_already_answers_gets_that_entry_again(
    real_knowledge: KnowledgeService,
) -> None:
    question = "c'est financé par le CPF ?"
    alone = real_knowledge.search(question, "retraining", None, 3, confident_only=True)
    assert alone.results[0].id != "reconversion-lot-panorama"
    covered = real_knowledge.search(
        question, "retraining", None, 3, confident_only=True, covered_by="reconversion-lot-panorama"
    )
    assert [result.id for result in covered.results] == ["reconversion-lot-panorama"]


def test_a_theme_question_on_the_entry_just_shown_gets_it_unless_another_is_clearly_meant(
    real_knowledge: KnowledgeService,
) -> None:
    # After the lorry licence, "on peut la financer avec le CPF ?" asks about it...
    question = "on peut la financer avec le CPF ?"
    alone = real_knowledge.search(question, "retraining", None, 3)
    assert alone.results[0].id != "reconversion-permis-poids-lourd-bus"
    covered = real_knowledge.search(
        question, "retraining", None, 3, covered_by="reconversion-permis-poids-lourd-bus"
    )
    assert [result.id for result in covered.results] == ["reconversion-permis-poids-lourd-bus"]
    # ...but after tourism businesses, the entry on takeovers is far more about this one.
    found = real_knowledge.search(
        "Y a-t-il des commerces à reprendre ?",
        "business",
        None,
        3,
        covered_by="entreprendre-tourisme",
    )
    assert found.results[0].id == "entreprendre-reprise"


def test_a_follow_up_on_something_the_entry_just_shown_lacks_finds_its_own_entry(
    real_knowledge: KnowledgeService,
) -> None:
    # After canoes on the Célé: fishing is not in the canoes' entry.
    question = "et pour pêcher il faut une carte ?"
    found = real_knowledge.search(
        question, "leisure", None, 3, confident_only=True, covered_by="loisirs-baignade-canoe"
    )
    assert found.results
    assert found.results[0].id != "loisirs-baignade-canoe"


@pytest.mark.parametrize(
    ("question", "theme", "expected"),
    [
        # "C'est quoi l'ACRE ?" has the same form; only one entry names the APA.
        ("c'est quoi l'APA exactement ?", "health", "sante-personnes-agees-lot"),
        ("le PLU je le trouve où ?", "housing", "logement-terrain-construire"),
    ],
)
def test_an_entry_is_clearly_about_a_rare_word_only_when_it_holds_it(
    real_knowledge: KnowledgeService, question: str, theme: str, expected: str
) -> None:
    found = real_knowledge.search(question, theme, None, 3, confident_only=True)
    assert [result.id for result in found.results][:1] == [expected]


def test_the_housing_overview_answers_whether_rents_are_high_in_the_lot(
    real_knowledge: KnowledgeService,
) -> None:
    found = real_knowledge.search("les loyers sont chers dans le lot ?", "housing", None, 3)
    assert found.results[0].id == "logement-panorama-lot"


@pytest.mark.parametrize(
    ("question", "theme", "expected"),
    [
        (
            "Is there farm work in the Lot, like on livestock farms or for the grape harvest?",
            None,
            "emploi-agriculture",
        ),
        (
            "Is there a direct flight from London to an airport close to the Lot?",
            None,
            "transport-aeroports",
        ),
    ],
)
def test_an_english_question_is_answered_by_the_entry_it_means(
    real_knowledge: KnowledgeService, question: str, theme: str | None, expected: str
) -> None:
    # The French-lessons entry, whose one English example shares words with every English
    # question, used to win them all.
    found = real_knowledge.search(question, theme, None, 3)
    assert found.results[0].id == expected


@pytest.mark.parametrize(
    ("question", "theme", "commune", "expected"),
    [
        # Clipped: "covoit" is no word of the entries, "covoiturage" is.
        (
            "j'habiterai et je bosserai , y a du covoit ?",
            "transport",
            "Limogne-en-Quercy",
            "transport-covoiturage-lot",
        ),
        # The article glued on.
        ("linterim dans le 46 ca marche bien ?", None, None, "emploi-interim"),
    ],
)
def test_a_clipped_word_or_one_typed_with_its_article_glued_on_still_finds_its_entry(
    real_knowledge: KnowledgeService,
    question: str,
    theme: str | None,
    commune: str | None,
    expected: str,
) -> None:
    found = real_knowledge.search(question, theme, commune, 3)
    assert found.results[0].id == expected
