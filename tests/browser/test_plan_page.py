"""A family's plan page in headless Chromium: its sections, its print version (screenshot), and
the link that stops working once the family erases it. Only the API runs: the page needs no
Rasa."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.core import db
from api.core.config import get_settings
from api.db_migrate import upgrade
from api.openings.models import Kind
from api.openings.records import OpeningRecord
from api.openings.service import upsert_records
from tests.browser.conftest import SCREENSHOTS, NewContext
from tests.conftest import TEST_TOKENS
from tests.fakes.serve import free_port, serving

pytestmark = pytest.mark.browser

BOT_HEADERS = {"Authorization": f"Bearer {TEST_TOKENS['BOT_API_TOKEN']}"}
FAMILY = {
    "household": {
        "adults": [
            {"trade": "infirmière", "looking_for": ["job"]},
            {"trade": "menuisier", "looking_for": ["job"]},
        ],
        "children": [{"level": "college"}, {"level": "maternelle"}],
    },
    "housing": {"tenure": "rent", "kind": "house"},
    "area": {"communes": ["Figeac"]},
    "timeline": "pour la rentrée",
}


@pytest.fixture
def api_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The API alone, on a free port, over a fresh database."""
    database_url = f"sqlite:///{tmp_path / 'api.db'}"
    upgrade(database_url)
    port = free_port()
    env = {
        **TEST_TOKENS,
        "DATABASE_URL": database_url,
        "KNOWLEDGE_WATCH": "false",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    db.reset_engine()
    from api.knowledge.runtime import knowledge_service
    from api.main import create_app

    app = create_app()
    # Indexed before serving: the server's start-up then reuses it and starts at once.
    knowledge_service(app).reload()
    with serving(app, port):
        yield f"http://127.0.0.1:{port}"
    get_settings.cache_clear()
    db.reset_engine()


def _nurse_offer_in_figeac() -> None:
    record = OpeningRecord(
        partner_ref="PLAN-BROWSER-1",
        kind=Kind.JOB,
        title="Infirmier (H/F)",
        description="Poste en établissement de santé.",
        commune_insee="46102",
        commune_name="Figeac",
        latitude=44.6067,
        longitude=2.02309,
        contract_type="CDI",
        created_at=None,
        updated_at=None,
    )
    with db.session_factory()() as session, session.begin():
        upsert_records(session, "cci-lot", [record])


def test_a_family_opens_prints_and_erases_its_plan(api_url: str, new_context: NewContext) -> None:
    _nurse_offer_in_figeac()
    created = httpx.post(
        f"{api_url}/v1/plans",
        json={"conversation_id": "conv-browser-plan", "profile": FAMILY},
        headers=BOT_HEADERS,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    link = created.json()["url"]

    page: Page = new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mon projet d’installation dans le Lot"
    )
    for section in (
        "Ce que vous nous avez dit",
        "La scolarité des enfants",
        "Se loger, se soigner, se déplacer",
        "Les offres en cours",
        "Votre équipe accueil",
        "Vos informations",
    ):
        expect(page.get_by_role("heading", name=section, level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Le collège", level=3)).to_be_visible()
    expect(page.get_by_role("link", name="Infirmier (H/F)")).to_have_count(0)  # no partner URL
    expect(page.get_by_text("Infirmier (H/F)")).to_be_visible()
    team = page.locator("#equipe")
    expect(team.get_by_text("Équipe accueil du Grand-Figeac", exact=True)).to_be_visible()

    page.emulate_media(media="print")
    erase = page.get_by_role("button", name="Effacer ce projet maintenant")
    expect(erase).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "plan-page-print.png"), full_page=True)

    page.emulate_media(media="screen")
    erase.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre projet est effacé")
    response = page.goto(link)
    assert response is not None
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne mène à aucun projet")
    expect(page.get_by_text("infirmière")).to_have_count(0)
