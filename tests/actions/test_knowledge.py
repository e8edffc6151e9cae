"""The knowledge actions: what is searched and how it reads, against the API's stand-in
(tests/fakes/api.py); with the running API where the answer depends on how it ranks the
small knowledge base of conftest.py."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from conftest import action, answered, make_tracker, run, user
from rasa_sdk import Tracker

from bot.actions.api_client import Resolution, TerritoryReply
from bot.actions.config import Settings, get_settings
from bot.actions.fallback import ActionFallbackLadder
from bot.actions.feedback import rating_tag
from bot.actions.knowledge import (
    ActionAnswerTerritory,
    ActionAnswerTheme,
    ActionShowEntry,
    search_text,
)
from tests.fakes.api import FakeApi, entry

FIGEAC = "46102"
CAHORS = "46042"
LOGEMENT = entry(
    "test-logement-lot", "Réponse de test sur le logement dans le Lot.", theme="housing"
)


def ask(
    events: list[dict[str, Any]], slots: dict[str, Any] | None = None, api: FakeApi | None = None
) -> Any:
    return run(ActionAnswerTheme(api), make_tracker(events, slots))


def test_question_with_a_commune_is_answered_with_source_and_review_date(
    settings: Settings,
) -> None:
    outcome = ask([user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})])

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert "Source : [Source de test](https://example.org/test)" in outcome.text
    assert outcome.text.endswith("Mis à jour le 25 novembre 2026")
    assert outcome.slots == {
        "last_theme": "schools",
        "commune": FIGEAC,
        "commune_name": "Figeac",
        "place_undecided": False,
    }
    assert "/request_human" in outcome.payloads
    assert "Le logement à Figeac" in [b["title"] for b in outcome.buttons]


def test_first_question_without_a_place_is_answered_then_making_it_local_is_offered_once(
    api: FakeApi,
) -> None:
    api.answer(lambda search: search.theme == "housing", LOGEMENT)

    first = ask([user("ask_housing", "Comment trouver un logement ?")], api=api)

    assert first.text.startswith("Réponse de test sur le logement dans le Lot.")
    assert first.text.endswith(
        "Pour une réponse plus locale, dites-moi où vous pensez vous installer : "
        "choisissez une ville ou écrivez-moi le nom d'une commune."
    )
    assert '/inform_commune{"commune":"Figeac"}' in first.payloads
    assert "/undecided_place" in first.payloads
    assert first.slots == {"last_theme": "housing", "place_asked": True}

    second = ask(
        [user("ask_housing", "Et pour louer une maison ?")],
        {"place_asked": True, "last_theme": "housing"},
        api=api,
    )

    assert second.text.startswith("Réponse de test sur le logement dans le Lot.")
    assert "plus locale" not in second.text
    assert "/undecided_place" not in second.payloads


def test_clicking_a_town_answers_the_pending_theme_there(settings: Settings) -> None:
    events = [
        user("ask_schools", "Quels lycées pour mon fils ?"),
        action("action_answer_theme"),
        action("action_listen"),
        user("inform_commune", '/inform_commune{"commune":"Figeac"}', {"commune": "Figeac"}),
    ]

    outcome = ask(events, {"last_theme": "schools", "place_asked": True})

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["commune"] == FIGEAC


def test_undecided_place_answers_the_last_theme_for_the_whole_lot(api: FakeApi) -> None:
    api.answer(lambda search: search.theme == "housing" and search.commune is None, LOGEMENT)
    events = [
        user("ask_housing", "Comment trouver un logement ?"),
        action("action_answer_theme"),
        action("action_listen"),
        user("undecided_place", "pas encore décidé"),
    ]

    outcome = ask(
        events,
        {"last_theme": "housing", "place_asked": True, "commune": FIGEAC},
        api=api,
    )

    assert outcome.text.startswith("Pas de souci ! Voici ce qui vaut pour l'ensemble du Lot.")
    assert "Réponse de test sur le logement dans le Lot." in outcome.text
    assert outcome.slots["place_undecided"] is True
    assert outcome.slots["commune"] is None


@pytest.mark.parametrize(
    ("intent", "text", "action_class"),
    [
        ("ask_follow_up", "et dans le reste du département ?", ActionAnswerTheme),
        ("ask_territory", "et sur tout le Lot ?", ActionAnswerTerritory),
        ("nlu_fallback", "et ailleurs dans le 46 ?", ActionFallbackLadder),
    ],
)
def test_a_question_widened_to_the_whole_department_is_asked_again_for_the_lot(
    api: FakeApi, intent: str, text: str, action_class: Any
) -> None:
    api.answer(lambda search: "recrute" in search.query and search.commune is None, EMPLOI)
    events = [
        *answered(user("ask_jobs", "ça recrute à Cahors ?", {"commune": "Cahors"})),
        user(intent, text),
    ]

    outcome = run(
        action_class(api),
        make_tracker(events, {"last_theme": "jobs", "commune": CAHORS, "commune_name": "Cahors"}),
    )

    assert "Réponse de test sur l'emploi dans le Lot." in outcome.text
    assert outcome.slots["commune"] is None


def knows_of_the_lot(api: FakeApi, cue: str, fact: str, text: str) -> None:
    """The territory data answers `text`, a `fact` of the whole Lot, to questions with `cue`."""
    api.knows(lambda question: cue in question, TerritoryReply("department", fact, text, (), None))


def test_the_whole_department_after_a_towns_population_is_the_departments_population(
    api: FakeApi,
) -> None:
    population = "Le Lot compte 1 habitant (texte de test)."
    knows_of_the_lot(api, "département", "population", population)
    events = [
        *answered(
            user("ask_territory", "combien d'habitants à Cahors ?", {"commune": "Cahors"}),
            by="action_answer_territory",
        ),
        user("ask_territory", "et le département en entier ?"),
    ]

    outcome = run(
        ActionAnswerTerritory(api),
        make_tracker(events, {"last_theme": "jobs", "commune": CAHORS, "commune_name": "Cahors"}),
    )

    assert outcome.text.startswith(population)
    assert api.knowledge_searches == []


def test_et_a_figeac_asks_the_last_theme_again_for_the_new_commune(settings: Settings) -> None:
    events = [
        user("ask_schools", "Quels lycées à Cahors ?", {"commune": "Cahors"}),
        action("action_answer_theme"),
        action("action_listen"),
        user("inform_commune", "et à Figeac ?", {"commune": "Figeac"}),
    ]

    outcome = ask(events, {"last_theme": "schools", "commune": CAHORS, "commune_name": "Cahors"})

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["commune"] == FIGEAC
    assert outcome.slots["last_theme"] == "schools"


def test_who_to_contact_in_a_town_during_a_topic_stays_on_the_topic(settings: Settings) -> None:
    events = [
        user("ask_schools", "Quels lycées à Cahors ?", {"commune": "Cahors"}),
        action("action_answer_theme"),
        action("action_listen"),
        user("inform_commune", "et à Figeac, qui contacter ?", {"commune": "Figeac"}),
    ]

    outcome = ask(events, {"last_theme": "schools", "commune": CAHORS, "commune_name": "Cahors"})

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["last_theme"] == "schools"


def test_et_pour_le_logement_keeps_the_commune(settings: Settings) -> None:
    outcome = ask(
        [user("ask_housing", "et pour le logement ?")],
        {"last_theme": "schools", "commune": FIGEAC, "commune_name": "Figeac"},
    )

    assert outcome.text.startswith("Je n'ai pas d'information propre à Figeac sur ce sujet")
    assert "Réponse de test sur le logement dans le Lot." in outcome.text
    assert outcome.slots == {"last_theme": "housing"}


def test_the_town_of_the_conversation_weighs_as_carried_and_a_town_named_again_does_not(
    api: FakeApi,
) -> None:
    # The API gives a carried town's entries its bonus only where they answer the question
    # nearly as well as the department's ("et le covoiturage ?" about Figeac).
    slots = {"last_theme": "transport", "commune": FIGEAC, "commune_name": "Figeac"}
    ask([user("ask_transport", "et le covoiturage ?")], slots, api)
    ask([user("ask_transport", "le covoiturage à Figeac ?", {"commune": "Figeac"})], slots, api)

    searched = [(s.commune, s.place_carried) for s in api.knowledge_searches]
    assert searched == [(FIGEAC, True), (FIGEAC, False)]


def test_a_theme_that_needs_no_place_is_answered_at_once(settings: Settings) -> None:
    outcome = ask([user("ask_leisure", "Quels loisirs dans le Lot ?")])

    assert outcome.text.startswith("Réponse de test sur les loisirs dans le Lot.")


def test_place_outside_the_lot_is_said_kindly_with_lot_towns(api: FakeApi) -> None:
    api.outside["brive"] = Resolution("outside_lot", None, (), "Brive-la-Gaillarde", "Corrèze")

    outcome = ask([user("ask_jobs", "du travail à Brive ?", {"commune": "Brive"})], api=api)

    assert outcome.text.startswith("Brive-la-Gaillarde (Corrèze) n'est pas dans le Lot")
    assert '/inform_commune{"commune":"Cahors"}' in outcome.payloads
    assert "commune" not in outcome.slots
    assert outcome.slots["last_theme"] == "jobs"
    assert api.knowledge_searches == []


def test_a_place_outside_the_lot_named_as_where_the_visitor_comes_from_is_no_answers_place(
    api: FakeApi,
) -> None:
    api.outside["aurillac"] = Resolution("outside_lot", None, (), "Aurillac", "Cantal")
    takeover = entry("test-reprise", "Réponse de test sur la reprise.", theme="business")
    api.answer(lambda search: search.commune is None, takeover)
    text = "J'ai une boulangerie à Aurillac, je voudrais en reprendre une dans le Lot"

    outcome = ask([user("ask_business", text, {"commune": "Aurillac"})], api=api)

    assert outcome.text.startswith("Réponse de test sur la reprise.")
    assert "n'est pas dans le Lot" not in outcome.text


def test_asking_whether_a_place_outside_is_in_the_lot_is_told_where_it_is(api: FakeApi) -> None:
    api.outside["brive"] = Resolution("outside_lot", None, (), "Brive-la-Gaillarde", "Corrèze")
    text = "un commerce à reprendre à Brive, c'est bien dans le Lot ?"

    outcome = ask([user("ask_business", text, {"commune": "Brive"})], api=api)

    assert outcome.text.startswith("Brive-la-Gaillarde (Corrèze) n'est pas dans le Lot")
    assert api.knowledge_searches == []


def test_a_town_of_the_lot_named_after_one_outside_is_the_answers_place(api: FakeApi) -> None:
    api.outside["aurillac"] = Resolution("outside_lot", None, (), "Aurillac", "Cantal")
    text = "On est à Aurillac et on regarde vers Figeac, il y a un lycée ?"
    message = user("ask_schools", text)
    message["parse_data"]["entities"] = [
        {
            "entity": "commune",
            "value": town,
            "start": text.find(town),
            "end": text.find(town) + len(town),
        }
        for town in ("Aurillac", "Figeac")
    ]

    outcome = ask([message], api=api)

    assert "n'est pas dans le Lot" not in outcome.text
    assert outcome.slots["commune"] == FIGEAC
    assert {search.commune for search in api.knowledge_searches} == {FIGEAC}


EMPLOI = entry("test-emploi-lot", "Réponse de test sur l'emploi dans le Lot.", theme="jobs")


def test_a_question_naming_an_unknown_place_is_answered_for_the_lot_then_the_place_checked(
    api: FakeApi,
) -> None:
    api.answer(lambda search: search.theme == "jobs" and search.commune is None, EMPLOI)

    outcome = ask(
        [user("ask_jobs", "du travail à Xyzzyville ?", {"commune": "Xyzzyville"})], api=api
    )

    assert outcome.texts[0].startswith("Réponse de test sur l'emploi dans le Lot.")
    assert outcome.texts[-1].startswith(
        "Je ne trouve pas « Xyzzyville » parmi les communes du Lot."
    )
    assert "/undecided_place" in outcome.payloads
    assert "commune" not in outcome.slots


def test_a_misspelt_place_offers_the_communes_it_may_be_after_the_answer(api: FakeApi) -> None:
    api.answer(lambda search: search.theme == "jobs", EMPLOI)

    outcome = ask([user("ask_jobs", "du travail à Figeak ?", {"commune": "Figeak"})], api=api)

    assert outcome.texts[0].startswith("Réponse de test sur l'emploi dans le Lot.")
    assert outcome.texts[-1] == (
        "Je ne trouve pas « Figeak » parmi les communes du Lot. "
        "Vouliez-vous dire l'une de celles-ci ?"
    )
    assert outcome.messages[-1]["buttons"] == [
        {"title": "Figeac", "payload": '/inform_commune{"commune":"Figeac"}'},
        {"title": "Pas encore décidé", "payload": "/undecided_place"},
    ]


def test_an_unknown_place_given_alone_asks_to_check_the_spelling(api: FakeApi) -> None:
    outcome = ask(
        [user("inform_commune", "plutôt Xyzzyville", {"commune": "Xyzzyville"})],
        {"last_theme": "jobs"},
        api=api,
    )

    assert outcome.text.startswith("Je ne trouve pas « Xyzzyville » parmi les communes du Lot.")
    assert api.knowledge_searches == []


def test_a_town_name_cut_in_two_by_the_entity_extractor_is_read_whole(api: FakeApi) -> None:
    api.add_commune("46148", "Lacapelle Marival")
    api.answer(lambda search: search.commune == "46148", EMPLOI)
    text = "on emménage à lacapelle marival, du travail là-bas ?"
    event = user("ask_jobs", text, {"commune": "lacapelle"})
    start = text.index("marival")
    event["parse_data"]["entities"].append(
        {"entity": "commune", "value": "marival", "start": start, "end": start + 7}
    )

    outcome = ask([event], api=api)

    assert "Réponse de test sur l'emploi dans le Lot." in outcome.texts[0]
    assert "Lacapelle Marival" in outcome.texts[0]
    assert outcome.slots["commune"] == "46148"
    assert "Je ne trouve pas" not in outcome.text


def test_a_place_alone_without_theme_offers_the_themes_there(api: FakeApi) -> None:
    api.add_commune("46123", "Gramat")

    outcome = ask([user("inform_commune", "Gramat", {"commune": "Gramat"})], api=api)

    assert outcome.text == "C'est noté : à Gramat. Que souhaitez-vous savoir ?"
    assert "Le logement à Gramat" in [b["title"] for b in outcome.buttons]
    assert api.knowledge_searches[-1].query == "vivre à Gramat"


def test_a_first_message_that_is_neither_a_theme_nor_a_place_offers_every_theme(
    api: FakeApi,
) -> None:
    outcome = ask([user("inform_commune", "/inform_commune")], api=api)

    assert outcome.text.startswith("Pas de souci, rien ne presse !")
    assert "/ask_jobs" in outcome.payloads
    assert outcome.messages[0]["response"] == "utter_undecided_without_theme"


def test_a_town_spelt_in_a_way_the_nlu_missed_is_still_taken_as_the_place(
    settings: Settings,
) -> None:
    outcome = ask([user("inform_commune", "on vise le secteur de Puy-l'Evêque")])

    assert outcome.text == "C'est noté : à Puy-l'Évêque. Que souhaitez-vous savoir ?"
    assert outcome.slots["commune_name"] == "Puy-l'Évêque"


def test_an_area_of_one_communaute_is_taken_as_its_most_populated_town(
    settings: Settings,
) -> None:
    outcome = ask([user("inform_commune", "et sur le figeacois")], {"commune": CAHORS})

    assert outcome.slots["commune"] == FIGEAC
    assert outcome.slots["commune_name"] == "Figeac"


def test_an_area_over_several_communautes_is_not_taken_for_a_town(settings: Settings) -> None:
    outcome = ask([user("inform_commune", "et dans le Ségala ?")], {"commune": CAHORS})

    assert "commune" not in outcome.slots


def test_a_town_alone_is_answered_with_what_living_there_is_like(settings: Settings) -> None:
    outcome = ask([user("inform_commune", "Figeac", {"commune": "Figeac"})])

    assert outcome.text.startswith("C'est noté : à Figeac. Pour commencer")
    assert "Réponse de test sur la vie à Figeac." in outcome.text
    assert "Le logement à Figeac" in [b["title"] for b in outcome.buttons]
    # The conversation is about the town now, not about the theme of its entry.
    assert "last_theme" not in outcome.slots


def test_question_without_answer_is_recorded_for_the_editors(api: FakeApi) -> None:
    text = "Y a-t-il un bus de nuit vers Figeac ?"
    outcome = ask([user("ask_transport", text, {"commune": "Figeac"})], api=api)

    assert outcome.text.startswith("Je n'ai pas encore de réponse fiable sur ce point à Figeac")
    assert "/request_human" in outcome.payloads
    assert api.unanswered == [("Y a-t-il un bus de nuit ?", "transport", FIGEAC)]


def test_api_down_gives_an_honest_message_and_offers_a_referent(api: FakeApi) -> None:
    api.down = True

    outcome = ask([user("ask_leisure", "Quels loisirs ?")], api=api)

    assert outcome.text.startswith("Désolé, je n'arrive pas à consulter mes informations")
    assert outcome.payloads == ["/request_human", "/ask_leisure"]


def test_a_commune_with_its_own_entry_in_the_theme_is_never_told_there_is_none(
    settings: Settings,
) -> None:
    # Figeac has a schools entry of its own: a department-wide answer must not claim
    # that nothing is specific to Figeac.
    outcome = ask(
        [user("ask_schools", "comment inscrire mon enfant à l'école ?")],
        {"commune": FIGEAC, "commune_name": "Figeac"},
    )

    assert "propre à Figeac" not in outcome.text


def test_the_runner_up_picked_by_the_visitor_is_shown(api: FakeApi) -> None:
    api.entries["test-loisirs-lot"] = entry(
        "test-loisirs-lot", "Réponse de test sur les loisirs dans le Lot.", theme="leisure"
    )
    outcome = run(
        ActionShowEntry(api),
        make_tracker(
            [
                user(
                    "show_entry",
                    '/show_entry{"entry_id":"test-loisirs-lot"}',
                    {"entry_id": "test-loisirs-lot"},
                )
            ],
            {"commune_name": "Figeac"},
        ),
    )

    assert outcome.text.startswith("Réponse de test sur les loisirs dans le Lot.")
    assert "propre à Figeac" not in outcome.text
    assert "Les loisirs à Figeac" not in [b["title"] for b in outcome.buttons]
    assert "La vie quotidienne à Figeac" in [b["title"] for b in outcome.buttons]
    assert outcome.slots == {"last_theme": "leisure"}


def test_a_runner_up_edited_away_meanwhile_is_said_gone(api: FakeApi) -> None:
    outcome = run(
        ActionShowEntry(api),
        make_tracker(
            [
                user(
                    "show_entry",
                    '/show_entry{"entry_id":"plus-de-fiche"}',
                    {"entry_id": "plus-de-fiche"},
                )
            ]
        ),
    )

    assert outcome.text.startswith("Cette réponse n'est plus disponible")
    assert outcome.payloads == ["/help"]


def test_a_territory_question_is_answered_from_the_data_with_its_source(
    settings: Settings,
) -> None:
    outcome = run(
        ActionAnswerTerritory(),
        make_tracker([user("ask_territory", "quel est le code postal de Figeac ?")]),
    )

    assert "46100" in outcome.text
    assert "Source" in outcome.text
    assert outcome.slots["commune"] == FIGEAC


def test_a_place_named_alone_after_a_territory_fact_gets_the_same_fact(
    settings: Settings,
) -> None:
    events = [
        *answered(user("ask_territory", "code postal de st cere"), by="action_answer_territory"),
        user("ask_territory", "et celui de Souillac ?"),
    ]

    outcome = run(ActionAnswerTerritory(), make_tracker(events))

    assert outcome.text.startswith("Le code postal de **Souillac** est **46200**")


def test_a_place_outside_the_lot_is_said_so_by_the_territory_action(settings: Settings) -> None:
    outcome = run(
        ActionAnswerTerritory(),
        make_tracker([user("ask_territory", "Capdenac-Gare c'est dans le Lot ?")]),
    )

    assert "pas dans le Lot" in outcome.text
    assert "commune" not in outcome.slots


def test_the_last_question_asked_again_for_a_place_outside_gets_the_lots_answer(
    settings: Settings,
) -> None:
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("ask_territory", "et en Corrèze c'est pareil ?"),
    ]
    slots = {"last_theme": "schools", "commune": FIGEAC, "commune_name": "Figeac"}

    outcome = run(ActionAnswerTerritory(), make_tracker(events, slots))

    assert outcome.text.startswith("Ce département, **Corrèze (19)**, n'est pas le Lot")
    assert "Pour le Lot, voici ce que je sais" in outcome.text
    assert "Réponse de test sur les lycées de Figeac." in outcome.text


def test_a_place_outside_asked_about_for_itself_gets_only_where_it_is(
    settings: Settings,
) -> None:
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("ask_territory", "Brive c'est dans quel département ?"),
    ]
    slots = {"last_theme": "schools", "commune": FIGEAC, "commune_name": "Figeac"}

    outcome = run(ActionAnswerTerritory(), make_tracker(events, slots))

    assert "n'est pas dans le Lot" in outcome.text
    assert "lycées" not in outcome.text


def test_a_short_follow_up_heard_as_a_territory_question_stays_on_the_last_topic(
    settings: Settings,
) -> None:
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("ask_territory", "c'est où exactement ?"),
    ]

    outcome = run(ActionAnswerTerritory(), make_tracker(events, {"last_theme": "schools"}))

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")


def test_where_something_is_is_answered_by_its_entry_not_by_where_the_town_is(
    settings: Settings,
) -> None:
    # Read by the territory data as where Figeac is; the entry on its lycées says more.
    events = [user("ask_territory", "les lycées de Figeac, c'est où ?")]

    outcome = run(ActionAnswerTerritory(), make_tracker(events))

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["last_theme"] == "schools"


def test_villages_asked_of_the_whole_lot_are_answered_by_an_entry_clearly_about_them(
    api: FakeApi,
) -> None:
    too_many = "Le Lot compte 312 communes (texte de test) : trop pour les citer toutes ici."
    knows_of_the_lot(api, "villages", "commune_list", too_many)
    api.answer(
        lambda search: search.confident_only,
        entry("test-gr65", "Réponse de test sur le chemin de Saint-Jacques.", theme="leisure"),
    )
    text = "les pèlerins de saint jacques, ils traversent quels villages du lot ?"

    outcome = run(ActionAnswerTerritory(api), make_tracker([user("ask_territory", text)]))

    assert outcome.text.startswith("Réponse de test sur le chemin de Saint-Jacques.")
    assert too_many not in outcome.text


def test_a_first_message_naming_a_place_and_more_is_answered_when_an_entry_is_clear(
    settings: Settings,
) -> None:
    text = "Figeac, il y a quels lycées là-bas ?"
    outcome = ask([user("inform_commune", text, {"commune": "Figeac"})])

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["commune"] == FIGEAC
    assert outcome.slots["last_theme"] == "schools"


def test_a_long_story_still_gets_an_answer(settings: Settings) -> None:
    story = "Nous sommes une famille de quatre et nous quittons Lyon. " * 12
    outcome = ask([user("ask_housing", story + "Comment trouver un logement ?")])

    assert len(story) > 500
    assert outcome.text.startswith("Réponse de test sur le logement dans le Lot.")


def test_a_follow_up_without_a_theme_is_answered_on_the_last_topic(settings: Settings) -> None:
    # Life in Figeac would win on the place alone: the question before says what "il" is
    # about, and in a conversation about Figeac the town's own entry on it comes first.
    events = [
        *answered(user("ask_schools", "Comment inscrire mon enfant à l'école ?")),
        user("ask_follow_up", "et il y a un internat ?"),
    ]

    outcome = ask(events, {"last_theme": "schools", "commune": FIGEAC, "commune_name": "Figeac"})

    assert "Réponse de test sur les lycées de Figeac." in outcome.text
    assert outcome.slots["last_theme"] == "schools"


@pytest.mark.parametrize(
    ("own_theme", "shown"),
    [
        # Its own words clearly name an entry of the theme: that entry.
        ("business", "Réponse de test sur l'immatriculation."),
        # Clearly about another theme: read with the question before, as any follow-up.
        ("jobs", "Réponse de test sur la reprise."),
    ],
)
def test_a_follow_up_naming_its_own_subject_gets_the_entry_on_it_within_the_theme(
    api: FakeApi, own_theme: str, shown: str
) -> None:
    text = "et l'immatriculation, ça se fait où ?"
    api.answer(
        lambda search: search.confident_only and search.query == text,
        entry("test-immatriculation", "Réponse de test sur l'immatriculation.", theme=own_theme),
    )
    api.answer(
        lambda search: not search.confident_only,
        entry("test-reprise", "Réponse de test sur la reprise.", theme="business"),
    )
    events = [
        *answered(user("ask_business", "je voudrais reprendre une boulangerie dans le Lot")),
        user("ask_follow_up", text),
    ]

    outcome = ask(events, {"last_theme": "business"}, api=api)

    assert shown in outcome.text


def test_a_follow_up_the_entry_just_shown_answers_gets_that_entry_again(api: FakeApi) -> None:
    api.answer(
        lambda search: search.confident_only and search.covered_by == "test-financement",
        entry("test-financement", "Réponse de test sur le financement.", theme="retraining"),
    )
    api.answer(
        lambda search: not search.confident_only,
        entry("test-permis-poids-lourd", "Réponse de test sur le permis poids lourd."),
    )
    shown = {
        "custom": {"data": {"feedback": {"entry_id": "test-financement", "theme": "retraining"}}}
    }
    events = [
        user("ask_retraining", "je voudrais me reconvertir dans l'industrie"),
        action("action_answer_theme"),
        {"event": "bot", "text": None, "data": shown},
        action("action_listen"),
        user("ask_follow_up", "c'est financé ?"),
    ]

    outcome = ask(events, {"last_theme": "retraining"}, api=api)

    assert "Réponse de test sur le financement." in outcome.text


def test_a_theme_question_on_the_entry_just_shown_offers_it_for_another_answer(
    api: FakeApi,
) -> None:
    # "c'est financé par le CPF ?" is heard as a retraining question: the search is told
    # which entry was just shown, and answers it again when it holds the whole question.
    api.answer(
        lambda search: search.covered_by == "test-numerique",
        entry("test-numerique", "Réponse de test sur le numérique.", theme="retraining"),
    )
    api.answer(
        lambda search: search.covered_by is None,
        entry("test-permis-poids-lourd", "Réponse de test sur le permis poids lourd."),
    )
    shown = {
        "custom": {"data": {"feedback": {"entry_id": "test-numerique", "theme": "retraining"}}}
    }
    events = [
        user("ask_retraining", "je voudrais me reconvertir dans le développement web"),
        action("action_answer_theme"),
        {"event": "bot", "text": None, "data": shown},
        action("action_listen"),
        user("ask_retraining", "c'est financé par le CPF ?"),
    ]

    outcome = ask(events, {"last_theme": "retraining"}, api=api)

    assert "Réponse de test sur le numérique." in outcome.text


def test_a_follow_up_opening_a_new_subject_gets_the_nlus_next_reading(api: FakeApi) -> None:
    text = "sinon il fait combien de degrés à Gramat là maintenant ?"
    ranking = [("ask_follow_up", 0.67), ("out_of_scope", 0.11), ("ask_living", 0.05)]
    events = [
        *answered(user("ask_jobs", "ils peuvent aider mon compagnon ? il est électricien")),
        user("ask_follow_up", text, {"commune": "Gramat"}, ranking=ranking),
    ]

    outcome = ask(events, {"last_theme": "jobs"}, api=api)

    assert outcome.text.startswith("Je ne sais pas répondre à cela")
    assert api.knowledge_searches == []


def test_a_follow_up_with_nothing_before_asks_to_rephrase_and_is_recorded(api: FakeApi) -> None:
    outcome = ask([user("ask_follow_up", "c'est où exactement ?")], api=api)

    assert outcome.text.startswith("Je ne suis pas sûr d'avoir bien compris.")
    assert "/request_human" in outcome.payloads
    assert api.unanswered == [("c'est où exactement ?", None, None)]


def test_a_follow_up_with_nothing_before_is_answered_by_an_entry_clearly_about_it(
    api: FakeApi,
) -> None:
    # The first message went to the fallback: no theme, yet "ces ambassadeurs" says it all.
    api.answer(
        lambda search: search.confident_only and search.query == "c'est qui ces ambassadeurs ?",
        entry("vivre-ambassadeurs", "Réponse de test sur les ambassadeurs."),
    )

    outcome = ask([user("ask_follow_up", "c'est qui ces ambassadeurs ?")], api=api)

    assert "Réponse de test sur les ambassadeurs." in outcome.text
    assert api.unanswered == []


def test_a_place_named_after_an_answer_brings_the_places_own_entry(settings: Settings) -> None:
    events = [
        *answered(user("ask_schools", "Comment inscrire mon enfant au lycée ?")),
        user("inform_commune", "plutôt vers Figeac", {"commune": "Figeac"}),
    ]

    outcome = ask(events, {"last_theme": "schools"})

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["commune"] == FIGEAC


def test_a_knowledge_answer_carries_a_signed_rating_tag_without_conversation_id() -> None:
    tracker = Tracker(
        "conversation-42",
        {},
        {"text": "/show_entry"},
        [
            {"event": "user", "text": "Comment louer à Figeac ?"},
            {"event": "user", "text": '/show_entry{"entry_id":"logement-figeac"}'},
        ],
        False,
        None,
        {},
        "",
    )
    tag = rating_tag(tracker, "logement-figeac", "housing", "46102")["data"]["feedback"]
    assert tag["question"] == "Comment louer à Figeac ?"
    assert "conversation-42" not in json.dumps(tag)
    signed = json.dumps(
        ["answer-feedback", "logement-figeac", "Comment louer à Figeac ?", "housing", "46102"],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    key = get_settings().bot_api_token.encode()
    assert tag["signature"] == hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()


def test_a_follow_up_after_a_town_alone_is_answered_about_that_town(settings: Settings) -> None:
    events = [
        *answered(user("inform_commune", "Figeac", {"commune": "Figeac"})),
        user("ask_follow_up", "il y a des lycées là-bas ?"),
    ]

    outcome = ask(events, {"commune": FIGEAC, "commune_name": "Figeac"})

    assert outcome.text.startswith("Réponse de test sur les lycées de Figeac.")
    assert outcome.slots["last_theme"] == "schools"


def test_a_territory_follow_up_after_a_town_is_answered_about_that_town(
    settings: Settings,
) -> None:
    events = [
        *answered(user("ask_territory", "figeac code postal", {"commune": "Figeac"})),
        user("ask_follow_up", "et son interco ?"),
    ]

    outcome = ask(events, {"commune": FIGEAC, "commune_name": "Figeac"})

    assert "Grand-Figeac" in outcome.text
    assert not outcome.text.startswith("Je ne suis pas sûr")


def test_a_place_with_a_misspelt_territory_fact_is_answered_from_the_territory(
    settings: Settings,
) -> None:
    outcome = ask([user("inform_commune", "populasion de figeac", {"commune": "figeac"})])

    assert "**Figeac** compte **9\u00a0793 habitants**" in outcome.text
    assert outcome.slots["commune"] == FIGEAC


def test_the_prefecture_answer_makes_cahors_the_commune_of_the_conversation(
    settings: Settings,
) -> None:
    outcome = run(
        ActionAnswerTerritory(),
        make_tracker([user("ask_territory", "c'est quoi la préfecture du Lot ?")]),
    )

    assert "La préfecture du Lot est **Cahors**" in outcome.text
    assert (outcome.slots["commune"], outcome.slots["commune_name"]) == (CAHORS, "Cahors")


def test_here_means_the_commune_of_the_conversation(settings: Settings) -> None:
    for question in ("combien d'habitants ici ?", "combien d'habitants dans cette ville ?"):
        outcome = run(
            ActionAnswerTerritory(),
            make_tracker([user("ask_territory", question)], {"commune": CAHORS}),
        )

        assert "**Cahors** compte **20\u00a0050 habitants**" in outcome.text, question


def test_a_short_question_pointing_back_is_searched_with_the_question_before() -> None:
    tracker = make_tracker(
        [
            *answered(user("ask_retraining", "formation de soudeur pour adulte")),
            user("ask_jobs", "et après, ça embauche ?"),
        ]
    )

    assert (
        search_text(tracker, "jobs") == "formation de soudeur pour adulte et après, ça embauche ?"
    )


def test_a_question_pointing_back_to_a_trade_is_searched_with_the_trade_alone() -> None:
    # "formation", "adulte" of the course would pull the retraining entries back first.
    tracker = make_tracker(
        [
            *answered(user("ask_retraining", "formation soudeur pour adulte", {"job": "soudeur"})),
            user("ask_jobs", "et après, ça embauche ?"),
        ]
    )

    assert search_text(tracker, "jobs") == "soudeur et après, ça embauche ?"


def test_a_follow_up_on_a_question_that_pointed_back_keeps_the_first_subject() -> None:
    tracker = make_tracker(
        [
            *answered(
                user(
                    "ask_retraining", "aide à domicile sans diplôme, je peux devenir aide-soignante"
                )
            ),
            *answered(user("ask_retraining", "la formation ça se passe où ?")),
            user("ask_follow_up", "et qui finance ?"),
        ]
    )

    assert search_text(tracker, "retraining") == (
        "aide à domicile sans diplôme, je peux devenir aide-soignante "
        "la formation ça se passe où ? et qui finance ?"
    )


def test_school_levels_are_searched_as_the_entries_name_them() -> None:
    text = "deux enfants, un en moyenne section et un en CE1, comment on les inscrit"
    levels = {"school_level": "maternelle"}
    tracker = make_tracker([user("ask_schools", text, levels)])

    assert search_text(tracker, "schools") == f"{text} maternelle"


def test_a_place_asked_about_for_itself_stays_in_the_words_searched() -> None:
    tracker = make_tracker(
        [user("ask_leisure", "padirac ouvert en hiver ?", {"commune": "padirac"})]
    )

    assert search_text(tracker, "leisure") == "padirac ouvert en hiver ?"


def test_the_place_of_an_earlier_question_asked_again_elsewhere_is_cut_out() -> None:
    # Without a preposition too: the visitor now asks about Figeac, not Cahors.
    tracker = make_tracker(
        [
            *answered(user("ask_schools", "lycées Cahors ?", {"commune": "Cahors"})),
            user("inform_commune", "et à Figeac ?", {"commune": "Figeac"}),
        ]
    )

    assert search_text(tracker, "schools") == "lycées ?"


def test_a_short_question_on_a_new_theme_is_searched_alone() -> None:
    tracker = make_tracker(
        [
            *answered(user("ask_retraining", "formation de soudeur pour adulte")),
            user("ask_housing", "et pour le logement ?"),
        ]
    )

    assert search_text(tracker, "housing") == "et pour le logement ?"


def test_a_wine_named_after_its_town_is_searched_as_a_wine_not_as_the_town(
    api: FakeApi,
) -> None:
    api.add_commune("46042", "Cahors")
    text = "cave coopérative vin de cahors visite"
    question = user("ask_leisure", text, {"commune": "cahors"})

    outcome = run(ActionAnswerTheme(api), make_tracker([question]))

    assert [(s.query, s.commune) for s in api.knowledge_searches] == [(text, None)]
    assert "commune" not in outcome.slots


def test_a_theme_question_asking_whether_a_place_is_in_the_lot_gets_where_it_is(
    api: FakeApi,
) -> None:
    carennac = api.add_commune("46058", "Carennac", "CC Causses et Vallée de la Dordogne")
    where = "**Carennac** est bien une commune du Lot (texte de test)."
    api.knows(
        lambda question: "Carennac" in question,
        TerritoryReply("commune", "location", where, (), carennac, says_more=True),
    )
    text = "Carennac c'est bien dans le Lot ? l'annonce de la maison parlait de la Dordogne"

    outcome = ask([user("ask_housing", text, {"commune": "Carennac"})], api=api)

    assert outcome.text.startswith(where)
    assert outcome.slots["commune"] == "46058"
