"""Peer groups as the users write them.

- `KIND:COUNTRY`, e.g. `region:SE`, `municipality:DK`, `agency:SE`;
- `in:NAME`, the municipalities within a county or region, e.g. `in:Örebro län`
  or `in:Region Örebro län`;
- the name of a saved watch list.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import NotFoundError
from .i18n import text
from .registry import Organisation, name_key
from .store import Store
from .vocabulary import COUNTRIES, KIND_PLURALS, KINDS
from .watchlists import find_watch_list, list_watch_lists

KIND_COUNTRY, WITHIN, WATCH_LIST = "kind_country", "within", "watch_list"


@dataclass(frozen=True)
class PeerGroup:
    spec: str
    label: str
    type: str
    organisation_ids: tuple[int, ...]


def default_group_spec(organisation: Organisation) -> str:
    """Same kind of body in the same country: what the watch list starts from."""
    return f"{organisation.kind}:{organisation.country}"


def _members(store: Store, kind: str, country: str, parent_code: str | None = None) -> tuple[int, ...]:
    """Organisations that count as `kind` in `country` (and, if given, belong to that county/region)."""
    rows = store.rows(
        "SELECT o.organisation_id FROM organisations o JOIN organisation_kinds k USING (organisation_id) "
        "WHERE k.kind = ? AND o.country = ? AND (? IS NULL OR o.parent_code = ?) ORDER BY o.organisation_id",
        [kind, country, parent_code, parent_code],
    )
    return tuple(r[0] for r in rows)


def _kind_country(store: Store, kind_text: str, country_text: str) -> PeerGroup:
    kind = kind_text.strip().lower()
    country = country_text.strip().upper()
    if kind not in KINDS:
        raise NotFoundError("kind of body", kind_text, difflib.get_close_matches(kind, list(KINDS), n=2, cutoff=0.4) or list(KINDS))
    if country not in COUNTRIES:
        raise NotFoundError("country", country_text, list(COUNTRIES))
    ids = _members(store, kind, country)
    label = f"{KIND_PLURALS[kind].capitalize()} in {COUNTRIES[country]}"
    return PeerGroup(f"{kind}:{country}", label, KIND_COUNTRY, ids)


def _within(store: Store, area: str) -> PeerGroup:
    key = name_key(area)
    # An area is named by its county/region name (Örebro län) or by the region
    # body that covers it (Region Örebro län); both lead to one parent code.
    areas = {(c, code): name for c, code, name in _parent_areas(store) if name_key(name) == key}
    for country, code, name in store.rows(
        """
        SELECT DISTINCT o.country, o.parent_code, o.parent_name
        FROM organisation_aliases a
        JOIN organisations o USING (organisation_id)
        JOIN organisation_kinds k USING (organisation_id)
        WHERE a.alias_key = ? AND k.kind = 'region' AND o.parent_code IS NOT NULL
        """,
        [key],
    ):
        areas[(country, code)] = name
    if len(areas) != 1:
        if areas:
            suggestions = sorted(f"{name} ({c})" for (c, _), name in areas.items())
        else:
            names = sorted({name for _, _, name in _parent_areas(store)})
            suggestions = difflib.get_close_matches(area, names, n=3, cutoff=0.6)
        raise NotFoundError("county or region", area, suggestions)
    (country, parent_code), parent_name = next(iter(areas.items()))
    ids = _members(store, "municipality", country, parent_code)
    return PeerGroup(f"in:{parent_name}", f"Municipalities in {parent_name}", WITHIN, ids)


def _parent_areas(store: Store) -> list[tuple[str, str, str]]:
    """Distinct (country, code, name) of the counties/regions municipalities belong to."""
    return store.rows(
        "SELECT DISTINCT o.country, o.parent_code, o.parent_name FROM organisations o "
        "JOIN organisation_kinds k USING (organisation_id) "
        "WHERE k.kind = 'municipality' AND o.parent_code IS NOT NULL"
    )


def resolve_group(store: Store, spec: str) -> PeerGroup:
    text = (spec or "").strip()
    if text.lower().startswith("in:"):
        return _within(store, text[3:])
    if ":" in text:
        kind, _, country = text.partition(":")
        return _kind_country(store, kind, country)
    found = find_watch_list(store, text)
    if found is not None:
        return PeerGroup(found.name, f"Watch list {found.name}", WATCH_LIST, found.organisation_ids)
    names = list_watch_lists(store)
    raise NotFoundError(
        "group",
        text,
        difflib.get_close_matches(text, names, n=3, cutoff=0.5) or ["region:SE", "municipality:SE", "in:Örebro län"],
    )


def group_label(group: PeerGroup, lang: str) -> str:
    """The group's name in `lang`: "Regioner i Sverige", "Kommuner i Örebro län", a watch list's name
    with what it is. `PeerGroup.label` is the English one."""
    if group.type == WATCH_LIST:
        return text("group.watch_list", lang, name=group.spec)
    return spec_label(group.spec, lang)


def spec_label(spec: str, lang: str) -> str:
    """A group spec in words without looking it up (for a picker's many choices); a watch list's
    name stays as it is. A spec that is not well formed is shown as written."""
    if spec.lower().startswith("in:"):
        return text("group.within", lang, area=spec[3:])
    kind, colon, country = spec.partition(":")
    if not colon:
        return spec
    if kind not in KINDS or country not in COUNTRIES:
        return spec
    kinds = text(f"kind_plural.{kind}", lang)
    return text("group.kind_country", lang, kinds=kinds[:1].upper() + kinds[1:], country=text(f"country.{country}", lang))


def group_choices(store: Store) -> list[str]:
    """Every group spec the pages offer: kind × country with members, counties, then watch lists."""
    kinds = [
        f"{kind}:{country}"
        for kind, country in store.rows(
            "SELECT DISTINCT k.kind, o.country FROM organisation_kinds k JOIN organisations o USING (organisation_id) "
            "ORDER BY o.country, k.kind"
        )
    ]
    areas = [
        f"in:{name}"
        for (name,) in store.rows(
            "SELECT DISTINCT o.parent_name FROM organisations o JOIN organisation_kinds k USING (organisation_id) "
            "WHERE k.kind = 'municipality' AND o.parent_name IS NOT NULL ORDER BY 1"
        )
    ]
    return kinds + areas + list_watch_lists(store)
