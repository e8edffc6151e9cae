"""action_out_of_scope and action_help: their reply, or the entry clearly about a message
the NLU misread as out of scope (in a conversation on a theme, with a theme read next) or
as asking for the menu (unsure)."""

from __future__ import annotations

from typing import Any

from conftest import answered, make_tracker, run, user

from bot.actions.misread import ActionHelp, ActionOutOfScope
from tests.fakes.api import FakeApi, entry

VET = "et un véto pour le chien ?"


def _vet_turn(ranking: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [
        *answered(user("ask_living", "c'est comment la vie à Gramat ?", {"commune": "Gramat"})),
        user("out_of_scope", VET, ranking=ranking),
    ]


def _vets_are_clear(api: FakeApi) -> None:
    api.answer(
        lambda search: search.confident_only and search.theme == "living",
        entry("vivre-veterinaires", "Réponse de test sur les vétérinaires."),
    )


def test_an_out_of_scope_reading_in_a_conversation_is_answered_by_the_entry_on_its_theme(
    api: FakeApi,
) -> None:
    _vets_are_clear(api)
    events = _vet_turn([("out_of_scope", 0.7), ("ask_living", 0.2)])

    outcome = run(ActionOutOfScope(api), make_tracker(events, {"last_theme": "living"}))

    assert outcome.text.startswith("Réponse de test sur les vétérinaires.")
    assert [(s.query, s.theme) for s in api.knowledge_searches] == [(VET, "living")]


def test_a_first_message_read_out_of_scope_gets_the_out_of_scope_reply(api: FakeApi) -> None:
    _vets_are_clear(api)
    events = [user("out_of_scope", VET, ranking=[("out_of_scope", 0.7), ("ask_living", 0.2)])]

    outcome = run(ActionOutOfScope(api), make_tracker(events))

    assert outcome.text.startswith("Je ne sais pas répondre à cela")
    assert api.knowledge_searches == []


def test_an_unsure_next_reading_gets_the_out_of_scope_reply(api: FakeApi) -> None:
    _vets_are_clear(api)
    events = _vet_turn([("out_of_scope", 0.85), ("ask_living", 0.1)])

    outcome = run(ActionOutOfScope(api), make_tracker(events, {"last_theme": "living"}))

    assert outcome.text.startswith("Je ne sais pas répondre à cela")
    assert api.knowledge_searches == []


def test_no_entry_clearly_about_it_gets_the_out_of_scope_reply(api: FakeApi) -> None:
    events = _vet_turn([("out_of_scope", 0.6), ("ask_living", 0.3)])

    outcome = run(ActionOutOfScope(api), make_tracker(events, {"last_theme": "living"}))

    assert outcome.text.startswith("Je ne sais pas répondre à cela")
    assert len(api.knowledge_searches) == 1


FASTT = "le fastt ca aide a quoi exactement ?"
MENU = "Voici les sujets sur lesquels je peux vous renseigner."


def _fastt_is_clear(api: FakeApi) -> None:
    api.answer(
        lambda search: search.confident_only and search.query == FASTT,
        entry("emploi-interim", "Réponse de test sur l'intérim."),
    )


def test_a_question_the_nlu_was_unsure_asked_for_the_menu_gets_the_entry_clearly_about_it(
    api: FakeApi,
) -> None:
    _fastt_is_clear(api)
    ranking = [("help", 0.82), ("ask_follow_up", 0.1)]
    events = [user("help", FASTT, ranking=ranking, confidence=0.82)]

    outcome = run(ActionHelp(api), make_tracker(events))

    assert outcome.text.startswith("Réponse de test sur l'intérim.")
    assert [(s.query, s.theme) for s in api.knowledge_searches] == [(FASTT, None)]


def test_a_sure_request_for_the_menu_gets_the_menu(api: FakeApi) -> None:
    _fastt_is_clear(api)

    outcome = run(ActionHelp(api), make_tracker([user("help", FASTT)]))

    assert outcome.text.startswith(MENU)
    assert api.knowledge_searches == []


def test_the_menu_button_gets_the_menu(api: FakeApi) -> None:
    outcome = run(ActionHelp(api), make_tracker([user("help")]))

    assert outcome.text.startswith(MENU)
    assert api.knowledge_searches == []
