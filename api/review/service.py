"""The review inbox: misses grouped by similarity, worked with a status, a note and a history.

Grouping happens when the inbox is read (`sync`), never while a visitor waits: questions
recorded since the last look are each put in the most similar group, or start a new one.
A resolved group that gets a new question after it was resolved is back to "à traiter"."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.core.db import utcnow
from api.feedback.models import AnswerFeedback, Rating
from api.review.models import GroupStatus, ItemKind, ReviewEvent, ReviewGroup, ReviewItem
from api.review.similarity import Prepared, Similarity
from api.unanswered.models import UnansweredQuestion

NOTE_MAX = 2000


class ReviewError(ValueError):
    """A change the inbox refuses; the message, in French, is shown to the editor."""


@dataclass(frozen=True)
class _Miss:
    kind: ItemKind
    source_id: int
    text: str
    asked_at: datetime


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _new_misses(session: Session) -> list[_Miss]:
    unanswered = session.execute(
        select(UnansweredQuestion.id, UnansweredQuestion.text, UnansweredQuestion.created_at)
        .outerjoin(ReviewItem, ReviewItem.unanswered_id == UnansweredQuestion.id)
        .where(ReviewItem.id.is_(None))
    ).all()
    disliked = session.execute(
        select(AnswerFeedback.id, AnswerFeedback.question, AnswerFeedback.created_at)
        .outerjoin(ReviewItem, ReviewItem.feedback_id == AnswerFeedback.id)
        .where(ReviewItem.id.is_(None), AnswerFeedback.rating == Rating.DOWN)
    ).all()
    misses = [_Miss(ItemKind.UNANSWERED, i, t, _aware(at)) for i, t, at in unanswered]
    misses += [_Miss(ItemKind.THUMBS_DOWN, i, t, _aware(at)) for i, t, at in disliked]
    return sorted(misses, key=lambda miss: (miss.asked_at, miss.kind, miss.source_id))


def _prepared_groups(groups: list[ReviewGroup], similarity: Similarity) -> list[Prepared]:
    """Each group's label, ready to compare. Vectors are kept on the group, so that a look at
    the inbox embeds only what is new (or every label once, after a change of encoder)."""
    name = similarity.encoder_name
    if name is None:
        return similarity.prepare([group.label for group in groups])
    missing = [group for group in groups if group.vector is None or group.vector_encoder != name]
    for group, ready in zip(
        missing, similarity.prepare([group.label for group in missing]), strict=True
    ):
        group.vector, group.vector_encoder = ready.vector, name
    return [Prepared("", group.vector) for group in groups]


def sync(session: Session, similarity: Similarity) -> int:
    """Puts every miss not yet in a group into one; returns how many were placed."""
    misses = _new_misses(session)
    if not misses:
        return 0
    groups = list(session.scalars(select(ReviewGroup).order_by(ReviewGroup.id)))
    known = _prepared_groups(groups, similarity)
    fresh = similarity.prepare([miss.text for miss in misses])
    for miss, ready in zip(misses, fresh, strict=True):
        best: tuple[float, int] | None = None
        for position, candidate in enumerate(known):
            score = similarity.same_question(ready, candidate)
            if score is not None and (best is None or score > best[0]):
                best = (score, position)
        if best is None:
            group = ReviewGroup(
                label=miss.text,
                status=GroupStatus.TODO,
                created_at=miss.asked_at,
                updated_at=miss.asked_at,
                vector=ready.vector,
                vector_encoder=similarity.encoder_name,
            )
            group.events.append(ReviewEvent(at=miss.asked_at, action="created", details={}))
            session.add(group)
            groups.append(group)
            known.append(ready)
        else:
            group = groups[best[1]]
            _reopen_if_back(group, miss)
        session.add(
            ReviewItem(
                group=group,
                kind=miss.kind,
                unanswered_id=miss.source_id if miss.kind == ItemKind.UNANSWERED else None,
                feedback_id=miss.source_id if miss.kind == ItemKind.THUMBS_DOWN else None,
                asked_at=miss.asked_at,
            )
        )
    session.commit()
    return len(misses)


def _reopen_if_back(group: ReviewGroup, miss: _Miss) -> None:
    resolved_at = _aware(group.resolved_at) if group.resolved_at else None
    if group.status != GroupStatus.RESOLVED or resolved_at is None or miss.asked_at <= resolved_at:
        return
    group.status = GroupStatus.TODO
    group.resolved_at = None
    group.updated_at = miss.asked_at
    group.events.append(
        ReviewEvent(
            at=miss.asked_at,
            action="reopened",
            details={"from": GroupStatus.RESOLVED.value, "to": GroupStatus.TODO.value},
        )
    )


def get_group(session: Session, group_id: int) -> ReviewGroup:
    group = session.get(ReviewGroup, group_id)
    if group is None:
        raise ReviewError("Ce groupe de questions n’existe pas (ou plus).")
    return group


def set_status(session: Session, group: ReviewGroup, status: GroupStatus, actor: User) -> None:
    if group.status == status:
        return
    now = utcnow()
    group.events.append(
        ReviewEvent(
            at=now,
            actor_user_id=actor.id,
            action="status",
            details={"from": group.status, "to": status.value},
        )
    )
    group.status = status
    group.resolved_at = now if status == GroupStatus.RESOLVED else None
    group.updated_at = now
    session.commit()


def set_note(session: Session, group: ReviewGroup, note: str, actor: User) -> None:
    text = note.strip()
    if len(text) > NOTE_MAX:
        raise ReviewError(f"La note est trop longue : {NOTE_MAX} caractères au plus.")
    if (group.note or "") == text:
        return
    group.note = text or None
    group.updated_at = utcnow()
    group.events.append(
        ReviewEvent(
            at=group.updated_at, actor_user_id=actor.id, action="note", details={"note": text}
        )
    )
    session.commit()


def record_attached(
    session: Session, group: ReviewGroup, entry_id: str, lines: list[str], actor: User
) -> None:
    """The group's questions were written into an entry: that resolves the group."""
    group.events.append(
        ReviewEvent(
            at=utcnow(),
            actor_user_id=actor.id,
            action="attached",
            details={"entry_id": entry_id, "questions": lines},
        )
    )
    set_status(session, group, GroupStatus.RESOLVED, actor)
    session.commit()


