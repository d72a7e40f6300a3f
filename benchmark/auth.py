"""Who may change what: roles, the actions they allow, and the permit every write needs.

Every change to the database goes through `Store.writer(permit)`, and a `Permit` comes only from
`authorise(actor, action)`, which refuses an actor whose role is below the action's. So the rule is
enforced where the data changes, in the package's service functions, not by hiding widgets: a
viewer's session that forges a widget interaction or a link still reaches `authorise` and is
refused before anything is written.

The actions and the least role each needs are data (`ACTIONS`); docs/access.md is generated from
the table and a test checks that every function that writes asks for one of them.

Roles are ordered: an admin may do whatever an analyst may, an analyst whatever a viewer may.
Viewers change nothing: they browse, export and present saved decks.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from enum import IntEnum

from .errors import BenchmarkError, Message


class Role(IntEnum):
    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @property
    def id(self) -> str:
        return self.name.lower()


ROLE_IDS: dict[str, Role] = {role.id: role for role in Role}


def parse_role(text: str) -> Role:
    """`viewer`, `analyst` or `admin` (any case) as a Role; anything else is refused by name."""
    role = ROLE_IDS.get(str(text).strip().lower())
    if role is None:
        raise UnknownRoleError(text)
    return role


@dataclass(frozen=True)
class Action:
    id: str
    role: Role
    description: str


ACTIONS: dict[str, Action] = {
    a.id: a
    for a in (
        Action("import", Role.ANALYST, "import export files (upload, `benchmark import`)"),
        Action("undo_import", Role.ANALYST, "undo an import"),
        Action("link_account", Role.ANALYST, "link a page (account) to its organisation"),
        Action("save_watch_list", Role.ANALYST, "save, change or delete a named watch list"),
        Action("save_deck", Role.ANALYST, "save, change or delete a presentation deck"),
        Action("edit_registry", Role.ADMIN, "add organisations, load or refresh the official registry"),
        Action("demo_data", Role.ADMIN, "load or remove the synthetic demo data and the scale sets"),
        Action("manage_users", Role.ADMIN, "add, remove and change local accounts and their roles"),
        Action("backup", Role.ADMIN, "write a backup of the database"),
        Action("restore", Role.ADMIN, "replace the database with a backup"),
        Action("upgrade", Role.ADMIN, "create or upgrade the database's tables"),
        # Written by anyone who tries to sign in: the failed-attempt count behind the lock-out.
        Action("record_sign_in", Role.VIEWER, "record a sign-in attempt (for the lock-out)"),
    )
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: `name` as shown in the import log, `role` (None: signed out), `via` how they
    came in (local, oidc, cli, system, public)."""

    name: str
    role: Role | None
    via: str = "local"

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    def may(self, action: str) -> bool:
        required = ACTIONS[action].role
        return self.role is not None and self.role >= required


# Whoever runs the command line can open the database file itself, so the command line acts as an
# administrator; protect the file with the file system's permissions (docs/access.md).
def cli_actor(name: str | None = None) -> Actor:
    return Actor(name or login_name(), Role.ADMIN, "cli")


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


# The tool's own start-up work: the first database, upgrades.
SYSTEM = Actor("system", Role.ADMIN, "system")
SIGNED_OUT = Actor("", None, "public")

_ISSUED = object()


@dataclass(frozen=True)
class Permit:
    """Leave for one write: made only by `authorise`, required by `Store.writer`."""

    actor: Actor
    action: str
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _ISSUED:
            raise TypeError("a Permit comes from auth.authorise(actor, action)")


def authorise(actor: Actor, action: str) -> Permit:
    """A permit for `action`, or `PermissionDeniedError` when the actor's role is too low."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")  # a programming error, never a user's
    if not isinstance(actor, Actor) or not actor.may(action):
        raise PermissionDeniedError(actor, ACTIONS[action])
    return Permit(actor, action, _ISSUED)


class PermissionDeniedError(BenchmarkError, PermissionError):
    """An actor tried something their role does not allow; nothing was changed."""

    def __init__(self, actor: object, action: Action) -> None:
        role = getattr(actor, "role", None)
        who = getattr(actor, "name", "") or Message("auth.nobody")
        super().__init__(
            "auth.denied" if role is not None else "auth.sign_in_needed",
            who=who,
            role=role.id if role is not None else "",
            action=Message(f"auth.action.{action.id}"),
            needed=action.role.id,
        )
        self.actor = actor
        self.action = action


class UnknownRoleError(BenchmarkError, ValueError):
    def __init__(self, text: object) -> None:
        super().__init__("auth.unknown_role", value=text, roles=", ".join(ROLE_IDS))
        self.value = text
