"""The `benchmark user …` commands: local accounts for signing in to the dashboard (docs/users.md).

`register(commands, db_parent)` adds the `user` command to the command line's subparsers and returns
its handler by name; benchmark/cli.py merges it into its COMMANDS. The handlers follow cli.py's
rules: printing only, one-line `benchmark: error: …` messages (raised as `BenchmarkError`s and
printed by cli.main).

A password is never a command-line argument, where the shell's history and `ps` would show it to
others: on a terminal it is typed twice without echo, otherwise the first line of standard input is
read (for scripts: `printf '%s\\n' "$PASSWORD" | benchmark user add …`). The command line acts as an
administrator (`auth.cli_actor`): whoever can run it can open the database file anyway.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

import pandas as pd

from . import users
from .auth import ROLE_IDS, cli_actor, parse_role
from .errors import ValidationError
from .reports.tables import frame_to_csv
from .store import open_store

Handler = Callable[[argparse.Namespace], int]
ROLES = ", ".join(ROLE_IDS)


def register(commands: argparse._SubParsersAction, db_parent: argparse.ArgumentParser) -> dict[str, Handler]:
    parser_class = type(db_parent)  # cli.py's parser, which turns argparse's exit into one-line errors
    user = commands.add_parser(
        "user", help="local accounts for signing in to the dashboard",
        description="Add, remove and change the local accounts people sign in to the dashboard with. "
                    "Passwords are read from the keyboard (typed twice) or from the first line of standard "
                    "input, never from the command line (docs/users.md).")
    actions = user.add_subparsers(dest="user_action", metavar="ACTION", parser_class=parser_class)
    actions.required = True

    add = actions.add_parser("add", parents=[db_parent], help="add an account",
                             description="Add an account with a role; the first one should be an admin. "
                                         "The password (at least 12 characters) is asked for.")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, metavar="ROLE", help=ROLES)

    remove = actions.add_parser("remove", parents=[db_parent], help="remove an account",
                                description="Remove an account; a signed-in session of it ends on its next click. "
                                            "The last admin cannot be removed.")
    remove.add_argument("name", metavar="NAME")

    role = actions.add_parser("set-role", parents=[db_parent], help="change an account's role",
                              description="Give an account another role; it takes effect on the user's next "
                                          "click. The last admin cannot be demoted.")
    role.add_argument("name", metavar="NAME")
    role.add_argument("role", metavar="ROLE", help=ROLES)

    password = actions.add_parser("set-password", parents=[db_parent], help="set a new password",
                                  description="Set a new password (asked for); it also lifts a lock-out.")
    password.add_argument("name", metavar="NAME")

    unlock = actions.add_parser("unlock", parents=[db_parent], help="lift a lock-out after failed sign-ins",
                                description="Let an account that is locked after too many failed sign-ins "
                                            "sign in again at once.")
    unlock.add_argument("name", metavar="NAME")

    listing = actions.add_parser("list", parents=[db_parent], help="list the accounts",
                                 description="Every account with its role, when it was added and by whom, its "
                                             "last sign-in and any lock-out; never a password or its hash.")
    listing.add_argument("--format", choices=("table", "csv"),
                         help="table (default on a terminal) or csv")
    return {"user": _cmd_user}


def _cmd_user(args: argparse.Namespace) -> int:
    return _ACTIONS[args.user_action](args)


def read_password(name: str) -> str:
    """The new password: typed twice without echo on a terminal, else the first line of standard input
    (only its line ending removed: spaces may be part of a password)."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"new password for {name}: ")
        if getpass.getpass("the same password again: ") != first:
            raise ValidationError("users.passwords_differ")
        return first
    # At most one character more than allowed is read, so a huge input is refused without being held.
    line = sys.stdin.readline(users.MAX_PASSWORD + 3)
    if not line:
        raise ValidationError("users.no_password")
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    return line


def _add(args: argparse.Namespace) -> int:
    role = parse_role(args.role)  # refused before the password is asked for
    name = users.clean_name(args.name)
    password = read_password(name)
    with open_store(args.db) as store:
        user = users.add_user(store, name, role, password, actor=cli_actor())
    print(f"added {user.name} ({user.role.id})")
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        users.remove_user(store, args.name, actor=cli_actor())
    print(f"removed {args.name}")
    return 0


def _set_role(args: argparse.Namespace) -> int:
    role = parse_role(args.role)
    with open_store(args.db) as store:
        users.set_role(store, args.name, role, actor=cli_actor())
    print(f"{args.name} is now {role.id}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        if users.find_user(store, args.name) is None:  # before asking for a password to no purpose
            raise users.UnknownUserError(args.name)
        password = read_password(args.name)
        users.set_password(store, args.name, password, actor=cli_actor())
    print(f"set a new password for {args.name}")
    return 0


def _unlock(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        users.unlock_user(store, args.name, actor=cli_actor())
    print(f"unlocked {args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        frame = users.list_users(store)
    fmt = args.format or ("table" if sys.stdout.isatty() else "csv")
    if fmt == "csv":
        sys.stdout.write(frame_to_csv(frame))
    elif frame.empty:
        sys.stdout.write("(none)\n")
    else:
        shown = frame.astype(object).where(pd.notna(frame), "–")
        sys.stdout.write(shown.to_string(index=False) + "\n")
    return 0


_ACTIONS: dict[str, Handler] = {"add": _add, "remove": _remove, "set-role": _set_role,
                                "set-password": _set_password, "unlock": _unlock, "list": _list}
