"""Push API: partners create, update and withdraw their openings with their `X-Partner-Key`."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Response, status
from fastapi.responses import JSONResponse

from api.deps import SessionDep
from api.openings import service as openings
from api.openings.models import Partner
from api.openings.records import MAX_REF, field_key
from api.openings.schemas import OpeningOut
from api.partners import service
from api.partners.schemas import (
    BulkAccepted,
    BulkRejected,
    BulkRequest,
    BulkResponse,
    PushRejected,
    PushResponse,
)
from api.territory.service import Territory, get_territory

router = APIRouter(prefix="/v1/partners/{partner_id}/openings", tags=["partners"])

TerritoryDep = Annotated[Territory, Depends(get_territory)]
RefPath = Annotated[str, Path(min_length=1, max_length=MAX_REF)]


def require_partner(
    partner_id: str,
    session: SessionDep,
    x_partner_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Partner:
    if not x_partner_key:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Missing X-Partner-Key header.")
    partner = service.authenticate(session, partner_id, x_partner_key)
    if partner is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="This key is not a valid key of this partner."
        )
    return partner


PartnerDep = Annotated[Partner, Depends(require_partner)]


@router.put(
    "/{ref}",
    response_model=PushResponse,
    responses={201: {"model": PushResponse}, 422: {"model": PushRejected}},
)
def put_opening(
    ref: RefPath,
    body: Annotated[dict[str, Any], Body()],
    partner: PartnerDep,
    session: SessionDep,
    territory: TerritoryDep,
    response: Response,
) -> PushResponse | JSONResponse:
    """Create or replace one opening; 201 when new, 200 otherwise."""
    given = {field_key(str(name)): value for name, value in body.items()}.get("reference")
    if given is not None and str(given).strip() != ref:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail="The body's reference differs from the one in the URL.",
        )
    item = {name: value for name, value in body.items() if field_key(str(name)) != "reference"}
    outcome = service.push_items(session, territory, partner.id, [{**item, "reference": ref}])
    if outcome.rejected:
        _, rejected_ref, reasons = outcome.rejected[0]
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content=PushRejected(reference=rejected_ref, reasons=reasons).model_dump(),
        )
    _, _, push_status = outcome.accepted[0]
    opening = openings.find_by_ref(session, partner.id, ref)
    assert opening is not None
    if push_status is openings.UpsertStatus.CREATED:
        response.status_code = status.HTTP_201_CREATED
    return PushResponse(
        reference=ref, status=push_status.value, opening=OpeningOut.from_opening(opening)
    )


@router.post(
    "/bulk",
    response_model=BulkResponse,
    responses={422: {"model": BulkResponse, "description": "some items were rejected"}},
)
def bulk_push(
    request: BulkRequest,
    partner: PartnerDep,
    session: SessionDep,
    territory: TerritoryDep,
) -> BulkResponse | JSONResponse:
    """Create or replace many openings; the good ones are saved even when others are rejected
    (the answer is then 422 and lists them under `rejected`)."""
    outcome = service.push_items(session, territory, partner.id, request.items)
    counts = {push_status: 0 for push_status in openings.UpsertStatus}
    for _, _, push_status in outcome.accepted:
        counts[push_status] += 1
    body = BulkResponse(
        created=counts[openings.UpsertStatus.CREATED],
        updated=counts[openings.UpsertStatus.UPDATED],
        unchanged=counts[openings.UpsertStatus.UNCHANGED],
        accepted=[
            BulkAccepted(index=index, reference=ref, status=push_status.value)
            for index, ref, push_status in outcome.accepted
        ],
        rejected=[
            BulkRejected(index=index, reference=ref, reasons=reasons)
            for index, ref, reasons in outcome.rejected
        ],
    )
    if outcome.rejected:
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content=body.model_dump()
        )
    return body


@router.delete("/{ref}", status_code=status.HTTP_204_NO_CONTENT)
def withdraw_opening(ref: RefPath, partner: PartnerDep, session: SessionDep) -> Response:
    """Withdraw an opening (it stops showing at once); 404 when no such live opening."""
    withdrawn = openings.expire_opening(session, partner.id, ref)
    session.commit()
    if not withdrawn:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="No live opening with this reference."
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
