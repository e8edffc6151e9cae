"""Towns side by side in the chat, through the real API (GET /v1/compare/text)."""

from __future__ import annotations

import json

from conftest import Outcome, make_tracker, run, user

from bot.actions.compare import ActionCompareCommunes
from bot.actions.config import Settings


def compare(text: str, towns: list[str], slots: dict[str, str] | None = None) -> Outcome:
    """The action's answer to `text`, whose commune entities are `towns`."""
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
    return run(ActionCompareCommunes(), make_tracker([message], slots))


def remembered(outcome: Outcome) -> list[str]:
    return list(json.loads(outcome.slots["compared_communes"]))


def test_two_towns_are_set_side_by_side(settings: Settings) -> None:
    outcome = compare("Figeac ou Cahors ?", ["Figeac", "Cahors"])

    assert outcome.text.startswith("**Figeac ou Cahors ?**")
    assert "à vol d'oiseau" in outcome.text
    assert "/help" in outcome.payloads
    assert remembered(outcome) == ["Figeac", "Cahors"]


def test_three_towns_in_the_order_given(settings: Settings) -> None:
    outcome = compare("comparer gourdon, souillac et gramat", ["gourdon", "souillac", "gramat"])

    assert outcome.text.startswith("**Gourdon ou Souillac ou Gramat ?**")
    assert remembered(outcome) == ["Gourdon", "Souillac", "Gramat"]


def test_a_town_outside_the_lot_is_named_as_such(settings: Settings) -> None:
    outcome = compare("Souillac ou Brive ?", ["Souillac", "Brive"])

    assert "hors du Lot : je ne compare que des communes du Lot" in outcome.text
    assert "Corrèze" in outcome.text
    # Only the Lot commune can be compared again.
    assert remembered(outcome) == ["Souillac"]


def test_a_commune_deleguee_is_answered_for_its_commune_nouvelle(settings: Settings) -> None:
    outcome = compare("Labastide-Murat ou Gramat ?", ["Labastide-Murat", "Gramat"])

    assert "Labastide-Murat est une commune déléguée de Cœur de Causse" in outcome.text
    assert remembered(outcome) == ["Cœur de Causse", "Gramat"]


def test_one_town_asks_warmly_for_a_second_one(settings: Settings) -> None:
    outcome = compare("comparer Figeac avec une autre ville", ["Figeac"])

    assert outcome.text.startswith("Avec plaisir ! Avec quelle autre commune")
    assert "Figeac" in outcome.text
    assert '/compare_communes{"commune":"Cahors"}' in outcome.payloads
    assert not any("Figeac" in payload for payload in outcome.payloads)
    assert remembered(outcome) == ["Figeac"]


def test_the_second_town_completes_the_waiting_one(settings: Settings) -> None:
    outcome = compare(
        '/compare_communes{"commune":"Cahors"}', ["Cahors"], {"compared_communes": '["Figeac"]'}
    )

    assert outcome.text.startswith("**Figeac ou Cahors ?**")


def test_et_par_rapport_a_adds_a_town_to_the_last_comparison(settings: Settings) -> None:
    outcome = compare(
        "et par rapport à Gramat ?", ["Gramat"], {"compared_communes": '["Figeac", "Cahors"]'}
    )

    assert outcome.text.startswith("**Figeac ou Cahors ou Gramat ?**")


def test_one_town_is_compared_with_the_conversation_s_commune(settings: Settings) -> None:
    outcome = compare(
        "et comparé à Souillac ?", ["Souillac"], {"commune": "46042", "commune_name": "Cahors"}
    )

    assert outcome.text.startswith("**Cahors ou Souillac ?**")


def test_no_town_at_all_asks_which_ones(settings: Settings) -> None:
    outcome = compare("je voudrais comparer deux communes", [])

    assert "Quelles communes voulez-vous comparer" in outcome.text
    assert "compared_communes" not in outcome.slots


def test_four_towns_is_too_many(settings: Settings) -> None:
    outcome = compare("Cahors Figeac Gourdon Souillac", ["Cahors", "Figeac", "Gourdon", "Souillac"])

    assert outcome.text.startswith("Je peux comparer deux ou trois communes à la fois.")


def test_an_unknown_name_offers_the_close_ones(settings: Settings) -> None:
    outcome = compare("Figeac ou saint cirq ?", ["Figeac", "saint cirq"])

    assert outcome.text.startswith("Je ne trouve pas « saint cirq » parmi les communes du Lot.")
    assert "Vouliez-vous dire Saint-Cirq" in outcome.text
    assert '/compare_communes{"commune":"Saint-Cirq-Lapopie"}' in outcome.payloads
    # Clicking the right name compares it with the town that was understood.
    assert remembered(outcome) == ["Figeac"]


def test_a_name_close_to_none_asks_to_check_the_spelling(settings: Settings) -> None:
    outcome = compare("Trifouillis ou Cahors ?", ["Trifouillis", "Cahors"])

    assert outcome.text.startswith("Je ne trouve pas « Trifouillis » parmi les communes du Lot.")
    assert "vérifier l'orthographe" in outcome.text
    assert remembered(outcome) == ["Cahors"]


def test_the_same_commune_twice_asks_for_another(settings: Settings) -> None:
    outcome = compare("Labastide-Murat ou Cœur de Causse ?", ["Labastide-Murat", "Cœur de Causse"])

    assert outcome.text.startswith(
        "Ces deux noms désignent la même commune, Cœur de Causse. "
        "Avec quelle autre commune voulez-vous la comparer ?"
    )
    assert '/compare_communes{"commune":"Cahors"}' in outcome.payloads


def test_api_down_says_so_and_offers_a_referent(api_down: Settings) -> None:
    outcome = compare("Figeac ou Cahors ?", ["Figeac", "Cahors"])

    assert outcome.text.startswith("Désolé, je n'arrive pas à consulter mes informations")
    assert "/request_human" in outcome.payloads
