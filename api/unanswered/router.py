from fastapi import APIRouter, status

from api.deps import BotAuth, SessionDep
from api.unanswered import service
from api.unanswered.schemas import UnansweredIn, UnansweredOut

router = APIRouter(prefix="/v1/unanswered", tags=["unanswered"])


@router.post(
    "",
    response_model=UnansweredOut,
    status_code=status.HTTP_201_CREATED,
    dependencies=[BotAuth],
)
def log_unanswered(payload: UnansweredIn, session: SessionDep) -> UnansweredOut:
    question = service.record(session, payload.text, payload.theme_guess, payload.commune)
    return UnansweredOut.model_validate(question)
