"""The referents' dashboard: server-rendered French pages over the handoff services."""

from dataclasses import dataclass
from math import ceil
from typing import Annotated
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.accounts import service as accounts
from api.accounts.dependencies import read_web_session, user_of_session, write_web_session
from api.accounts.models import User
from api.accounts.sessions import WebSession, anonymous_session
from api.accounts.throttle import LoginThrottle
from api.core.config import Settings
from api.core.db import utcnow
from api.deps import SessionDep, SettingsDep
from api.handoffs import live, service
from api.handoffs.dependencies import LiveDep
from api.handoffs.models import Case, CaseStatus, Delivery
from api.handoffs.presenters import plan_out
from api.handoffs.schemas import MAX_TEXT
from api.pages.auth import (
    HOME_PATH,
    LOGIN_PATH,
    CsrfProtected,
    PageError,
    ReferentPageUser,
    safe_next,
)
from api.pages.render import render_page
from api.privacy import service as privacy
from api.territory.service import Territory, get_territory

from .templating import STATIC_DIR, STATUS_LABELS

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Fixed messages chosen by key: nothing typed by anyone travels through the URL.
INFO_MESSAGES = {
    "deconnexion": "Déconnexion effectuée. À bientôt !",
    "prise": "Vous avez pris en charge cette demande.",
    "envoye-chat": "Votre réponse est arrivée dans la conversation de la personne.",
    "envoye-email": (
        "La personne n’était plus dans la conversation, ou celle-ci était injoignable : "
        "votre réponse lui a été envoyée par e-mail."
    ),
    "en-attente": (
        "Votre réponse est enregistrée, mais n’a pas pu être remise pour l’instant. "
        "Elle partira dès que la personne reviendra dans la conversation, "
        "ou quand vous cliquerez sur « Renvoyer les messages en attente »."
    ),
    "renvoye": "Les messages en attente ont été remis.",
    "toujours-en-attente": (
        "Les messages n’ont toujours pas pu être remis. Réessayez un peu plus tard."
    ),
    "note": "Votre note est enregistrée.",
    "cloturee": "La demande est clôturée.",
    "rouverte": "La demande est rouverte et vous l’avez prise en charge.",
    "supprimee": "La demande et toutes ses données ont été supprimées.",
}
_COUNT_LABELS = {
    "new": "Nouvelles",
    "claimed": "Prises en charge",
    "waiting": "En attente de la personne",
    "closed": "Clôturées",
}
_STATUS_OPTIONS = [
    ("", "Ouvertes (nouvelles, prises en charge, en attente)"),
    *((status.value, STATUS_LABELS[status.value]) for status in CaseStatus),
    ("toutes", "Toutes"),
]


def _web_session(request: Request, settings: Settings) -> WebSession:
    return read_web_session(request, settings) or anonymous_session()


def _info(request: Request) -> str | None:
    """The fixed message the page's `info` key names, if any."""
    return INFO_MESSAGES.get(request.query_params.get("info") or "")


def _redirect(path: str, info: str | None = None) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'info': info})}" if info else path, 303)


def _case_path(case: Case) -> str:
    return f"{HOME_PATH}/dossiers/{case.reference}"


def _case_for(db: Session, user: User, reference: str) -> Case:
    try:
        return service.get_visible_case(db, user, reference)
    except service.CaseNotFound:
        raise PageError(
            404, "Cette demande n’existe pas, a été supprimée ou ne relève pas de vos équipes."
        ) from None


def _team_name(territory: Territory, team_id: str) -> str:
    team = territory.team(team_id)
    return team.name if team is not None else team_id


def _commune_name(territory: Territory, insee: str | None) -> str | None:
    commune = territory.commune(insee) if insee else None
    return commune.name if commune is not None else None


# --- Login -------------------------------------------------------------------------------


