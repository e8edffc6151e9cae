"""Bodies of the plan API (bot side): the profile the visitor gave, and the link returned."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from api.handoffs.schemas import validate_email
from api.openings.models import Kind
from contract.profile import SchoolLevel

Tenure = Literal["rent", "buy"]
HousingKind = Literal["house", "flat"]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ConversationId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
]
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # noqa: S105  (a format, not a secret)
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]


def _required_email(value: str) -> str:
    checked = validate_email(value)
    if checked is None:
        raise ValueError("an e-mail address is required")
    return checked


class _Strict(BaseModel):
    # A field the API does not know is refused: the plan holds what the visitor gave, no more.
    model_config = ConfigDict(extra="forbid")


class AdultIn(_Strict):
    trade: Label | None = None
    sector: Label | None = None
    looking_for: Annotated[list[Kind], Field(min_length=1, max_length=3)] = [Kind.JOB]

    @model_validator(mode="after")
    def _something_sought(self) -> "AdultIn":
        if self.trade is None and self.sector is None and Kind.JOB in self.looking_for:
            raise ValueError("an adult looking for a job needs a trade or a sector")
        return self


class ChildIn(_Strict):
    level: SchoolLevel


class HouseholdIn(_Strict):
    adults: Annotated[list[AdultIn], Field(max_length=4)] = []
    children: Annotated[list[ChildIn], Field(max_length=8)] = []


class HousingIn(_Strict):
    tenure: Tenure | None = None
    kind: HousingKind | None = None


class AreaIn(_Strict):
    """Communes in view (names or INSEE codes), or a communauté (name or SIREN); neither:
    undecided."""

    communes: Annotated[list[Label], Field(max_length=3)] = []
    communaute: Label | None = None


class PlanProfile(_Strict):
    household: HouseholdIn = HouseholdIn()
    housing: HousingIn = HousingIn()
    area: AreaIn = AreaIn()
    timeline: Label | None = None


class PlanIn(_Strict):
    conversation_id: ConversationId
    profile: PlanProfile


class PlanCreated(BaseModel):
    token: str
    url: str
    expires_at: datetime


class PlanRevokeIn(_Strict):
    conversation_id: ConversationId


class PlanRevoked(BaseModel):
    revoked: int


class PlanMailIn(_Strict):
    conversation_id: ConversationId
    token: Token
    email: Annotated[str, AfterValidator(_required_email)]


class PlanMailOut(BaseModel):
    sent: bool
