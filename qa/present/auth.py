"""The UI's login: NEWSDESK_AUTH as one user and password, with failed attempts throttled per user name."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable

from qa.errors import SettingInvalid

log = logging.getLogger(__name__)


def parse_auth(auth: str) -> tuple[str, str] | None:
    """NEWSDESK_AUTH as (user, password); empty means no login. A malformed value stops start-up rather than
    silently serving without a login."""
    if not auth:
        return None
    user, colon, password = auth.partition(":")
    if not (colon and user and password):
        raise SettingInvalid("NEWSDESK_AUTH must be user:password (both non-empty); unset it to serve without login")
    return user, password


class LoginGuard:
    """Gradio's `auth` callable: checks a login in constant time; after `limit` failures for one user name
    within `window` seconds, that name is locked for `lockout` seconds (doubling while attempts go on)."""

    def __init__(
        self,
        user: str,
        password: str,
        *,
        limit: int = 5,
        window: float = 300.0,
        lockout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user, self._password = user.encode(), password.encode()
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._strikes: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        now = self.clock()
        name = str(username)[:200]
        with self._lock:
            if self._locked_until.get(name, 0.0) > now:
                log.warning("login for %r refused: locked after repeated failures", name)
                return False
        good = hmac.compare_digest(name.encode(), self._user) & hmac.compare_digest(
            str(password).encode(), self._password
        )
        with self._lock:
            if good:
                self._failures.pop(name, None)
                self._strikes.pop(name, None)
                return True
            recent = [t for t in self._failures.get(name, []) if now - t < self.window] + [now]
            self._failures[name] = recent
            if len(recent) >= self.limit:
                strikes = self._strikes.get(name, 0)
                self._locked_until[name] = now + self.lockout * 2**strikes
                self._strikes[name] = strikes + 1
                self._failures[name] = []
                log.warning(
                    "login for %r locked for %.0f s after %d failures", name, self.lockout * 2**strikes, len(recent)
                )
            if len(self._failures) > 10_000:  # a flood of made-up names must not grow memory without bound
                self._failures.clear()
        return False
