"""The registry of real organisations: loading `data/registry/*.csv` and matching names.

Names are matched on a key that is case-folded, Unicode-normalised and free of
diacritics and punctuation, so "Region Orebro lan", "REGION ÖREBRO LÄN" and
"Region Örebro län" are one name. Letters that are not accented forms in
Unicode (ø, æ, ð, ß, đ, ł) are folded by hand.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .auth import Actor, authorise
from .errors import AmbiguousNameError, BenchmarkError, Message, NotFoundError
from .settings import PROJECT_ROOT
from .store import Store
from .vocabulary import COUNTRIES, KINDS

REGISTRY_DIR = PROJECT_ROOT / "data" / "registry"
REGISTRY_COLUMNS = (
    "country", "kind", "code", "name", "parent_code", "parent_name",
    "population", "population_date", "also_kinds", "aliases",
)
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "œ": "oe"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CODE_REF = re.compile(r"^([A-Za-z]{2}):(\S+)$")


def name_key(name: str) -> str:
    """The matching key of a name: casefold, strip diacritics and punctuation, collapse spaces."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", name).casefold().translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


@dataclass(frozen=True)
class RegistryRow:
    country: str
    kind: str
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None
    population: int | None
    population_date: date | None
    also_kinds: tuple[str, ...]
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Organisation:
    organisation_id: int
    name: str
    kind: str
    country: str
    code: str
    parent_name: str | None
    population: int | None

    @property
    def reference(self) -> str:
        """The unambiguous way to name it on the command line."""
        return f"{self.country}:{self.code}"

    def describe(self) -> str:
        """`Lund (municipality, SE, code SE:1281)`, a `Message` so that an error can show it in any language."""
        return Message("organisation.described", name=self.name, kind=Message(f"word.kind.{self.kind}"),
                       country=self.country, reference=self.reference)


