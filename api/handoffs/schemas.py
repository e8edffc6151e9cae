"""Request and response bodies of the handoff API (bot side) and of the referent API."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

# Good enough to refuse typos; real deliverability is proven by the reply e-mail.
_EMAIL_RE = re.compile(r"^[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+$")
_PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,25}$")
_INSEE_RE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")

MAX_TRANSCRIPT_TURNS = 400
MAX_TEXT = 5000


def validate_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > 254 or not _EMAIL_RE.match(value):
        raise ValueError("not a valid e-mail address")
    return value


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise ValueError("not a valid phone number")
    return value


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4000)]
    given_at: AwareDatetime


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: ShortText
    email: Annotated[str | None, AfterValidator(validate_email)] = None
    phone: Annotated[str | None, AfterValidator(_phone)] = None


class TranscriptTurn(BaseModel):
    role: Literal["visitor", "bot"]
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)]
    at: AwareDatetime | None = None


class HandoffIn(BaseModel):
    """Body of POST /v1/handoffs, sent by the action server once the visitor consented."""

    idempotency_key: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=8, max_length=128)
    ]
    conversation_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    consent: ConsentIn
    contact: ContactIn
    commune: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict)
    transcript: list[TranscriptTurn] = Field(default_factory=list, max_length=MAX_TRANSCRIPT_TURNS)

    @field_validator("consent", mode="before")
    @classmethod
    def _consent_given(cls, value: Any) -> Any:
        # The visitor's explicit consent is the legal basis of the case: no consent, no case.
        if value is None or value is False:
            raise ValueError("the visitor's consent is required")
        return value

    @field_validator("commune")
    @classmethod
    def _insee(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().upper()
        if not _INSEE_RE.match(value):
            raise ValueError("commune must be an INSEE code (5 characters) or null")
        return value

    @field_validator("profile")
    @classmethod
    def _small_profile(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 50 or len(repr(value)) > 20_000:
            raise ValueError("profile is too large")
        return value


class TeamOut(BaseModel):
    id: str
    name: str


class HandoffOut(BaseModel):
    reference: str
    status: str
    team: TeamOut
    expected_reply: str


class VisitorMessageIn(BaseModel):
    conversation_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    text: MessageText


class ClosedCaseRef(BaseModel):
    """A case of this conversation, named by the reference the bot was given."""

    conversation_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class SatisfactionIn(ClosedCaseRef):
    score: Annotated[int | None, Field(ge=1, le=5)] = None
    comment: Annotated[
        str | None, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
    ] = None


class TranscriptMailOut(BaseModel):
    reference: str
    sent: bool


class VisitorMessageOut(BaseModel):
    reference: str
    message_id: int


class UserOut(BaseModel):
    id: int
    display_name: str


class MessageOut(BaseModel):
    id: int
    direction: str
    author: UserOut | None
    text: str
    created_at: datetime
    delivered_via: str
    delivered_at: datetime | None


class NoteOut(BaseModel):
    id: int
    author: UserOut | None
    text: str
    created_at: datetime


class ContactOut(BaseModel):
    first_name: str
    email: str | None
    phone: str | None


class CaseSummary(BaseModel):
    reference: str
    status: str
    team: TeamOut
    commune_insee: str | None
    commune_name: str | None
    first_name: str
    claimed_by: UserOut | None
    created_at: datetime
    updated_at: datetime
    last_visitor_activity_at: datetime | None
    pending_messages: int


class PlanLine(BaseModel):
    label: str
    value: str


class CasePlanOut(BaseModel):
    """The visitor's plan as the referent sees it: what they gave, and whether it still works."""

    status: Literal["active", "expired", "erased"]
    created_at: datetime
    expires_at: datetime
    lines: list[PlanLine]


class CaseDetail(CaseSummary):
    contact: ContactOut
    consent_text: str
    consent_given_at: datetime
    profile: dict[str, Any]
    transcript: list[dict[str, Any]]
    messages: list[MessageOut]
    notes: list[NoteOut]
    claimed_at: datetime | None
    closed_at: datetime | None
    opened_out_of_hours: bool
    team_back_at: datetime | None
    satisfaction_score: int | None
    satisfaction_comment: str | None
    transcript_emailed_at: datetime | None
    plan: CasePlanOut | None = None


class CaseList(BaseModel):
    total: int
    cases: list[CaseSummary]


class StatusCounts(BaseModel):
    new: int
    claimed: int
    waiting: int
    closed: int


class TextIn(BaseModel):
    text: MessageText
