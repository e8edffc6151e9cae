"""The review inbox pages (/editeurs/relecture): editors, coordinators and admins."""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.accounts.models import User
from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.feedback.models import REASON_LABELS, Reason
from api.knowledge.deps import KnowledgeDep
from api.knowledge.encoder import get_encoder
from api.knowledge.service import KnowledgeService
from api.pages.auth import CsrfProtected, PageError, editor_page_user
from api.pages.render import render_page
from api.pages.templating import environment
from api.review import attach, service
from api.review.models import STATUS_LABELS, GroupStatus
from api.review.similarity import Similarity, place_keys

INBOX_PATH = "/editeurs/relecture"
router = APIRouter(include_in_schema=False)
EditorUser = Annotated[User, Depends(editor_page_user)]

INFO_MESSAGES = {
    "statut": "Le statut du groupe est enregistré.",
    "note": "La note est enregistrée.",
    "rattache": "Les questions ont été ajoutées à la fiche, qui a été validée et rechargée.",
}
_FILTERS = [
    ("todo", "À traiter"),
    ("resolved", "Résolus"),
    ("ignored", "Ignorés"),
    ("tous", "Tous"),
]
_ACTIONS = {
    "created": "Premier signalement",
    "status": "Statut changé",
    "reopened": "Rouvert : la question est revenue après sa résolution",
    "note": "Note modifiée",
    "attached": "Questions ajoutées à une fiche",
}
environment.filters.update(
    group_status=lambda value: STATUS_LABELS.get(value, value),
    reason_label=lambda value: REASON_LABELS.get(Reason(value), value),
    review_action=lambda value: _ACTIONS.get(value, value),
)


def similarity_for(knowledge: KnowledgeService, settings: Settings) -> Similarity:
    territory = knowledge.snapshot.territory
    names = [c.name for c in territory.communes()] + [
        d.name for d in territory.delegated_communes()
    ]
    return Similarity(get_encoder(settings.knowledge_encoder), place_keys(names))


def _back(status: str, info: str, group_id: int | None = None) -> RedirectResponse:
    anchor = f"#groupe-{group_id}" if group_id else ""
    return RedirectResponse(
        f"{INBOX_PATH}?{urlencode({'statut': status, 'info': info})}{anchor}", 303
    )


def _group(db: SessionDep, group_id: int) -> Any:
    try:
        return service.get_group(db, group_id)
    except service.ReviewError as missing:
        raise PageError(404, str(missing)) from None


@router.get(INBOX_PATH)
def inbox_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    user: EditorUser,
    statut: Annotated[str, Query(pattern="^(todo|resolved|ignored|tous)$")] = "todo",
    info: str | None = None,
) -> Response:
    service.sync(db, similarity_for(knowledge, settings))
    wanted = None if statut == "tous" else GroupStatus(statut)
    territory = knowledge.snapshot.territory
    entries = knowledge.snapshot.by_id
    return render_page(
        request,
        "review/relecture.html",
        {
            "groups": service.inbox(db, wanted),
            "status": statut,
            "filters": _FILTERS,
            "statuses": list(STATUS_LABELS.items()),
            "entry_title": lambda entry_id: (
                entries[entry_id].entry.title if entry_id in entries else entry_id
            ),
            "commune_name": lambda insee: c.name if (c := territory.commune(insee)) else insee,
            "entry_choices": sorted(
                ((i, loaded.entry.title) for i, loaded in entries.items()), key=lambda e: e[1]
            ),
        },
        settings,
        user=user,
        info=INFO_MESSAGES.get(info or ""),
    )


@router.post(INBOX_PATH + "/{group_id}/statut", dependencies=[CsrfProtected])
def change_status(
    group_id: int,
    db: SessionDep,
    user: EditorUser,
    statut: Annotated[GroupStatus, Form()],
    retour: Annotated[str, Form(pattern="^(todo|resolved|ignored|tous)$")] = "todo",
) -> Response:
    service.set_status(db, _group(db, group_id), statut, user)
    return _back(retour, "statut", group_id)


@router.post(INBOX_PATH + "/{group_id}/note", dependencies=[CsrfProtected])
def change_note(
    group_id: int,
    db: SessionDep,
    user: EditorUser,
    note: Annotated[str, Form(max_length=service.NOTE_MAX)] = "",
    retour: Annotated[str, Form(pattern="^(todo|resolved|ignored|tous)$")] = "todo",
) -> Response:
    service.set_note(db, _group(db, group_id), note, user)
    return _back(retour, "note", group_id)


def _plan(
    db: SessionDep, settings: Settings, knowledge: KnowledgeService, group: Any, fiche: str
) -> attach.AttachPlan:
    questions = service.group_questions(db, group)
    return attach.plan(knowledge, fiche, questions, allowed=settings.knowledge_writable)


def _attach_page(
    request: Request,
    db: SessionDep,
    settings: Settings,
    knowledge: KnowledgeService,
    user: User,
    group_id: int,
    fiche: str,
    problems: list[str] | None = None,
) -> Response:
    group = _group(db, group_id)
    try:
        plan = _plan(db, settings, knowledge, group, fiche)
    except service.ReviewError as refused:
        raise PageError(404, str(refused)) from None
    return render_page(
        request,
        "review/rattacher.html",
        {
            "group": group,
            "plan": plan,
            "shown_path": plan.path.relative_to(knowledge.directory.parent)
            if plan.path.is_relative_to(knowledge.directory.parent)
            else plan.path,
            "problems": problems or [],
        },
        settings,
        user=user,
        status_code=422 if problems else 200,
    )


@router.get(INBOX_PATH + "/{group_id}/rattacher")
def attach_page(
    request: Request,
    group_id: int,
    db: SessionDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    user: EditorUser,
    fiche: Annotated[str, Query(min_length=1, max_length=100)],
) -> Response:
    return _attach_page(request, db, settings, knowledge, user, group_id, fiche)


@router.post(INBOX_PATH + "/{group_id}/rattacher", dependencies=[CsrfProtected])
def attach_write(
    request: Request,
    group_id: int,
    db: SessionDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    user: EditorUser,
    fiche: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    group = _group(db, group_id)
    try:
        plan = _plan(db, settings, knowledge, group, fiche)
        attach.write(knowledge, plan)
    except attach.AttachRefused as refused:
        base = knowledge.directory.parent
        shown = [f"{p.location(base)} : {p.message} — {p.hint}" for p in refused.problems]
        return _attach_page(request, db, settings, knowledge, user, group_id, fiche, shown)
    except service.ReviewError as refused:
        raise PageError(409, str(refused)) from None
    service.record_attached(db, group, fiche, plan.lines, user)
    return _back("todo", "rattache", group_id)


@router.get("/editeurs/style.css")
def stylesheet() -> FileResponse:
    return FileResponse(Path(__file__).parent / "static" / "backoffice.css", media_type="text/css")
