"""Local accounts (benchmark/users.py): hashing, the password rules, sign-in and its lock-out, names,
roles and who may change them.

Most tests hash with argon2's cheapest parameters (passed as `hasher=`, as a deployment could pass
its own) so that a dozen sign-ins take milliseconds; the first two use the real defaults.
"""

from __future__ import annotations

import threading
import unicodedata
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher, profiles

from benchmark import i18n, users
from benchmark.auth import SYSTEM, Actor, PermissionDeniedError, Role
from benchmark.errors import SettingError
from benchmark.store import Store
from benchmark.users import (
    AccountLockedError,
    LastAdminError,
    PasswordPolicyError,
    SignInError,
    UnknownUserError,
    UserExistsError,
    UserNameError,
)
from tests.actors import ADMIN, ANALYST, VIEWER

PASSWORD = "correct horse battery"  # 21 characters
T0 = datetime(2030, 3, 4, 9, 0)


class CountingHasher(PasswordHasher):
    """argon2's cheapest parameters, counting what it is asked to do."""

    def __init__(self) -> None:
        p = profiles.CHEAPEST
        super().__init__(p.time_cost, p.memory_cost, p.parallelism, p.hash_len, p.salt_len, type=p.type)
        self.hashed = 0
        self.verified = 0

    def hash(self, password, *, salt=None):
        self.hashed += 1
        return super().hash(password, salt=salt)

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "users.duckdb") as store:
        store.create_schema()
        yield store


@pytest.fixture()
def fast():
    return CountingHasher()


@pytest.fixture()
def lock_after_3(monkeypatch):
    monkeypatch.setenv("BENCHMARK_SIGN_IN_ATTEMPTS", "3")
    monkeypatch.setenv("BENCHMARK_SIGN_IN_LOCK_MINUTES", "10")


def table(store: Store) -> list[tuple]:
    return store.rows("SELECT * FROM users ORDER BY user_id")


def refused(store, name, password, at, hasher) -> type:
    """The exact class of the refusal of a sign-in (it must be refused)."""
    with pytest.raises(SignInError) as caught:
        users.sign_in(store, name, password, now=at, hasher=hasher)
    return type(caught.value)


# -- hashing, on the real defaults --------------------------------------------------------------------
def test_hashes_are_salted_argon2id_with_the_library_defaults(store):
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN)
    users.add_user(store, "bo", "viewer", PASSWORD, actor=ADMIN)
    first, second = (h for (h,) in store.rows("SELECT password_hash FROM users ORDER BY user_id"))
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert second.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert first != second  # the same password, two salts
    assert PASSWORD not in first and PASSWORD.encode().hex() not in first
    assert users.sign_in(store, "anna", PASSWORD) == Actor("anna", Role.ANALYST, "local")
    assert refused(store, "anna", PASSWORD + "!", None, None) is SignInError


def test_a_hash_made_with_weaker_parameters_is_renewed_on_sign_in(store, fast):
    users.add_user(store, "anna", "admin", PASSWORD, actor=ADMIN, hasher=fast)
    assert store.scalar("SELECT password_hash FROM users").startswith("$argon2id$v=19$m=8,t=1,p=1$")
    users.sign_in(store, "anna", PASSWORD)  # the default hasher finds the cheap hash outdated
    renewed = store.scalar("SELECT password_hash FROM users")
    assert renewed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert users.sign_in(store, "anna", PASSWORD, hasher=fast).name == "anna"  # still the same password


