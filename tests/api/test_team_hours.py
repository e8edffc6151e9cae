"""Opening hours of the referent teams: validated in referents.yml, French public holidays
closed, and a request made while the team is closed says when it is back."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.handoffs import service
from api.handoffs.schemas import HandoffIn
from api.territory.hours import PARIS, OpeningHours, WeekFile, french_moment
from api.territory.service import Territory, check_territory
from tests.api.conftest import UserFactory, handoff_payload, login

WEEKDAYS = WeekFile(
    lundi=["09:00-12:00", "14:00-17:00"],
    mardi=["09:00-12:00"],
    mercredi=["09:00-12:00"],
    jeudi=["09:00-12:00"],
    vendredi=["09:00-12:00"],
)


def _hours(**kwargs: object) -> OpeningHours:
    return OpeningHours.from_file(WEEKDAYS, [], provisional=False, **kwargs)  # type: ignore[arg-type]


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def test_open_within_a_slot_and_closed_between_slots() -> None:
    hours = _hours()

    assert hours.is_open(paris(2026, 12, 7, 10, 0))
    assert not hours.is_open(paris(2026, 12, 7, 12, 30))
    assert hours.next_opening(paris(2026, 12, 7, 12, 30)) == paris(2026, 12, 7, 14, 0)


def test_a_french_public_holiday_is_closed_and_the_next_opening_skips_it() -> None:
    christmas_morning = paris(2026, 12, 25, 10, 0)  # a Friday

    assert not _hours().is_open(christmas_morning)
    assert _hours().next_opening(christmas_morning) == paris(2026, 12, 28, 9, 0)


def test_a_team_s_own_closed_day_is_closed() -> None:
    hours = OpeningHours.from_file(WEEKDAYS, [date(2026, 12, 8)], provisional=False)

    assert not hours.is_open(paris(2026, 12, 8, 10, 0))


def test_the_return_is_worded_in_french() -> None:
    now = paris(2026, 12, 5, 20, 0)  # a Saturday

    assert french_moment(paris(2026, 12, 7, 9, 0), now) == "lundi 7 décembre à 9 h"
    assert french_moment(paris(2026, 12, 6, 14, 30), now) == "demain à 14 h 30"


def _territory_with(tmp_path: Path, change: dict[str, object]) -> list[str]:
    source = Path(__file__).resolve().parents[2] / "knowledge" / "territory"
    copy = tmp_path / "territory"
    copy.mkdir()
    for path in source.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    data = yaml.safe_load((copy / "referents.yml").read_text(encoding="utf-8"))
    data["teams"][1].update(change)
    (copy / "referents.yml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    _, problems = check_territory(copy)
    return [problem.render(copy) for problem in problems if problem.is_error]


def test_a_malformed_time_slot_names_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    problems = _territory_with(tmp_path, {"hours": {"lundi": ["9h-12h"]}})

    assert len(problems) == 1
    assert problems[0].startswith("referents.yml:")
    assert "« 9h-12h » n'est pas une plage horaire" in problems[0]
    assert "09:00-12:30" in problems[0]


def test_an_unknown_day_name_is_refused(tmp_path: Path) -> None:
    problems = _territory_with(tmp_path, {"hours": {"lundy": ["09:00-12:00"]}})

    assert len(problems) == 1
    assert "lundy" in problems[0]


def test_the_real_file_says_its_hours_are_placeholders(territory: Territory) -> None:
    hours = territory.default_team().hours

    assert hours is not None
    assert hours.provisional


def test_a_request_made_while_the_team_is_closed_says_when_it_is_back(
    db_session: Session, territory: Territory
) -> None:
    team = territory.team_for_commune("46102")
    sunday_evening = datetime(2026, 12, 6, 19, 0, tzinfo=UTC)

    case, _ = service.open_case(db_session, HandoffIn(**handoff_payload()), team, sunday_evening)
    reply = service.expected_reply(case, team)

    assert case.opened_out_of_hours
    assert "elle sera de retour demain à 9 h (horaires indicatifs)" in reply
    assert "Sa réponse vous sera aussi envoyée par e-mail." in reply


def test_a_request_made_during_opening_hours_is_not_marked(
    db_session: Session, territory: Territory
) -> None:
    team = territory.team_for_commune("46102")
    monday_morning = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)

    case, _ = service.open_case(db_session, HandoffIn(**handoff_payload()), team, monday_morning)

    assert not case.opened_out_of_hours
    assert "de retour" not in service.expected_reply(case, team)


@pytest.mark.usefixtures("quiet_rasa")
def test_the_dashboard_shows_a_request_received_out_of_hours(
    client: TestClient, db_session: Session, territory: Territory, make_user: UserFactory
) -> None:
    team = territory.team_for_commune("46102")
    case, _ = service.open_case(
        db_session, HandoffIn(**handoff_payload()), team, datetime(2026, 12, 6, 19, 0, tzinfo=UTC)
    )
    login(client, make_user())

    page = client.get(f"/tableau-de-bord/dossiers/{case.reference}").text
    queue = client.get("/tableau-de-bord").text

    assert "Demande reçue en dehors des horaires de l’équipe" in page
    assert "d’un retour le 07/12/2026 à 09:00" in page
    assert "reçue hors horaires" in queue
