"""action_fallback_ladder: a message the NLU could not place. Against the API's stand-in
for the ladder itself, against the running API where the territory data reads the words."""

from __future__ import annotations

from conftest import answered, make_tracker, run, user

from bot.actions.config import Settings
from bot.actions.fallback import ActionFallbackLadder, ActionYesNoOutOfContext
from tests.fakes.api import FakeApi, entry


def test_a_short_follow_up_is_read_with_the_last_question_and_answered(
    settings: Settings,
) -> None:
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("nlu_fallback", "et il y a un internat ?", ranking=[("ask_schools", 0.3)]),
    ]

    outcome = run(ActionFallbackLadder(), make_tracker(events, {"last_theme": "schools"}))

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots == {"last_theme": "schools"}


def test_a_short_message_opening_a_new_subject_is_not_read_with_the_last_question(
    api: FakeApi,
) -> None:
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("nlu_fallback", "sinon, les impôts locaux ?", ranking=[("ask_living", 0.3)]),
    ]

    run(ActionFallbackLadder(api), make_tracker(events, {"last_theme": "schools"}))

    assert [(s.query, s.theme) for s in api.knowledge_searches] == [
        ("sinon, les impôts locaux ?", "living"),
        ("sinon, les impôts locaux ?", None),
    ]


def test_a_message_no_entry_clearly_answers_gets_the_ladder_and_is_recorded(
    api: FakeApi,
) -> None:
    ranking = [("ask_leisure", 0.2), ("ask_health", 0.1)]
    events = [user("nlu_fallback", "bof bof", ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert outcome.text == "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous parler de… ?"
    assert outcome.payloads == ["/ask_leisure", "/ask_health", "/deny"]
    assert [
        (s.query, s.theme, s.confident_only, s.likely_only) for s in api.knowledge_searches
    ] == [("bof bof", "leisure", True, False), ("bof bof", None, False, True)]
    assert api.unanswered == [("bof bof", "leisure", None)]


def test_a_message_with_no_theme_in_view_asks_to_rephrase_or_pick_one(api: FakeApi) -> None:
    outcome = run(ActionFallbackLadder(api), make_tracker([user("nlu_fallback", "bof bof")]))

    assert outcome.text.startswith("Je ne suis pas sûr d'avoir bien compris. Pouvez-vous")
    assert outcome.payloads[-1] == "/request_human"


def test_a_second_misunderstanding_in_a_row_offers_a_person(api: FakeApi) -> None:
    events = [
        *answered(user("nlu_fallback", "blabla"), by="action_fallback_ladder"),
        user("nlu_fallback", "encore blabla"),
    ]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert outcome.text.startswith("Je n'arrive toujours pas à vous comprendre, pardon.")
    assert outcome.payloads == ["/request_human", "/help"]


def test_a_short_follow_up_is_searched_with_the_last_question_on_the_last_theme(
    api: FakeApi,
) -> None:
    lycees = entry("test-lycees-figeac", "Réponse de test sur les lycées de Figeac.")
    api.answer(
        lambda search: (
            search.confident_only and search.theme == "schools" and "lycées" in search.query
        ),
        lycees,
    )
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("nlu_fallback", "et il y a un internat ?", ranking=[("ask_leisure", 0.3)]),
    ]

    outcome = run(ActionFallbackLadder(api), make_tracker(events, {"last_theme": "schools"}))

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert [search.query for search in api.knowledge_searches] == [
        "et il y a un internat ?",
        "Quels lycées à Figeac ? et il y a un internat ?",
    ]
    assert outcome.slots == {"last_theme": "schools"}
    assert api.unanswered == []


def test_a_short_follow_up_an_entry_is_clearly_about_on_its_own_gets_that_entry(
    api: FakeApi,
) -> None:
    canoes = entry("test-canoe", "Réponse de test sur le canoë.", theme="leisure")
    fishing = entry("test-peche", "Réponse de test sur la carte de pêche.", theme="leisure")
    api.answer(lambda search: search.confident_only and "canoës" in search.query, canoes)
    api.answer(lambda search: search.confident_only and "pêcher" in search.query, fishing)
    events = [
        *answered(user("ask_leisure", "on peut louer des canoës sur le Célé ?")),
        user("nlu_fallback", "et pour pêcher il faut une carte ?", ranking=[("ask_leisure", 0.3)]),
    ]

    outcome = run(ActionFallbackLadder(api), make_tracker(events, {"last_theme": "leisure"}))

    assert outcome.text.startswith("Réponse de test sur la carte de pêche.")


def test_an_unsure_territory_question_naming_a_town_gets_its_referent_team(
    settings: Settings,
) -> None:
    text = "qui sont les referents accueil pour souillac ?"
    events = [
        user(
            "nlu_fallback",
            text,
            {"commune": "souillac"},
            ranking=[("nlu_fallback", 0.55), ("ask_territory", 0.33), ("request_human", 0.25)],
        )
    ]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert "**Équipe accueil de Cauvaldor**" in outcome.text
    assert outcome.slots["commune"] == "46309"


def test_an_unsure_department_fact_is_answered_and_names_the_prefecture(
    settings: Settings,
) -> None:
    text = "bon serieusement, c'est quoi la prefecture du lot"
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.47), ("ask_territory", 0.43)]
    events = [user("nlu_fallback", text, ranking=ranking)]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert "La préfecture du Lot est **Cahors**" in outcome.text
    assert outcome.slots["commune"] == "46042"