# -- passwords ------------------------------------------------------------------------------------------
def test_right_and_wrong_passwords(store, fast):
    users.add_user(store, "Anna Berg", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    assert users.sign_in(store, "anna berg", PASSWORD, hasher=fast) == Actor("Anna Berg", Role.ANALYST, "local")
    for wrong in ("correct horse batterY", PASSWORD + " ", "", "x" * 5000):
        assert refused(store, "Anna Berg", wrong, None, fast) is SignInError


def test_the_password_rules(store, fast):
    with pytest.raises(PasswordPolicyError) as short:
        users.add_user(store, "anna", "viewer", "elevenchars", actor=ADMIN, hasher=fast)
    assert str(short.value).startswith("the password is too short: use at least 12 characters")
    users.add_user(store, "anna", "viewer", "twelve chars", actor=ADMIN, hasher=fast)  # exactly 12
    with pytest.raises(PasswordPolicyError) as long:
        users.add_user(store, "bo", "viewer", "x" * 1025, actor=ADMIN, hasher=fast)
    assert str(long.value) == "the password is longer than 1024 characters; use a shorter one"
    users.add_user(store, "bo", "viewer", "x" * 1024, actor=ADMIN, hasher=fast)
    with pytest.raises(PasswordPolicyError) as is_name:
        users.add_user(store, "Maria Lindqvist", "viewer", "maria LINDQVIST", actor=ADMIN, hasher=fast)
    assert is_name.value.key == "users.password_is_name"
    assert fast.hashed == 2  # a refused password is never hashed
    assert [r[0] for r in store.rows("SELECT name FROM users ORDER BY name")] == ["anna", "bo"]


def test_a_password_is_the_same_however_it_was_typed(store, fast):
    # NFKC: a full-width password from an East Asian input method, and "å" as a + combining ring.
    users.add_user(store, "anna", "viewer", "ｐａｓｓｗｏｒｄ１２３４", actor=ADMIN, hasher=fast)
    assert users.sign_in(store, "anna", "password1234", hasher=fast).name == "anna"
    users.add_user(store, "bo", "viewer", "blåbärssylt på torsdag", actor=ADMIN, hasher=fast)
    typed = unicodedata.normalize("NFD", "blåbärssylt på torsdag")
    assert typed != "blåbärssylt på torsdag"
    assert users.sign_in(store, "bo", typed, hasher=fast).name == "bo"
    # 11 characters that NFKC makes 12 ("ﬁ" is "fi") pass the rule.
    users.add_user(store, "cia", "viewer", "ﬁve ﬁngers", actor=ADMIN, hasher=fast)
    assert users.sign_in(store, "cia", "five fingers", hasher=fast).name == "cia"


# -- sign-in and the lock-out -----------------------------------------------------------------------------
def test_locked_after_exactly_n_failures_until_the_time_is_up(store, fast, lock_after_3):
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    assert refused(store, "anna", "wrong password 1", T0, fast) is SignInError
    assert refused(store, "anna", "wrong password 2", T0 + timedelta(minutes=1), fast) is SignInError
    assert store.rows("SELECT failed_attempts, locked_until FROM users") == [(2, None)]
    with pytest.raises(AccountLockedError) as third:
        users.sign_in(store, "anna", "wrong password 3", now=T0 + timedelta(minutes=2), hasher=fast)
    until = T0 + timedelta(minutes=12)  # the third failure + 10 minutes
    assert third.value.until == until
    assert str(third.value) == ("too many failed sign-ins: the account is locked until 2030-03-04 09:12 UTC "
                                "(about 10 min); try again then, or ask an administrator to unlock it")
    assert store.rows("SELECT failed_attempts, locked_until FROM users") == [(3, until)]
    # While locked, even the right password is refused, and not even checked.
    verified = fast.verified
    assert refused(store, "anna", PASSWORD, until - timedelta(seconds=1), fast) is AccountLockedError
    assert fast.verified == verified
    assert users.find_user(store, "anna").locked(until - timedelta(seconds=1))
    # At the end of the lock the right password works and the count starts again.
    assert users.sign_in(store, "anna", PASSWORD, now=until, hasher=fast).role == Role.ANALYST
    assert store.rows("SELECT failed_attempts, locked_until, last_sign_in_at FROM users") == [(0, None, until)]


def test_a_failure_after_an_expired_lock_starts_a_new_count(store, fast, lock_after_3):
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    for _ in range(3):
        refused(store, "anna", "wrong password", T0, fast)
    later = T0 + timedelta(minutes=30)
    assert refused(store, "anna", "wrong password", later, fast) is SignInError
    assert store.rows("SELECT failed_attempts, locked_until FROM users") == [(1, None)]


def test_a_success_resets_the_count(store, fast, lock_after_3):
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    for attempt in range(2):
        refused(store, "anna", "wrong password", T0, fast)
    users.sign_in(store, "anna", PASSWORD, now=T0, hasher=fast)
    for attempt in range(2):  # two more, four in all: not three in a row
        assert refused(store, "anna", "wrong password", T0, fast) is SignInError
    assert store.rows("SELECT failed_attempts, locked_until FROM users") == [(2, None)]


def test_an_unknown_name_gets_the_same_answer_and_the_same_work(store, fast, lock_after_3):
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    before = table(store)
    for name in ("bertil", "", "   ", "anna\u200b", "x" * 10_000):
        verified = fast.verified
        with pytest.raises(SignInError) as caught:
            users.sign_in(store, name, PASSWORD, now=T0, hasher=fast)
        assert type(caught.value) is SignInError
        assert str(caught.value) == "name or password is wrong"
        assert fast.verified == verified + 1  # checked against the dummy hash, as a known name would be
    with pytest.raises(SignInError) as wrong:
        users.sign_in(store, "anna", "wrong password", now=T0, hasher=fast)
    assert str(wrong.value) == "name or password is wrong"
    assert i18n.error_text(wrong.value, "sv") == "fel namn eller lösenord"
    assert table(store)[0][8] == 1 and table(store)[1:] == before[1:]


def test_parallel_failures_are_all_counted(store, fast, monkeypatch):
    monkeypatch.setenv("BENCHMARK_SIGN_IN_ATTEMPTS", "100")
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            users.sign_in(store, "anna", "wrong password", now=T0, hasher=fast)
        except SignInError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["SignInError"] * 8
    assert store.scalar("SELECT failed_attempts FROM users") == 8


def test_the_lock_out_settings_are_checked(store, fast, monkeypatch):
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    monkeypatch.setenv("BENCHMARK_SIGN_IN_ATTEMPTS", "0")
    with pytest.raises(SettingError) as zero:
        users.sign_in(store, "anna", PASSWORD, hasher=fast)
    assert str(zero.value) == "BENCHMARK_SIGN_IN_ATTEMPTS must be a whole number of at least 1, not '0'"
    monkeypatch.setenv("BENCHMARK_SIGN_IN_ATTEMPTS", "5")
    monkeypatch.setenv("BENCHMARK_SIGN_IN_LOCK_MINUTES", "a while")
    with pytest.raises(SettingError):
        users.sign_in(store, "anna", PASSWORD, hasher=fast)
    monkeypatch.delenv("BENCHMARK_SIGN_IN_ATTEMPTS")
    monkeypatch.delenv("BENCHMARK_SIGN_IN_LOCK_MINUTES")
    assert users.lock_policy() == (5, timedelta(minutes=15))


# -- removal, roles and what the dashboard reads on every click -------------------------------------------
def test_a_removed_user_cannot_sign_in_and_has_no_role(store, fast):
    users.add_user(store, "adam", "admin", PASSWORD, actor=ADMIN, hasher=fast)
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    assert users.current_role(store, "anna") == Role.ANALYST
    users.remove_user(store, "ANNA", actor=ADMIN)
    assert users.current_role(store, "anna") is None
    assert users.find_user(store, "anna") is None
    assert refused(store, "anna", PASSWORD, None, fast) is SignInError
    # The name is free again: a new account, with its own password.
    users.add_user(store, "anna", "viewer", "another long password", actor=ADMIN, hasher=fast)
    assert refused(store, "anna", PASSWORD, None, fast) is SignInError
    assert users.current_role(store, "anna") == Role.VIEWER


def test_a_changed_role_is_what_current_role_says(store, fast):
    users.add_user(store, "anna", "viewer", PASSWORD, actor=ADMIN, hasher=fast)
    users.set_role(store, "anna", "analyst", actor=ADMIN)
    assert users.current_role(store, "anna") == Role.ANALYST
    users.set_role(store, "anna", Role.ADMIN, actor=ADMIN)
    assert users.current_role(store, "Anna") == Role.ADMIN
    assert users.has_admin(store)
    assert users.current_role(store, "nobody") is None and users.current_role(store, "") is None


def test_the_last_admin_can_be_neither_removed_nor_demoted(store, fast):
    assert not users.has_admin(store)
    users.add_user(store, "adam", "admin", PASSWORD, actor=ADMIN, hasher=fast)
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    before = table(store)
    with pytest.raises(LastAdminError) as removing:
        users.remove_user(store, "adam", actor=ADMIN)
    assert str(removing.value).startswith("'adam' is the only administrator; add another administrator")
    with pytest.raises(LastAdminError) as demoting:
        users.set_role(store, "adam", "analyst", actor=ADMIN)
    assert str(demoting.value) == ("'adam' is the only administrator and cannot become analyst; "
                                   "make someone else an administrator first")
    users.set_role(store, "adam", "admin", actor=ADMIN)  # staying an admin is no demotion
    assert table(store) == before
    users.set_role(store, "anna", "admin", actor=ADMIN)
    users.remove_user(store, "adam", actor=ADMIN)
    with pytest.raises(LastAdminError):
        users.set_role(store, "anna", "viewer", actor=ADMIN)
    assert users.current_role(store, "anna") == Role.ADMIN


def test_unknown_names_for_the_administrator_s_changes(store, fast):
    users.add_user(store, "adam", "admin", PASSWORD, actor=ADMIN, hasher=fast)
    for change, args in ((users.remove_user, ()), (users.set_role, ("viewer",)), (users.unlock_user, ()),
                         (users.set_password, ("a new long password",))):
        with pytest.raises(UnknownUserError) as caught:
            change(store, "eve", *args, actor=ADMIN)
        assert str(caught.value) == "there is no account named 'eve'; `benchmark user list` shows the accounts"
    assert fast.hashed == 1


def test_set_password_and_unlock(store, fast, lock_after_3):
    users.add_user(store, "adam", "admin", PASSWORD, actor=ADMIN, hasher=fast, now=T0)
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast, now=T0)
    for _ in range(3):
        refused(store, "anna", "wrong password", T0, fast)
    users.unlock_user(store, "anna", actor=ADMIN)
    assert store.rows("SELECT failed_attempts, locked_until FROM users WHERE name = 'anna'") == [(0, None)]
    assert users.sign_in(store, "anna", PASSWORD, now=T0, hasher=fast).name == "anna"
    for _ in range(3):
        refused(store, "anna", "wrong password", T0, fast)
    later = T0 + timedelta(minutes=1)
    users.set_password(store, "anna", "a brand new password", actor=ADMIN, hasher=fast, now=later)
    assert store.rows("SELECT failed_attempts, locked_until, password_changed_at FROM users WHERE name = 'anna'") == [
        (0, None, later)]
    assert refused(store, "anna", PASSWORD, later, fast) is SignInError
    assert users.sign_in(store, "anna", "a brand new password", now=later, hasher=fast).name == "anna"
    with pytest.raises(PasswordPolicyError):
        users.set_password(store, "anna", "short", actor=ADMIN, hasher=fast)


