"""The UI's login: NEWSDESK_AUTH as one user and password. Failed attempts are throttled per client address
and user name together, and per address, so a stranger can slow guessing without locking the owner out."""

from __future__ import annotations

import contextvars
import hmac
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from qa.errors import SettingInvalid

log = logging.getLogger(__name__)

# The address of the client whose request is being served (set by `ClientAddressMiddleware`): Gradio calls
# the login check with the user name and password only.
client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="unknown")


def parse_auth(auth: str) -> tuple[str, str] | None:
    """NEWSDESK_AUTH as (user, password); empty means no login. A malformed value stops start-up rather than
    silently serving without a login."""
    if not auth:
        return None
    user, colon, password = auth.partition(":")
    if not (colon and user and password):
        raise SettingInvalid("NEWSDESK_AUTH must be user:password (both non-empty); unset it to serve without login")
    return user, password


class ClientAddressMiddleware:
    """ASGI middleware: every request's client address in `client_address`, for the login check."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            client_address.set(client[0] if client else "unknown")
        await self.app(scope, receive, send)


@dataclass
class _Failures:
    """Recent failures of one key (an address, or an address and a name) and how long it is locked."""

    times: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    strikes: int = 0


class _Counters:
    """Failure counters by key, at most `capacity` of them: past it, the one untouched longest is dropped
    (never all of them, and never one touched since a newer one)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._table: OrderedDict[object, _Failures] = OrderedDict()

    def get(self, key: object) -> _Failures | None:
        return self._table.get(key)

    def touch(self, key: object) -> _Failures:
        failures = self._table.pop(key, None) or _Failures()
        self._table[key] = failures
        while len(self._table) > self.capacity:
            self._table.popitem(last=False)
        return failures

    def drop(self, key: object) -> None:
        self._table.pop(key, None)

    def __len__(self) -> int:
        return len(self._table)


class LoginGuard:
    """Checks a login in constant time. `limit` failures for one user name from one address within `window`
    seconds lock that name from that address for `lockout` seconds, doubling while the guessing goes on;
    `address_limit` failures of any names lock the address itself. The right password from another address
    is still admitted, so a stranger's guesses never lock the owner out."""

    def __init__(
        self,
        user: str,
        password: str,
        *,
        limit: int = 5,
        address_limit: int = 20,
        window: float = 300.0,
        lockout: float = 60.0,
        capacity: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user, self._password = user.encode(), password.encode()
        self.limit, self.address_limit, self.window, self.lockout, self.clock = (
            limit,
            address_limit,
            window,
            lockout,
            clock,
        )
        self._pairs, self._addresses = _Counters(capacity), _Counters(capacity)
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str, address: str | None = None) -> bool:
        now = self.clock()
        address = address or client_address.get()
        name = str(username)[:200]
        pair = (address, name)
        with self._lock:
            for key, table in ((address, self._addresses), (pair, self._pairs)):
                failures = table.get(key)
                if failures and failures.locked_until > now:
                    log.warning("login for %r from %s refused: locked after repeated failures", name, address)
                    return False
        good = hmac.compare_digest(name.encode(), self._user) & hmac.compare_digest(
            str(password).encode(), self._password
        )
        with self._lock:
            if good:
                self._pairs.drop(pair)
                return True
            self._fail(self._pairs.touch(pair), self.limit, now, f"{name!r} from {address}")
            self._fail(self._addresses.touch(address), self.address_limit, now, f"every name from {address}")
        return False

    def _fail(self, failures: _Failures, limit: int, now: float, what: str) -> None:
        failures.times = [t for t in failures.times if now - t < self.window] + [now]
        if len(failures.times) >= limit:
            seconds = self.lockout * 2**failures.strikes
            failures.locked_until, failures.strikes, failures.times = now + seconds, failures.strikes + 1, []
            log.warning("login for %s locked for %.0f s after %d failures", what, seconds, limit)
