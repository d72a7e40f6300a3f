"""Local accounts: user names, roles, password hashes, sign-in and the lock-out.

For a small network that has no single sign-on: an administrator adds accounts
(`benchmark user add NAME --role admin` for the first one, the command line acting as an
administrator) and people sign in to the dashboard with name and password (docs/users.md).

Names. A name is kept as typed, in Unicode NFC with spaces trimmed and runs of spaces made one;
it matches by `name_key`: NFC and case folding, so "Anna", "ANNA" and an "Åsa" typed with a
combining ring are one account each. Nothing more is folded: not accents ("Åsa" is not "Asa"),
not compatibility forms (NFKC would make a full-width "ａｎｎａ" into "anna") and never letters of
other scripts, so a name spelt with a Cyrillic "а" is another account, not the Latin one. Control
and invisible format characters (zero-width spaces, direction overrides) are refused, so two names
that look the same on screen cannot differ by something unseen.

Passwords. Normalised with NFKC before hashing, because the same password typed on another keyboard,
system or input method may arrive as other code points (a precomposed "å" or "a" plus a combining
ring, a full-width digit from an East Asian input method); NFKC makes them one, as NIST SP 800-63B
advises. The rules: at least 12 characters, at most 1024 (checked before any work, so a megabyte
"password" costs nothing), and not the user name. Stored as argon2id (argon2-cffi's defaults: a
random salt per hash, 64 MiB and 3 passes, about a tenth of a second), so a stolen database file
costs an attacker that much per guess and per account. A successful sign-in whose hash was made
with weaker parameters is hashed again with the current ones.

Sign-in. One answer, `SignInError` ("name or password is wrong"), for an unknown name and a wrong
password alike, and the same work: an unknown name is checked against a dummy hash. After
`sign_in_attempts` failures in a row (setting, default 5) the account is locked for
`sign_in_lock_minutes` (default 15): `AccountLockedError`, and while it lasts not even the right
password is checked. The attempts are recorded by the tool itself (`authorise(SYSTEM,
"record_sign_in")`) in one transaction that reads the count again, so parallel attempts neither
lose a failure nor let a guess through once another attempt has locked the account.

Every change to accounts asks `authorise(actor, "manage_users")` before anything else, and the last
administrator can be neither removed nor demoted, so nobody locks the deployment out.
`current_role` is what the dashboard reads on every click: a removed account or a changed role takes
effect at once.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import settings
from .auth import SYSTEM, Actor, Role, authorise, parse_role
from .errors import BenchmarkError, NotFoundError, SettingError, ValidationError
from .store import Store, WriteConflictError

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 100
_SPACES = re.compile(r"\s+")
# Control (Cc), format (Cf: zero-width, direction overrides), surrogate, private-use and unassigned
# code points, and the line and paragraph separators: nothing a person types as part of a name.
_REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")

_DEFAULT_HASHER = PasswordHasher()


def default_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile)."""
    return _DEFAULT_HASHER


# -- errors ---------------------------------------------------------------------------------------
class UserNameError(ValidationError):
    """A user name that is empty, too long or holds characters nobody types."""


class UserExistsError(ValidationError):
    def __init__(self, name: str) -> None:
        super().__init__("users.exists", name=name)
        self.name = name


class UnknownUserError(NotFoundError):
    """No account has this name (for the administrator's commands; sign-in never says so)."""

    def __init__(self, name: str) -> None:
        BenchmarkError.__init__(self, "users.unknown", name=name)
        self.what = "user"
        self.value = name
        self.suggestions = []


class PasswordPolicyError(ValidationError):
    """A new password that breaks a rule: too short, too long, or the user name."""


class LastAdminError(ValidationError):
    """Removing or demoting the only administrator would leave nobody to manage the accounts."""


class SignInError(BenchmarkError):
    """The one answer to a failed sign-in, whether the name is unknown or the password wrong."""

    def __init__(self, key: str = "users.sign_in_failed", /, **params: Any) -> None:
        super().__init__(key, **params)


