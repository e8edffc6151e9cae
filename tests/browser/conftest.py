"""Headless Chromium (Debian's package, driven by Playwright) over the real stack.

The stack is tests/e2e's session fixture; a screenshot of every test lands in
reports/screenshots/.
"""

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from scripts.stack import ROOT, Stack
from tests.e2e.conftest import mailbox, stack  # noqa: F401  (the session's stack and its SMTP server)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDGET_BUNDLE = ROOT / "api" / "site" / "static" / "vendor" / "rasa-webchat.js"
SCREENSHOTS = ROOT / "reports" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Rasa on two shared cores: a first answer may take a while.
BOT_TIMEOUT_MS = 45_000

NewContext = Callable[..., BrowserContext]
Shoot = Callable[[Page, str], Path]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"Chromium is missing at {CHROMIUM}: install it with "
            "'apt-get install -y chromium' (.ci/run does it)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not WIDGET_BUNDLE.exists():
        pytest.fail(f"The chat widget is missing at {WIDGET_BUNDLE}: run 'make web'.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Opens browser contexts (separate cookies and storage, like separate people)."""
    contexts: list[BrowserContext] = []

    def _new(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(**options)
        context.set_default_timeout(BOT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def site_url(stack: Stack) -> str:  # noqa: F811  (pytest injects the imported fixture)
    return f"{stack.api_url}/"


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Shoot:
    def _shoot(page: Page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path))
        return path

    return _shoot


# -- the widget, as a visitor uses it -------------------------------------------------------


def open_chat(page: Page) -> None:
    """Opens the widget with its launcher (by its French name) and waits until it can send."""
    if page.locator(".rw-conversation-container").count() == 0:
        page.get_by_role("button", name="Ouvrir l'assistant").click()
    expect(page.locator(".rw-new-message")).to_be_enabled()


def bot_messages(page: Page) -> Locator:
    return page.locator(".rw-messages-container .rw-response")


def visitor_messages(page: Page) -> Locator:
    return page.locator(".rw-messages-container .rw-client")


_BOT_MESSAGES_AFTER_LAST_VISITOR_MESSAGE = """() => {
  const messages = [...document.querySelectorAll('.rw-messages-container .rw-message')];
  const fromVisitor = messages.map((m) => m.querySelector('.rw-client') !== null);
  return messages.length - 1 - fromVisitor.lastIndexOf(true);
}"""


def _wait_until_stable(page: Page, quiet_ms: int = 2500) -> None:
    """The widget shows the messages of one answer one by one, with a short delay each."""
    count = bot_messages(page).count()
    quiet = 0
    while quiet < quiet_ms:
        page.wait_for_timeout(250)
        now = bot_messages(page).count()
        quiet = quiet + 250 if now == count else 0
        count = now


def wait_for_answer(page: Page, timeout_ms: int = BOT_TIMEOUT_MS) -> None:
    """Waits for the assistant's whole answer to the visitor's last message (or greeting)."""
    # Polled from here: the page's CSP forbids the eval that page.wait_for_function needs.
    waited = 0
    while page.evaluate(_BOT_MESSAGES_AFTER_LAST_VISITOR_MESSAGE) == 0:
        assert waited < timeout_ms, "the assistant did not answer"
        page.wait_for_timeout(250)
        waited += 250
    _wait_until_stable(page)


def wait_for_bot(page: Page, seen: int) -> None:
    """Waits for bot messages beyond the `seen` first ones (pushed by the API, unasked)."""
    expect(bot_messages(page)).not_to_have_count(seen)
    _wait_until_stable(page)


def say(page: Page, text: str) -> None:
    """Types a message as a visitor and waits for the assistant's whole answer."""
    page.locator(".rw-new-message").fill(text)
    page.locator(".rw-send").click()
    expect(visitor_messages(page).filter(has_text=text).last).to_be_visible()
    wait_for_answer(page)


def click_reply(page: Page, title: str | re.Pattern[str]) -> None:
    """Clicks a quick reply; the widget then shows its title as the visitor's message."""
    page.locator(".rw-replies .rw-reply").filter(has_text=title).last.click()
    expect(visitor_messages(page).filter(has_text=title).last).to_be_visible()
    wait_for_answer(page)


def session_id(page: Page) -> str:
    """The widget's conversation id, which is Rasa's sender id (session persistence)."""
    value = page.evaluate(
        "() => JSON.parse(window.localStorage.getItem('chat_session') || '{}').session_id"
    )
    assert value, "the widget has no session id in localStorage"
    return str(value)


def trigger_intent(running: Stack, conversation_id: str, intent: str, **entities: str) -> None:
    """What the API does for a referent: an external intent pushed into the visitor's chat."""
    response = httpx.post(
        f"{running.rasa_url}/conversations/{conversation_id}/trigger_intent",
        params={"output_channel": "latest", "token": running.env["RASA_TOKEN"]},
        json={"name": intent, "entities": entities},
        timeout=60,
    )
    response.raise_for_status()


def unique_email() -> str:
    return f"visiteur-{uuid.uuid4().hex[:8]}@example.org"
