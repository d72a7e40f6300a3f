"""Decks: saved sequences of views, for presentation mode and for one PowerPoint file per meeting.

A slide is a `ViewState` stored as its link's query string, so a deck shows the figures as they are
when it is presented (the latest import), and a slide survives changes to the code's defaults. Every
change rewrites the deck's slides in one transaction, so a deck is never half-saved.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .auth import Actor, authorise
from .errors import NotFoundError, ValidationError
from .registry import name_key
from .store import Store
from .viewstate import ViewState, parse_query

MAX_SLIDES = 60
MAX_NAME_LENGTH = 80
MAX_NOTE_LENGTH = 200


@dataclass(frozen=True)
class Slide:
    state: ViewState
    note: str = ""
    problems: tuple[str, ...] = ()  # what could not be read back from the stored view


@dataclass(frozen=True)
class Deck:
    deck_id: int
    name: str
    slides: tuple[Slide, ...]


def list_decks(store: Store) -> list[tuple[str, int]]:
    """Every deck's name and number of slides, by name."""
    return [(r[0], int(r[1])) for r in store.rows(
        "SELECT d.name, count(s.position) FROM decks d LEFT JOIN deck_slides s USING (deck_id) "
        "GROUP BY d.deck_id, d.name ORDER BY lower(d.name)")]


def find_deck(store: Store, name: str) -> Deck | None:
    rows = store.rows("SELECT deck_id, name FROM decks WHERE name_key = ?", [name_key(name)])
    if not rows:
        return None
    deck_id, deck_name = rows[0]
    slides = []
    for view, note in store.rows("SELECT view, note FROM deck_slides WHERE deck_id = ? ORDER BY position", [deck_id]):
        parsed = parse_query(view)
        slides.append(Slide(parsed.state, note or "", parsed.problems))
    return Deck(deck_id, deck_name, tuple(slides))


def get_deck(store: Store, name: str) -> Deck:
    found = find_deck(store, name)
    if found is None:
        names = [n for n, _ in list_decks(store)]
        raise NotFoundError("deck", name, difflib.get_close_matches(name, names, n=3, cutoff=0.5))
    return found


def _clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationError("deck.needs_name")
    if len(clean) > MAX_NAME_LENGTH:
        raise ValidationError("deck.name_too_long", limit=MAX_NAME_LENGTH)
    return clean


def save_deck(store: Store, name: str, slides: list[Slide] | tuple[Slide, ...], *, actor: Actor) -> Deck:
    """Create the deck `name` or replace its slides (names match case- and accent-insensitively)."""
    permit = authorise(actor, "save_deck")
    clean = _clean_name(name)
    if len(slides) > MAX_SLIDES:
        raise ValidationError("deck.too_many_slides", limit=MAX_SLIDES, count=len(slides))
    rows = []
    for position, slide in enumerate(slides, start=1):
        if slide.state.page not in ("watch", "ranking", "profile"):
            raise ValidationError("deck.page_not_allowed", position=position, page=slide.state.page)
        note = " ".join(slide.note.split())[:MAX_NOTE_LENGTH]
        rows.append([position, slide.state.to_query_string(), note or None])
    with store.writer(permit) as cur:
        found = cur.execute("SELECT deck_id FROM decks WHERE name_key = ?", [name_key(clean)]).fetchone()
        if found:
            deck_id = found[0]
            cur.execute("UPDATE decks SET name = ?, updated_at = current_timestamp WHERE deck_id = ?", [clean, deck_id])
            cur.execute("DELETE FROM deck_slides WHERE deck_id = ?", [deck_id])
        else:
            deck_id = cur.execute(
                "INSERT INTO decks (name, name_key) VALUES (?, ?) RETURNING deck_id", [clean, name_key(clean)]
            ).fetchone()[0]
        if rows:
            cur.executemany("INSERT INTO deck_slides (deck_id, position, view, note) VALUES (?, ?, ?, ?)",
                            [[deck_id, *row] for row in rows])
    return get_deck(store, clean)


def add_slide(store: Store, name: str, state: ViewState, note: str = "", *, actor: Actor) -> Deck:
    """Append a view to the deck `name`, creating the deck if there is none of that name."""
    authorise(actor, "save_deck")
    found = find_deck(store, _clean_name(name))
    slides = list(found.slides) if found else []
    return save_deck(store, found.name if found else name, [*slides, Slide(state, note)], actor=actor)


def remove_slide(store: Store, name: str, position: int, *, actor: Actor) -> Deck:
    authorise(actor, "save_deck")
    deck = get_deck(store, name)
    _check_position(deck, position)
    return save_deck(store, deck.name, [s for i, s in enumerate(deck.slides, start=1) if i != position], actor=actor)


def move_slide(store: Store, name: str, position: int, offset: int, *, actor: Actor) -> Deck:
    """Move slide `position` (1-based) by `offset` places, stopping at either end."""
    authorise(actor, "save_deck")
    deck = get_deck(store, name)
    _check_position(deck, position)
    slides = list(deck.slides)
    target = min(max(position - 1 + offset, 0), len(slides) - 1)
    slides.insert(target, slides.pop(position - 1))
    return save_deck(store, deck.name, slides, actor=actor)


def delete_deck(store: Store, name: str, *, actor: Actor) -> None:
    permit = authorise(actor, "save_deck")
    deck = get_deck(store, name)
    with store.writer(permit) as cur:
        cur.execute("DELETE FROM deck_slides WHERE deck_id = ?", [deck.deck_id])
        cur.execute("DELETE FROM decks WHERE deck_id = ?", [deck.deck_id])


def _check_position(deck: Deck, position: int) -> None:
    if not 1 <= position <= len(deck.slides):
        raise ValidationError("deck.no_such_slide", name=deck.name, position=position, count=len(deck.slides))
