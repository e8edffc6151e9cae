"""The figures of the analytics page, per week and per theme, from the API's own records
(ratings, unanswered questions, handoff cases) and Rasa's tracker store (conversations)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.feedback.models import AnswerFeedback, Rating
from api.handoffs.models import Case, CaseMessage, Direction
from api.unanswered.models import UnansweredQuestion

from .tracker import Turn, turns


def week_of(moment: datetime) -> date:
    """The Monday of the moment's week (UTC)."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@dataclass
class Activity:
    """Visitors' turns of one week or one theme."""

    conversations: set[str] = field(default_factory=set)
    questions: int = 0
    answered: int = 0
    fallback: int = 0
    out_of_scope: int = 0

    def add(self, turn: Turn) -> None:
        self.conversations.add(turn.conversation)
        if not turn.question:
            return
        self.questions += 1
        self.answered += turn.answered
        self.fallback += turn.fallback and not turn.answered
        self.out_of_scope += turn.out_of_scope and not turn.answered

    def share(self, count: int) -> float | None:
        return count / self.questions if self.questions else None


@dataclass(frozen=True)
class EntryRating:
    entry_id: str
    up: int
    down: int

    @property
    def rate(self) -> float:
        return self.up / (self.up + self.down)


@dataclass(frozen=True)
class TeamHandoffs:
    team_id: str
    cases: int
    replied: int
    median_first_reply: timedelta | None
    # The visitors' answers to "how satisfied are you?" (1-5) after their case was closed.
    satisfaction_answers: int = 0
    satisfaction_mean: float | None = None


@dataclass(frozen=True)
class Figures:
    since: date
    weeks: list[date]
    tracker_available: bool
    by_week: dict[date, Activity]
    by_theme: dict[str, Activity]
    unanswered_by_week: dict[date, int]
    thumbs_down_by_week: dict[date, int]
    ratings: list[EntryRating]
    # None: this user sees no team's figures (editors).
    teams: list[TeamHandoffs] | None

    @property
    def unanswered(self) -> int:
        return sum(self.unanswered_by_week.values())

    @property
    def thumbs_down(self) -> int:
        return sum(self.thumbs_down_by_week.values())


def figures(
    session: Session,
    *,
    today: date,
    weeks: int,
    tracker_store_url: str | None,
    teams: set[str] | None,
    show_teams: bool,
) -> Figures:
    """`teams`: the teams whose handoffs the user may see (None: every team)."""
    first = week_of(datetime.combine(today, datetime.min.time(), UTC)) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), UTC)
    by_week: dict[date, Activity] = defaultdict(Activity)
    by_theme: dict[str, Activity] = defaultdict(Activity)
    if tracker_store_url:
        for turn in turns(tracker_store_url, since):
            by_week[week_of(turn.at)].add(turn)
            by_theme[turn.theme or "other"].add(turn)
    return Figures(
        since=first,
        weeks=[first + timedelta(weeks=n) for n in range(weeks)],
        tracker_available=tracker_store_url is not None,
        by_week=dict(by_week),
        by_theme=dict(by_theme),
        unanswered_by_week=_unanswered(session, since),
        thumbs_down_by_week=_thumbs_down(session, since),
        ratings=_ratings(session, since),
        teams=_handoffs(session, since, teams) if show_teams else None,
    )


def _weekly(moments: Iterable[Any]) -> dict[date, int]:
    counts: Counter[date] = Counter()
    for (moment,) in moments:
        counts[week_of(_aware(moment))] += 1
    return dict(counts)


def _unanswered(session: Session, since: datetime) -> dict[date, int]:
    column = UnansweredQuestion.created_at
    return _weekly(session.execute(select(column).where(column >= since)))


def _thumbs_down(session: Session, since: datetime) -> dict[date, int]:
    column = AnswerFeedback.created_at
    down = AnswerFeedback.rating == Rating.DOWN
    return _weekly(session.execute(select(column).where(column >= since, down)))


def _ratings(session: Session, since: datetime) -> list[EntryRating]:
    rows = session.execute(
        select(AnswerFeedback.entry_id, AnswerFeedback.rating, func.count())
        .where(AnswerFeedback.created_at >= since)
        .group_by(AnswerFeedback.entry_id, AnswerFeedback.rating)
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for entry_id, rating, count in rows:
        counts[entry_id][rating] += count
    ratings = [EntryRating(e, c[Rating.UP], c[Rating.DOWN]) for e, c in counts.items()]
    return sorted(ratings, key=lambda r: (r.rate, -(r.up + r.down), r.entry_id))


def _handoffs(session: Session, since: datetime, teams: set[str] | None) -> list[TeamHandoffs]:
    first_reply = (
        select(CaseMessage.case_id, func.min(CaseMessage.created_at).label("at"))
        .where(CaseMessage.direction == Direction.REFERENT)
        .group_by(CaseMessage.case_id)
        .subquery()
    )
    query = (
        select(Case.team_id, Case.created_at, first_reply.c.at, Case.satisfaction_score)
        .outerjoin(first_reply, first_reply.c.case_id == Case.id)
        .where(Case.created_at >= since)
    )
    if teams is not None:
        query = query.where(Case.team_id.in_(teams))
    delays: dict[str, list[timedelta]] = defaultdict(list)
    scores: dict[str, list[int]] = defaultdict(list)
    cases: Counter[str] = Counter()
    for team_id, created_at, replied_at, score in session.execute(query):
        cases[team_id] += 1
        if replied_at is not None:
            delays[team_id].append(_aware(replied_at) - _aware(created_at))
        if score is not None:
            scores[team_id].append(score)
    return [
        TeamHandoffs(
            team_id,
            cases[team_id],
            len(delays[team_id]),
            timedelta(seconds=median(d.total_seconds() for d in delays[team_id]))
            if delays[team_id]
            else None,
            len(scores[team_id]),
            sum(scores[team_id]) / len(scores[team_id]) if scores[team_id] else None,
        )
        for team_id in sorted(cases)
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
