"""Who may change what: every mutating service function refuses an actor below its role and writes nothing.

The table `MUTATIONS` names every function of the package that asks `auth.authorise` for a permit;
`test_every_writer_is_in_the_table` finds them in the source, so a new writer without a row here
fails the suite (the pattern of Datasette's `test_permissions_checked`).
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmark import accounts, auth, decks, demo, imports, registry, scale, watchlists
from benchmark.auth import ACTIONS, Actor, Permit, PermissionDeniedError, Role, authorise, parse_role
from benchmark.i18n import error_text
from benchmark.store import Store
from benchmark.viewstate import ViewState
from tests.actors import ADMIN, ANALYST, SIGNED_OUT, VIEWER

PACKAGE = Path(__file__).resolve().parents[2] / "benchmark"

TEMPLATE = "organisation,platform,period,followers,posts\nLaxå,facebook,2025-Q1,1200,30\n"
RANKING = ViewState(page="ranking", group="region:SE", platform="facebook", period="2025-Q3", metric="followers")


def _org(store: Store, name: str) -> int:
    return store.scalar("SELECT organisation_id FROM organisations WHERE name = ?", [name])


def _plan(store: Store) -> imports.ImportPlan:
    return imports.plan_import(store, "members.csv", TEMPLATE.encode())


def _committed(store: Store) -> int:
    return imports.commit_import(store, _plan(store), actor=ADMIN).import_id


def _account(store: Store) -> int:
    _committed(store)
    return store.scalar("SELECT min(account_id) FROM accounts")


def _deck(store: Store) -> str:
    decks.save_deck(store, "Möte", [decks.Slide(RANKING), decks.Slide(RANKING)], actor=ADMIN)
    return "Möte"


def _watch_list(store: Store) -> str:
    watchlists.save_watch_list(store, "Grannar", [_org(store, "Laxå")], actor=ADMIN)
    return "Grannar"


@dataclass(frozen=True)
class Mutation:
    """A mutating service function: `prepare(store)` (run as an admin) makes what it needs to change,
    `call(store, actor, prepared)` asks for the change."""

    name: str
    action: str
    call: Callable[[Store, Actor, object], object]
    prepare: Callable[[Store], object] = lambda store: None


MUTATIONS: tuple[Mutation, ...] = (
    Mutation("imports.commit_import", "import", lambda s, a, plan: imports.commit_import(s, plan, actor=a), _plan),
    Mutation("imports.undo_import", "undo_import", lambda s, a, i: imports.undo_import(s, i, actor=a), _committed),
    Mutation("accounts.link_account", "link_account",
             lambda s, a, account: accounts.link_account(s, account, _org(s, "Örebro"), actor=a), _account),
    Mutation("accounts.add_organisation", "edit_registry",
             lambda s, a, _: accounts.add_organisation(s, "Sveriges Radio", "agency", "SE", actor=a)),
    Mutation("registry.load_registry", "edit_registry",
             lambda s, a, _: registry.load_registry(s, s.path.parent / "registry", actor=a)),
    Mutation("watchlists.save_watch_list", "save_watch_list",
             lambda s, a, _: watchlists.save_watch_list(s, "Mina", [_org(s, "Laxå")], actor=a)),
    Mutation("watchlists.delete_watch_list", "save_watch_list",
             lambda s, a, name: watchlists.delete_watch_list(s, name, actor=a), _watch_list),
    Mutation("decks.save_deck", "save_deck", lambda s, a, _: decks.save_deck(s, "Ny", [decks.Slide(RANKING)], actor=a)),
    Mutation("decks.add_slide", "save_deck", lambda s, a, _: decks.add_slide(s, "Ny", RANKING, actor=a)),
    Mutation("decks.remove_slide", "save_deck", lambda s, a, name: decks.remove_slide(s, name, 1, actor=a), _deck),
    Mutation("decks.move_slide", "save_deck", lambda s, a, name: decks.move_slide(s, name, 1, 1, actor=a), _deck),
    Mutation("decks.delete_deck", "save_deck", lambda s, a, name: decks.delete_deck(s, name, actor=a), _deck),
    Mutation("demo.load_demo", "demo_data", lambda s, a, _: demo.load_demo(s, actor=a)),
    Mutation("demo.remove_demo", "demo_data", lambda s, a, _: demo.remove_demo(s, actor=a),
             lambda s: demo.load_demo(s, actor=ADMIN)),
    Mutation("scale.load_scale", "demo_data", lambda s, a, _: scale.load_scale(s, "tiny", actor=a)),
)

# Functions that ask for a permit for the tool itself (auth.SYSTEM), never on behalf of a user.
SYSTEM_WRITERS = {
    "store.Store.create_schema": "creates the tables; run by init, first start and upgrades",
    "bootstrap.build_database": "the first start's database, before anyone can sign in",
    "migrations.upgrade": "the start-up upgrade of an older database",
    "users.sign_in": "records attempts as SYSTEM (record_sign_in) for the lock-out",
}
# Functions that write files rather than rows; their refusals are tested in tests/durability.
FILE_WRITERS = {
    "backup.backup": "writes a backup file",
    "backup.restore": "replaces the database file",
    "backup.restore_offline": "replaces a database that cannot be opened",
    # Tested for every non-admin in tests/unit/test_users.py.
    "users.add_user": "manage_users", "users.remove_user": "manage_users", "users.set_role": "manage_users",
    "users.set_password": "manage_users", "users.unlock_user": "manage_users",
}
# Functions that ask only to decide what to show; they write nothing themselves.
CHECKS_ONLY = {"ui_auth.require": "stops a page for a session without the role"}


def _fingerprint(store: Store) -> dict[str, str]:
    """Every table's rows, hashed: equal fingerprints mean nothing was written."""
    tables = [r[0] for r in store.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")]
    prints = {}
    for table in tables:
        rows = store.rows(f"SELECT * FROM {table} ORDER BY ALL")  # names from the catalogue, not input
        prints[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


def _below(role: Role) -> list[Actor]:
    return [a for a in (SIGNED_OUT, VIEWER, ANALYST) if a.role is None or a.role < role]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_an_actor_below_the_role_is_refused_and_nothing_is_written(small_store, mutation):
    needed = ACTIONS[mutation.action].role
    prepared = mutation.prepare(small_store)
    before = _fingerprint(small_store)
    below = _below(needed)
    assert below  # every action needs more than being signed out
    for actor in below:
        with pytest.raises(PermissionDeniedError) as refused:
            mutation.call(small_store, actor, prepared)
        assert refused.value.action.id == mutation.action
        assert _fingerprint(small_store) == before, f"{mutation.name} wrote something for {actor}"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_the_role_itself_is_allowed_and_writes(small_store, mutation):
    needed = ACTIONS[mutation.action].role
    actor = {Role.VIEWER: VIEWER, Role.ANALYST: ANALYST, Role.ADMIN: ADMIN}[needed]
    prepared = mutation.prepare(small_store)
    before = _fingerprint(small_store)
    mutation.call(small_store, actor, prepared)
    assert _fingerprint(small_store) != before


def _permit_askers() -> set[str]:
    """`module.function` (or `module.Class.method`) of every function whose body calls authorise()."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)

        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, ast.FunctionDef):
                    calls = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
                             for n in ast.walk(child) if isinstance(n, ast.Call)}
                    if "authorise" in calls:
                        found.add(f"{module}.{prefix}{child.name}")

        visit(tree, "")
    return found - {"auth.authorise"}


def test_every_writer_is_in_the_table():
    covered = {m.name for m in MUTATIONS} | set(SYSTEM_WRITERS) | set(CHECKS_ONLY) | set(FILE_WRITERS)
    missing = _permit_askers() - covered
    assert not missing, f"add these mutating functions to MUTATIONS (or SYSTEM_WRITERS with a reason): {sorted(missing)}"


def test_every_store_write_goes_through_a_permit():
    """No function opens `store.writer(...)` without a permit it got from authorise (or was handed)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "writer" and not node.args:
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders


def test_a_store_refuses_to_write_without_a_permit(small_store):
    with pytest.raises(TypeError):
        with small_store.writer():  # type: ignore[call-arg]
            pass
    with pytest.raises(TypeError):
        with small_store.writer("admin"):  # type: ignore[arg-type]
            pass


def test_a_permit_cannot_be_made_by_hand():
    with pytest.raises(TypeError):
        Permit(ADMIN, "import")
    assert authorise(ANALYST, "import").actor == ANALYST


def test_roles_are_ordered_and_parsed_strictly():
    assert Role.VIEWER < Role.ANALYST < Role.ADMIN
    assert parse_role(" Analyst ") is Role.ANALYST
    with pytest.raises(auth.UnknownRoleError, match="viewer, analyst, admin"):
        parse_role("superuser")
    assert ADMIN.may("restore") and not ANALYST.may("restore") and ANALYST.may("import") and not VIEWER.may("import")
    assert not SIGNED_OUT.may("record_sign_in") and VIEWER.may("record_sign_in")


def test_the_refusal_says_who_what_and_which_role_in_each_language():
    with pytest.raises(PermissionDeniedError) as refused:
        authorise(Actor("anna", Role.VIEWER, "local"), "import")
    assert str(refused.value) == (
        "anna (role viewer) may not import export files (upload, `benchmark import`); that needs the role analyst "
        "or higher. Ask an administrator for the role, or sign in as someone who has it")
    assert isinstance(refused.value, PermissionError)
    assert error_text(refused.value, "sv").startswith("anna (roll viewer) får inte importera exportfiler")
    with pytest.raises(PermissionDeniedError) as signed_out:
        authorise(SIGNED_OUT, "undo_import")
    assert error_text(signed_out.value, "da") == "log ind først: for at fortryde en import skal du have rollen analyst eller højere"