def read_registry_file(path: Path) -> list[RegistryRow]:
    """Read and check one registry CSV; a bad row raises with file, row and column."""
    rows: list[RegistryRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != REGISTRY_COLUMNS:
            raise BenchmarkError("registry.header", file=path.name, expected=",".join(REGISTRY_COLUMNS),
                                 found=",".join(reader.fieldnames or []))
        for line_no, raw in enumerate(reader, start=2):
            def bad(column: str, expected: str, raw: dict = raw, line_no: int = line_no, **params: object) -> BenchmarkError:
                return BenchmarkError("registry.bad_value", file=path.name, row=line_no, column=column,
                                      value=raw[column], expected=Message(expected, **params))

            if raw["country"] not in COUNTRIES:
                raise bad("country", "registry.expected.one_of", values=", ".join(COUNTRIES))
            if raw["kind"] not in KINDS:
                raise bad("kind", "registry.expected.one_of", values=", ".join(KINDS))
            if not raw["code"].strip() or not raw["name"].strip():
                raise bad("name" if raw["code"].strip() else "code", "registry.expected.text")
            population = None
            if raw["population"].strip():
                if not raw["population"].strip().isdigit():
                    raise bad("population", "registry.expected.whole_number")
                population = int(raw["population"])
            population_date = None
            if raw["population_date"].strip():
                try:
                    population_date = date.fromisoformat(raw["population_date"].strip())
                except ValueError:
                    raise bad("population_date", "registry.expected.iso_date") from None
            also = tuple(k for k in raw["also_kinds"].split("|") if k)
            for kind in also:
                if kind not in KINDS:
                    raise bad("also_kinds", "registry.expected.kinds")
            rows.append(
                RegistryRow(
                    country=raw["country"],
                    kind=raw["kind"],
                    code=raw["code"].strip(),
                    name=raw["name"].strip(),
                    parent_code=raw["parent_code"].strip() or None,
                    parent_name=raw["parent_name"].strip() or None,
                    population=population,
                    population_date=population_date,
                    also_kinds=also,
                    aliases=tuple(a.strip() for a in raw["aliases"].split("|") if a.strip()),
                    source=path.name,
                )
            )
    return rows


def registry_files(directory: Path | None = None) -> list[Path]:
    directory = directory or REGISTRY_DIR
    return sorted(p for p in directory.glob("*.csv") if p.name != "provenance.csv")


def load_registry(store: Store, directory: Path | None = None, *, actor: Actor) -> int:
    """Insert or update every registry organisation in one transaction; returns the row count.

    Organisations keep their ids across reloads (matched on country, kind and
    code), so accounts and watch lists stay linked when a newer registry
    version updates names or populations.
    """
    permit = authorise(actor, "edit_registry")
    files = registry_files(directory)
    if not files:
        raise BenchmarkError("registry.no_files", directory=directory or REGISTRY_DIR)
    rows = [row for path in files for row in read_registry_file(path)]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()
    organisations = pd.DataFrame(
        [(r.country, r.kind, r.code, r.name, r.parent_code, r.parent_name, r.population, r.population_date, r.source)
         for r in rows],
        columns=["country", "kind", "code", "name", "parent_code", "parent_name", "population", "population_date", "source"],
    ).astype({"population": "Int64"})
    kinds = pd.DataFrame(
        [(r.country, r.kind, r.code, kind) for r in rows for kind in dict.fromkeys((r.kind, *r.also_kinds))],
        columns=["country", "org_kind", "code", "kind"],
    )
    aliases = pd.DataFrame(
        [(r.country, r.kind, r.code, alias, key) for r in rows for key, alias in _aliases(r).items()],
        columns=["country", "org_kind", "code", "alias", "alias_key"],
    )
    with store.writer(permit) as cur:
        import_id = cur.execute(
            "INSERT INTO imports (source_kind, file_name, file_sha256, format, created_by, row_count, note) "
            "VALUES ('registry', ?, ?, 'registry-csv', ?, ?, ?) RETURNING import_id",
            [",".join(p.name for p in files), digest, actor.name, len(rows), f"{len(files)} files from data/registry"],
        ).fetchone()[0]
        cur.register("registry_rows", organisations)
        cur.execute(
            """
            INSERT INTO organisations (country, kind, code, name, parent_code, parent_name,
                                       population, population_date, source, import_id)
            SELECT country, kind, code, name, parent_code, parent_name,
                   population, population_date::DATE, source, ? FROM registry_rows
            ON CONFLICT (country, kind, code) DO UPDATE SET
                name = excluded.name, parent_code = excluded.parent_code,
                parent_name = excluded.parent_name, population = excluded.population,
                population_date = excluded.population_date, source = excluded.source
            """,
            [import_id],
        )
        ids = "SELECT organisation_id FROM organisations o JOIN registry_rows r USING (country, kind, code)"
        cur.execute(f"DELETE FROM organisation_kinds WHERE organisation_id IN ({ids})")
        cur.execute(f"DELETE FROM organisation_aliases WHERE organisation_id IN ({ids})")
        cur.register("registry_kinds", kinds)
        cur.execute(
            "INSERT INTO organisation_kinds SELECT o.organisation_id, k.kind FROM registry_kinds k "
            "JOIN organisations o ON o.country = k.country AND o.kind = k.org_kind AND o.code = k.code"
        )
        cur.register("registry_aliases", aliases)
        cur.execute(
            "INSERT INTO organisation_aliases SELECT o.organisation_id, a.alias, a.alias_key FROM registry_aliases a "
            "JOIN organisations o ON o.country = a.country AND o.kind = a.org_kind AND o.code = a.code"
        )
        for name in ("registry_rows", "registry_kinds", "registry_aliases"):
            cur.unregister(name)
    return len(rows)


def _aliases(row: RegistryRow) -> dict[str, str]:
    """The row's name and aliases by matching key; the first spelling of a key wins."""
    aliases: dict[str, str] = {}
    for alias in (row.name, *row.aliases):
        if name_key(alias):
            aliases.setdefault(name_key(alias), alias)
    return aliases


_ORG_COLUMNS = "o.organisation_id, o.name, o.kind, o.country, o.code, o.parent_name, o.population"


def _org(row: tuple) -> Organisation:
    return Organisation(*row)


def get_organisation(store: Store, organisation_id: int) -> Organisation:
    rows = store.rows(f"SELECT {_ORG_COLUMNS} FROM organisations o WHERE organisation_id = ?", [organisation_id])
    if not rows:
        raise NotFoundError("organisation id", str(organisation_id))
    return _org(rows[0])


def find_by_name(store: Store, text: str) -> list[Organisation]:
    """Organisations whose name or alias has the same key as `text` (exact after folding)."""
    rows = store.rows(
        f"""
        SELECT DISTINCT {_ORG_COLUMNS} FROM organisation_aliases a
        JOIN organisations o USING (organisation_id)
        WHERE a.alias_key = ? ORDER BY o.country, o.kind, o.name
        """,
        [name_key(text)],
    )
    return [_org(r) for r in rows]


def suggest(store: Store, text: str, limit: int = 3) -> list[str]:
    """The closest official names, by Jaro-Winkler similarity of the folded keys."""
    rows = store.rows(
        """
        SELECT o.name, max(jaro_winkler_similarity(a.alias_key, ?)) AS score
        FROM organisation_aliases a JOIN organisations o USING (organisation_id)
        GROUP BY o.organisation_id, o.name
        HAVING score >= 0.75
        ORDER BY score DESC, o.name LIMIT ?
        """,
        [name_key(text), limit],
    )
    return [r[0] for r in rows]


def resolve_organisation(store: Store, text: str) -> Organisation:
    """One organisation from a name, an alias or `CC:CODE`; raises with suggestions otherwise."""
    value = (text or "").strip()

    def by_code(country: str, code: str) -> list[Organisation]:
        rows = store.rows(
            f"SELECT {_ORG_COLUMNS} FROM organisations o WHERE country = ? AND code = ? ORDER BY kind", [country, code]
        )
        return [_org(r) for r in rows]

    return _pick(store, value, by_code, lambda: find_by_name(store, value))


def _pick(store: Store, value: str, by_code, by_name) -> Organisation:
    """The resolution rules, shared by the single lookup and `OrganisationIndex`."""
    if m := _CODE_REF.match(value):
        orgs = by_code(m.group(1).upper(), m.group(2))
        if len(orgs) == 1:
            return orgs[0]
        if len(orgs) > 1:
            raise AmbiguousNameError("organisation", value, [o.describe() for o in orgs], orgs[0].reference)
    matches = by_name()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise AmbiguousNameError("organisation", value, [m.describe() for m in matches], matches[0].reference)
    raise NotFoundError("organisation", value, suggest(store, value))


class OrganisationIndex:
    """Every organisation's names, aliases and codes in memory: resolves the many names of one
    import with one query instead of one per name. Same rules and errors as `resolve_organisation`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_key: dict[str, list[Organisation]] = {}
        self._by_code: dict[tuple[str, str], list[Organisation]] = {}
        self._by_id: dict[int, Organisation] = {}
        rows = store.rows(
            f"SELECT {_ORG_COLUMNS}, a.alias_key FROM organisation_aliases a JOIN organisations o USING (organisation_id) "
            "ORDER BY o.country, o.kind, o.name"
        )
        for row in rows:
            org = _org(row[:-1])
            self._by_id[org.organisation_id] = org
            matches = self._by_key.setdefault(row[-1], [])
            if org not in matches:
                matches.append(org)
            same_code = self._by_code.setdefault((org.country, org.code), [])
            if org not in same_code:
                same_code.append(org)
        self._resolved: dict[str, Organisation] = {}

    def find_by_name(self, text: str) -> list[Organisation]:
        return list(self._by_key.get(name_key(text), []))

    def by_id(self, organisation_id: int) -> Organisation:
        if organisation_id not in self._by_id:
            self._by_id[organisation_id] = get_organisation(self._store, organisation_id)
        return self._by_id[organisation_id]

    def resolve(self, text: str) -> Organisation:
        value = (text or "").strip()
        if value not in self._resolved:
            self._resolved[value] = _pick(
                self._store, value, lambda country, code: self._by_code.get((country, code), []),
                lambda: self.find_by_name(value),
            )
        return self._resolved[value]
