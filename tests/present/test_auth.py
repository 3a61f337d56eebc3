"""The login: a malformed NEWSDESK_AUTH stops start-up; repeated failures lock a user name from one address,
or the address, for a while, never the owner from elsewhere; memory stays bounded."""

import pytest

from qa.errors import SettingInvalid
from qa.present.auth import LoginGuard, parse_auth


@pytest.mark.parametrize("value", ["nocolon", ":password", "user:", ":"])
def test_a_malformed_auth_setting_is_an_error_not_an_open_door(value):
    with pytest.raises(SettingInvalid, match="user:password"):
        parse_auth(value)


def test_auth_setting_parses_and_empty_means_no_login():
    assert parse_auth("") is None
    assert parse_auth("editor:s3cret:with:colons") == ("editor", "s3cret:with:colons")


def test_failed_logins_lock_the_name_from_that_address_then_release_it_and_lock_longer_next_time():
    now = [0.0]
    guard = LoginGuard("editor", "s3cret", limit=3, window=60, lockout=30, clock=lambda: now[0])
    assert guard("editor", "s3cret", "127.0.0.2")
    for _ in range(3):
        assert not guard("editor", "guess", "127.0.0.2")
    assert not guard("editor", "s3cret", "127.0.0.2")  # locked there: even the right password is refused
    assert guard("editor", "s3cret", "127.0.0.1")  # the owner, from elsewhere, is still admitted
    now[0] = 31.0  # released; the guessing goes on
    for _ in range(3):
        assert not guard("editor", "guess", "127.0.0.2")
    now[0] = 31.0 + 45  # the second lockout lasts twice as long
    assert not guard("editor", "s3cret", "127.0.0.2")
    now[0] = 31.0 + 61
    assert guard("editor", "s3cret", "127.0.0.2")


def test_failures_spread_beyond_the_window_do_not_lock():
    now = [0.0]
    guard = LoginGuard("editor", "s3cret", limit=3, window=10, lockout=30, clock=lambda: now[0])
    for step in range(6):
        now[0] = step * 6.0
        assert not guard("editor", "typo", "127.0.0.2")
    assert guard("editor", "s3cret", "127.0.0.2")


def test_made_up_names_neither_reset_a_count_nor_escape_the_address_limit():
    guard = LoginGuard("alice", "s3cret", limit=5, address_limit=20, capacity=1000)
    for _ in range(4):
        assert not guard("alice", "guess", "127.0.0.2")
    for n in range(10_002):  # a flood of made-up names from the same address
        assert not guard(f"user{n}", "guess", "127.0.0.2")
    assert not guard("alice", "s3cret", "127.0.0.2")  # the address is locked: no more guesses from it
    assert guard("alice", "s3cret", "127.0.0.1")
    assert len(guard._pairs) <= 20 and len(guard._addresses) == 1  # the flood stored nothing past the lock


def test_memory_stays_bounded_and_drops_only_the_stalest_counters():
    guard = LoginGuard("alice", "s3cret", limit=3, capacity=100)
    guard("alice", "guess", "10.0.0.1")
    guard("alice", "guess", "10.0.0.1")
    for n in range(500):
        guard("alice", "guess", f"10.1.{n // 250}.{n % 250}")
        if n == 450:
            guard("alice", "guess", "10.0.0.1")  # touched again late: kept
    assert len(guard._pairs) <= 100 and len(guard._addresses) <= 100
    assert guard._pairs.get(("10.0.0.1", "alice")) is not None
