"""Saved watch lists: a name, an owner organisation and the watched peers."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .auth import Actor, authorise
from .errors import NotFoundError, ValidationError
from .registry import name_key
from .store import Store

# The old Pages to Watch panel is remembered as holding "up to ~100" pages. The
# list starts as the whole peer group of the same kind and country, so it must
# hold the largest one: Norway's 357 municipalities (plus Oslo as a county).
MAX_WATCHED = 400
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class WatchList:
    watch_list_id: int
    name: str
    owner_organisation_id: int | None
    organisation_ids: tuple[int, ...]


def list_watch_lists(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT name FROM watch_lists ORDER BY lower(name)")]


def find_watch_list(store: Store, name: str) -> WatchList | None:
    rows = store.rows(
        "SELECT watch_list_id, name, owner_organisation_id FROM watch_lists WHERE name_key = ?", [name_key(name)]
    )
    if not rows:
        return None
    watch_list_id, list_name, owner = rows[0]
    members = store.rows(
        "SELECT organisation_id FROM watch_list_members WHERE watch_list_id = ? ORDER BY organisation_id",
        [watch_list_id],
    )
    return WatchList(watch_list_id, list_name, owner, tuple(m[0] for m in members))


def get_watch_list(store: Store, name: str) -> WatchList:
    found = find_watch_list(store, name)
    if found is None:
        names = list_watch_lists(store)
        raise NotFoundError("watch list", name, difflib.get_close_matches(name, names, n=3, cutoff=0.5))
    return found


def save_watch_list(
    store: Store, name: str, organisation_ids: list[int] | tuple[int, ...], owner_organisation_id: int | None = None,
    *, actor: Actor,
) -> WatchList:
    """Create or replace the list called `name` (matched case- and accent-insensitively)."""
    permit = authorise(actor, "save_watch_list")
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationError("watch_list.needs_name")
    if len(clean) > MAX_NAME_LENGTH:
        raise ValidationError("watch_list.name_too_long", limit=MAX_NAME_LENGTH)
    if ":" in clean:
        raise ValidationError("watch_list.name_with_colon")
    members = tuple(dict.fromkeys(int(i) for i in organisation_ids))
    if not members:
        raise ValidationError("watch_list.empty")
    if len(members) > MAX_WATCHED:
        raise ValidationError("watch_list.too_long", name=clean, count=len(members), limit=MAX_WATCHED)
    existing = find_watch_list(store, clean)
    with store.writer(permit) as cur:
        known = cur.execute(
            "SELECT count(*) FROM organisations WHERE organisation_id IN (SELECT unnest(?::INTEGER[]))", [list(members)]
        ).fetchone()[0]
        if known != len(members):
            raise ValidationError("watch_list.unknown_member")
        if owner_organisation_id is not None and not cur.execute(
            "SELECT count(*) FROM organisations WHERE organisation_id = ?", [owner_organisation_id]
        ).fetchone()[0]:
            raise ValidationError("watch_list.unknown_owner")
        if existing:
            watch_list_id = existing.watch_list_id
            cur.execute(
                "UPDATE watch_lists SET name = ?, owner_organisation_id = ?, updated_at = current_timestamp "
                "WHERE watch_list_id = ?",
                [clean, owner_organisation_id, watch_list_id],
            )
            cur.execute("DELETE FROM watch_list_members WHERE watch_list_id = ?", [watch_list_id])
        else:
            watch_list_id = cur.execute(
                "INSERT INTO watch_lists (name, name_key, owner_organisation_id) VALUES (?, ?, ?) RETURNING watch_list_id",
                [clean, name_key(clean), owner_organisation_id],
            ).fetchone()[0]
        cur.executemany("INSERT INTO watch_list_members VALUES (?, ?)", [[watch_list_id, m] for m in members])
    return WatchList(watch_list_id, clean, owner_organisation_id, tuple(sorted(members)))


def delete_watch_list(store: Store, name: str, *, actor: Actor) -> None:
    permit = authorise(actor, "save_watch_list")
    found = get_watch_list(store, name)
    with store.writer(permit) as cur:
        cur.execute("DELETE FROM watch_list_members WHERE watch_list_id = ?", [found.watch_list_id])
        cur.execute("DELETE FROM watch_lists WHERE watch_list_id = ?", [found.watch_list_id])  # no FK: see schema
