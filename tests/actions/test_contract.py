"""The contract shared by the bot and the API (contract/) agrees with the bot's domain."""

from __future__ import annotations

from typing import Any

from contract.themes import THEME_INTENTS, THEME_LABELS, THEME_TITLES, THEMES


def _intents(domain: dict[str, Any]) -> set[str]:
    return {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}


def test_every_theme_intent_is_in_the_domain(domain: dict[str, Any]) -> None:
    assert set(THEME_INTENTS) - _intents(domain) == set()


def test_every_theme_has_a_button_label_and_a_page_title() -> None:
    assert set(THEME_LABELS) == set(THEME_TITLES) == set(THEMES)
    assert sorted(THEME_INTENTS.values()) == sorted(THEMES)

