"""The deployment's access file: which pages are open without sign-in, how people sign in, and the
roles of single-sign-on users by e-mail address or domain.

One TOML file (setting `access_file`, default `access.toml` in the project folder; the committed
`access.example.toml` documents every key). Without the file the dashboard is public for browsing
and signs analysts and administrators in with local accounts (`benchmark user add`).

The file is read strictly: an unknown key, page, role or sign-in method is refused by name, so a typo
cannot open a page by accident. The app re-reads it when it changes, so a role taken away in the file
takes effect on the user's next click, without a restart.

Rules for e-mail addresses (single sign-on): an address is compared after Unicode NFC and case
folding, never after compatibility folding (NFKC would turn a full-width "ｓｋｒ.se" into "skr.se") or
look-alike folding; so a domain spelt with a Cyrillic letter matches no rule. The most specific rule
wins: the whole address, then its domain, then `default_role`. The role `none` lets nobody in, so
`"someone@region.se" = "none"` shuts out one address of a domain that is otherwise let in.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import settings
from .auth import ROLE_IDS, Role
from .errors import BenchmarkError, Message

# The dashboard's pages by id, in menu order; `upload` needs an analyst whatever the file says.
PAGES = ("watch", "ranking", "profile", "present", "upload", "admin")
BROWSING_PAGES = ("watch", "ranking", "profile", "present")
PAGE_ROLES: dict[str, Role] = {
    "watch": Role.VIEWER, "ranking": Role.VIEWER, "profile": Role.VIEWER, "present": Role.VIEWER,
    "upload": Role.ANALYST, "admin": Role.ADMIN,
}
SIGN_IN_METHODS = ("local", "oidc")
MODES = ("public", "private")
NO_ROLE = "none"
ROLES_TABLE = "oidc.roles"  # a key of the access file, named in messages

# Values in .streamlit/secrets.example.toml: a deployment still using one of them has no secret.
PLACEHOLDER_SECRETS = frozenset({
    "change-me", "change-me-to-a-long-random-string", "your-client-secret", "your-client-id", "",
})
MIN_SECRET_LENGTH = 32
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


class AccessFileError(BenchmarkError):
    """The access file cannot be used; says which key or value and what is allowed."""


@dataclass(frozen=True)
class AccessConfig:
    mode: str = "public"
    public_pages: tuple[str, ...] = BROWSING_PAGES
    sign_in: tuple[str, ...] = ("local",)
    oidc_default_role: Role | None = None
    oidc_rules: Mapping[str, Role | None] = field(default_factory=dict)
    path: Path | None = None

    @property
    def private(self) -> bool:
        return self.mode == "private"

    def open_pages(self) -> tuple[str, ...]:
        """The pages anyone may open without signing in."""
        return () if self.private else tuple(p for p in self.public_pages if PAGE_ROLES[p] == Role.VIEWER)

    def pages_for(self, role: Role | None) -> tuple[str, ...]:
        """The pages someone with `role` (None: signed out) sees, in menu order."""
        if role is None:
            return self.open_pages()
        return tuple(p for p in PAGES if role >= PAGE_ROLES[p])


def access_path() -> Path:
    raw = settings.get("access_file")
    path = Path(raw).expanduser()
    return path if path.is_absolute() else settings.PROJECT_ROOT / path


def load_access(path: Path | None = None) -> AccessConfig:
    """The access file at `path` (default: the `access_file` setting); defaults when there is none."""
    path = path or access_path()
    if not path.exists():
        return AccessConfig()
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccessFileError("access.unreadable", path=path, detail=str(exc)) from None
    return parse_access(raw, path)


def parse_access(raw: Mapping[str, Any], path: Path | None = None) -> AccessConfig:
    where = path or "access.toml"
    _only(raw, ("mode", "public_pages", "sign_in", "oidc"), where, "")
    mode = raw.get("mode", "public")
    if mode not in MODES:
        raise AccessFileError("access.bad_value", path=where, key="mode", value=mode, allowed=", ".join(MODES))
    public_pages = tuple(_list(raw, "public_pages", BROWSING_PAGES, where))
    for page in public_pages:
        if page not in PAGES:
            raise AccessFileError("access.bad_value", path=where, key="public_pages", value=page,
                                  allowed=", ".join(BROWSING_PAGES))
        if PAGE_ROLES[page] > Role.VIEWER:
            raise AccessFileError("access.page_needs_role", path=where, page=page, role=PAGE_ROLES[page].id)
    sign_in = tuple(_list(raw, "sign_in", ("local",), where))
    for method in sign_in:
        if method not in SIGN_IN_METHODS:
            raise AccessFileError("access.bad_value", path=where, key="sign_in", value=method,
                                  allowed=", ".join(SIGN_IN_METHODS))
    if not sign_in:
        raise AccessFileError("access.no_sign_in", path=where, allowed=", ".join(SIGN_IN_METHODS))
    oidc = raw.get("oidc", {})
    if not isinstance(oidc, Mapping):
        raise AccessFileError("access.not_a_table", path=where, key="oidc")
    _only(oidc, ("default_role", "roles"), where, "oidc.")
    default_role = _role(oidc.get("default_role", NO_ROLE), where, "oidc.default_role")
    rules_raw = oidc.get("roles", {})
    if not isinstance(rules_raw, Mapping):
        raise AccessFileError("access.not_a_table", path=where, key=ROLES_TABLE)
    rules: dict[str, Role | None] = {}
    for pattern, role in rules_raw.items():
        key = _email_rule(pattern, where)
        rules[key] = _role(role, where, f"oidc.roles.{pattern}")
    return AccessConfig(mode, public_pages, sign_in, default_role, rules, path)


def _only(table: Mapping[str, Any], allowed: tuple[str, ...], where: object, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise AccessFileError("access.unknown_key", path=where, key=f"{prefix}{key}",
                                  allowed=", ".join(f"{prefix}{a}" for a in allowed))


def _list(raw: Mapping[str, Any], key: str, default: tuple[str, ...], where: object) -> list[str]:
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AccessFileError("access.not_a_list", path=where, key=key)
    return value


def _role(value: object, where: object, key: str) -> Role | None:
    text = str(value).strip().lower()
    if text == NO_ROLE:
        return None
    if text not in ROLE_IDS:
        raise AccessFileError("access.bad_value", path=where, key=key, value=value,
                              allowed=", ".join([*ROLE_IDS, NO_ROLE]))
    return ROLE_IDS[text]


def normalise_email(text: str) -> str:
    return unicodedata.normalize("NFC", str(text).strip()).casefold()


def _email_rule(pattern: str, where: object) -> str:
    """`name@domain` (one address) or `@domain` (everyone there), normalised like the addresses."""
    key = normalise_email(pattern)
    local, at, domain = key.rpartition("@")
    if not at or not domain or "." not in domain or " " in key:
        raise AccessFileError("access.bad_email_rule", path=where, value=pattern)
    return key


def role_for_email(config: AccessConfig, email: str | None, *, verified: bool | None = None) -> Role | None:
    """The role of a single-sign-on user, or None when they may not in. An identity provider that
    says the address is not verified (`email_verified` false) gets no role: anyone can type an
    unverified address."""
    if not email or verified is False:
        return None
    address = normalise_email(email)
    _local, at, domain = address.rpartition("@")
    if not at or not domain:
        return None
    if address in config.oidc_rules:
        return config.oidc_rules[address]
    if f"@{domain}" in config.oidc_rules:
        return config.oidc_rules[f"@{domain}"]
    return config.oidc_default_role


def read_secrets(path: Path | None = None) -> dict[str, Any]:
    """The deployment's `.streamlit/secrets.toml` (empty when absent): for the start-up check only."""
    path = path or settings.PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccessFileError("access.secrets_unreadable", path=path, detail=str(exc)) from None


def deployment_problems(config: AccessConfig, secrets: Mapping[str, Any], *, has_admin: bool) -> list[Message]:
    """Why this deployment must not start, if it must not: a private dashboard that nobody could
    sign in to, or single sign-on with a missing, short or example secret. Empty: fine."""
    problems: list[Message] = []
    if "oidc" in config.sign_in:
        auth = secrets.get("auth")
        if not isinstance(auth, Mapping):
            problems.append(Message("access.oidc_not_configured"))
        else:
            for key in OIDC_KEYS:
                value = auth.get(key)
                if not isinstance(value, str) or value.strip() in PLACEHOLDER_SECRETS:
                    problems.append(Message("access.oidc_secret_missing", key=key))
            cookie = auth.get("cookie_secret")
            if isinstance(cookie, str) and cookie.strip() not in PLACEHOLDER_SECRETS and len(cookie) < MIN_SECRET_LENGTH:
                problems.append(Message("access.cookie_secret_short", length=MIN_SECRET_LENGTH))
        if not config.oidc_rules and config.oidc_default_role is None:
            problems.append(Message("access.oidc_no_roles"))
    if config.private and config.sign_in == ("local",) and not has_admin:
        problems.append(Message("access.no_local_admin"))
    return problems
