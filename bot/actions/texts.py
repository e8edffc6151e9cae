"""The pieces the actions' replies share: buttons, menus, place names, and the replies
more than one action sends (the API out of reach, a place outside the Lot or unknown).

Pure functions only (no HTTP, no tracker). Fixed sentences live in domain.yml
`responses:`; a reply only one action formats lives next to that action.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.actions.api_client import Commune, Resolution

# Re-exported: the actions read the contract's themes from here.
from contract.places import OUTSIDE_LOT_DECLINE
from contract.themes import THEME_INTENTS as THEME_INTENTS
from contract.themes import THEME_LABELS
from contract.themes import THEMES as THEMES

# "ils sont où ?", "y a des prêts pour ça ?": about the last answer, on its theme.
FOLLOW_UP_INTENT = "ask_follow_up"

# "… à Figeac" button titles and search words when the visitor only clicked a button.
THEME_PHRASES = {
    "jobs": "L'emploi",
    "business": "Créer ou reprendre une activité",
    "retraining": "La formation",
    "schools": "Les écoles",
    "housing": "Le logement",
    "health": "La santé",
    "transport": "Les transports",
    "leisure": "Les loisirs",
    "living": "La vie quotidienne",
}

MAIN_TOWNS = ("Cahors", "Figeac", "Gourdon", "Souillac", "Gramat", "Saint-Céré", "Biars-sur-Cère")
RELATED_THEMES = {
    "jobs": ("retraining", "housing"),
    "business": ("jobs", "living"),
    "retraining": ("jobs", "business"),
    "schools": ("housing", "transport"),
    "housing": ("schools", "jobs"),
    "health": ("housing", "living"),
    "transport": ("housing", "schools"),
    "leisure": ("living", "health"),
    "living": ("housing", "jobs"),
}
# Themes whose answers lead on to the partners' openings.
OPENINGS_OF_THEME = {"jobs": "job", "business": "takeover"}
NUMBERS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"}


@dataclass(frozen=True)
class Reply:
    """One bot message: Markdown text and its quick-reply buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def payload(intent: str, **entities: str) -> str:
    """A button payload that Rasa parses without NLU: `/intent{"entity":"value"}`."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    return {"title": title, "payload": payload(intent, **entities)}


def at_place(name: str) -> str:
    """French "à" before a commune name, contracted with its article ("au Vigan-en-Quercy")."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name


def french_duration(days: int) -> str:
    """A retention period as a person says it: 365 -> "un an", 180 -> "six mois"."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return f"{NUMBERS.get(years, str(years))} an{'s' if years > 1 else ''}"
    if days >= 30 and days % 30 == 0:
        return f"{NUMBERS.get(days // 30, str(days // 30))} mois"
    return f"{days} jour{'s' if days > 1 else ''}"


# -- menus ------------------------------------------------------------------------------


def referent_button() -> dict[str, str]:
    return button("Parler à un référent", "request_human")


def menu_button() -> dict[str, str]:
    return button("Voir tous les thèmes", "help")


def theme_buttons(commune_name: str) -> list[dict[str, str]]:
    """The themes there ("Le logement à Figeac"); without a town, domain.yml's menus."""
    return [
        button(f"{THEME_PHRASES[theme]} {at_place(commune_name)}", f"ask_{theme}")
        for theme in THEMES
    ]


def follow_up_buttons(theme: str, commune_name: str | None) -> list[dict[str, str]]:
    related = [
        button(
            f"{THEME_PHRASES[other]} {at_place(commune_name)}"
            if commune_name
            else THEME_LABELS[other],
            f"ask_{other}",
        )
        for other in RELATED_THEMES[theme]
    ]
    openings = [openings_button(OPENINGS_OF_THEME[theme])] if theme in OPENINGS_OF_THEME else []
    return [*openings, *related, referent_button(), menu_button()]


def town_buttons(towns: tuple[str, ...] | list[str] = MAIN_TOWNS) -> list[dict[str, str]]:
    return [
        *(button(town, "inform_commune", commune=town) for town in towns),
        button("Pas encore décidé", "undecided_place"),
    ]


# -- replies of several actions ------------------------------------------------------------


def api_down_reply(theme: str | None) -> Reply:
    buttons = [referent_button()]
    if theme:
        buttons.append(button("Réessayer", f"ask_{theme}"))
    return Reply(
        "Désolé, je n'arrive pas à consulter mes informations pour le moment. "
        "Vous pouvez réessayer dans quelques minutes, ou laisser vos coordonnées "
        "à un référent accueil qui vous répondra.",
        buttons,
    )


def outside_lot_reply(query: str, resolution: Resolution) -> Reply:
    place = resolution.outside_name or query
    where = f" ({resolution.outside_area})" if resolution.outside_area else ""
    return Reply(
        f"{place}{where} {OUTSIDE_LOT_DECLINE} "
        "Voulez-vous regarder du côté de l'une de ces villes ?",
        town_buttons(),
    )


def unknown_place_reply(query: str, alternatives: tuple[Commune, ...]) -> Reply:
    if alternatives:
        return Reply(
            f"Je ne trouve pas « {query} » parmi les communes du Lot. "
            "Vouliez-vous dire l'une de celles-ci ?",
            town_buttons([commune.name for commune in alternatives]),
        )
    return Reply(
        f"Je ne trouve pas « {query} » parmi les communes du Lot. Pouvez-vous vérifier "
        "l'orthographe, ou choisir l'un de ces secteurs ?",
        town_buttons(),
    )


# -- handoff ------------------------------------------------------------------------------


def consent_text(retention_days: int) -> str:
    """What the visitor agrees to; the exact text is stored with the case."""
    return (
        "Un référent accueil fait partie du réseau d'accueil Oh my Lot ! : il accompagne "
        "les personnes qui souhaitent s'installer dans le Lot (emploi, logement, emploi "
        "du conjoint, création ou reprise d'activité…) et les met en relation avec les "
        "bons interlocuteurs.\n\n"
        "Pour qu'il puisse vous recontacter, je lui transmettrai, avec votre accord :\n"
        "- notre conversation ;\n"
        "- votre projet tel que vous me l'avez décrit (commune visée, sujets abordés) et, "
        "si vous m'avez permis de le retenir, votre profil (foyer, scolarité des enfants, "
        "métiers recherchés, logement, calendrier) ;\n"
        "- votre « projet d'installation », si je vous l'ai préparé ;\n"
        "- votre prénom, et l'e-mail ou le numéro de téléphone que je vais vous demander.\n\n"
        "Ces informations seront lues par les référents accueil du territoire choisi "
        "(ou par l'équipe départementale Oh my Lot ! si vous n'avez pas encore choisi), "
        "uniquement pour répondre à votre demande. Elles sont conservées "
        f"{french_duration(retention_days)} au maximum.\n\n"
        "Êtes-vous d'accord ?"
    )


def openings_button(kind: str) -> dict[str, str]:
    title = "Voir les offres d'emploi" if kind == "job" else "Voir les activités à reprendre"
    return button(title, "search_openings", opening_kind=kind)


def as_message(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for `dispatcher.utter_message`."""
    return {"text": reply.text, "buttons": reply.buttons} if reply.buttons else {"text": reply.text}
