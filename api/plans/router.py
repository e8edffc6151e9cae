"""Plans: the bot creates, revokes and e-mails them (bot token); the visitor opens the page
at /projet/<token> with no account. A bad, expired or revoked link shows the same French page,
which says nothing about the plan."""

import re
from pathlib import Path
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import FileResponse, Response

from api.core.db import utcnow
from api.deps import BotAuth, SessionDep, SettingsDep
from api.knowledge.deps import KnowledgeDep
from api.notifications.mailer import SEND_ERRORS, mailer_from_settings, send_now
from api.notifications.messages import plan_link_mail
from api.pages.security import BACK_OFFICE_HEADERS, PageArea
from api.pages.templating import templates
from api.plans import service
from api.plans.models import Plan
from api.plans.page import OPENINGS_RADIUS_KM, build_page
from api.plans.schemas import (
    TOKEN_PATTERN,
    PlanCreated,
    PlanIn,
    PlanMailIn,
    PlanMailOut,
    PlanRevoked,
    PlanRevokeIn,
)
from api.territory.service import Territory, get_territory

log = structlog.get_logger(__name__)
router = APIRouter(tags=["plans"])
PLANS_DIR = Path(__file__).resolve().parent
PAGE_PATH = "/projet"
# The token is in the address: no referrer may carry it to the sources' sites, no index keep
# it. Applied by the pages' middleware (api/pages/security.py) to every response under it.
PAGE_HEADERS = {
    **BACK_OFFICE_HEADERS,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
PLANS_AREA = PageArea(paths=frozenset(), prefixes=(PAGE_PATH + "/",), headers=lambda: PAGE_HEADERS)
TerritoryDep = Annotated[Territory, Depends(get_territory)]


def plan_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{PAGE_PATH}/{token}"


@router.post(
    "/v1/plans",
    status_code=status.HTTP_201_CREATED,
    dependencies=[BotAuth],
    response_model=PlanCreated,
)
def create_plan(
    payload: PlanIn, db: SessionDep, settings: SettingsDep, territory: TerritoryDep
) -> PlanCreated:
    try:
        area = service.resolve_area(territory, payload.profile)
    except service.AreaError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    plan, token = service.create_plan(
        db, payload.conversation_id, payload.profile, area, utcnow(), settings.plan_link_days
    )
    log.info("plan.created", plan=plan.id)
    return PlanCreated(
        token=token, url=plan_url(settings.public_base_url, token), expires_at=plan.expires_at
    )


@router.post("/v1/plans/revoke", dependencies=[BotAuth], response_model=PlanRevoked)
def revoke_plans(payload: PlanRevokeIn, db: SessionDep) -> PlanRevoked:
    """ "Oubliez mes informations": every plan of the conversation stops working and is erased."""
    return PlanRevoked(revoked=service.revoke_conversation(db, payload.conversation_id, utcnow()))


@router.post(
    "/v1/plans/email",
    dependencies=[BotAuth],
    response_model=PlanMailOut,
    responses={404: {"description": "No working plan of this conversation with this token."}},
)
def email_plan(payload: PlanMailIn, db: SessionDep, settings: SettingsDep) -> PlanMailOut:
    """Sends the link to the address the visitor typed for it; the address is not stored."""
    now = utcnow()
    try:
        plan = service.live_plan(db, payload.token, now)
    except service.PlanUnavailable:
        plan = None
    if plan is None or plan.conversation_id != payload.conversation_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such working plan.")
    mail = plan_link_mail(
        to=payload.email,
        link=plan_url(settings.public_base_url, payload.token),
        expires_at=plan.expires_at,
    )
    try:
        send_now(mailer_from_settings(settings), mail)
    except SEND_ERRORS as error:
        log.warning("plan.mail_failed", plan=plan.id, error=type(error).__name__)
        return PlanMailOut(sent=False)
    service.record_emailed(db, plan, now)
    return PlanMailOut(sent=True)


@router.get(PAGE_PATH + "/style.css", include_in_schema=False)
def stylesheet() -> FileResponse:
    return FileResponse(PLANS_DIR / "static" / "plan.css", media_type="text/css")


def _unavailable(request: Request, gone: bool) -> Response:
    return templates.TemplateResponse(
        request,
        "plans/plan_unavailable.html",
        {},
        status_code=status.HTTP_410_GONE if gone else status.HTTP_404_NOT_FOUND,
    )


def _plan_or_page(request: Request, db: SessionDep, token: str) -> Plan | Response:
    """The plan of a working link, or the page that says the link leads nowhere."""
    if re.fullmatch(TOKEN_PATTERN, token) is None:
        return _unavailable(request, gone=False)
    try:
        return service.live_plan(db, token, utcnow())
    except service.PlanUnavailable as error:
        return _unavailable(request, error.gone)


@router.get(PAGE_PATH + "/{token}", include_in_schema=False)
def plan_page(
    request: Request,
    token: str,
    db: SessionDep,
    knowledge: KnowledgeDep,
    territory: TerritoryDep,
) -> Response:
    plan = _plan_or_page(request, db, token)
    if isinstance(plan, Response):
        return plan
    page = build_page(plan, knowledge, territory, db)
    return templates.TemplateResponse(
        request,
        "plans/plan.html",
        {"page": page, "token": token, "radius_km": OPENINGS_RADIUS_KM},
    )


@router.post(PAGE_PATH + "/{token}/effacer", include_in_schema=False)
def erase_plan(request: Request, token: str, db: SessionDep) -> Response:
    """The visitor's own button: knowing the link is the right to erase it."""
    plan = _plan_or_page(request, db, token)
    if isinstance(plan, Response):
        return plan
    service.revoke(db, plan, utcnow())
    log.info("plan.erased_by_visitor", plan=plan.id)
    return templates.TemplateResponse(request, "plans/plan_erased.html", {})