# -- names ------------------------------------------------------------------------------------------------
def test_names_match_in_any_normal_form_and_case_but_not_across_scripts(store, fast):
    nfd = unicodedata.normalize("NFD", "Åsa Öberg")
    user = users.add_user(store, "  " + nfd + "  ", "viewer", PASSWORD, actor=ADMIN, hasher=fast)
    assert user.name == "Åsa Öberg" and user.name != nfd  # stored in NFC, trimmed
    assert users.find_user(store, "åsa öberg").user_id == user.user_id
    assert users.find_user(store, "Åsa  Öberg").user_id == user.user_id  # runs of spaces are one
    assert users.find_user(store, "Asa Oberg") is None  # accents are letters, not decoration
    with pytest.raises(UserExistsError) as taken:
        users.add_user(store, "ÅSA ÖBERG", "viewer", PASSWORD, actor=ADMIN, hasher=fast)
    assert str(taken.value) == "there is already an account named 'ÅSA ÖBERG'; pick another name or change that account"
    # "аnna" with a Cyrillic а (U+0430) looks like "anna" and is another account.
    users.add_user(store, "anna", "admin", PASSWORD, actor=ADMIN, hasher=fast)
    look_alike = users.add_user(store, "\u0430nna", "viewer", "the look-alike's own password", actor=ADMIN,
                                hasher=fast)
    assert look_alike.user_id != users.find_user(store, "anna").user_id
    assert users.current_role(store, "\u0430nna") == Role.VIEWER and users.current_role(store, "anna") == Role.ADMIN
    assert refused(store, "\u0430nna", PASSWORD, None, fast) is SignInError
    assert users.sign_in(store, "\u0430nna", "the look-alike's own password", hasher=fast).role == Role.VIEWER
    assert users.name_key("ＡＮＮＡ") != users.name_key("anna")  # no compatibility folding either


