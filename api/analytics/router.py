"""The analytics page (/statistiques) and its CSV export: every account; the handoff figures
of a team only for those who see that team's cases (coordinators and admins: all)."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.accounts import service as accounts
from api.accounts.models import User
from api.analytics import charts
from api.analytics.csv_export import to_csv
from api.analytics.service import Figures, figures
from api.deps import SessionDep, SettingsDep
from api.knowledge.deps import KnowledgeDep
from api.pages.auth import page_user
from api.pages.render import render_page
from contract.themes import THEME_TITLES

router = APIRouter(include_in_schema=False)
PageUser = Annotated[User, Depends(page_user)]
Weeks = Annotated[int, Query(ge=1, le=104)]


def _figures(db: SessionDep, settings: SettingsDep, user: User, weeks: int) -> Figures:
    return figures(
        db,
        today=date.today(),
        weeks=weeks,
        tracker_store_url=settings.tracker_store_url,
        teams=accounts.visible_team_ids(user),
        show_teams=accounts.can_handle_cases(user),
    )


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def _duration(delay: timedelta | None) -> str:
    if delay is None:
        return "—"
    minutes = round(delay.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if hours < 48 else f"{round(minutes / 1440)} jours"


def _week_label(week: date) -> str:
    return f"{week.day:02d}/{week.month:02d}"


@router.get("/statistiques")
def analytics_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    user: PageUser,
    semaines: Weeks = 8,
) -> Response:
    data = _figures(db, settings, user, semaines)
    weekly = [data.by_week.get(week) for week in data.weeks]
    questions_chart = charts.bar_chart(
        "Questions des visiteurs par semaine",
        [
            charts.Bar(_week_label(w), a.questions if a else 0, str(a.questions if a else 0))
            for w, a in zip(data.weeks, weekly, strict=True)
        ],
    )
    answered_chart = charts.bar_chart(
        "Part des questions répondues par une fiche, par semaine",
        [
            charts.Bar(
                _week_label(w),
                (a.share(a.answered) or 0) * 100 if a else 0,
                _percent(a.answered, a.questions) if a else "—",
            )
            for w, a in zip(data.weeks, weekly, strict=True)
        ],
        maximum=100,
    )
    unanswered_chart = charts.bar_chart(
        "Questions sans réponse et réponses jugées inutiles (👎), par semaine",
        [
            charts.Bar(
                _week_label(w),
                data.unanswered_by_week.get(w, 0) + data.thumbs_down_by_week.get(w, 0),
                f"{data.unanswered_by_week.get(w, 0)} + {data.thumbs_down_by_week.get(w, 0)} 👎",
            )
            for w in data.weeks
        ],
    )
    entries = knowledge.snapshot.by_id
    territory = knowledge.snapshot.territory
    return render_page(
        request,
        "analytics/statistiques.html",
        {
            "data": data,
            "weeks": semaines,
            "charts": [questions_chart, answered_chart, unanswered_chart],
            "percent": _percent,
            "duration": _duration,
            "week_label": _week_label,
            "theme_label": lambda theme: THEME_TITLES.get(theme, "Autres sujets"),
            "entry_title": lambda entry_id: (
                entries[entry_id].entry.title if entry_id in entries else entry_id
            ),
            "team_name": lambda team_id: t.name if (t := territory.team(team_id)) else team_id,
            "sees_every_team": user.sees_every_team,
        },
        settings,
        user=user,
    )


@router.get("/statistiques.csv")
def analytics_csv(
    db: SessionDep, settings: SettingsDep, user: PageUser, semaines: Weeks = 8
) -> Response:
    return Response(
        to_csv(_figures(db, settings, user, semaines)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="statistiques-{date.today()}.csv"',
        },
    )