class AccountLockedError(SignInError):
    """Too many failed sign-ins in a row: refused until `until` (UTC), even with the right password."""

    def __init__(self, until: datetime, now: datetime | None = None) -> None:
        now = _utc(now)
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        super().__init__("users.locked", until=until.strftime("%Y-%m-%d %H:%M"), minutes=minutes)
        self.until = until


# -- values -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    """One account as stored, without its password hash (so no repr or log can show it)."""

    user_id: int
    name: str
    role: Role
    created_at: datetime
    created_by: str | None
    password_changed_at: datetime
    failed_attempts: int
    locked_until: datetime | None
    last_sign_in_at: datetime | None

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > _utc(now)


_USER_COLUMNS = ("user_id, name, role, created_at, created_by, password_changed_at, failed_attempts, "
                 "locked_until, last_sign_in_at")


def _user(row: tuple[Any, ...]) -> User:
    return User(row[0], row[1], parse_role(row[2]), *row[3:])


def clean_name(name: object) -> str:
    """The name as stored: NFC, trimmed, runs of spaces made one; refused when unusable."""
    if not isinstance(name, str):
        raise UserNameError("users.name_empty")
    if len(name) > 4 * MAX_NAME:  # before normalising: a pasted page of text costs nothing
        raise UserNameError("users.name_too_long", most=MAX_NAME)
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    if not text:
        raise UserNameError("users.name_empty")
    if len(text) > MAX_NAME:
        raise UserNameError("users.name_too_long", most=MAX_NAME)
    for ch in text:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise UserNameError("users.name_unseen_character", code=f"U+{ord(ch):04X}")
    return text


def name_key(name: object) -> str:
    """The key a name matches by: NFC and case folding only (see the module's docstring)."""
    return unicodedata.normalize("NFC", clean_name(name).casefold())


def _role(role: Role | str) -> Role:
    return role if isinstance(role, Role) else parse_role(role)


def _utc(now: datetime | None) -> datetime:
    """`now` (default: the clock) as a naive UTC datetime, the way the TIMESTAMP columns hold it."""
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return now


# -- passwords --------------------------------------------------------------------------------------
def check_password(password: object, name: str) -> str:
    """The password as it is hashed (NFKC), or `PasswordPolicyError` naming the broken rule."""
    password = password if isinstance(password, str) else ""
    if len(password) > MAX_PASSWORD:  # before normalising: a megabyte costs nothing
        raise PasswordPolicyError("users.password_too_long", most=MAX_PASSWORD)
    normalised = unicodedata.normalize("NFKC", password)
    if len(normalised) < MIN_PASSWORD:
        raise PasswordPolicyError("users.password_too_short", least=MIN_PASSWORD)
    if len(normalised) > MAX_PASSWORD:
        raise PasswordPolicyError("users.password_too_long", most=MAX_PASSWORD)
    if normalised.strip().casefold() == unicodedata.normalize("NFKC", name).casefold():
        raise PasswordPolicyError("users.password_is_name")
    return normalised


def _candidate(password: object) -> str:
    """What a sign-in's password is checked as: NFKC; a too long or missing one as "", which no
    stored hash matches (every stored password has at least MIN_PASSWORD characters)."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return ""
    return unicodedata.normalize("NFKC", password)


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASHES: dict[tuple[Any, ...], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random secret with the hasher's parameters: what an unknown name is checked
    against, so that it costs the same time as a known one."""
    parameters = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
                  hasher.salt_len, hasher.type)
    if parameters not in _DUMMY_HASHES:
        _DUMMY_HASHES[parameters] = hasher.hash(secrets.token_urlsafe(24))
    return _DUMMY_HASHES[parameters]


# -- settings ---------------------------------------------------------------------------------------
def _whole_setting(name: str, least: int) -> int:
    raw = settings.get(name)
    variable = next(s.env for s in settings.SETTINGS if s.name == name)
    try:
        value = int(raw)
    except ValueError:
        raise SettingError("users.setting_not_whole", variable=variable, value=raw, least=least) from None
    if value < least:
        raise SettingError("users.setting_not_whole", variable=variable, value=raw, least=least)
    return value


