from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.feedback.models import COMMENT_MAX, QUESTION_MAX, Rating, Reason


class FeedbackIn(BaseModel):
    """A visitor's rating of one answer; `signature` comes with the answer (docs/contracts.md)."""

    model_config = ConfigDict(extra="forbid")

    entry_id: str = Field(min_length=1, max_length=100)
    question: str = Field(min_length=1, max_length=QUESTION_MAX)
    theme: str | None = Field(default=None, max_length=32, pattern=r"^[a-z_]+$")
    commune: str | None = Field(default=None, pattern=r"^\d[\dAB]\d{3}$")
    signature: str = Field(pattern=r"^[0-9a-f]{64}$")
    rating: Rating
    reason: Reason | None = None
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)

    @field_validator("comment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _reason_only_when_down(self) -> "FeedbackIn":
        if self.rating == Rating.UP and (self.reason is not None or self.comment is not None):
            raise ValueError("a reason or a comment goes with a 'down' rating only")
        return self


class FeedbackOut(BaseModel):
    """What was stored: the question and comment without e-mail addresses or phone numbers."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    entry_id: str
    question: str
    theme: str | None
    commune_insee: str | None
    rating: Rating
    reason: Reason | None
    comment: str | None
    created_at: datetime
    updated_at: datetime
