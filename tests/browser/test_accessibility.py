"""Usable by everyone (RGAA 4.1, i.e. WCAG 2.1 AA): axe-core on every page in its states, the
chat with the keyboard alone, and the demo page at 320 px and at 200 % zoom, in headless
Chromium against the real stack."""

import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from scripts.stack import Stack
from tests.api.conftest import handoff_payload
from tests.browser.conftest import (
    NewContext,
    Shoot,
    assert_accessible,
    bot_messages,
    chat_panel,
    message_field,
    open_chat,
    reply_buttons,
    say,
    session_id,
    visitor_messages,
    wait_for_answer,
)
from tests.browser.test_chat_widget import SCHOOLS_QUESTION, source_urls
from tests.conftest import TEST_TOKENS
from tests.e2e.test_handoff import cli

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCHOOLS_ENTRY = "schools/lycees-cahors.md"
GREETING_BUTTON = "Écoles et crèches"
REFERENT_EMAIL = "referente-accessibilite@example.org"
LIVE_REFERENT_EMAIL = "referente-mises-a-jour@example.org"
LIVE_UPDATE_TIMEOUT_MS = 30_000
DRAFT = "Bonjour, je regarde votre question"
VISITOR_WORDS = "Je reviens vers vous : c'est pour la rentrée de septembre."
EDITOR_EMAIL = "editrice-accessibilite@example.org"
PASSWORD = "mot-de-passe-accessibilite-assez-long"
UNANSWERED = "Y a-t-il une ludothèque à Figeac ?"
BOT_HEADERS = {"Authorization": f"Bearer {TEST_TOKENS['BOT_API_TOKEN']}"}


def create_account(stack: Stack, email: str, role: str) -> None:
    team = ("--team", "grand-figeac") if role == "referent" else ()
    cli(
        stack,
        *("create-user", "--email", email, "--name", "Compte accessibilité", "--role", role),
        *(*team, "--password-stdin"),
        stdin=PASSWORD + "\n",
    )