def lock_policy() -> tuple[int, timedelta]:
    """(failed sign-ins in a row that lock an account, how long it stays locked), from the settings."""
    return _whole_setting("sign_in_attempts", 1), timedelta(minutes=_whole_setting("sign_in_lock_minutes", 1))


# -- reading ----------------------------------------------------------------------------------------
def _key_or_none(name: object) -> str | None:
    try:
        return name_key(name)
    except UserNameError:
        return None


def find_user(store: Store, name: str) -> User | None:
    """The account of that name (matched by `name_key`), or None."""
    key = _key_or_none(name)
    if key is None:
        return None
    rows = store.rows(f"SELECT {_USER_COLUMNS} FROM users WHERE name_key = ?", [key])
    return _user(rows[0]) if rows else None


def current_role(store: Store, name: str) -> Role | None:
    """The account's role as stored now; None when there is no such account (any more)."""
    key = _key_or_none(name)
    if key is None:
        return None
    role = store.scalar("SELECT role FROM users WHERE name_key = ?", [key])
    return None if role is None else parse_role(role)


def has_admin(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM users WHERE role = ?", [Role.ADMIN.id]))


def list_users(store: Store, *, now: datetime | None = None) -> pd.DataFrame:
    """Every account by name, never with its hash; `locked_until` only while the lock lasts."""
    return store.frame(
        """
        SELECT name, role, created_at, created_by, password_changed_at, last_sign_in_at, failed_attempts,
               CASE WHEN locked_until > ? THEN locked_until END AS locked_until
        FROM users ORDER BY name_key
        """,
        [_utc(now)],
    )


# -- changes ----------------------------------------------------------------------------------------
def add_user(store: Store, name: str, role: Role | str, password: str, *, actor: Actor,
             hasher: PasswordHasher | None = None, now: datetime | None = None) -> User:
    """Add an account; `UserExistsError` when the name (by `name_key`) is taken."""
    permit = authorise(actor, "manage_users")
    shown = clean_name(name)
    key = name_key(shown)
    chosen = _role(role)
    password_hash = (hasher or default_hasher()).hash(check_password(password, shown))
    now = _utc(now)
    if find_user(store, shown) is not None:  # refused before the write, so the transaction stays clean
        raise UserExistsError(shown)
    try:
        with store.writer(permit) as cur:
            row = cur.execute(
                f"""
                INSERT INTO users (name, name_key, role, password_hash, created_at, created_by, password_changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_USER_COLUMNS}
                """,
                [shown, key, chosen.id, password_hash, now, actor.name, now],
            ).fetchone()
    except WriteConflictError:  # added by someone else a moment ago
        raise UserExistsError(shown) from None
    return _user(row)


def _existing(cur: duckdb.DuckDBPyConnection, name: str) -> tuple[int, str, Role]:
    """(user_id, name, role) of the account inside a write, or `UnknownUserError`."""
    key = _key_or_none(name)
    row = cur.execute("SELECT user_id, name, role FROM users WHERE name_key = ?", [key]).fetchone() if key else None
    if row is None:
        raise UnknownUserError(str(name))
    return row[0], row[1], parse_role(row[2])


def _other_admins(cur: duckdb.DuckDBPyConnection, user_id: int) -> int:
    return int(cur.execute("SELECT count(*) FROM users WHERE role = ? AND user_id <> ?",
                           [Role.ADMIN.id, user_id]).fetchone()[0])


def remove_user(store: Store, name: str, *, actor: Actor) -> None:
    """Remove an account; its sessions end on their next click (`current_role` is None)."""
    permit = authorise(actor, "manage_users")
    with store.writer(permit) as cur:
        user_id, shown, role = _existing(cur, name)
        if role == Role.ADMIN and not _other_admins(cur, user_id):
            raise LastAdminError("users.last_admin_remove", name=shown)
        cur.execute("DELETE FROM users WHERE user_id = ?", [user_id])


def set_role(store: Store, name: str, role: Role | str, *, actor: Actor) -> None:
    """Give an account another role; it takes effect on the user's next click."""
    permit = authorise(actor, "manage_users")
    chosen = _role(role)
    with store.writer(permit) as cur:
        user_id, shown, current = _existing(cur, name)
        if current == Role.ADMIN and chosen != Role.ADMIN and not _other_admins(cur, user_id):
            raise LastAdminError("users.last_admin_demote", name=shown, role=chosen.id)
        cur.execute("UPDATE users SET role = ? WHERE user_id = ?", [chosen.id, user_id])


def set_password(store: Store, name: str, password: str, *, actor: Actor,
                 hasher: PasswordHasher | None = None, now: datetime | None = None) -> None:
    """Set a new password; it also lifts a lock-out, so a locked-out user can sign in with it at once."""
    permit = authorise(actor, "manage_users")
    user = find_user(store, name)
    if user is None:
        raise UnknownUserError(str(name))
    password_hash = (hasher or default_hasher()).hash(check_password(password, user.name))
    with store.writer(permit) as cur:
        user_id, _, _ = _existing(cur, name)
        cur.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, failed_attempts = 0, "
                    "locked_until = NULL WHERE user_id = ?", [password_hash, _utc(now), user_id])


