"""The contract shared by the bot and the API (contract/) agrees with the bot's domain."""

from __future__ import annotations

from typing import Any

from contract.rasa import EXTERNAL_INTENT_PREFIX, EXTERNAL_INTENTS, is_external, trigger_intent
from contract.themes import THEME_INTENTS, THEME_LABELS, THEME_TITLES, THEMES


def _intents(domain: dict[str, Any]) -> set[str]:
    return {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}


def test_every_theme_intent_and_external_intent_is_in_the_domain(
    domain: dict[str, Any],
) -> None:
    missing = (set(THEME_INTENTS) | set(EXTERNAL_INTENTS)) - _intents(domain)
    assert missing == set()
    assert all(intent.startswith(EXTERNAL_INTENT_PREFIX) for intent in EXTERNAL_INTENTS)


def test_every_theme_has_a_button_label_and_a_page_title() -> None:
    assert set(THEME_LABELS) == set(THEME_TITLES) == set(THEMES)
    assert sorted(THEME_INTENTS.values()) == sorted(THEMES)


def test_a_conversation_id_is_quoted_in_the_trigger_intent_path() -> None:
    request = trigger_intent("a/b c", "EXTERNAL_handoff_closed", {"referent_team": "É"}, "t")

    assert request.path == "/conversations/a%2Fb%20c/trigger_intent"
    assert request.params == {"output_channel": "latest", "token": "t"}
    assert request.body == {"name": "EXTERNAL_handoff_closed", "entities": {"referent_team": "É"}}


def test_a_message_made_of_trigger_intent_is_told_from_a_visitor_message() -> None:
    assert is_external({"text": "EXTERNAL: EXTERNAL_handoff_closed"})
    assert is_external({"text": "…", "metadata": {"is_external": True}})
    assert is_external({"text": "…", "parse_data": {"metadata": {"is_external": True}}})
    assert not is_external({"text": "Bonjour", "metadata": {}})
    assert not is_external(None)


def test_the_theme_menus_of_the_domain_use_the_contracts_labels(
    domain: dict[str, Any],
) -> None:
    for name in ("utter_help", "utter_undecided_without_theme", "utter_rephrase_or_pick_theme"):
        buttons = domain["responses"][name][0]["buttons"]
        themes = [b for b in buttons if b["payload"].removeprefix("/") in THEME_INTENTS]

        assert [(b["title"], b["payload"]) for b in themes] == [
            (THEME_LABELS[theme], f"/ask_{theme}") for theme in THEMES
        ], name
