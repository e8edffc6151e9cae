"""The themes of the conversation contract: their codes, intents and French labels."""

from __future__ import annotations

from typing import Literal, get_args

# Also the order of the assistant's help menu and of the pages' theme lists.
Theme = Literal[
    "jobs",
    "business",
    "retraining",
    "schools",
    "housing",
    "health",
    "transport",
    "leisure",
    "living",
]
# Plain strings: codes come from outside (the NLU, files, requests) and are checked with `in`.
THEMES: tuple[str, ...] = get_args(Theme)
# Where the programme's own entries are (the référents accueil, the ambassadors, Oh my
# Lot !): what a visitor asking who can help them is told about.
PROGRAMME_THEME: Theme = "living"
# The NLU intent of each theme: `ask_<theme>` (public: evaluation and analytics use them).
THEME_INTENTS: dict[str, str] = {f"ask_{theme}": theme for theme in THEMES}

# Short, for the chat's buttons (a phone shows a few words per button).
THEME_LABELS: dict[str, str] = {
    "jobs": "Emploi",
    "business": "Créer ou reprendre",
    "retraining": "Formation",
    "schools": "Écoles et crèches",
    "housing": "Logement",
    "health": "Santé",
    "transport": "Transports",
    "leisure": "Loisirs",
    "living": "Vivre dans le Lot",
}
# Whole, for the pages of referents and editors, where a label stands without its chat.
THEME_TITLES: dict[str, str] = {
    "jobs": "Emploi",
    "business": "Créer ou reprendre une activité",
    "retraining": "Formation et reconversion",
    "schools": "Crèches, écoles et études",
    "housing": "Logement",
    "health": "Santé",
    "transport": "Transports",
    "leisure": "Loisirs",
    "living": "Vivre dans le Lot",
}
