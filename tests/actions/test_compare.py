"""Towns side by side in the chat: which towns the action asks the API to compare, and what
the visitor reads, against the API's stand-in; how the real API (GET /v1/compare/text)
reads a commune déléguée and a town outside the Lot, against the running API."""

from __future__ import annotations

import json

import pytest
from conftest import Outcome, make_tracker, run, user

from bot.actions.api_client import Resolution
from bot.actions.compare import ActionCompareCommunes
from bot.actions.config import Settings
from tests.fakes.api import FakeApi, comparison_text, entry


@pytest.fixture
def towns(api: FakeApi) -> FakeApi:
    """The stand-in knowing Figeac, Cahors, Gourdon, Souillac, Gramat, Saint-Cirq-Lapopie
    and Cœur de Causse, also under its commune déléguée's name Labastide-Murat."""
    api.add_commune("46127", "Gourdon", "CC Quercy - Bouriane")
    api.add_commune("46309", "Souillac", "CC Causses et Vallée de la Dordogne")
    api.add_commune("46128", "Gramat", "CC Causses et Vallée de la Dordogne")
    api.add_commune("46256", "Saint-Cirq-Lapopie", "CA du Grand Cahors")
    coeur = api.add_commune("46138", "Cœur de Causse", "CC du Causse de Labastide Murat")
    api.communes["labastide-murat"] = coeur
    return api


def compare(
    text: str,
    towns: list[str],
    slots: dict[str, str] | None = None,
    api: FakeApi | None = None,
) -> Outcome:
    """The action's answer to `text`, whose commune entities are `towns`; through `api`,
    else the API of the settings."""
    entities = [
        {
            "entity": "commune",
            "value": town,
            "start": text.find(town),
            "end": text.find(town) + len(town),
        }
        for town in towns
    ]
    message = user("compare_communes", text)
    message["parse_data"]["entities"] = entities
    return run(ActionCompareCommunes(api), make_tracker([message], slots))


def remembered(outcome: Outcome) -> list[str]:
    return list(json.loads(outcome.slots["compared_communes"]))


def test_two_towns_are_set_side_by_side(towns: FakeApi) -> None:
    outcome = compare("Figeac ou Cahors ?", ["Figeac", "Cahors"], api=towns)

    assert towns.comparisons == [["Figeac", "Cahors"]]
    # The API's text, as it is.
    assert outcome.texts == [comparison_text(["Figeac", "Cahors"])]
    assert {"/help", "/request_human"} <= set(outcome.payloads)
    assert remembered(outcome) == ["Figeac", "Cahors"]


def test_a_comparison_asked_with_a_question_gets_the_entry_about_it_then_the_towns(
    towns: FakeApi,
) -> None:
    choosing = entry("test-choisir", "Réponse de test sur le choix d'une commune.", theme="living")
    towns.answer(lambda search: search.confident_only and "élever" in search.query, choosing)
    question = "On hésite entre Figeac et Cahors pour élever nos enfants, que conseillez-vous ?"

    outcome = compare(question, ["Figeac", "Cahors"], api=towns)

    assert outcome.texts[0].startswith("Réponse de test sur le choix d'une commune.")
    assert outcome.texts[-1] == comparison_text(["Figeac", "Cahors"])
    assert remembered(outcome) == ["Figeac", "Cahors"]


def test_towns_alone_get_the_comparison_only(towns: FakeApi) -> None:
    choosing = entry("test-choisir", "Réponse de test sur le choix d'une commune.", theme="living")
    towns.answer(lambda search: True, choosing)

    outcome = compare("Figeac ou Cahors ?", ["Figeac", "Cahors"], api=towns)

    assert outcome.texts == [comparison_text(["Figeac", "Cahors"])]
    assert towns.knowledge_searches == []


def test_three_towns_in_the_order_given_are_remembered_by_their_names(towns: FakeApi) -> None:
    outcome = compare(
        "comparer gourdon, souillac et gramat", ["gourdon", "souillac", "gramat"], api=towns
    )

    assert towns.comparisons == [["gourdon", "souillac", "gramat"]]
    assert remembered(outcome) == ["Gourdon", "Souillac", "Gramat"]


def test_a_town_outside_the_lot_is_not_remembered(towns: FakeApi) -> None:
    towns.outside["brive"] = Resolution("outside_lot", None, (), "Brive-la-Gaillarde", "Corrèze")

    outcome = compare("Souillac ou Brive ?", ["Souillac", "Brive"], api=towns)

    assert outcome.texts == [comparison_text(["Souillac", "Brive"])]
    # Only the Lot commune can be compared again.
    assert remembered(outcome) == ["Souillac"]


def test_one_town_asks_warmly_for_a_second_one(towns: FakeApi) -> None:
    outcome = compare("comparer Figeac avec une autre ville", ["Figeac"], api=towns)

    assert towns.comparisons == []
    assert outcome.text.startswith("Avec plaisir ! Avec quelle autre commune")
    assert "Figeac" in outcome.text
    assert '/compare_communes{"commune":"Cahors"}' in outcome.payloads
    assert not any("Figeac" in payload for payload in outcome.payloads)
    assert remembered(outcome) == ["Figeac"]


