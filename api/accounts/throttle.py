"""Slows down password guessing: failed logins are counted per account and per client
address (moving windows of the `limits` library); past either limit the login answers 429
before any password is hashed."""

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.core.config import Settings


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # Seconds until a new attempt is counted again (0 when allowed).
    retry_after_s: int = 0


class LoginThrottle:
    def __init__(self, storage_url: str, per_account: str, per_address: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self._per_account: RateLimitItem = parse(per_account)
        self._per_address: RateLimitItem = parse(per_address)

    def _keys(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self._per_account, f"account:{email.strip().lower()}"),
            (self._per_address, f"address:{address}"),
        ]

    def check(self, email: str, address: str) -> Verdict:
        waits = [
            self._limiter.get_window_stats(item, "login", key).reset_time
            for item, key in self._keys(email, address)
            if not self._limiter.test(item, "login", key)
        ]
        if not waits:
            return Verdict(allowed=True)
        return Verdict(allowed=False, retry_after_s=max(1, int(max(waits) - time.time()) + 1))

    def failed(self, email: str, address: str) -> None:
        for item, key in self._keys(email, address):
            self._limiter.hit(item, "login", key)

    def succeeded(self, email: str) -> None:
        """A right password clears the account's count, not the address's."""
        self._limiter.clear(self._per_account, "login", f"account:{email.strip().lower()}")


def throttle_from_settings(settings: Settings) -> LoginThrottle:
    return LoginThrottle(
        settings.rate_limit_storage_url,
        settings.login_limit_per_account,
        settings.login_limit_per_address,
    )
