from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.unanswered.models import TEXT_MAX


class UnansweredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=TEXT_MAX)
    theme_guess: str | None = Field(default=None, max_length=32, pattern=r"^[a-z_]+$")
    commune: str | None = Field(default=None, pattern=r"^\d[\dAB]\d{3}$")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value.strip()


class UnansweredOut(BaseModel):
    """What was stored: the text as kept, once e-mail addresses and phone numbers are gone."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    theme_guess: str | None
    commune_insee: str | None
    created_at: datetime