def test_an_unsure_question_whether_a_place_outside_is_in_the_lot_says_where_it_is(
    settings: Settings,
) -> None:
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.32), ("ask_territory", 0.19)]
    events = [user("nlu_fallback", "lauzerte dans le lot ou pas", ranking=ranking)]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert "**Lauzerte** n'est pas dans le Lot" in outcome.text
    assert "Tarn-et-Garonne" in outcome.text


def test_an_unsure_same_question_for_another_departement_gets_the_lots_answer(
    settings: Settings,
) -> None:
    text = "nous on est en dordogne pour l'instant, c'est les memes lycées ?"
    ranking = [("nlu_fallback", 0.55), ("show_profile", 0.33), ("ask_follow_up", 0.23)]
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("nlu_fallback", text, ranking=ranking),
    ]
    slots = {"last_theme": "schools", "commune": "46102", "commune_name": "Figeac"}

    outcome = run(ActionFallbackLadder(), make_tracker(events, slots))

    assert outcome.text.startswith("Ce département, **Dordogne (24)**, n'est pas le Lot")
    assert "Réponse de test sur les lycées de Figeac." in outcome.text


def test_dans_le_lot_ending_an_unsure_question_does_not_get_a_territory_card(
    settings: Settings,
) -> None:
    text = "les pèlerins de saint jacques, ils traversent quels villages du lot ?"
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.42), ("ask_territory", 0.34)]
    events = [user("nlu_fallback", text, ranking=ranking)]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert "Occitanie" not in outcome.text
    assert "n'est pas dans le Lot" not in outcome.text


def test_a_fact_word_alone_does_not_turn_another_theme_into_territory(
    settings: Settings,
) -> None:
    text = "qui contacter pour trouver un logement ?"
    ranking = [("nlu_fallback", 0.55), ("ask_housing", 0.4), ("ask_living", 0.3)]
    events = [user("nlu_fallback", text, ranking=[*ranking, ("ask_territory", 0.1)])]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert "référents accueil" not in outcome.text


def test_a_territory_fact_the_nlu_did_not_expect_is_answered_about_the_town_in_view(
    settings: Settings,
) -> None:
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.3), ("inform_commune", 0.2)]
    events = [user("nlu_fallback", "et son interco ?", ranking=ranking)]

    outcome = run(
        ActionFallbackLadder(),
        make_tracker(events, {"commune": "46102", "commune_name": "Figeac"}),
    )

    assert "Grand-Figeac" in outcome.text
    assert not outcome.text.startswith("Je ne suis pas sûr")


def test_a_town_named_in_an_unsure_message_is_kept_for_the_answer_and_what_follows(
    settings: Settings,
) -> None:
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.4), ("ask_jobs", 0.3)]
    text = "on va vivre à Figeac, comment vit-on à Figeac ?"
    events = [user("nlu_fallback", text, {"commune": "Figeac"}, ranking=ranking)]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert outcome.text.startswith("Réponse de test sur la vie à Figeac.")
    assert outcome.slots["commune"] == "46102"
    assert outcome.slots["commune_name"] == "Figeac"


