"""The analytics figures as one CSV table: one row per figure, for spreadsheets."""

import csv
import io
from collections.abc import Iterator

from api.analytics.service import Activity, Figures

HEADER = ("section", "week", "theme", "entry_id", "team_id", "figure", "value")


def _activity(section: str, week: str, theme: str, activity: Activity) -> Iterator[tuple[str, ...]]:
    values = {
        "conversations": len(activity.conversations),
        "questions": activity.questions,
        "answered_from_knowledge": activity.answered,
        "sent_to_fallback": activity.fallback,
        "out_of_scope": activity.out_of_scope,
    }
    for figure, value in values.items():
        yield (section, week, theme, "", "", figure, str(value))


def rows(figures: Figures) -> Iterator[tuple[str, ...]]:
    for week in figures.weeks:
        day = week.isoformat()
        yield from _activity("week", day, "", figures.by_week.get(week, Activity()))
        yield ("week", day, "", "", "", "unanswered", str(figures.unanswered_by_week.get(week, 0)))
        yield (
            "week",
            day,
            "",
            "",
            "",
            "thumbs_down",
            str(figures.thumbs_down_by_week.get(week, 0)),
        )
    for theme, activity in sorted(figures.by_theme.items()):
        yield from _activity("theme", "", theme, activity)
    for rating in figures.ratings:
        yield ("entry", "", "", rating.entry_id, "", "thumbs_up", str(rating.up))
        yield ("entry", "", "", rating.entry_id, "", "thumbs_down", str(rating.down))
    for team in figures.teams or []:
        median = team.median_first_reply
        yield ("team", "", "", "", team.team_id, "handoffs", str(team.cases))
        yield ("team", "", "", "", team.team_id, "replied", str(team.replied))
        yield (
            "team",
            "",
            "",
            "",
            team.team_id,
            "median_first_reply_minutes",
            f"{median.total_seconds() / 60:.1f}" if median is not None else "",
        )
        yield (
            "team",
            "",
            "",
            "",
            team.team_id,
            "satisfaction_answers",
            str(team.satisfaction_answers),
        )
        mean = team.satisfaction_mean
        yield (
            "team",
            "",
            "",
            "",
            team.team_id,
            "satisfaction_mean",
            f"{mean:.2f}" if mean is not None else "",
        )


def to_csv(figures: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(figures))
    return out.getvalue()
