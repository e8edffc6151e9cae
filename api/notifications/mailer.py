"""Sending e-mail: through SMTP (aiosmtplib) when SMTP_HOST is set, else to the log."""

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import aiosmtplib
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from api.core.config import Settings

log = structlog.get_logger(__name__)

# What a failed send can raise: SMTP refusals, network errors and timeouts.
SEND_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    # Mail to a visitor: its body must never reach the logs.
    personal: bool = False


class Mailer(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def mask_address(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


class ConsoleMailer:
    """Local default: the mail is written to the log instead of being sent."""

    def __init__(self, sender: str) -> None:
        self._sender = sender

    async def send(self, mail: OutgoingMail) -> None:
        build_message(mail, self._sender)  # refuses malformed headers like SMTP would
        log.info(
            "mail.console",
            to=mask_address(mail.to),
            subject=mail.subject,
            body=None if mail.personal else mail.text,
        )


class SmtpMailer:
    def __init__(self, settings: Settings, timeout_seconds: float = 15.0) -> None:
        assert settings.smtp_host is not None
        self._settings = settings
        self._timeout = timeout_seconds

    async def send(self, mail: OutgoingMail) -> None:
        settings = self._settings
        await aiosmtplib.send(
            build_message(mail, settings.mail_from),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=self._timeout,
        )
        log.info("mail.sent", to=mask_address(mail.to), subject=mail.subject)


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return ConsoleMailer(settings.mail_from)


async def send_with_retries(
    mailer: Mailer, mail: OutgoingMail, attempts: int = 4, backoff_seconds: float = 1.0
) -> bool:
    """For work that nobody waits on: retries with backoff, logs and gives up quietly."""
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=backoff_seconds, max=30),
            retry=retry_if_exception_type(SEND_ERRORS),
            reraise=True,
        ):
            with attempt:
                await mailer.send(mail)
    except SEND_ERRORS as error:
        log.error("mail.failed", to=mask_address(mail.to), error=type(error).__name__)
        return False
    return True


def send_now(mailer: Mailer, mail: OutgoingMail) -> None:
    """Sends from synchronous code (worker threads, CLI); raises one of SEND_ERRORS on failure."""
    asyncio.run(mailer.send(mail))
