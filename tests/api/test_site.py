"""The public demo page: French, configured for the widget, and served with a strict CSP."""

import json
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import yaml
from fastapi.testclient import TestClient

from api.core.config import get_settings
from api.pages.templating import templates
from api.site.schemas import WidgetConfig
from api.site.service import content_security_policy
from scripts.stack import ROOT


class _PageParser(HTMLParser):
    """Collects what the assertions below look at: scripts, inline handlers, landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.html_lang: str | None = None
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[str] = []
        self.tags: list[str] = []
        self.config_json = ""
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "script":
            self.scripts.append(attributes)
            self._in_config = attributes.get("id") == "chat-config"
        self.inline_handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config_json += data


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def public_rasa_client(
    app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    from api.main import create_app

    monkeypatch.setenv("RASA_PUBLIC_URL", "https://chat.example.org/")
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client


def test_home_page_is_in_french_with_landmarks_and_says_it_is_a_demo(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    assert page.html_lang == "fr"
    assert {"header", "nav", "main", "footer", "aside", "h1"} <= set(page.tags)
    assert "Venir vivre dans le Lot" in response.text
    assert "Page de démonstration" in response.text


def test_home_page_says_what_the_profile_and_the_plan_keep_and_for_how_long(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAN_LINK_DAYS", "45")
    monkeypatch.setenv("RETENTION_DAYS", "200")
    get_settings.cache_clear()

    text = " ".join(client.get("/").text.split())

    assert "Mon projet d'installation" in text
    assert "cesse de fonctionner au bout de 45 jours" in text
    assert "« oubliez mes informations » pour tout effacer" in text
    assert "au plus tard au bout de 200 jours" in text


def test_accessibility_statement_is_linked_from_every_page_and_claims_no_conformity(
    client: TestClient,
) -> None:
    assert 'href="/accessibilite"' in client.get("/").text

    response = client.get("/accessibilite")

    assert response.status_code == 200
    assert parse(response.text).html_lang == "fr"
    assert "Déclaration d'accessibilité" in response.text
    # No audit was made: the statement may not claim any conformity rate.
    assert "non conforme" in response.text
    assert "%" not in response.text.replace("200 %", "")
    assert 'href="/accessibilite"' in response.text


def test_widget_is_configured_in_french_with_every_referent_team(client: TestClient) -> None:
    page = parse(client.get("/").text)

    config = json.loads(page.config_json)
    assert config["title"] == "Assistant Oh my Lot !"
    assert config["inputPlaceholder"] == "Posez votre question…"
    assert config["initPayload"] == "/greet"
    assert config["storage"] == "local"
    assert config["socketUrl"] == get_settings().rasa_url
    referents = yaml.safe_load((ROOT / "knowledge/territory/referents.yml").read_text("utf-8"))
    assert config["referentTeams"] == [team["name"] for team in referents["teams"]]


def test_page_runs_no_inline_script(client: TestClient) -> None:
    page = parse(client.get("/").text)

    for script in page.scripts:
        assert script.get("src") or script.get("type") == "application/json", script
    assert page.inline_handlers == []


def test_page_and_static_files_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/accessibilite", "/site/static/js/chat.js", "/site/static/css/site.css"):
        response = client.get(path)

        assert response.status_code == 200, path
        directives = csp_directives(response.headers["content-security-policy"])
        assert directives["script-src"] == ["'self'"], path
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert directives["object-src"] == ["'none'"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_csp_lets_the_browser_reach_rasa_over_http_and_websocket(client: TestClient) -> None:
    rasa = get_settings().rasa_url.replace("http://", "")

    directives = csp_directives(client.get("/").headers["content-security-policy"])

    assert f"http://{rasa}" in directives["connect-src"]
    assert f"ws://{rasa}" in directives["connect-src"]


def test_public_rasa_url_setting_is_what_the_browser_connects_to(
    public_rasa_client: TestClient,
) -> None:
    response = public_rasa_client.get("/")

    config = json.loads(parse(response.text).config_json)
    assert config["socketUrl"] == "https://chat.example.org"
    connect_src = csp_directives(response.headers["content-security-policy"])["connect-src"]
    assert "https://chat.example.org" in connect_src
    assert "wss://chat.example.org" in connect_src
    assert "ws://chat.example.org" not in connect_src


def test_a_team_name_cannot_break_out_of_the_configuration_block() -> None:
    config = WidgetConfig(
        socket_url="http://127.0.0.1:5005",
        referent_teams=['Équipe</script><script>alert("x")</script>'],
    )

    html = templates.get_template("site/index.html").render(
        widget_config=config.model_dump(by_alias=True),
        static_url="/site/static",
        plan_link_days=30,
        retention_days=365,
    )

    assert "<script>alert" not in html
    assert json.loads(parse(html).config_json)["referentTeams"] == config.referent_teams


def test_csp_refuses_a_rasa_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="RASA_PUBLIC_URL"):
        content_security_policy("javascript:alert(1)")
