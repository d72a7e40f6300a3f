"""Accounts (pages, profiles, channels) and the organisations they belong to.

An account is found again on every upload by the platform's own id when the
file carries one, else by its name (folded like organisation names; a name with
letters of another alphabet only by its exact letters, see `importers.names`). Linking
an account to an organisation is done once and stored; the next upload of the
same page finds the link by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from .auth import Actor, authorise
from .errors import Message, NotFoundError, Term, ValidationError
from .importers.names import latin_look_alike, match_key
from .registry import Organisation, find_by_name, get_organisation, name_key
from .store import Store
from .vocabulary import COUNTRIES, KINDS, PLATFORMS


@dataclass(frozen=True)
class Account:
    account_id: int
    platform: str
    name: str
    platform_account_id: str | None
    organisation_id: int | None
    is_demo: bool

    def describe(self) -> str:
        ident = f", id {self.platform_account_id}" if self.platform_account_id else ""
        return f"{self.name} ({PLATFORMS[self.platform]}{ident})"


_COLUMNS = "account_id, platform, name, platform_account_id, organisation_id, is_demo"


class AccountIndex:
    """The stored real (non-demo) accounts in memory, for matching the many pages of one import."""

    def __init__(self, store: Store) -> None:
        self._by_id: dict[tuple[str, str], Account] = {}
        self._by_name: dict[tuple[str, str], list[Account]] = {}
        self._by_organisation: dict[tuple[int, str], list[Account]] = {}
        for row in store.rows(f"SELECT {_COLUMNS} FROM accounts WHERE NOT is_demo ORDER BY account_id"):
            account = Account(*row)
            if account.platform_account_id:
                self._by_id.setdefault((account.platform, account.platform_account_id), account)
            self._by_name.setdefault((account.platform, match_key(account.name)), []).append(account)
            if account.organisation_id is not None:
                self._by_organisation.setdefault((account.organisation_id, account.platform), []).append(account)

    def find(self, platform: str, name: str | None, platform_account_id: str | None) -> Account | None:
        """The account with this platform id, else the one with this name (and no other id)."""
        if platform_account_id and (platform, platform_account_id) in self._by_id:
            return self._by_id[(platform, platform_account_id)]
        for account in self._by_name.get((platform, match_key(name)), []) if name else []:
            if not platform_account_id or account.platform_account_id in (None, platform_account_id):
                return account
        return None

    def look_alike(self, platform: str, name: str | None) -> Account | None:
        """The stored account whose Latin name `name` imitates with letters of another alphabet
        (`Mаlmö` with a Cyrillic `а` for `Malmö`); None when there is none or the name is Latin."""
        latin = latin_look_alike(name)
        matches = self._by_name.get((platform, match_key(latin)), []) if latin else []
        return matches[0] if matches else None

    def of_organisation(self, organisation_id: int, platform: str) -> list[Account]:
        return sorted(self._by_organisation.get((organisation_id, platform), []), key=lambda a: a.name)


def find_account(store: Store, platform: str, name: str | None, platform_account_id: str | None) -> Account | None:
    """The stored real (non-demo) account with this platform id, else the one with this name."""
    return AccountIndex(store).find(platform, name, platform_account_id)


def resolve_account(store: Store, text: str, platform: str | None = None) -> Account:
    """An account from its name or platform id (optionally on one platform); raises with suggestions."""
    value = (text or "").strip()
    params: list[object] = []
    where = "NOT is_demo"
    if platform:
        where += " AND platform = ?"
        params.append(platform)
    rows = [Account(*r) for r in store.rows(f"SELECT {_COLUMNS} FROM accounts WHERE {where} ORDER BY account_id", params)]
    matches = [a for a in rows if a.platform_account_id == value] or [a for a in rows if name_key(a.name) == name_key(value)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValidationError("account.several_platforms", value=value,
                              accounts=", ".join(a.describe() for a in matches))
    import difflib

    names = difflib.get_close_matches(value, [a.name for a in rows], n=3, cutoff=0.6)
    raise NotFoundError("account", value, names)


def list_accounts(store: Store, *, unlinked_only: bool = False) -> pd.DataFrame:
    """The uploaded (real) accounts with their organisation and how much is stored for each."""
    where = "WHERE NOT a.is_demo" + (" AND a.organisation_id IS NULL" if unlinked_only else "")
    return store.frame(
        f"""
        SELECT a.account_id, a.platform, a.name, a.platform_account_id, a.organisation_id,
               o.name AS organisation, o.country, o.code,
               (SELECT count(*) FROM period_values v WHERE v.account_id = a.account_id)
             + (SELECT count(*) FROM account_daily d WHERE d.account_id = a.account_id) AS stored_values,
               (SELECT count(*) FROM posts p WHERE p.account_id = a.account_id) AS posts
        FROM accounts a LEFT JOIN organisations o USING (organisation_id)
        {where}
        ORDER BY a.organisation_id IS NOT NULL, a.platform, a.name
        """
    )


def link_account(store: Store, account_id: int, organisation_id: int, *, actor: Actor) -> Account:
    """Link a page to the organisation that runs it (or move it to another one)."""
    permit = authorise(actor, "link_account")
    get_organisation(store, organisation_id)  # raises when unknown
    with store.writer(permit) as cur:
        updated = cur.execute(
            "UPDATE accounts SET organisation_id = ? WHERE account_id = ? AND NOT is_demo RETURNING account_id",
            [organisation_id, account_id],
        ).fetchall()
    if not updated:
        raise NotFoundError("account id", str(account_id))
    rows = store.rows(f"SELECT {_COLUMNS} FROM accounts WHERE account_id = ?", [account_id])
    return Account(*rows[0])


def add_organisation(
    store: Store, name: str, kind: str, country: str, *, code: str | None = None, parent_code: str | None = None,
    population: int | None = None, population_date: date | None = None, actor: Actor,
) -> Organisation:
    """Add a body that the official registry lacks (a broadcaster, a hospital, a county board)."""
    permit = authorise(actor, "edit_registry")
    name = (name or "").strip()
    if not name:
        raise ValidationError("organisation.needs_name")
    if kind not in KINDS:
        raise ValidationError("organisation.unknown_kind", kind=kind, kinds=", ".join(KINDS))
    country = (country or "").strip().upper()
    if country not in COUNTRIES:
        raise ValidationError("organisation.unknown_country", country=country, countries=", ".join(COUNTRIES))
    if population is not None and population < 0:
        raise ValidationError("organisation.negative_population")
    if population is not None and population_date is None:
        raise ValidationError("organisation.population_without_date")
    existing = [o for o in find_by_name(store, name) if o.country == country]
    if existing:
        raise ValidationError("organisation.exists", organisation=existing[0].describe())
    parent_name = None
    if parent_code:
        parent_name = store.scalar(
            "SELECT any_value(parent_name) FROM organisations WHERE country = ? AND parent_code = ?",
            [country, parent_code],
        )
        if parent_name is None:
            raise ValidationError("organisation.unknown_parent", code=parent_code, country=Term(f"country.{country}"))
    with store.writer(permit) as cur:
        import_id = cur.execute(
            "INSERT INTO imports (source_kind, created_by, row_count, note) VALUES ('manual', ?, 1, ?) "
            "RETURNING import_id",
            [actor.name, f"organisation added by hand: {name}"],
        ).fetchone()[0]
        if code is None:
            # Manual bodies get codes of their own that no registry uses.
            code = f"M{import_id}"
        try:
            organisation_id = cur.execute(
                "INSERT INTO organisations (country, kind, code, name, parent_code, parent_name, population, "
                "population_date, source, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'manual', ?) "
                "RETURNING organisation_id",
                [country, kind, code, name, parent_code, parent_name, population, population_date, import_id],
            ).fetchone()[0]
        except duckdb.ConstraintException:
            raise ValidationError("organisation.code_exists", kind=Message(f"word.kind.{kind}"), code=code,
                                  country=Term(f"country.{country}")) from None
        cur.execute("INSERT INTO organisation_kinds VALUES (?, ?)", [organisation_id, kind])
        cur.execute("INSERT INTO organisation_aliases VALUES (?, ?, ?)", [organisation_id, name, name_key(name)])
    return get_organisation(store, organisation_id)

