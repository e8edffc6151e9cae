"""Entries not reviewed for longer than KNOWLEDGE_STALE_MONTHS: flagged on the editors' page
and by `make validate` as a warning, never as an error."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Role
from api.cli import main as cli_main
from api.core.config import get_settings
from tests.api.conftest import UserFactory, login

FOUR_MONTHS_AGO = (date.today() - timedelta(days=122)).isoformat()


@pytest.fixture
def three_months(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_STALE_MONTHS", "3")
    get_settings.cache_clear()


@pytest.mark.usefixtures("three_months")
def test_validate_warns_about_an_entry_older_than_the_configured_age(
    tmp_path: Path, write_entry: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write_entry(tmp_path, "quatre-mois", reviewed=FOUR_MONTHS_AGO)
    assert cli_main(["validate", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "quatre-mois.md" in out
    assert "il y a plus de 3 mois" in out
    assert "1 avertissement" in out


def test_with_the_default_age_a_four_month_old_review_is_fresh(
    app_env: dict[str, str],
    tmp_path: Path,
    write_entry: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_entry(tmp_path, "quatre-mois", reviewed=FOUR_MONTHS_AGO)
    assert cli_main(["validate", "--dir", str(tmp_path)]) == 0
    assert "aucun avertissement" in capsys.readouterr().out


@pytest.mark.usefixtures("three_months")
def test_the_editors_page_flags_entries_older_than_the_configured_age(
    knowledge_client: TestClient,
    knowledge_copy: Path,
    write_entry: Callable[..., Path],
    make_user: UserFactory,
    admin_headers: dict[str, str],
) -> None:
    write_entry(
        knowledge_copy, "quatre-mois", title="Relue il y a quatre mois", reviewed=FOUR_MONTHS_AGO
    )
    assert knowledge_client.post("/v1/knowledge/reload", headers=admin_headers).status_code == 200
    login(knowledge_client, make_user(Role.EDITOR))
    page = knowledge_client.get("/editeurs").text
    assert "pas été relues depuis plus de 3 mois" in page
    assert "<td>Relue il y a quatre mois</td>" in page
