"""French labels of the dashboard's data, as filters of the pages' environment."""

from pathlib import Path
from typing import Any

from api.pages.templating import environment
from contract.themes import THEME_TITLES

STATIC_DIR = Path(__file__).parent / "static"

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
    # The light profile the visitor let the assistant keep (bot/actions/handoff.py).
    "children": "Enfants (scolarité)",
    "trade": "Métier ou secteur recherché",
    "partner_trade": "Métier ou secteur du conjoint ou de la conjointe",
    "housing": "Logement souhaité",
    "area": "Secteur envisagé",
}


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


environment.filters.update(
    status_label=lambda status: STATUS_LABELS.get(status, status),
    delivery_label=lambda via: DELIVERY_LABELS.get(via, via),
    profile_label=profile_label,
    profile_value=profile_value,
)