@pytest.mark.parametrize(
    ("text", "town", "slots", "compared"),
    [
        # The second town after "Avec quelle autre commune… ?": a button or typed.
        (
            '/compare_communes{"commune":"Cahors"}',
            "Cahors",
            {"compared_communes": '["Figeac"]'},
            ["Figeac", "Cahors"],
        ),
        (
            "et par rapport à Gramat ?",
            "Gramat",
            {"compared_communes": '["Figeac", "Cahors"]'},
            ["Figeac", "Cahors", "Gramat"],
        ),
        (
            "et comparé à Souillac ?",
            "Souillac",
            {"commune": "46042", "commune_name": "Cahors"},
            ["Cahors", "Souillac"],
        ),
    ],
    ids=["completes-the-waiting-town", "joins-the-last-comparison", "meets-the-conversation-s"],
)
def test_a_single_town_is_compared_with_the_towns_already_known(
    towns: FakeApi, text: str, town: str, slots: dict[str, str], compared: list[str]
) -> None:
    compare(text, [town], slots, api=towns)

    assert towns.comparisons == [compared]


def test_no_town_at_all_asks_which_ones(towns: FakeApi) -> None:
    outcome = compare("je voudrais comparer deux communes", [], api=towns)

    assert towns.comparisons == []
    assert "Quelles communes voulez-vous comparer" in outcome.text
    assert outcome.payloads == ["/help"]
    assert "compared_communes" not in outcome.slots


def test_a_comparison_of_something_else_than_towns_gets_the_entry_about_it(
    towns: FakeApi,
) -> None:
    elderly = entry("test-ehpad", "Réponse de test sur les EHPAD.", theme="health")
    towns.answer(lambda search: search.confident_only and "EHPAD" in search.query, elderly)
    slots = {"commune": "46102", "commune_name": "Figeac"}

    outcome = compare("et les EHPAD, on peut comparer les prix quelque part ?", [], slots, towns)

    assert "Réponse de test sur les EHPAD." in outcome.text
    assert "autre commune" not in outcome.text
    assert towns.comparisons == []


def test_a_comparison_no_entry_is_clearly_about_still_asks_for_the_towns(
    towns: FakeApi,
) -> None:
    slots = {"commune": "46102", "commune_name": "Figeac"}

    outcome = compare("on pourrait comparer avec une autre ville ?", [], slots, towns)

    assert "Figeac" in outcome.text
    assert outcome.payloads  # the main towns to pick the second from


def test_four_towns_is_too_many(towns: FakeApi) -> None:
    outcome = compare(
        "Cahors Figeac Gourdon Souillac", ["Cahors", "Figeac", "Gourdon", "Souillac"], api=towns
    )

    assert towns.comparisons == []
    assert outcome.text.startswith("Je peux comparer deux ou trois communes à la fois.")
    assert outcome.payloads == ["/help"]


def test_an_unknown_name_offers_the_close_ones(towns: FakeApi) -> None:
    outcome = compare("Figeac ou saint cirq ?", ["Figeac", "saint cirq"], api=towns)

    assert outcome.text.startswith("Je ne trouve pas « saint cirq » parmi les communes du Lot.")
    assert "Vouliez-vous dire Saint-Cirq-Lapopie ?" in outcome.text
    assert '/compare_communes{"commune":"Saint-Cirq-Lapopie"}' in outcome.payloads
    # Clicking the right name compares it with the town that was understood.
    assert remembered(outcome) == ["Figeac"]


def test_a_name_close_to_none_asks_to_check_the_spelling(towns: FakeApi) -> None:
    outcome = compare("Trifouillis ou Cahors ?", ["Trifouillis", "Cahors"], api=towns)

    assert outcome.text.startswith("Je ne trouve pas « Trifouillis » parmi les communes du Lot.")
    assert "vérifier l'orthographe" in outcome.text
    assert remembered(outcome) == ["Cahors"]


def test_the_same_commune_twice_asks_for_another(towns: FakeApi) -> None:
    outcome = compare(
        "Labastide-Murat ou Cœur de Causse ?", ["Labastide-Murat", "Cœur de Causse"], api=towns
    )

    assert outcome.text.startswith(
        "Ces deux noms désignent la même commune, Cœur de Causse. "
        "Avec quelle autre commune voulez-vous la comparer ?"
    )
    assert '/compare_communes{"commune":"Cahors"}' in outcome.payloads
    assert remembered(outcome) == ["Cœur de Causse"]


def test_api_down_says_so_and_offers_a_referent(towns: FakeApi) -> None:
    towns.down = True

    outcome = compare("Figeac ou Cahors ?", ["Figeac", "Cahors"], api=towns)

    assert outcome.text.startswith("Désolé, je n'arrive pas à consulter mes informations")
    assert "/request_human" in outcome.payloads


# -- the real API's reading of the towns -----------------------------------------------------


def test_the_api_names_a_town_outside_the_lot_as_such(settings: Settings) -> None:
    outcome = compare("Souillac ou Brive ?", ["Souillac", "Brive"])

    assert outcome.text.startswith("**Souillac ou Brive")
    assert "hors du Lot : je ne compare que des communes du Lot" in outcome.text
    assert "Corrèze" in outcome.text
    assert remembered(outcome) == ["Souillac"]


def test_the_api_compares_a_commune_deleguee_as_its_commune_nouvelle(settings: Settings) -> None:
    outcome = compare("Labastide-Murat ou Gramat ?", ["Labastide-Murat", "Gramat"])

    assert "Labastide-Murat est une commune déléguée de Cœur de Causse" in outcome.text
    assert "à vol d'oiseau" in outcome.text
    assert remembered(outcome) == ["Cœur de Causse", "Gramat"]
