"""action_fallback_ladder: a message the NLU could not place, against the running API."""

from __future__ import annotations

from conftest import answered, make_tracker, run, user

from bot.actions.config import Settings
from bot.actions.fallback import ActionFallbackLadder


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


def test_a_message_no_entry_clearly_answers_gets_the_ladder(settings: Settings) -> None:
    events = [user("nlu_fallback", "bof bof", ranking=[("ask_leisure", 0.2)])]

    outcome = run(ActionFallbackLadder(), make_tracker(events))

    assert outcome.text.startswith("Je ne suis pas sûr d'avoir bien compris.")
    assert "/ask_leisure" in outcome.payloads