@router.get(LOGIN_PATH)
def login_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    suivant: str | None = None,
) -> Response:
    web_session = _web_session(request, settings)
    user = user_of_session(db, web_session)
    if user is not None:
        return _redirect(safe_next(suivant) or _home_of(user))
    return render_page(
        request,
        "dashboard/login.html",
        {"error": None, "email": "", "next_path": safe_next(suivant) or ""},
        settings,
        user=None,
        info=_info(request),
        web_session=web_session,
    )


def _home_of(user: User) -> str:
    return HOME_PATH if accounts.can_handle_cases(user) else "/editeurs"


@router.post(LOGIN_PATH, dependencies=[CsrfProtected])
def login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    suivant: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    web_session = _web_session(request, settings)
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"

    def login_again(error: str, status_code: int) -> Response:
        context = {"error": error, "email": email, "next_path": safe_next(suivant) or ""}
        return render_page(
            request,
            "dashboard/login.html",
            context,
            settings,
            user=None,
            info=_info(request),
            web_session=web_session,
            status_code=status_code,
        )

    verdict = throttle.check(email, address)
    if not verdict.allowed:
        log.warning("auth.login_throttled")
        minutes = ceil(verdict.retry_after_s / 60)
        response = login_again(
            "Trop de tentatives de connexion en peu de temps. Pour protéger les comptes, "
            f"patientez {minutes} minute{'s' if minutes > 1 else ''} avant de réessayer.",
            429,
        )
        response.headers["Retry-After"] = str(verdict.retry_after_s)
        return response
    user = accounts.authenticate(db, email, password)
    if user is None:
        throttle.failed(email, address)
        log.info("auth.login_failed")
        return login_again(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez-les et réessayez.", 401
        )
    throttle.succeeded(email)
    log.info("auth.login", user_id=user.id)
    response = _redirect(safe_next(suivant) or _home_of(user))
    write_web_session(
        response,
        web_session.logged_in(user.id, accounts.session_fingerprint(user)),
        settings,
    )
    return response