# -- what the inbox shows -------------------------------------------------------------------


@dataclass(frozen=True)
class GroupLine:
    id: int
    label: str
    status: str
    note: str | None
    unanswered: int
    thumbs_down: int
    last_asked: datetime
    phrasings: list[str]
    reasons: list[tuple[str, int]]
    entries: list[tuple[str, int]]
    comments: list[str]
    communes: list[str]
    events: list[ReviewEvent]

    @property
    def count(self) -> int:
        return self.unanswered + self.thumbs_down


def _sources(
    session: Session, groups: list[ReviewGroup]
) -> tuple[dict[int, UnansweredQuestion], dict[int, AnswerFeedback]]:
    unanswered_ids = [i.unanswered_id for g in groups for i in g.items if i.unanswered_id]
    feedback_ids = [i.feedback_id for g in groups for i in g.items if i.feedback_id]
    questions = session.scalars(
        select(UnansweredQuestion).where(UnansweredQuestion.id.in_(unanswered_ids))
    ).all()
    ratings = session.scalars(
        select(AnswerFeedback).where(AnswerFeedback.id.in_(feedback_ids))
    ).all()
    return {q.id: q for q in questions}, {r.id: r for r in ratings}


def inbox(session: Session, status: GroupStatus | None, limit: int = 200) -> list[GroupLine]:
    """Groups of one status (all when None), the most asked first, then the most recent."""
    query = select(ReviewGroup)
    if status is not None:
        query = query.where(ReviewGroup.status == status)
    groups = list(session.scalars(query))
    questions, ratings = _sources(session, groups)
    lines = [_line(group, questions, ratings) for group in groups]
    lines.sort(key=lambda line: (-line.count, -line.last_asked.timestamp()))
    return lines[:limit]


def _line(
    group: ReviewGroup,
    questions: dict[int, UnansweredQuestion],
    ratings: dict[int, AnswerFeedback],
) -> GroupLine:
    texts: list[str] = []
    reasons: Counter[str] = Counter()
    entries: Counter[str] = Counter()
    communes: Counter[str] = Counter()
    comments: list[str] = []
    unanswered = thumbs_down = 0
    for item in group.items:
        source: Any = (
            questions.get(item.unanswered_id or 0)
            if item.kind == ItemKind.UNANSWERED
            else ratings.get(item.feedback_id or 0)
        )
        if source is None:
            continue
        if item.kind == ItemKind.UNANSWERED:
            unanswered += 1
            texts.append(source.text)
        else:
            thumbs_down += 1
            texts.append(source.question)
            entries[source.entry_id] += 1
            if source.reason:
                reasons[source.reason] += 1
            if source.comment:
                comments.append(source.comment)
        if source.commune_insee:
            communes[source.commune_insee] += 1
    return GroupLine(
        id=group.id,
        label=group.label,
        status=group.status,
        note=group.note,
        unanswered=unanswered,
        thumbs_down=thumbs_down,
        last_asked=_aware(group.items[0].asked_at) if group.items else _aware(group.created_at),
        phrasings=list(dict.fromkeys(texts)),
        reasons=reasons.most_common(),
        entries=entries.most_common(),
        comments=comments,
        communes=[insee for insee, _ in communes.most_common()],
        events=list(group.events),
    )


def group_questions(session: Session, group: ReviewGroup) -> list[str]:
    """The distinct phrasings of a group, oldest first."""
    questions, ratings = _sources(session, [group])
    line = _line(group, questions, ratings)
    return list(reversed(line.phrasings))
