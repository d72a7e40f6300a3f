"""The database schema, defined once as data.

`ddl()` turns the table definitions into DuckDB statements and
`data_model_markdown()` into `docs/data-model.md`; a test checks that the
committed document equals the generated one, so the two cannot drift.
Unknown values are NULL, never 0: only the columns marked "required" are
NOT NULL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .auth import ROLE_IDS
from .metrics import ADDITIVE, MEASURE_IDS, MEASURES, SIGNED_MEASURES, STOCK
from .vocabulary import COUNTRIES, KINDS, PLATFORMS, sql_list

SCHEMA_VERSION = 6
# Versions whose upgrade to the next only adds tables: done in place, in one transaction,
# instead of copying a database of millions of rows (see migrations.upgrade).
ADDED_TABLES: dict[int, tuple[str, ...]] = {4: ("decks", "deck_slides"), 5: ("users",)}
# Versions whose upgrade rebuilds some tables with new constraints (DuckDB cannot drop a primary
# key in place): the same rows, one transaction, the rest of the file untouched.
REBUILT_TABLES: dict[int, tuple[str, ...]] = {
    6: ("period_values", "account_daily", "replaced_period_values", "replaced_account_daily")}

# Foreign keys point only at rows that are never deleted (imports are an
# append-only log; organisations stay). DuckDB cannot delete a parent row whose
# children were deleted earlier in the same transaction, so links to rows that
# are removed or replaced (accounts, watch lists) are checked by the SQL in
# INTEGRITY_CHECKS instead, which the tests run after every kind of change.
INTEGRITY_CHECKS: dict[str, str] = {
    "period values of unknown accounts":
        "SELECT * FROM period_values WHERE account_id NOT IN (SELECT account_id FROM accounts)",
    "daily values of unknown accounts":
        "SELECT * FROM account_daily WHERE account_id NOT IN (SELECT account_id FROM accounts)",
    "posts of unknown accounts":
        "SELECT * FROM posts WHERE account_id NOT IN (SELECT account_id FROM accounts)",
    "replaced values of unknown accounts":
        "SELECT account_id FROM replaced_period_values WHERE account_id NOT IN (SELECT account_id FROM accounts) "
        "UNION ALL SELECT account_id FROM replaced_account_daily WHERE account_id NOT IN (SELECT account_id FROM accounts) "
        "UNION ALL SELECT account_id FROM replaced_posts WHERE account_id NOT IN (SELECT account_id FROM accounts)",
    "uploads without their file":
        "SELECT import_id FROM imports WHERE source_kind = 'upload' "
        "AND file_sha256 NOT IN (SELECT file_sha256 FROM import_files)",
    "members of unknown watch lists":
        "SELECT * FROM watch_list_members WHERE watch_list_id NOT IN (SELECT watch_list_id FROM watch_lists)",
    "slides of unknown decks":
        "SELECT * FROM deck_slides WHERE deck_id NOT IN (SELECT deck_id FROM decks)",
    "rows of undone imports":
        "SELECT import_id FROM period_values WHERE import_id IN (SELECT import_id FROM imports WHERE status = 'undone') "
        "UNION ALL SELECT import_id FROM account_daily WHERE import_id IN (SELECT import_id FROM imports WHERE status = 'undone') "
        "UNION ALL SELECT import_id FROM posts WHERE import_id IN (SELECT import_id FROM imports WHERE status = 'undone') "
        "UNION ALL SELECT import_id FROM replaced_period_values WHERE import_id IN (SELECT import_id FROM imports WHERE status = 'undone') "
        "UNION ALL SELECT replaced_by FROM replaced_period_values WHERE replaced_by IN (SELECT import_id FROM imports WHERE status = 'undone')",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    check: str | None = None
    default: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, "table(column)")
    checks: tuple[str, ...] = ()
    sequence: str | None = None  # the sequence that numbers the first primary-key column
    extra_docs: tuple[str, ...] = field(default=())
    # Derived tables hold nothing of their own: an upgrade rebuilds them instead of copying.
    derived: bool = False
    # False: the primary key and foreign keys are not declared to DuckDB, whose index of them
    # costs more than half of a bulk import's commit (docs/performance.md). The writers keep the key
    # (`keys.check_unique` in the same transaction) and INTEGRITY_CHECKS checks both.
    keys_in_database: bool = True


def _import_id() -> Column:
    return Column("import_id", "INTEGER", "The import that supplied this row (see `imports`).", required=True)


def _source_row() -> Column:
    return Column("source_row", "INTEGER", "Row of the uploaded file this value was read from; NULL when it "
                  "was summed from several rows (e.g. posts per day) or not read from a file.")


VALUE_CHECK = "value >= 0 OR measure IN " + sql_list(SIGNED_MEASURES)

TABLES: tuple[Table, ...] = (
    Table(
        "schema_info",
        "Key-value facts about the database itself, such as the schema version.",
        (
            Column("key", "VARCHAR", "Name of the fact.", required=True),
            Column("value", "VARCHAR", "Its value.", required=True),
        ),
        primary_key=("key",),
    ),
    Table(
        "imports",
        "One row per batch of data written to the database: the registry load, the demo data, "
        "and (later) each uploaded file. Every data row points to the import that supplied it. "
        "Append-only: an import that is removed or undone keeps its row, with status `undone`.",
        (
            Column("import_id", "INTEGER", "Identifier.", required=True, default="nextval('imports_seq')"),
            Column("source_kind", "VARCHAR", "Where the rows came from.", required=True,
                   check="source_kind IN ('registry', 'demo', 'upload', 'manual')"),
            Column("file_name", "VARCHAR", "Original file name, if the rows came from a file."),
            Column("file_sha256", "VARCHAR", "SHA-256 of the file's content, if any."),
            Column("format", "VARCHAR", "Detected file format or generator, e.g. `demo-v1`."),
            Column("is_demo", "BOOLEAN", "True for synthetic demo data: never real measurements.",
                   required=True, default="false"),
            Column("created_at", "TIMESTAMP", "When the import was written (UTC).", required=True,
                   default="current_timestamp"),
            Column("created_by", "VARCHAR", "Who ran it (user name or `cli`)."),
            Column("status", "VARCHAR", "`committed`, or `undone` once its rows were removed.", required=True,
                   default="'committed'", check="status IN ('committed', 'undone')"),
            Column("row_count", "BIGINT", "Rows written by this import.", check="row_count >= 0"),
            Column("note", "VARCHAR", "Free text, e.g. the generator's seed."),
            Column("platform", "VARCHAR", "Platform of an uploaded file's accounts.",
                   check=f"platform IN {sql_list(PLATFORMS)}"),
            Column("undone_at", "TIMESTAMP", "When it was undone (UTC)."),
            Column("undone_by", "VARCHAR", "Who undid it."),
        ),
        primary_key=("import_id",),
        sequence="imports_seq",
    ),
    Table(
        "import_files",
        "The raw bytes of every uploaded file, content-addressed by SHA-256, so that any stored value "
        "can be traced to the file and row it came from. Kept after an undo: nothing is lost.",
        (
            Column("file_sha256", "VARCHAR", "SHA-256 of the content.", required=True),
            Column("size_bytes", "BIGINT", "Size of the file.", required=True, check="size_bytes >= 0"),
            Column("content", "BLOB", "The file as uploaded.", required=True),
            Column("stored_at", "TIMESTAMP", "First stored (UTC).", required=True, default="current_timestamp"),
        ),
        primary_key=("file_sha256",),
    ),
    Table(
        "organisations",
        "Public bodies: the official registry (regions, municipalities, state agencies) and any "
        "added by hand.",
        (
            Column("organisation_id", "INTEGER", "Identifier.", required=True, default="nextval('organisations_seq')"),
            Column("country", "VARCHAR", "ISO country code.", required=True, check=f"country IN {sql_list(COUNTRIES)}"),
            Column("kind", "VARCHAR", "region, municipality or agency.", required=True, check=f"kind IN {sql_list(KINDS)}"),
            Column("code", "VARCHAR", "Official code: municipality or county number, or organisation number.", required=True),
            Column("name", "VARCHAR", "Official name.", required=True),
            Column("parent_code", "VARCHAR", "Code of the county or region it belongs to (for regions: the area it covers)."),
            Column("parent_name", "VARCHAR", "Name of that county or region."),
            Column("population", "BIGINT", "Inhabitants, from official statistics; NULL for agencies.", check="population >= 0"),
            Column("population_date", "DATE", "Reference date of the population figure (differs per country)."),
            Column("source", "VARCHAR", "Registry file or `manual`."),
            _import_id(),
        ),
        primary_key=("organisation_id",),
        unique=(("country", "kind", "code"),),
        foreign_keys=(("import_id", "imports(import_id)"),),
        sequence="organisations_seq",
    ),
    Table(
        "organisation_kinds",
        "Peer-group memberships by kind: each organisation's own kind, plus another kind where one "
        "body is both (Region Gotland is also a municipality; Oslo kommune is also a county).",
        (
            Column("organisation_id", "INTEGER", "The organisation.", required=True),
            Column("kind", "VARCHAR", "A kind it counts as.", required=True, check=f"kind IN {sql_list(KINDS)}"),
        ),
        primary_key=("organisation_id", "kind"),
        foreign_keys=(("organisation_id", "organisations(organisation_id)"),),
    ),
    Table(
        "organisation_aliases",
        "Names an organisation is known by, including its official name, for matching page names "
        "and command-line arguments.",
        (
            Column("organisation_id", "INTEGER", "The organisation.", required=True),
            Column("alias", "VARCHAR", "The name as written.", required=True),
            Column("alias_key", "VARCHAR", "The name case-folded, without diacritics or punctuation.", required=True),
        ),
        primary_key=("organisation_id", "alias_key"),
        foreign_keys=(("organisation_id", "organisations(organisation_id)"),),
    ),
    Table(
        "accounts",
        "Social-media accounts (pages, profiles, channels); an organisation may have several per platform.",
        (
            Column("account_id", "INTEGER", "Identifier.", required=True, default="nextval('accounts_seq')"),
            Column("organisation_id", "INTEGER", "The organisation it belongs to; NULL until linked."),
            Column("platform", "VARCHAR", "facebook, instagram, linkedin, x, youtube or tiktok.", required=True,
                   check=f"platform IN {sql_list(PLATFORMS)}"),
            Column("name", "VARCHAR", "Page or profile name as the platform shows it.", required=True),
            Column("platform_account_id", "VARCHAR", "The platform's own id or handle, when known."),
            Column("is_demo", "BOOLEAN", "True for accounts of the synthetic demo data.", required=True, default="false"),
            _import_id(),
        ),
        primary_key=("account_id",),
        # is_demo is part of the key: a real page may carry the same name as the demo page it
        # replaces (the query shows real accounts only, where an organisation has any).
        unique=(("platform", "name", "organisation_id", "is_demo"),),
        foreign_keys=(("organisation_id", "organisations(organisation_id)"), ("import_id", "imports(import_id)")),
        sequence="accounts_seq",
    ),
    Table(
        "period_values",
        "Per-period totals of one measure for one account (e.g. posts in 2024-07, followers at the end "
        "of 2024-Q3), as reported by a platform, a member's template or the demo generator.",
        (
            Column("account_id", "INTEGER", "The account.", required=True),
            Column("measure", "VARCHAR", "Measure id (see docs/metrics.md).", required=True,
                   check=f"measure IN {sql_list(MEASURE_IDS)}"),
            Column("period_start", "DATE", "First day of the period.", required=True),
            Column("period_end", "DATE", "Last day of the period (inclusive).", required=True),
            Column("value", "BIGINT", "The count; stock measures hold the value on the last day; "
                   "only net_followers may be negative.", required=True),
            _import_id(),
            _source_row(),
        ),
        primary_key=("account_id", "measure", "period_start", "period_end"),
        foreign_keys=(("import_id", "imports(import_id)"),),
        checks=("period_end >= period_start", VALUE_CHECK),
        keys_in_database=False,
    ),
    Table(
        "account_daily",
        "Per-day series of one measure for one account (e.g. daily follows from a Meta chart export).",
        (
            Column("account_id", "INTEGER", "The account.", required=True),
            Column("measure", "VARCHAR", "Measure id.", required=True, check=f"measure IN {sql_list(MEASURE_IDS)}"),
            Column("day", "DATE", "The day.", required=True),
            Column("value", "BIGINT", "The count for that day (stock measures: the level that day).",
                   required=True),
            _import_id(),
            _source_row(),
        ),
        primary_key=("account_id", "measure", "day"),
        foreign_keys=(("import_id", "imports(import_id)"),),
        checks=(VALUE_CHECK,),
        keys_in_database=False,
    ),
    Table(
        "posts",
        "Post-level rows where an export has them. The per-period measures of the same account are "
        "stored separately (period_values/account_daily), so posts are detail, never counted twice.",
        (
            Column("account_id", "INTEGER", "The account.", required=True),
            Column("post_id", "VARCHAR", "The platform's post id.", required=True),
            Column("published_at", "TIMESTAMP", "Publication time (UTC).", required=True),
            Column("post_type", "VARCHAR", "Photo, video, link, reel … as the platform names it."),
            Column("title", "VARCHAR", "First line of the text, at most 200 characters."),
            Column("permalink", "VARCHAR", "Address of the post."),
            Column("reactions", "BIGINT", "Reactions or likes.", check="reactions >= 0"),
            Column("comments", "BIGINT", "Comments.", check="comments >= 0"),
            Column("shares", "BIGINT", "Shares or reposts.", check="shares >= 0"),
            Column("reach", "BIGINT", "Unique accounts reached by this post.", check="reach >= 0"),
            Column("video_views", "BIGINT", "Video views.", check="video_views >= 0"),
            Column("link_clicks", "BIGINT", "Link clicks.", check="link_clicks >= 0"),
            _import_id(),
            Column("views", "BIGINT", "Views (impressions) of this post.", check="views >= 0"),
            _source_row(),
        ),
        primary_key=("account_id", "post_id"),
        foreign_keys=(("import_id", "imports(import_id)"),),
    ),
    Table(
        "period_summaries",
        "Derived, never edited: each account's measures for every calendar week, month, quarter and "
        "year and for the whole-ISO-week version of every month, quarter and year, worked out in advance "
        "by the rules of `benchmark/query.py` from `period_values` and `account_daily` (see "
        "`benchmark/summaries.py`). The transaction that changes an account's values rebuilds its rows, "
        "so the table always agrees with them; a view over such periods reads these rows instead of "
        "evaluating the rules. Only periods with some value have a row; NULL means no value.",
        (
            Column("account_id", "INTEGER", "The account.", required=True),
            Column("period_start", "DATE", "First day of the period.", required=True),
            Column("period_end", "DATE", "Last day of the period.", required=True),
            Column("days", "INTEGER", "Days in the period (the rows are stored in order of it, then of "
                   "`period_end`, so that a lookup reads few row groups).", required=True),
            *(
                column
                for m in MEASURES
                for column in (
                    (Column(f"{m.id}_end", "BIGINT", f"{m.label} at the end of the period."),
                     Column(f"{m.id}_start", "BIGINT", f"{m.label} at the end of the day before the period."))
                    if m.aggregation == STOCK else
                    (Column(m.id, "BIGINT", f"{m.label}: " + ("the sum over the period." if m.aggregation == ADDITIVE
                            else "as reported for exactly this period.")),)
                )
            ),
        ),
        derived=True,
    ),
    Table(
        "watch_lists",
        "Named, saved lists of peer organisations (the 'Pages to watch' list).",
        (
            Column("watch_list_id", "INTEGER", "Identifier.", required=True, default="nextval('watch_lists_seq')"),
            Column("name", "VARCHAR", "Name as last saved.", required=True),
            Column("name_key", "VARCHAR", "The name case-folded without diacritics: unique, so that "
                   "'Mina grannar' and 'mina GRANNAR' are one list.", required=True),
            Column("owner_organisation_id", "INTEGER", "The organisation whose list it is."),
            Column("created_at", "TIMESTAMP", "Created (UTC).", required=True, default="current_timestamp"),
            Column("updated_at", "TIMESTAMP", "Last saved (UTC).", required=True, default="current_timestamp"),
        ),
        primary_key=("watch_list_id",),
        # No UNIQUE(name) and no foreign key on the owner: DuckDB indexes both and runs an
        # update of an indexed column as delete + insert, which the members' foreign key
        # refuses. The service checks the owner exists; list names are unique by name_key.
        unique=(("name_key",),),
        sequence="watch_lists_seq",
    ),
    Table(
        "watch_list_members",
        "The organisations on each watch list.",
        (
            Column("watch_list_id", "INTEGER", "The list.", required=True),
            Column("organisation_id", "INTEGER", "A watched organisation.", required=True),
        ),
        primary_key=("watch_list_id", "organisation_id"),
        foreign_keys=(("organisation_id", "organisations(organisation_id)"),),
    ),
    Table(
        "decks",
        "Saved sequences of views for presentation mode and for one PowerPoint file (a network meeting's slides).",
        (
            Column("deck_id", "INTEGER", "Identifier.", required=True, default="nextval('decks_seq')"),
            Column("name", "VARCHAR", "Name as last saved.", required=True),
            Column("name_key", "VARCHAR", "The name case-folded without diacritics: unique.", required=True),
            Column("created_at", "TIMESTAMP", "Created (UTC).", required=True, default="current_timestamp"),
            Column("updated_at", "TIMESTAMP", "Last changed (UTC).", required=True, default="current_timestamp"),
        ),
        primary_key=("deck_id",),
        unique=(("name_key",),),
        sequence="decks_seq",
    ),
    Table(
        "deck_slides",
        "The views of each deck, in order. A view is stored as the query string of a shared link "
        "(`page=ranking&org=SE%3A1880&…`, see `benchmark/viewstate.py`), so a slide shows the figures "
        "current when it is presented, and a slide whose organisation or group is gone is reported, not lost.",
        (
            Column("deck_id", "INTEGER", "The deck.", required=True),
            Column("position", "INTEGER", "1 for the first slide.", required=True, check="position >= 1"),
            Column("view", "VARCHAR", "The view, as a link's query string.", required=True),
            Column("note", "VARCHAR", "The presenter's caption for the slide."),
        ),
        primary_key=("deck_id", "position"),
    ),
    Table(
        "users",
        "Local accounts for signing in to the dashboard (see docs/users.md and `benchmark/users.py`). "
        "Only the password's argon2id hash is kept, never the password.",
        (
            Column("user_id", "INTEGER", "Identifier.", required=True, default="nextval('users_seq')"),
            Column("name", "VARCHAR", "The user name as typed (Unicode NFC, spaces trimmed).", required=True),
            Column("name_key", "VARCHAR", "The name in Unicode NFC, case-folded: unique, so that 'Anna' and "
                   "'anna' are one account. Letters of other scripts are not folded, so a Cyrillic 'а' never "
                   "matches a Latin 'a'.", required=True),
            Column("role", "VARCHAR", "viewer, analyst or admin.", required=True,
                   check=f"role IN {sql_list(ROLE_IDS)}"),
            Column("password_hash", "VARCHAR", "argon2id hash of the password (salt and parameters included).",
                   required=True),
            Column("created_at", "TIMESTAMP", "Created (UTC).", required=True, default="current_timestamp"),
            Column("created_by", "VARCHAR", "Who added the account."),
            Column("password_changed_at", "TIMESTAMP", "Password last set (UTC).", required=True,
                   default="current_timestamp"),
            Column("failed_attempts", "INTEGER", "Failed sign-ins in a row since the last success or lock.",
                   required=True, default="0", check="failed_attempts >= 0"),
            Column("locked_until", "TIMESTAMP", "Sign-in refused until then (UTC) after too many failures; "
                   "NULL when not locked."),
            Column("last_sign_in_at", "TIMESTAMP", "Last successful sign-in (UTC)."),
        ),
        primary_key=("user_id",),
        unique=(("name_key",),),
        sequence="users_seq",
    ),
)

# Tables whose rows an upload may replace. The replaced rows move to
# `replaced_<table>` (same columns plus the import that replaced them), so that
# undoing any import restores exactly what was there before.
VERSIONED_TABLES = ("period_values", "account_daily", "posts")


def _replaced(table: Table) -> Table:
    return Table(
        f"replaced_{table.name}",
        f"Earlier versions of `{table.name}` rows that a later import replaced; an undo of that import "
        "puts them back. Same columns, plus `replaced_by`.",
        (*table.columns, Column("replaced_by", "INTEGER", "The import whose rows replaced this one.", required=True)),
        foreign_keys=(("import_id", "imports(import_id)"), ("replaced_by", "imports(import_id)")),
        # As large as the table whose rows it keeps: a 5-million-value replacement spent 5 s of its
        # 8 s commit on these two foreign keys (docs/performance.md).
        keys_in_database=table.keys_in_database,
    )


_BASE = {t.name: t for t in TABLES}
TABLES = TABLES + tuple(_replaced(_BASE[name]) for name in VERSIONED_TABLES)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# The keys DuckDB does not hold for a table (`keys_in_database=False`) are checked here too.
# A key check groups every row of its table (1.3-2.4 s and ≈ 1.5 GB for the national data set),
# so the dashboard's start leaves those out (FULL_SCAN_CHECKS): each write checked its own keys.
# `benchmark check`, backups, restores and the tests run them all.
FULL_SCAN_CHECKS: set[str] = set()
for _table in TABLES:
    if _table.keys_in_database:
        continue
    if _table.primary_key:
        _key = ", ".join(_table.primary_key)
        INTEGRITY_CHECKS[f"{_table.name} given twice"] = (
            f"SELECT {_key} FROM {_table.name} GROUP BY {_key} HAVING count(*) > 1")
        FULL_SCAN_CHECKS.add(f"{_table.name} given twice")
    for _column, _target in _table.foreign_keys:
        _parent, _parent_column = _target.rstrip(")").split("(")
        _name = (f"{_table.name} of unknown {_parent}" if _column == "import_id"
                 else f"{_table.name} with a {_column} of unknown {_parent}")
        INTEGRITY_CHECKS[_name] = (
            f"SELECT {_column} FROM {_table.name} WHERE {_column} NOT IN (SELECT {_parent_column} FROM {_parent})")


def ddl(sequence_starts: dict[str, int] | None = None) -> list[str]:
    """CREATE statements for every sequence and table, in dependency order.

    `sequence_starts` continues numbering after an upgrade copied existing rows.
    """
    statements: list[str] = []
    for table in TABLES:
        if table.sequence:
            start = int((sequence_starts or {}).get(table.sequence, 1))
            statements.append(f"CREATE SEQUENCE IF NOT EXISTS {table.sequence} START {start}")
    for table in TABLES:
        parts: list[str] = []
        for col in table.columns:
            text = f"{col.name} {col.type}"
            if col.required:
                text += " NOT NULL"
            if col.default is not None:
                text += f" DEFAULT {col.default}"
            if col.check:
                text += f" CHECK ({col.check})"
            parts.append(text)
        if table.primary_key and table.keys_in_database:
            parts.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
        for unique in table.unique:
            parts.append(f"UNIQUE ({', '.join(unique)})")
        for column, target in table.foreign_keys if table.keys_in_database else ():
            parts.append(f"FOREIGN KEY ({column}) REFERENCES {target}")
        for check in table.checks:
            parts.append(f"CHECK ({check})")
        body = ",\n    ".join(parts)
        statements.append(f"CREATE TABLE IF NOT EXISTS {table.name} (\n    {body}\n)")
    return statements


def data_model_markdown() -> str:
    """The text of docs/data-model.md."""
    lines = [
        "# Data model",
        "",
        "<!-- Generated from benchmark/schema.py by `python -m benchmark.docs`; a test fails if it drifts. -->",
        "",
        f"Schema version {SCHEMA_VERSION}. One DuckDB file holds everything. Unknown values are NULL, never 0;",
        "counts are checked to be ≥ 0, periods to end on or after their start, and each account holds one",
        "value per measure and period (the primary keys). Every data row names the import that supplied it,",
        "so demo rows (imports with `is_demo = true`) can be shown as such and removed in one command.",
        "An upload that covers values already stored moves the old rows to `replaced_*`; undoing it",
        "moves them back. An older database is upgraded on first open (see `benchmark/migrations.py`).",
        "",
        "```",
        "import_files ─< imports (uploads keep their raw file)",
        "imports ─┬─< organisations ─┬─< organisation_kinds",
        "         │                  ├─< organisation_aliases",
        "         │                  └─< accounts ─┬─< period_values ──> replaced_period_values",
        "         │                                ├─< account_daily ──> replaced_account_daily",
        "         │                                ├─< posts ─────────> replaced_posts",
        "         │                                └─< period_summaries (derived from the two value tables)",
        "         └── (every data row has import_id and source_row; imports are never deleted)",
        "watch_lists ─< watch_list_members >─ organisations",
        "decks ─< deck_slides (each a view's link parameters)",
        "users (local accounts for sign-in; linked to nothing)",
        "```",
        "",
    ]
    for table in TABLES:
        lines.append(f"## `{table.name}`")
        lines.append("")
        lines.append(table.description)
        lines.append("")
        lines.append("| column | type | required | description |")
        lines.append("|---|---|---|---|")
        for col in table.columns:
            extra = f" Check: `{col.check}`." if col.check else ""
            lines.append(f"| `{col.name}` | {col.type} | {'yes' if col.required else ''} | {col.description}{extra} |")
        lines.append("")
        kept = "" if table.keys_in_database else " (kept by the writers and `benchmark check`, not indexed)"
        if table.primary_key:
            lines.append(f"Primary key: `({', '.join(table.primary_key)})`{kept}.")
        for unique in table.unique:
            lines.append(f"Unique: `({', '.join(unique)})`.")
        for column, target in table.foreign_keys:
            lines.append(f"`{column}` references `{target}`{kept}.")
        for check in table.checks:
            lines.append(f"Check: `{check}`.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
