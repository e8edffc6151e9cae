from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response, status

from api.deps import SessionDep, SettingsDep
from api.feedback import service
from api.feedback.schemas import FeedbackIn, FeedbackOut
from api.knowledge.deps import KnowledgeDep

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])

# A UUID drawn by the visitor's browser for one rating.
RatingKey = Annotated[
    str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]


@router.put("/{key}", response_model=FeedbackOut)
def rate_answer(
    key: RatingKey,
    payload: FeedbackIn,
    session: SessionDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    response: Response,
) -> FeedbackOut:
    """Public (the demo page's script calls it): 201 for a new rating, 200 for a change."""
    try:
        feedback, created = service.record(
            session,
            key,
            payload,
            secret=settings.bot_api_token,
            known_entries=knowledge.snapshot.by_id,
        )
    except service.FeedbackRefused as refused:
        raise HTTPException(refused.status_code, detail=str(refused)) from None
    if created:
        response.status_code = status.HTTP_201_CREATED
    return FeedbackOut.model_validate(feedback)
