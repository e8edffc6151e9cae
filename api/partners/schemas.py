"""Push API bodies and answers (docs/contracts.md, "Openings", describes them for partners)."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.openings.schemas import OpeningOut

MAX_BULK_ITEMS = 1000
PushStatus = Literal["created", "updated", "unchanged"]


class PushResponse(BaseModel):
    reference: str
    status: PushStatus
    opening: OpeningOut


class PushRejected(BaseModel):
    """One opening refused; `reasons` are French sentences for the partner's staff."""

    reference: str | None
    reasons: list[str]


class BulkRequest(BaseModel):
    items: list[dict[str, Any]] = Field(max_length=MAX_BULK_ITEMS)


class BulkAccepted(BaseModel):
    index: int
    reference: str
    status: PushStatus


class BulkRejected(BaseModel):
    index: int
    reference: str | None
    reasons: list[str]


class BulkResponse(BaseModel):
    created: int
    updated: int
    unchanged: int
    accepted: list[BulkAccepted]
    rejected: list[BulkRejected]