@router.post("/deconnexion", dependencies=[CsrfProtected])
def logout(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    web_session = _web_session(request, settings)
    user = user_of_session(db, web_session)
    if user is not None:
        # The cookie may have been copied: ending the account's sessions makes any copy useless.
        accounts.end_all_sessions(db, user)
        log.info("auth.logout", user_id=user.id)
    response = _redirect(LOGIN_PATH, "deconnexion")
    write_web_session(response, web_session.logged_out(), settings)
    return response


# --- Queue -------------------------------------------------------------------------------


@router.get(HOME_PATH)
def queue(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: ReferentPageUser,
    statut: Annotated[str, Query(max_length=20)] = "",
    equipe: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    territory = get_territory()
    status = statut if statut in STATUS_LABELS or statut == "toutes" else ""
    visible = accounts.visible_team_ids(user)
    team_options = [team for team in territory.teams() if visible is None or team.id in visible]
    team_id = equipe if any(team.id == equipe for team in team_options) else ""
    total, cases = service.list_cases(
        db,
        user,
        status=status if status in STATUS_LABELS else None,
        open_only=status == "",
        team_id=team_id or None,
        text=q or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pending = service.pending_counts(db, [case.id for case in cases])
    counts = service.count_by_status(db, user, team_id or None)

    def url(**changes: str | int) -> str:
        params = {"statut": status, "equipe": team_id, "q": q, **changes}
        kept = {key: value for key, value in params.items() if value not in ("", 1)}
        return f"{HOME_PATH}?{urlencode(kept)}" if kept else HOME_PATH

    pages = max(1, ceil(total / PAGE_SIZE))
    return render_page(
        request,
        "dashboard/queue.html",
        {
            "counts": [
                {
                    "label": label,
                    "count": counts[key],
                    "url": url(statut=key, page=1),
                    "current": status == key,
                }
                for key, label in _COUNT_LABELS.items()
            ],
            "status_options": _STATUS_OPTIONS,
            "status": status,
            "team_options": team_options,
            "team_id": team_id,
            "q": q,
            "total": total,
            "rows": [
                {
                    "case": case,
                    "pending": pending.get(case.id, 0),
                    "team_name": _team_name(territory, case.team_id),
                    "commune_name": _commune_name(territory, case.commune_insee),
                }
                for case in cases
            ],
            "ratings": [
                {"team_name": _team_name(territory, team), "count": count, "average": average}
                for team, count, average in service.satisfaction_by_team(db, user)
            ],
            "page": page,
            "previous_url": url(page=page - 1) if page > 1 else None,
            "next_url": url(page=page + 1) if page < pages else None,
        },
        settings,
        user=user,
        info=_info(request),
    )


# --- One case ----------------------------------------------------------------------------


@router.get(HOME_PATH + "/dossiers/{reference}")
def case_page(
    request: Request,
    reference: str,
    db: SessionDep,
    settings: SettingsDep,
    user: ReferentPageUser,
    context: LiveDep,
) -> Response:
    case = _case_for(db, user, reference)
    live.sync_waiting_turns(db, context, case)
    return _render_case(request, db, settings, user, case)


@dataclass(frozen=True)
class FormProblem:
    """A form of the case page shown again, with what was typed and what to fix."""

    field: str  # "reply" or "note"
    text: str
    message: str


def _render_case(
    request: Request,
    db: Session,
    settings: Settings,
    user: User,
    case: Case,
    problem: FormProblem | None = None,
) -> Response:
    territory = get_territory()
    now = utcnow()
    return render_page(
        request,
        "dashboard/case.html",
        {
            "case": case,
            "team_name": _team_name(territory, case.team_id),
            "commune_name": _commune_name(territory, case.commune_insee),
            "visitor_present": service.visitor_is_present(
                case, now, settings.visitor_presence_minutes
            ),
            "presence_minutes": settings.visitor_presence_minutes,
            "refresh_ms": round(settings.dashboard_refresh_seconds * 1000),
            "last_activity": case.last_visitor_activity_at or case.created_at,
            "pending_count": len(service.pending_messages(case)),
            "max_text": MAX_TEXT,
            "problem": problem,
            "plan_view": plan_out(case.plan, territory, now) if case.plan is not None else None,
        },
        settings,
        user=user,
        info=_info(request),
        status_code=422 if problem is not None else 200,
    )


def _form_text(raw: str, field: str, empty_message: str) -> str | FormProblem:
    """The text as the referent meant it: a browser sends each line break as CRLF, two
    characters, where `maxlength` counted one; they are counted as one here too."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return FormProblem(field, "", empty_message)
    if len(text) > MAX_TEXT:
        return FormProblem(
            field,
            text,
            f"Ce texte compte {len(text)} caractères : raccourcissez-le à {MAX_TEXT} "
            "caractères au plus (ou envoyez-le en plusieurs fois).",
        )
    return text


def _transition_refused(error: service.TransitionError) -> PageError:
    messages = {
        "a closed case must be reopened first": "Cette demande est clôturée : rouvrez-la d’abord.",
        "a closed case must be reopened before replying": (
            "Cette demande est clôturée : rouvrez-la pour répondre."
        ),
        "the case is already closed": "Cette demande est déjà clôturée.",
        "only a closed case can be reopened": "Cette demande est déjà ouverte.",
    }
    return PageError(409, messages.get(str(error), "Cette action n’est plus possible."))


@router.post(HOME_PATH + "/dossiers/{reference}/prendre", dependencies=[CsrfProtected])
def claim(reference: str, db: SessionDep, user: ReferentPageUser, context: LiveDep) -> Response:
    case = _case_for(db, user, reference)
    try:
        live.claim(db, context, case, user, utcnow())
    except service.TransitionError as error:
        raise _transition_refused(error) from None
    return _redirect(_case_path(case), "prise")


_DELIVERY_INFO = {
    Delivery.CHAT: "envoye-chat",
    Delivery.EMAIL: "envoye-email",
    Delivery.PENDING: "en-attente",
}


@router.post(HOME_PATH + "/dossiers/{reference}/repondre", dependencies=[CsrfProtected])
def reply(
    request: Request,
    reference: str,
    db: SessionDep,
    settings: SettingsDep,
    user: ReferentPageUser,
    context: LiveDep,
    texte: Annotated[str, Form()] = "",
) -> Response:
    case = _case_for(db, user, reference)
    text = _form_text(
        texte, "reply", "Votre réponse est vide : écrivez un message avant de l’envoyer."
    )
    if isinstance(text, FormProblem):
        return _render_case(request, db, settings, user, case, text)
    try:
        message = live.reply(db, context, case, user, text, utcnow())
    except service.TransitionError as error:
        raise _transition_refused(error) from None
    return _redirect(_case_path(case), _DELIVERY_INFO[Delivery(message.delivered_via)])


@router.post(HOME_PATH + "/dossiers/{reference}/renvoyer", dependencies=[CsrfProtected])
def deliver_pending(
    reference: str, db: SessionDep, user: ReferentPageUser, context: LiveDep
) -> Response:
    case = _case_for(db, user, reference)
    live.deliver_pending(db, context, case, utcnow())
    still_pending = bool(service.pending_messages(case))
    return _redirect(_case_path(case), "toujours-en-attente" if still_pending else "renvoye")


@router.post(HOME_PATH + "/dossiers/{reference}/note", dependencies=[CsrfProtected])
def add_note(
    request: Request,
    reference: str,
    db: SessionDep,
    settings: SettingsDep,
    user: ReferentPageUser,
    texte: Annotated[str, Form()] = "",
) -> Response:
    case = _case_for(db, user, reference)
    text = _form_text(
        texte, "note", "La note est vide : écrivez quelque chose avant de l’enregistrer."
    )
    if isinstance(text, FormProblem):
        return _render_case(request, db, settings, user, case, text)
    service.add_note(db, case, user, text, utcnow())
    return _redirect(_case_path(case), "note")


@router.post(HOME_PATH + "/dossiers/{reference}/cloturer", dependencies=[CsrfProtected])
def close(reference: str, db: SessionDep, user: ReferentPageUser, context: LiveDep) -> Response:
    case = _case_for(db, user, reference)
    try:
        live.close(db, context, case, user, utcnow())
    except service.TransitionError as error:
        raise _transition_refused(error) from None
    return _redirect(_case_path(case), "cloturee")


@router.post(HOME_PATH + "/dossiers/{reference}/rouvrir", dependencies=[CsrfProtected])
def reopen(reference: str, db: SessionDep, user: ReferentPageUser, context: LiveDep) -> Response:
    case = _case_for(db, user, reference)
    try:
        live.reopen(db, context, case, user, utcnow())
    except service.TransitionError as error:
        raise _transition_refused(error) from None
    return _redirect(_case_path(case), "rouverte")


@router.get(HOME_PATH + "/dossiers/{reference}/export")
def export(reference: str, db: SessionDep, user: ReferentPageUser) -> Response:
    case = _case_for(db, user, reference)
    data = privacy.export_case(db, case, get_territory(), utcnow(), actor=user)
    return Response(
        data.model_dump_json(indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="demande-{case.reference}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post(HOME_PATH + "/dossiers/{reference}/supprimer", dependencies=[CsrfProtected])
def delete(
    reference: str,
    db: SessionDep,
    settings: SettingsDep,
    user: ReferentPageUser,
    confirmer: Annotated[str, Form()] = "",
) -> Response:
    case = _case_for(db, user, reference)
    if confirmer != "oui":
        raise PageError(400, "Cochez la case de confirmation pour supprimer la demande.")
    privacy.delete_case(
        db, case, utcnow(), tracker_store_url=settings.tracker_store_url, actor=user
    )
    return _redirect(HOME_PATH, "supprimee")


@router.get(HOME_PATH + "/style.css")
def stylesheet() -> FileResponse:
    return FileResponse(STATIC_DIR / "style.css", media_type="text/css")


@router.get(HOME_PATH + "/live.js")
def live_script() -> FileResponse:
    return FileResponse(STATIC_DIR / "live.js", media_type="text/javascript")
