"""Privacy requests through the referent API: export a case, delete a case (both audited)."""

from fastapi import APIRouter, HTTPException, Response, status

from api.accounts.dependencies import ApiUser
from api.core.db import utcnow
from api.deps import SessionDep, SettingsDep
from api.handoffs.service import CaseNotFound, get_visible_case
from api.privacy import service
from api.privacy.schemas import CaseExport
from api.territory.service import get_territory

router = APIRouter(tags=["privacy"])


@router.get("/v1/cases/{reference}/export")
def export_case(reference: str, db: SessionDep, user: ApiUser) -> CaseExport:
    """Everything held about the visitor in this case, for a right-of-access request."""
    try:
        case = get_visible_case(db, user, reference)
    except CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such case.") from None
    return service.export_case(db, case, get_territory(), utcnow(), actor=user)


@router.delete("/v1/cases/{reference}", status_code=status.HTTP_204_NO_CONTENT)
def delete_case(reference: str, db: SessionDep, user: ApiUser, settings: SettingsDep) -> Response:
    try:
        case = get_visible_case(db, user, reference)
    except CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such case.") from None
    service.delete_case(
        db, case, utcnow(), tracker_store_url=settings.tracker_store_url, actor=user
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
