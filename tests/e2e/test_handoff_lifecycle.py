"""The whole life of a case through the REST channel: a request while the team is closed,
messages written before the claim, the return to the assistant after closing, the rating,
the comment and the conversation by e-mail."""

import httpx
import pytest

from scripts.stack import Stack
from tests.e2e.conftest import Say, StackMailbox, all_text, button_titles
from tests.e2e.test_handoff import cases_of, cli, wait_for_bot_text

pytestmark = pytest.mark.e2e

REFERENT_EMAIL = "referent-cycle-grand-figeac@example.org"


def request_person(say: Say, visitor: str, email: str) -> str:
    say(visitor, "Je voudrais parler à un référent, s'il vous plaît")
    say(visitor, "/affirm")
    say(visitor, "Camille")
    return all_text(say(visitor, email))


def test_a_request_while_the_team_is_closed_says_when_it_is_back_and_that_mail_will_follow(
    say: Say, visitor: str
) -> None:
    say(visitor, "Quels collèges à Souillac ?")  # Cauvaldor: closed in the stack's copy

    confirmation = request_person(say, visitor, "camille.hors-horaires@example.org")

    assert "Cauvaldor" in confirmation
    assert "L’équipe n’est pas disponible en ce moment : elle sera de retour" in confirmation
    assert "(horaires indicatifs)" in confirmation
    assert "Sa réponse vous sera aussi envoyée par e-mail." in confirmation
    # The assistant keeps answering meanwhile.
    assert "Source" in all_text(say(visitor, "Et pour le logement à Souillac ?"))


def _referent_api(stack: Stack) -> httpx.Client:
    cli(
        stack,
        *("create-user", "--email", REFERENT_EMAIL, "--name", "Référente du cycle"),
        *("--role", "referent", "--team", "grand-figeac", "--generate-password"),
    )
    token = cli(stack, "create-token", "--email", REFERENT_EMAIL, "--name", "cycle")
    return httpx.Client(
        base_url=stack.api_url,
        headers={"Authorization": f"Bearer {token.strip().splitlines()[-1].strip()}"},
        timeout=30,
    )


def test_after_closing_the_assistant_resumes_asks_for_a_rating_and_mails_the_conversation(
    say: Say, visitor: str, stack: Stack, mailbox: StackMailbox
) -> None:
    say(visitor, "Quels lycées à Figeac ?")
    email = "camille.cycle@example.org"
    confirmation = request_person(say, visitor, email)
    assert "je continue à répondre à vos questions" in confirmation
    say(visitor, "Et les crèches à Figeac ?")
    [(reference, _team)] = cases_of(stack, visitor)
    api = _referent_api(stack)

    waiting = api.get(f"/v1/cases/{reference}").json()["transcript"]
    assert "Et les crèches à Figeac ?" in [turn["text"] for turn in waiting]

    api.post(f"/v1/cases/{reference}/claim").raise_for_status()
    api.post(f"/v1/cases/{reference}/reply", json={"text": "Bonjour Camille !"})
    api.post(f"/v1/cases/{reference}/close").raise_for_status()
    assert wait_for_bot_text(stack, visitor, "de 1 (pas du tout) à 5", within_s=10)

    rated = say(visitor, '/rate_handoff{"rating": "5"}')
    assert "écrivez maintenant un commentaire" in all_text(rated)
    offer = say(visitor, "Très bon accueil, merci")
    assert email in all_text(offer)
    assert "Oui, envoyez-la-moi" in button_titles(offer)
    before = len(mailbox.messages)
    sent = all_text(say(visitor, "/send_transcript"))
    assert f"C'est envoyé à {email}" in sent

    case = api.get(f"/v1/cases/{reference}").json()
    assert (case["satisfaction_score"], case["satisfaction_comment"]) == (
        5,
        "Très bon accueil, merci",
    )
    assert case["transcript_emailed_at"] is not None
    [(recipients, mail)] = mailbox.wait_for(before + 1)[before:]
    assert recipients == [email]
    assert "Bonjour Camille !" in mail.get_content()
    assert "Et les crèches à Figeac ?" in mail.get_content()
    # Back with the assistant: a question gets an answer, not a forward to the team.
    assert "Source" in all_text(say(visitor, "Quels collèges à Figeac ?"))
