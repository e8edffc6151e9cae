"""Jinja2 set-up of the dashboard: autoescaping everywhere and French labels for the data."""

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.core.config import get_settings
from contract.themes import THEME_TITLES

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
# Referents work on French time whatever the server's zone.
PARIS = ZoneInfo("Europe/Paris")

STATUS_LABELS = {
    "new": "Nouvelle",
    "claimed": "Prise en charge",
    "waiting": "En attente de la personne",
    "closed": "Clôturée",
}
DELIVERY_LABELS = {
    "chat": "Remis dans la conversation",
    "email": "Envoyé par e-mail",
    "pending": "En attente d’envoi",
}
PROFILE_LABELS = {
    "commune": "Commune visée",
    "theme": "Thème",
    "themes": "Thèmes",
    "job": "Métier",
    "sector": "Secteur d’activité",
    "school_level": "Scolarité",
    "housing_kind": "Logement recherché",
    "household": "Foyer",
    "timeline": "Échéance",
}


def date_fr(value: datetime | str | None) -> str:
    """Also takes the ISO strings of the transcript; an unreadable one is shown as is."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    elif value is None:
        return ""
    else:
        moment = value
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")


def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def profile_label(key: str) -> str:
    return PROFILE_LABELS.get(key, key.replace("_", " ").capitalize())


def profile_value(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(profile_value(item) for item in value)
    if value is None:
        return "non précisé"
    return THEME_TITLES.get(str(value), str(value))


def _environment() -> Environment:
    # autoescape=True for every template: visitors' words are untrusted input.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=StrictUndefined
    )
    env.filters.update(
        date_fr=date_fr,
        iso=iso,
        status_label=lambda status: STATUS_LABELS.get(status, status),
        delivery_label=lambda via: DELIVERY_LABELS.get(via, via),
        profile_label=profile_label,
        profile_value=profile_value,
    )
    # Without SMTP the mails go to the API's log: referents must know nothing left by e-mail.
    env.globals["mail_is_sent"] = lambda: get_settings().smtp_host is not None
    return env


templates = Jinja2Templates(env=_environment())
