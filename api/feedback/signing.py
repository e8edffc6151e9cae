"""The answer a rating is about, signed by the action server (bot/actions/feedback.py): the
rating endpoint is public, so only answers the assistant really gave can be rated."""

import hashlib
import hmac
import json

PURPOSE = "answer-feedback"


def answer_signature(
    secret: str, entry_id: str, question: str, theme: str | None, commune: str | None
) -> str:
    message = json.dumps(
        [PURPOSE, entry_id, question, theme, commune], ensure_ascii=False, separators=(",", ":")
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature_matches(
    secret: str,
    signature: str,
    entry_id: str,
    question: str,
    theme: str | None,
    commune: str | None,
) -> bool:
    expected = answer_signature(secret, entry_id, question, theme, commune)
    return hmac.compare_digest(expected, signature)