@pytest.mark.parametrize(("name", "key"), [
    ("", "users.name_empty"), ("   ", "users.name_empty"), (None, "users.name_empty"),
    ("an\u200bna", "users.name_unseen_character"), ("anna\u202e", "users.name_unseen_character"),
    ("anna\x00", "users.name_unseen_character"), ("x" * 101, "users.name_too_long"),
    ("x" * 100_000, "users.name_too_long"),
])
def test_unusable_names_are_refused(store, fast, name, key):
    with pytest.raises(UserNameError) as caught:
        users.add_user(store, name, "viewer", PASSWORD, actor=ADMIN, hasher=fast)
    assert caught.value.key == key
    assert table(store) == [] and fast.hashed == 0


def test_a_zero_width_character_is_named_in_the_message(store, fast):
    with pytest.raises(UserNameError) as caught:
        users.add_user(store, "an\u200bna", "viewer", PASSWORD, actor=ADMIN, hasher=fast)
    assert str(caught.value) == ("the user name holds a character that cannot be seen or typed (U+200B); "
                                 "type the name again without it")


# -- who may change accounts ------------------------------------------------------------------------------
@pytest.mark.parametrize("actor", [VIEWER, ANALYST, Actor("", None, "public")], ids=["viewer", "analyst", "signed out"])
def test_only_an_admin_may_change_accounts(store, fast, actor):
    users.add_user(store, "adam", "admin", PASSWORD, actor=ADMIN, hasher=fast)
    users.add_user(store, "anna", "analyst", PASSWORD, actor=ADMIN, hasher=fast)
    before, hashed = table(store), fast.hashed
    attempts = [
        lambda: users.add_user(store, "eve", "admin", PASSWORD, actor=actor, hasher=fast),
        lambda: users.remove_user(store, "adam", actor=actor),
        lambda: users.set_role(store, "anna", "admin", actor=actor),
        lambda: users.set_password(store, "adam", "the attacker's password", actor=actor, hasher=fast),
        lambda: users.unlock_user(store, "anna", actor=actor),
        # Refused before the name or the role is even looked at.
        lambda: users.set_role(store, "nobody", "emperor", actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert table(store) == before
    assert fast.hashed == hashed  # no work was done for a refused change


def test_the_system_records_sign_ins_but_may_not_be_passed_as_a_viewer(store, fast):
    # A viewer signs in (the attempt is recorded by the tool itself), yet cannot add an account.
    users.add_user(store, "vera", "viewer", PASSWORD, actor=ADMIN, hasher=fast)
    viewer = users.sign_in(store, "vera", PASSWORD, now=T0, hasher=fast)
    assert viewer == Actor("vera", Role.VIEWER, "local")
    assert store.scalar("SELECT last_sign_in_at FROM users") == T0
    with pytest.raises(PermissionDeniedError):
        users.add_user(store, "eve", "admin", PASSWORD, actor=viewer, hasher=fast)
    assert SYSTEM.may("record_sign_in")


# -- the list the administration page and `benchmark user list` show ----------------------------------------
def test_the_list_never_holds_a_hash(store, fast, lock_after_3):
    users.add_user(store, "bo", "viewer", PASSWORD, actor=ADMIN, hasher=fast, now=T0)
    users.add_user(store, "Anna", "admin", PASSWORD, actor=ADMIN, hasher=fast, now=T0)
    for _ in range(3):
        refused(store, "bo", "wrong password", T0, fast)
    frame = users.list_users(store, now=T0 + timedelta(minutes=5))
    assert list(frame.columns) == ["name", "role", "created_at", "created_by", "password_changed_at",
                                   "last_sign_in_at", "failed_attempts", "locked_until"]
    assert frame["name"].tolist() == ["Anna", "bo"]  # by name, whatever the case
    assert frame["role"].tolist() == ["admin", "viewer"]
    assert frame["created_by"].tolist() == [ADMIN.name, ADMIN.name]
    assert frame["failed_attempts"].tolist() == [0, 3]
    assert frame["locked_until"].iloc[1] == T0 + timedelta(minutes=10)
    assert "$argon2" not in frame.to_csv()
    # A lock that is over is not shown as one.
    assert users.list_users(store, now=T0 + timedelta(minutes=11))["locked_until"].isna().all()
    assert "password_hash" not in repr(users.find_user(store, "bo"))