def log_in(page: Page, stack: Stack, email: str) -> None:
    page.goto(f"{stack.api_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile("/connexion"))


_WIDER_THAN_THE_WINDOW = """(container) => {
  const fits = container.scrollWidth <= container.clientWidth
    && document.documentElement.scrollWidth <= window.innerWidth;
  if (fits) return [];
  const right = Math.min(window.innerWidth, container.getBoundingClientRect().right);
  return [...container.querySelectorAll('*')]
    .filter((e) => e.getBoundingClientRect().right > right + 1)
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
}"""


def assert_fits_width(page: Page, selector: str = "html") -> None:
    """No horizontal scrolling: the element's content is no wider than the element."""
    wider = page.locator(selector).evaluate(_WIDER_THAN_THE_WINDOW)
    assert not wider, f"{page.url} scrolls sideways; wider than the window: {wider}"


# -- axe-core on every page ----------------------------------------------------------------


def test_demo_page_has_no_wcag_violation_closed_open_and_with_an_answer(
    new_context: NewContext, site_url: str
) -> None:
    page = new_context().new_page()
    page.goto(site_url)
    expect(page.get_by_role("button", name="Ouvrir l'assistant")).to_be_visible()
    assert_accessible(page)

    open_chat(page)
    wait_for_answer(page)
    expect(reply_buttons(page).first).to_be_visible()
    assert_accessible(page)

    say(page, SCHOOLS_QUESTION)
    expect(bot_messages(page).locator("a[href]").first).to_be_visible()
    rating = page.locator(".lot-rating").last
    expect(rating).to_contain_text("Cette réponse vous a-t-elle aidé ?")
    assert_accessible(page)

    rating.get_by_role("button", name="Non, cette réponse ne m'a pas aidé").click()
    rating.get_by_role("button", name="C'est inexact").click()
    expect(rating.get_by_label("Un commentaire ? (facultatif)")).to_be_visible()
    assert_accessible(page)


def test_accessibility_statement_has_no_wcag_violation_and_is_linked_from_the_footer(
    new_context: NewContext, site_url: str
) -> None:
    page = new_context().new_page()
    page.goto(site_url)
    page.get_by_role("contentinfo").get_by_role("link", name=re.compile("Accessibilité")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    expect(page.get_by_role("main")).to_contain_text("État de conformité")
    assert_accessible(page)


def test_login_queue_and_case_pages_have_no_wcag_violation(
    new_context: NewContext, stack: Stack, shoot: Shoot
) -> None:
    create_account(stack, REFERENT_EMAIL, "referent")
    payload = handoff_payload(commune="46102")
    opened = httpx.post(f"{stack.api_url}/v1/handoffs", json=payload, headers=BOT_HEADERS)
    assert opened.status_code == 201, opened.text
    reference = opened.json()["reference"]

    page = new_context().new_page()
    page.goto(f"{stack.api_url}/connexion")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(REFERENT_EMAIL)
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    log_in(page, stack, REFERENT_EMAIL)
    page.goto(f"{stack.api_url}/tableau-de-bord")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Prendre en charge").click()
    page.get_by_label(re.compile("Votre réponse")).fill("Bonjour Camille, je vous réponds ici.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator(".thread .turn-referent")).to_have_count(1)
    assert_accessible(page)
    shoot(page, "case")

    # The case's status is said in words, not by its colour alone.
    page.goto(f"{stack.api_url}/tableau-de-bord")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("En attente de la personne")

    phone = new_context(viewport={"width": 320, "height": 640}).new_page()
    log_in(phone, stack, REFERENT_EMAIL)
    for path in ("/tableau-de-bord", f"/tableau-de-bord/dossiers/{reference}"):
        phone.goto(f"{stack.api_url}{path}")
        assert_fits_width(phone)
    shoot(phone, "case-320px")


def test_a_referent_hears_of_a_new_message_without_reloading_and_keeps_the_draft(
    new_context: NewContext, stack: Stack
) -> None:
    create_account(stack, LIVE_REFERENT_EMAIL, "referent")
    payload = handoff_payload(commune="46102")
    opened = httpx.post(f"{stack.api_url}/v1/handoffs", json=payload, headers=BOT_HEADERS)
    assert opened.status_code == 201, opened.text
    page = new_context().new_page()
    log_in(page, stack, LIVE_REFERENT_EMAIL)
    page.goto(f"{stack.api_url}/tableau-de-bord/dossiers/{opened.json()['reference']}")
    page.get_by_role("button", name="Prendre en charge").click()
    draft = page.get_by_label(re.compile("Votre réponse"))
    draft.fill(DRAFT)

    written = httpx.post(
        f"{stack.api_url}/v1/handoffs/visitor-messages",
        json={"conversation_id": payload["conversation_id"], "text": VISITOR_WORDS},
        headers=BOT_HEADERS,
    )
    assert written.status_code == 201, written.text

    # The page reads itself again every 10 s.
    thread = page.locator('[data-live="thread"]')
    words = thread.locator(".turn-visitor").filter(has_text=VISITOR_WORDS)
    expect(words).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(page.locator("#live-status")).to_have_text("1 nouveau message de la personne.")
    expect(draft).to_have_value(DRAFT)
    assert_accessible(page)


def test_editors_pages_have_no_wcag_violation(new_context: NewContext, stack: Stack) -> None:
    create_account(stack, EDITOR_EMAIL, "editor")
    recorded = httpx.post(
        f"{stack.api_url}/v1/unanswered",
        json={"text": UNANSWERED, "commune": "46102"},
        headers=BOT_HEADERS,
    )
    assert recorded.status_code == 201, recorded.text

    page = new_context().new_page()
    log_in(page, stack, EDITOR_EMAIL)
    page.goto(f"{stack.api_url}/editeurs")
    expect(page.get_by_role("main")).to_contain_text(UNANSWERED)
    assert_accessible(page)

    page.goto(f"{stack.api_url}/editeurs/relecture")
    group = page.locator("article.review-group").filter(has_text=UNANSWERED)
    expect(group).to_be_visible()
    assert_accessible(page)

    group.get_by_role("button", name="Voir les lignes à ajouter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rattacher des questions")
    assert_accessible(page)

    page.goto(f"{stack.api_url}/statistiques")
    expect(page.locator("#total-sans-reponse")).to_have_text(re.compile(r"^[1-9]\d*$"))
    assert_accessible(page)


# -- the keyboard alone ----------------------------------------------------------------------


def focused(page: Page) -> Locator:
    return page.locator(":focus")


def assert_focus_is_visible(page: Page) -> None:
    """The focused element shows a focus ring (an outline or a box shadow)."""
    visible = page.evaluate(
        """() => {
          const element = document.activeElement;
          if (!element || element === document.body) return true;
          const style = getComputedStyle(element);
          const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
          return outline || style.boxShadow !== 'none';
        }"""
    )
    assert visible, f"no visible focus on {focused(page).evaluate('e => e.outerHTML')[:200]}"


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 80) -> None:
    """Presses Tab (or Shift+Tab) until `target` has the focus, checking each stop's ring."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_is_visible(page)
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus with {key}")


def serve_sources_locally(context: BrowserContext, own_origins: tuple[str, ...]) -> None:
    """A source link leads to another site: the test checks where the browser goes, without
    reaching the Internet."""

    def answer(route: Route) -> None:
        if route.request.url.startswith(own_origins):
            route.continue_()
        else:
            route.fulfill(content_type="text/html", body="<!doctype html><title>Source</title>")

    context.route("**/*", answer)


def test_a_keyboard_user_opens_the_chat_asks_picks_a_button_follows_a_source_and_closes(
    new_context: NewContext, site_url: str, stack: Stack, shoot: Shoot
) -> None:
    context = new_context()
    serve_sources_locally(context, (stack.api_url, stack.rasa_url))
    page = context.new_page()
    page.goto(site_url)
    launcher = page.get_by_role("button", name="Ouvrir l'assistant")

    tab_to(page, launcher)
    page.keyboard.press("Enter")
    field = message_field(page)
    expect(field).to_be_focused()
    expect(field).to_be_enabled()
    wait_for_answer(page)

    # The greeting's buttons come just before the field.
    button = reply_buttons(page).filter(has_text=GREETING_BUTTON)
    tab_to(page, button, backwards=True)
    page.keyboard.press("Enter")
    expect(visitor_messages(page).filter(has_text=GREETING_BUTTON)).to_be_visible()
    expect(field).to_be_focused()
    wait_for_answer(page)

    page.keyboard.type(SCHOOLS_QUESTION)
    page.keyboard.press("Enter")
    expect(visitor_messages(page).filter(has_text=SCHOOLS_QUESTION)).to_be_visible()
    wait_for_answer(page)
    sources = source_urls(stack, SCHOOLS_ENTRY)
    links = bot_messages(page).locator("a[href]")
    source = next(
        links.nth(i)
        for i in reversed(range(links.count()))
        if (links.nth(i).get_attribute("href") or "").rstrip("/") in sources
    )
    tab_to(page, source, backwards=True)
    shoot(page, "source-link-focused")
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    assert opened.value.url.rstrip("/") in sources
    opened.value.close()

    # Focus is not trapped: from the field, Tab leaves the chat for the page.
    page.bring_to_front()
    field.focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if not chat_panel(page).evaluate("(panel) => panel.contains(document.activeElement)"):
            break
    else:
        raise AssertionError("Tab never left the chat")

    # Escape closes the chat and gives the focus back to the launcher.
    field.focus()
    page.keyboard.press("Escape")
    expect(chat_panel(page)).to_be_hidden()
    expect(launcher).to_be_focused()
    assert_focus_is_visible(page)
    assert session_id(page)


# -- reading: 320 px, 200 % zoom -------------------------------------------------------------

# A 1280 x 800 window zoomed to 200 % lays pages out in 640 x 400 CSS pixels, at 2 device
# pixels each: the same as this viewport.
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
WIDTH_320 = {"viewport": {"width": 320, "height": 640}}


@pytest.mark.parametrize("options", [WIDTH_320, ZOOM_200], ids=["320px", "zoom-200"])
def test_the_page_and_the_chat_fit_without_horizontal_scrolling(
    new_context: NewContext, site_url: str, shoot: Shoot, options: dict[str, object]
) -> None:
    page = new_context(**options).new_page()
    page.goto(site_url)
    assert_fits_width(page)
    shoot(page, "page")

    open_chat(page)
    wait_for_answer(page)
    say(page, SCHOOLS_QUESTION)
    viewport = page.viewport_size
    box = chat_panel(page).bounding_box()
    assert viewport
    assert box
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    assert_fits_width(page, ".chat-scroll")
    expect(message_field(page)).to_be_in_viewport()
    shoot(page, "chat")

    # The chat covers the screen: the page under it is out of the keyboard's reach until
    # Escape closes the chat.
    assert page.locator("main").evaluate("(main) => main.inert")
    page.keyboard.press("Escape")
    expect(chat_panel(page)).to_be_hidden()
    assert page.locator("main").evaluate("(main) => !main.inert")