def test_a_message_the_nlu_clearly_leans_to_a_theme_for_is_answered_on_that_theme(
    api: FakeApi,
) -> None:
    marches = entry("test-marches", "Réponse de test sur les marchés.", theme="leisure")
    api.answer(lambda search: not search.confident_only and search.theme == "leisure", marches)
    ranking = [("nlu_fallback", 0.55), ("ask_leisure", 0.4), ("ask_living", 0.14)]
    events = [user("nlu_fallback", "c'est quels jours le marché ?", ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert "Réponse de test sur les marchés." in outcome.text
    assert "Vouliez-vous parler de" not in outcome.text
    assert outcome.slots["last_theme"] == "leisure"


def test_an_unsure_message_whose_details_point_to_a_theme_it_leans_to_is_answered_there(
    api: FakeApi,
) -> None:
    location = entry("test-location", "Réponse de test sur la location.", theme="housing")
    api.answer(lambda search: not search.confident_only and search.theme == "housing", location)
    ranking = [("nlu_fallback", 0.55), ("undecided_place", 0.21), ("ask_housing", 0.19)]
    text = "faut que je trouve une location vite fait"
    events = [user("nlu_fallback", text, {"housing_kind": "location"}, ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert "Réponse de test sur la location." in outcome.text
    assert outcome.slots["last_theme"] == "housing"


def test_an_unsure_message_whose_likely_entry_is_of_a_theme_the_nlu_considered_is_answered(
    api: FakeApi,
) -> None:
    risques = entry("test-risques", "Réponse de test sur les zones inondables.", theme="housing")
    api.answer(lambda search: search.likely_only and search.theme is None, risques)
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.3), ("ask_housing", 0.25)]
    text = "un terrain pas loin de la Cère, comment savoir s'il est inondable ?"
    events = [user("nlu_fallback", text, ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert outcome.text.startswith("Réponse de test sur les zones inondables.")
    assert outcome.slots["last_theme"] == "housing"
    assert api.unanswered == []


def test_a_likely_entry_of_a_theme_the_nlu_did_not_consider_leaves_the_ladder(
    api: FakeApi,
) -> None:
    lycees = entry("test-lycees", "Réponse de test sur les lycées.", theme="schools")
    api.answer(lambda search: search.likely_only, lycees)
    ranking = [("nlu_fallback", 0.55), ("ask_living", 0.3), ("ask_housing", 0.25)]
    events = [user("nlu_fallback", "et la Cère, elle déborde ?", ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert outcome.text == "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous parler de… ?"


def test_details_pointing_to_a_theme_the_nlu_did_not_consider_leave_the_ladder(
    api: FakeApi,
) -> None:
    api.answer(lambda search: not search.confident_only, entry("test-x", "Réponse de test."))
    ranking = [("nlu_fallback", 0.55), ("ask_leisure", 0.3), ("ask_living", 0.25)]
    text = "et le collège pour le club de foot ?"
    events = [user("nlu_fallback", text, {"school_level": "collège"}, ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert outcome.text == "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous parler de… ?"


def test_a_message_torn_between_two_themes_still_gets_the_ladder(api: FakeApi) -> None:
    api.answer(lambda search: not search.confident_only, entry("test-x", "Réponse de test."))
    ranking = [("nlu_fallback", 0.55), ("ask_jobs", 0.45), ("ask_living", 0.4)]
    events = [user("nlu_fallback", "un tiers-lieu pour bosser ?", ranking=ranking)]

    outcome = run(ActionFallbackLadder(api), make_tracker(events))

    assert outcome.text == "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous parler de… ?"


def test_a_no_that_says_more_is_answered_when_an_entry_is_clearly_about_it(
    api: FakeApi,
) -> None:
    aides = entry("logement-aides", "Réponse de test sur les aides au logement.", theme="housing")
    # Read with the question before, nothing is clear; its own words are.
    api.answer(
        lambda search: search.confident_only and search.query == "j'ai pas de garant non plus",
        aides,
    )
    events = [
        *answered(user("ask_housing", "c'est possible d'avoir un logement social à Figeac ?")),
        user("deny", "j'ai pas de garant non plus"),
    ]

    outcome = run(ActionYesNoOutOfContext(api), make_tracker(events, {"last_theme": "housing"}))

    assert outcome.text.startswith("Réponse de test sur les aides au logement.")


def test_a_plain_no_out_of_context_asks_what_else(api: FakeApi) -> None:
    api.answer(lambda search: True, entry("test-x", "Réponse à ne pas montrer."))

    outcome = run(ActionYesNoOutOfContext(api), make_tracker([user("deny", "non merci")]))

    assert outcome.text == "Très bien. Que puis-je faire d'autre pour vous ?"


def test_an_unsure_question_only_mentioning_the_region_gets_the_entry_about_it(
    settings: Settings,
) -> None:
    text = "la région est-elle bien pour les loisirs ?"
    ranking = [("nlu_fallback", 0.55), ("ask_territory", 0.37), ("ask_leisure", 0.28)]
    events = [user("nlu_fallback", text, ranking=ranking)]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert "Réponse de test sur les loisirs dans le Lot." in outcome.text
    assert "Occitanie" not in outcome.text
