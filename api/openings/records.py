"""What a partner sends, checked and turned into one canonical record.

Two input shapes exist: France Travail's offer objects (`resultats[]` of the Offres d'emploi v2
API, also accepted in JSON files), and the partner template (CSV columns or push-API fields,
described in docs/contracts.md, "Openings"). Every problem is reported in French, for the
partner's staff.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from api.openings.models import Kind
from api.territory.normalize import fold
from api.territory.schemas import Commune
from api.territory.service import Territory
from contract.french import PARIS

MAX_REF = 100
MAX_TITLE = 300
MAX_SHORT_TEXT = 300
MAX_URL = 1000
_ROME_CODE = re.compile(r"^[A-N]\d{4}$")
_INSEE_CODE = re.compile(r"^\d[\dAB]\d{3}$")
_SPACES = re.compile(r"\s+")


class RecordError(Exception):
    """A record that cannot be kept; `reasons` are French sentences for the partner."""

    def __init__(self, reasons: list[str], ref: str | None = None) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.ref = ref


@dataclass(frozen=True)
class OpeningRecord:
    partner_ref: str
    kind: Kind
    title: str
    description: str
    # None: the partner gave no date; the opening then counts from when it was first received.
    created_at: datetime | None
    updated_at: datetime | None
    sector: str | None = None
    employer_or_seller: str | None = None
    contact_org: str | None = None
    commune_insee: str | None = None
    commune_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contract_type: str | None = None
    contract_label: str | None = None
    rome_code: str | None = None
    salary_text: str | None = None
    price_text: str | None = None
    url: str | None = None
    expires_at: datetime | None = None
    # Words indexed with the title (job name variants) but not shown.
    title_keywords: str = ""

    def content_hash(self, is_sample: bool) -> str:
        data = {key: _jsonable(value) for key, value in asdict(self).items()}
        data["is_sample"] = is_sample
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _one_line(value: object) -> str | None:
    text = _clean(value)
    return _SPACES.sub(" ", text) if text else None


# --- communes -------------------------------------------------------------------------------


def commune_from_text(territory: Territory, text: str) -> Commune:
    """A Lot commune from its name or INSEE code (postal codes are not accepted: 46100 is both
    Figeac's postal code and another commune's INSEE code)."""
    if _INSEE_CODE.match(text.strip()):
        by_code = _commune_from_code(territory, text.strip())
        if by_code is not None:
            return by_code
    resolution = territory.lookup(text)
    if resolution.status == "found" and resolution.commune is not None:
        if resolution.via != "postal_code":
            return resolution.commune
        reason = f"« {text} » ressemble à un code postal : indiquez le nom ou le code INSEE"
        raise RecordError([reason])
    if resolution.status == "outside_lot":
        raise RecordError([f"la commune « {text} » n'est pas dans le Lot"])
    names = [commune.name for commune in resolution.alternatives]
    if names:
        hint = " ou ".join(f"« {name} »" for name in names)
        raise RecordError(
            [f"commune « {text} » introuvable dans le Lot (vouliez-vous dire {hint} ?)"]
        )
    raise RecordError(
        [f"commune « {text} » introuvable dans le Lot : indiquez son nom exact ou son code INSEE"]
    )


def _commune_from_code(territory: Territory, code: str) -> Commune | None:
    commune = territory.commune(code)
    if commune is not None:
        return commune
    # Offers still use the code of a commune merged since into a commune nouvelle.
    for former in territory.delegated_communes():
        if former.insee == code:
            return territory.commune(former.commune_insee)
    return None


# --- France Travail shape ---------------------------------------------------------------------


def _ft_date(value: object, field: str, reasons: list[str]) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        reasons.append(f"date « {field} » illisible : « {value} »")
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _nested(item: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = item.get(key)
    return value if isinstance(value, Mapping) else {}


def _ft_place(
    territory: Territory, place: Mapping[str, Any], reasons: list[str]
) -> tuple[Commune | None, str | None, float | None, float | None]:
    """(commune, shown place name, latitude, longitude) of a `lieuTravail`."""
    label = _one_line(place.get("libelle"))
    code = _clean(place.get("commune"))
    commune = _commune_from_code(territory, code) if code else None
    if code and commune is None and not code.startswith("46"):
        reasons.append(f"lieu de travail hors du Lot (commune {code})")
        return None, None, None, None
    if commune is None and label:
        # "46 - CAHORS" names a commune; "46 - Lot" is the whole department.
        department, _, name = label.partition(" - ")
        if name and department.strip() not in ("", "46"):
            reasons.append(f"lieu de travail hors du Lot ({label})")
            return None, None, None, None
        if name and fold(name) != "lot":
            resolution = territory.resolve(name)
            if resolution.status == "found" and resolution.via != "postal_code":
                commune = resolution.commune
    if commune is not None:
        return commune, commune.name, commune.latitude, commune.longitude
    latitude, longitude = place.get("latitude"), place.get("longitude")
    if isinstance(latitude, int | float) and isinstance(longitude, int | float):
        return None, label, float(latitude), float(longitude)
    return None, label, None, None


def record_from_france_travail(item: object, territory: Territory) -> OpeningRecord:
    """An offer object of France Travail's `resultats[]` (Offres d'emploi v2)."""
    if not isinstance(item, Mapping):
        raise RecordError(["une offre doit être un objet JSON"])
    reasons: list[str] = []
    ref = _clean(item.get("id"))
    if ref is None:
        reasons.append("identifiant « id » manquant")
    elif len(ref) > MAX_REF:
        reasons.append(f"identifiant « id » trop long (plus de {MAX_REF} caractères)")
    title = _one_line(item.get("intitule"))
    if title is None:
        reasons.append("intitulé « intitule » manquant")
    created = _ft_date(item.get("dateCreation"), "dateCreation", reasons)
    updated = _ft_date(item.get("dateActualisation"), "dateActualisation", reasons)
    commune, place_name, latitude, longitude = _ft_place(
        territory, _nested(item, "lieuTravail"), reasons
    )
    if reasons or ref is None or title is None:
        raise RecordError(reasons, ref)
    contract = _one_line(item.get("typeContrat"))
    keywords = " ".join(
        text for text in (_one_line(item.get("appellationlibelle")),) if text is not None
    )
    return OpeningRecord(
        partner_ref=ref,
        kind=Kind.JOB,
        title=_truncate(title, MAX_TITLE),
        description=_clean(item.get("description")) or "",
        created_at=created or updated,
        updated_at=updated or created,
        employer_or_seller=_truncate_opt(_one_line(_nested(item, "entreprise").get("nom"))),
        commune_insee=commune.insee if commune else None,
        commune_name=place_name,
        latitude=latitude,
        longitude=longitude,
        contract_type=contract.upper()[:16] if contract else None,
        contract_label=_truncate_opt(_one_line(item.get("typeContratLibelle"))),
        rome_code=_rome_or_none(_clean(item.get("romeCode"))),
        salary_text=_truncate_opt(_one_line(_nested(item, "salaire").get("libelle"))),
        url=_url_or_none(_clean(_nested(item, "origineOffre").get("urlOrigine"))),
        title_keywords=keywords,
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _truncate_opt(text: str | None, limit: int = MAX_SHORT_TEXT) -> str | None:
    return _truncate(text, limit) if text else None


def _rome_or_none(code: str | None) -> str | None:
    return code.upper() if code and _ROME_CODE.match(code.upper()) else None


def _url_or_none(url: str | None) -> str | None:
    if url and url.startswith(("https://", "http://")) and len(url) <= MAX_URL:
        return url
    return None


# --- partner template (CSV columns and push-API fields) ---------------------------------------

REQUIRED_FIELDS = ("reference", "type", "intitule", "description", "commune")
OPTIONAL_FIELDS = (
    "prix_indicatif",
    "date_publication",
    "date_expiration",
    "lien",
    "contact_organisme",
    "employeur",
    "type_contrat",
    "salaire",
    "code_rome",
)
TEMPLATE_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
# type -> (kind, sector)
TYPES: dict[str, tuple[Kind, str | None]] = {
    "commerce": (Kind.BUSINESS_TAKEOVER, "commerce"),
    "artisanat": (Kind.BUSINESS_TAKEOVER, "artisanat"),
    "agricole": (Kind.FARM_TAKEOVER, "agricole"),
    "emploi": (Kind.JOB, None),
}


def field_key(name: str) -> str:
    """Column or field name as the template spells it: `"Intitulé"` -> `"intitule"`."""
    return re.sub(r"[\s\-']+", "_", fold(name.strip().lstrip("\ufeff"))).strip("_")


def _partner_date(value: str, field: str, reasons: list[str]) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    reasons.append(f"{field} « {value} » illisible : écrivez AAAA-MM-JJ (ex. 2026-03-31)")
    return None


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def _short(fields: Mapping[str, str | None], name: str, reasons: list[str]) -> str | None:
    text = _one_line(fields.get(name))
    if text is not None and len(text) > MAX_SHORT_TEXT:
        reasons.append(f"« {name} » trop long (plus de {MAX_SHORT_TEXT} caractères)")
        return None
    return text


def record_from_partner_fields(fields: Mapping[str, Any], territory: Territory) -> OpeningRecord:
    """A CSV row or a push-API item; keys are template field names (see `field_key`)."""
    reasons: list[str] = []
    values = {key: _clean(value) for key, value in fields.items()}
    unknown = sorted(key for key in values if key not in TEMPLATE_FIELDS)
    if unknown:
        names = ", ".join(f"« {key} »" for key in unknown)
        reasons.append(f"champ(s) inconnu(s) : {names} (voir la liste des colonnes du modèle)")
    ref = values.get("reference")
    for name in REQUIRED_FIELDS:
        if values.get(name) is None:
            reasons.append(f"« {name} » manquant")
    if ref is not None and len(ref) > MAX_REF:
        reasons.append(f"« reference » trop longue (plus de {MAX_REF} caractères)")
    kind_sector: tuple[Kind, str | None] | None = None
    raw_type = values.get("type")
    if raw_type is not None:
        kind_sector = TYPES.get(fold(raw_type))
        if kind_sector is None:
            reasons.append(
                f"type « {raw_type} » inconnu : indiquez commerce, artisanat, agricole ou emploi"
            )
    title = _one_line(values.get("intitule"))
    if title is not None and len(title) > MAX_TITLE:
        reasons.append(f"« intitule » trop long (plus de {MAX_TITLE} caractères)")
    commune: Commune | None = None
    if values.get("commune") is not None:
        try:
            commune = commune_from_text(territory, str(values["commune"]))
        except RecordError as error:
            reasons.extend(error.reasons)
    published = expires = None
    if values.get("date_publication"):
        published = _partner_date(str(values["date_publication"]), "date_publication", reasons)
    if values.get("date_expiration"):
        expires = _partner_date(str(values["date_expiration"]), "date_expiration", reasons)
    if published and expires and expires < published:
        reasons.append("date_expiration antérieure à date_publication")
    url = values.get("lien")
    if url is not None and _url_or_none(url) is None:
        reasons.append(f"lien « {url} » invalide : il doit commencer par https:// ou http://")
    rome = values.get("code_rome")
    if rome is not None and _rome_or_none(rome) is None:
        reasons.append(f"code_rome « {rome} » invalide : une lettre et quatre chiffres (ex. J1506)")
    short = {
        name: _short(values, name, reasons)
        for name in ("prix_indicatif", "contact_organisme", "employeur", "salaire")
    }
    contract = _one_line(values.get("type_contrat"))
    if contract is not None and len(contract) > 16:
        reasons.append("« type_contrat » trop long : un code comme CDI, CDD, MIS ou SAI")
    if reasons or kind_sector is None or ref is None or title is None or commune is None:
        raise RecordError(reasons, ref)
    created = _paris_midnight(published) if published else None
    return OpeningRecord(
        partner_ref=ref,
        kind=kind_sector[0],
        sector=kind_sector[1],
        title=title,
        description=str(values["description"]),
        created_at=created,
        updated_at=created,
        employer_or_seller=short["employeur"],
        contact_org=short["contact_organisme"],
        commune_insee=commune.insee,
        commune_name=commune.name,
        latitude=commune.latitude,
        longitude=commune.longitude,
        contract_type=contract.upper() if contract else None,
        rome_code=_rome_or_none(rome),
        salary_text=short["salaire"],
        price_text=short["prix_indicatif"],
        url=url,
        # Shown until the end of that day, Lot time.
        expires_at=_paris_midnight(expires + timedelta(days=1)) if expires else None,
    )
