"""Checking what the visitor typed in the handoff form: a first name, an e-mail or a phone."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d .\-/()]{7,}\d")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’\-][^\W\d_]+){0,3}$")
# Short answers that are words, not names ("oui" right after the consent question).
_NOT_NAMES = frozenset({"oui", "non", "ok", "okay", "merci", "bonjour", "salut", "d'accord"})
_NAME_PREFIX = re.compile(
    r"^(?:bonjour[, ]*)?(?:je m'appelle|je m’appelle|moi c'est|moi c’est|c'est|c’est|"
    r"mon prénom est|mon prénom c'est|prénom ?:|je suis)\s+",
    re.IGNORECASE,
)


def parse_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    if not match:
        return None
    local, domain = match.group(0).rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def parse_phone(text: str) -> str | None:
    """A French number in international form (+33…), whatever the visitor's spacing."""
    for candidate in _PHONE_CANDIDATE.findall(text):
        compact = candidate.replace("(0)", "")
        digits = re.sub(r"\D", "", compact)
        if compact.startswith("+33"):
            national = digits[2:]
        elif digits.startswith("0033"):
            national = digits[4:]
        elif digits.startswith("0") and len(digits) == 10:
            national = digits[1:]
        else:
            continue
        if len(national) == 9 and national[0] != "0":
            return "+33" + national
    return None


def display_phone(phone: str) -> str:
    """+33612345678 -> 06 12 34 56 78"""
    national = "0" + phone[3:]
    return " ".join(national[i : i + 2] for i in range(0, len(national), 2))


def parse_contact(text: str) -> tuple[str, str] | None:
    """("email", address) or ("phone", +33 number), or None when neither is there."""
    email = parse_email(text)
    if email:
        return "email", email
    phone = parse_phone(text)
    if phone:
        return "phone", phone
    return None


def clean_first_name(text: str) -> str | None:
    name = _NAME_PREFIX.sub("", text.strip()).strip(" .!,;")
    if not name or len(name) > 40 or not _NAME.match(name) or name.lower() in _NOT_NAMES:
        return None
    return name.title() if name.islower() or name.isupper() else name