def unlock_user(store: Store, name: str, *, actor: Actor) -> None:
    """Lift a lock-out and start the count of failed sign-ins again."""
    permit = authorise(actor, "manage_users")
    with store.writer(permit) as cur:
        user_id, _, _ = _existing(cur, name)
        cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE user_id = ?", [user_id])


# -- sign-in ----------------------------------------------------------------------------------------
def sign_in(store: Store, name: str, password: str, *, now: datetime | None = None,
            hasher: PasswordHasher | None = None) -> Actor:
    """The signed-in actor, or `SignInError` / `AccountLockedError` (see the module's docstring)."""
    hasher = hasher or default_hasher()
    now = _utc(now)
    candidate = _candidate(password)
    key = _key_or_none(name)
    rows = store.rows("SELECT user_id, password_hash, locked_until FROM users WHERE name_key = ?",
                      [key]) if key else []
    if not rows:
        _verify(hasher, _dummy_hash(hasher), candidate)
        raise SignInError()
    user_id, stored_hash, locked_until = rows[0]
    if locked_until is not None and locked_until > now:
        raise AccountLockedError(locked_until, now)
    right = _verify(hasher, stored_hash, candidate)
    new_hash = hasher.hash(candidate) if right and hasher.check_needs_rehash(stored_hash) else None
    attempts, lock_for = lock_policy()
    outcome: Actor | BenchmarkError
    # A refusal is raised after the transaction: raising inside it would roll the count back.
    with store.writer(authorise(SYSTEM, "record_sign_in")) as cur:
        row = cur.execute("SELECT name, role, password_hash, failed_attempts, locked_until FROM users "
                          "WHERE user_id = ?", [user_id]).fetchone()
        if row is None:  # removed meanwhile
            outcome = SignInError()
        else:
            shown, role, current_hash, failed, locked = row
            if locked is not None and locked > now:  # another attempt locked it meanwhile
                outcome = AccountLockedError(locked, now)
            elif right and current_hash == stored_hash:
                cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = ?, "
                            "password_hash = coalesce(?, password_hash) WHERE user_id = ?",
                            [now, new_hash, user_id])
                outcome = Actor(shown, parse_role(role), "local")
            else:
                # An expired lock starts a new count.
                failed = 1 if locked is not None else failed + 1
                until = now + lock_for if failed >= attempts else None
                cur.execute("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE user_id = ?",
                            [failed, until, user_id])
                outcome = AccountLockedError(until, now) if until is not None else SignInError()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
