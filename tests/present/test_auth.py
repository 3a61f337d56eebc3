"""The login: a malformed NEWSDESK_AUTH stops start-up; repeated failures lock the user name for a while."""

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


def test_failed_logins_lock_the_name_then_release_it_and_lock_longer_next_time():
    now = [0.0]
    guard = LoginGuard("editor", "s3cret", limit=3, window=60, lockout=30, clock=lambda: now[0])
    assert guard("editor", "s3cret")
    for _ in range(3):
        assert not guard("editor", "guess")
    assert not guard("editor", "s3cret")  # locked: even the right password is refused
    assert guard("other", "s3cret") is False  # another name is judged on its own (and is wrong)
    now[0] = 31.0  # released; the guessing goes on
    for _ in range(3):
        assert not guard("editor", "guess")
    now[0] = 31.0 + 45  # the second lockout lasts twice as long
    assert not guard("editor", "s3cret")
    now[0] = 31.0 + 61
    assert guard("editor", "s3cret")


def test_failures_spread_beyond_the_window_do_not_lock():
    now = [0.0]
    guard = LoginGuard("editor", "s3cret", limit=3, window=10, lockout=30, clock=lambda: now[0])
    for step in range(6):
        now[0] = step * 6.0
        assert not guard("editor", "typo")
    assert guard("editor", "s3cret")
