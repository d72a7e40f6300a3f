"""The `benchmark` command: argument parsing and printing only.

Every problem the user can fix is printed as one line, `benchmark: error: …`,
with exit code 2 for bad arguments and 1 for anything else; never a traceback.

While the dashboard has the database open (DuckDB allows one writing process per file), a
command that needs it is sent to the dashboard's process over its control socket and runs there
through this same `main`, against the store already open (benchmark/control.py; `main` says so on
stderr). Only `serve`, `template` and `metrics` always run here.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from . import accounts, cli_maintenance, cli_users, control, demo, imports, settings, views
from .auth import cli_actor
from .errors import (
    AmbiguousNameError,
    BenchmarkError,
    DatabaseInUseError,
    Joined,
    NotFoundError,
    PeriodError,
    ValidationError,
)
from .i18n import LANGUAGES, check_language
from .importers.formats import template
from .importers.model import (
    ImportRejected,
    NeedsInputError,
    UnreadableFileError,
    UnrecognisedFileError,
)
from .metrics import MEASURE_IDS, METRICS, get_metric
from .periods import Period, parse_period
from .registry import OrganisationIndex, load_registry, resolve_organisation
from .reports.tables import frame_to_csv, round_for_csv
from .store import Store, named_write_errors, open_store, served_store
from .viewstate import ViewState
from .vocabulary import COUNTRIES, KINDS, PLATFORMS
from .watchlists import get_watch_list

ARGUMENT_ERRORS = (NotFoundError, AmbiguousNameError, PeriodError, ValidationError, NeedsInputError)
# A file refused for its content: reported, and the other files of the command go on.
IMPORT_REFUSALS = (ImportRejected, UnreadableFileError, UnrecognisedFileError)
FORMATS = ("table", "csv")
# The dashboard's three views also export for people (benchmark/reports, docs/exports.md).
EXPORT_FORMATS = ("xlsx", "pptx", "png", "svg")
REPORT_FORMATS = (*FORMATS, *EXPORT_FORMATS)


class UsageError(Exception):
    """Raised instead of argparse's exit, so that errors stay on one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, help="table (default on a terminal) or csv (every column, ids as headers)")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")


def report_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=REPORT_FORMATS,
                   help="table (default on a terminal), csv (every column, ids as headers), or a file for people: "
                        "xlsx, pptx (a slide deck), png or svg (the chart); default: from --output's extension")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output (needed for xlsx, pptx, png)")
    p.add_argument("--lang", choices=tuple(LANGUAGES),
                   help="language of xlsx, pptx, png and svg (default: the default_language setting); "
                        "csv always has the column ids")


def build_parser() -> argparse.ArgumentParser:
    db_help = (
        "DuckDB file to use (default: $BENCHMARK_DB, else data/benchmark.duckdb in the project folder)"
    )
    parser = _Parser(
        prog="benchmark",
        description="Benchmark the social-media pages of Nordic public bodies against their peers.",
    )
    parser.add_argument("--db", metavar="PATH", help=db_help)
    db_parent = _Parser(add_help=False)
    db_parent.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=db_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    commands.add_parser("init", parents=[db_parent], help="create the database (if needed) and load the organisation registry",
                        description="Create the database file and its tables if needed, and load or refresh "
                                    "the organisation registry from data/registry/. Safe to run again.")

    demo_cmd = commands.add_parser("demo", parents=[db_parent], help="load the synthetic demo data (or remove it)",
                                   description="Load the synthetic demo data (replacing earlier demo data), "
                                               "or remove every demo row with --remove.")
    demo_cmd.add_argument("--remove", action="store_true", help="remove all demo data instead")
    demo_cmd.add_argument("--scale", choices=("tiny", "national", "xl"),
                          help="load a large synthetic set for performance work instead: national = the whole "
                               "registry, weekly figures 2016-2025 (≈18 million values, about a minute); "
                               "xl = daily figures (≈108 million values, a few minutes); tiny = 24 bodies, "
                               "one year. Use a database of its own (benchmark init --db FILE first): removing "
                               "a large set again is slow (see docs/performance.md)")

    metrics_cmd = commands.add_parser("metrics", help="list the metric definitions",
                                      description="List every metric: id, label, unit, how it aggregates, formula.")
    metrics_cmd.add_argument("--format", choices=("table", "csv"), default="table")

    report = commands.add_parser("report", help="print or export a report (watch, ranking, profile or pages)",
                                 description="Print the table behind a dashboard page, or export it for people "
                                             "(xlsx, pptx, png, svg; see docs/exports.md).")
    reports = report.add_subparsers(dest="report", metavar="REPORT", parser_class=_Parser)
    reports.required = True

    watch = reports.add_parser("watch", parents=[db_parent], help="the Pages-to-watch table",
                               description="Your organisation next to its watched peers for one platform and period.")
    watch.add_argument("--organisation", required=True, metavar="ORG", help="name, alias or COUNTRY:CODE, e.g. SE:1880")
    watch.add_argument("--platform", required=True, metavar="P", help=", ".join(PLATFORMS))
    watch.add_argument("--period", required=True, metavar="PERIOD", help="2024-Q3, 2024-07, 2024-W27, 2024, 2024-W27..2024-W39 or A..B")
    watch.add_argument("--watch", action="append", metavar="ORG", default=[],
                       help="a peer to watch (repeat); default: the same kind of body in the same country")
    watch.add_argument("--watch-list", metavar="NAME", help="use a saved watch list as the peers")
    report_output_options(watch)

    rank = reports.add_parser("ranking", parents=[db_parent], help="a peer-group ranking on one metric",
                              description="Rank a peer group on a metric (or several, for a deck) for one platform and period.")
    rank.add_argument("--group", required=True, metavar="GROUP", help="KIND:COUNTRY (region:SE), in:NAME (in:Örebro län) or a watch list name")
    rank.add_argument("--platform", required=True, metavar="P", help=", ".join(PLATFORMS))
    rank.add_argument("--period", required=True, metavar="PERIOD", help="2024-Q3, 2024-07, 2024-W27, 2024, 2024-W27..2024-W39 or A..B")
    rank.add_argument("--metric", required=True, action="append", metavar="M",
                      help="a metric id (see `benchmark metrics`); repeat it for a deck with one chart per metric "
                           "(pptx) or a workbook with one sheet per metric (xlsx)")
    rank.add_argument("--organisation", metavar="ORG", help="mark this organisation as your own")
    report_output_options(rank)

    prof = reports.add_parser("profile", parents=[db_parent], help="one organisation over time against its peers",
                              description="One organisation's metric per month/quarter/year with the peer median and quartiles.")
    prof.add_argument("--organisation", required=True, metavar="ORG")
    prof.add_argument("--platform", required=True, metavar="P")
    prof.add_argument("--metric", required=True, action="append", metavar="M",
                      help="a metric id; repeat it for one chart per metric (pptx) or one sheet per metric (xlsx)")
    prof.add_argument("--from", dest="first", required=True, metavar="PERIOD", help="first period, e.g. 2024-Q1")
    prof.add_argument("--to", dest="last", required=True, metavar="PERIOD", help="last period, e.g. 2025-Q4")
    prof.add_argument("--every", choices=("month", "quarter", "year"), default="quarter")
    prof.add_argument("--group", metavar="GROUP", help="peer group (default: same kind and country)")
    report_output_options(prof)

    imp = commands.add_parser(
        "import", parents=[db_parent], help="import platform export files (preview with --dry-run)",
        description="Import export files from Facebook/Instagram (Meta Business Suite, legacy Page Insights), "
                    "LinkedIn, YouTube Studio, X, TikTok or the project template. Each file is checked completely "
                    "and imported in one transaction, or not at all. The same file twice changes nothing.")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--organisation", metavar="ORG",
                     help="link every account in the file that is not linked yet to ORG (name, alias or CC:CODE)")
    imp.add_argument("--platform", metavar="P", help="the platform, for files that do not say (" + ", ".join(PLATFORMS) + ")")
    imp.add_argument("--account", metavar="NAME", help="the page's name, for files that do not say whose page it is")
    imp.add_argument("--period", metavar="PERIOD",
                     help="the date range selected when exporting, for files that do not say (e.g. YouTube table data)")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported and changed; write nothing")
    imp.add_argument("--user", metavar="NAME", help="who is importing (default: your login name)")

    hist = commands.add_parser("imports", parents=[db_parent], help="list the imports (history)",
                               description="The import log, newest first: uploads, the demo data and the registry.")
    output_options(hist)

    undo = commands.add_parser("undo", parents=[db_parent], help="undo an import",
                               description="Remove an upload's values and restore the values it replaced.")
    undo.add_argument("import_id", type=int, metavar="IMPORT_ID")
    undo.add_argument("--user", metavar="NAME", help="who is undoing (default: your login name)")

    link = commands.add_parser("link", parents=[db_parent], help="link an account to its organisation",
                               description="Link a page (by name or platform id) to the organisation that runs it; "
                                           "later uploads of the page find the link by themselves.")
    link.add_argument("account", metavar="ACCOUNT", help="page name or the platform's id for it")
    link.add_argument("--organisation", required=True, metavar="ORG", help="name, alias or CC:CODE")
    link.add_argument("--platform", metavar="P", help="when pages on several platforms have this name")

    org = commands.add_parser("org", help="organisations outside the official registry",
                              description="Manage organisations the official registry lacks.")
    org_commands = org.add_subparsers(dest="org_command", metavar="ACTION", parser_class=_Parser)
    org_commands.required = True
    org_add = org_commands.add_parser("add", parents=[db_parent], help="add an organisation",
                                      description="Add a body outside the official registry, e.g. a public-service "
                                                  "broadcaster, a hospital or a county administrative board.")
    org_add.add_argument("name", metavar="NAME")
    org_add.add_argument("--kind", required=True, choices=tuple(KINDS), help="the peer group it is compared in")
    org_add.add_argument("--country", required=True, metavar="CC", help=", ".join(COUNTRIES))
    org_add.add_argument("--code", metavar="CODE", help="an official code (e.g. organisation number); default: a generated one")
    org_add.add_argument("--parent", metavar="CODE", help="code of the county or region it belongs to")
    org_add.add_argument("--population", type=int, metavar="N", help="inhabitants it serves")
    org_add.add_argument("--population-date", metavar="DATE", help="date of the population figure (YYYY-MM-DD)")

    tmpl = commands.add_parser("template", help="write the blank data template",
                               description="Write the project's blank template (CSV or XLSX, by the file's extension) "
                                           "for figures collected from members or copied from another tool.")
    tmpl.add_argument("--output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")

    pages_report = reports.add_parser("pages", parents=[db_parent], help="an organisation's pages one by one",
                                      description="Each of an organisation's pages on a platform on its own: the rows "
                                                  "that its line in the watch report adds up.")
    pages_report.add_argument("--organisation", required=True, metavar="ORG")
    pages_report.add_argument("--platform", required=True, metavar="P")
    pages_report.add_argument("--period", required=True, metavar="PERIOD")
    output_options(pages_report)

    acct = commands.add_parser("accounts", parents=[db_parent], help="list the uploaded pages and their organisations",
                               description="The pages (accounts) that uploads created, with the organisation each is "
                                           "linked to; link one with `benchmark link`.")
    acct.add_argument("--unlinked", action="store_true", help="only pages not linked to an organisation yet")
    output_options(acct)

    trace = commands.add_parser("trace", parents=[db_parent], help="where stored values came from",
                                description="Each stored value of one page and measure in a date range, with the "
                                            "import, file and file row it came from.")
    trace.add_argument("account", metavar="ACCOUNT", help="page name or the platform's id for it")
    trace.add_argument("--measure", required=True, metavar="M", help=", ".join(MEASURE_IDS))
    trace.add_argument("--period", required=True, metavar="PERIOD", help="2025-Q3, 2025-07, … or A..B")
    trace.add_argument("--platform", metavar="P", help="when pages on several platforms have this name")
    output_options(trace)

    serve = commands.add_parser("serve", parents=[db_parent], help="run the dashboard",
                                description="Start the dashboard (Streamlit). A database that does not exist yet is "
                                            "created with the registry and the demo data.")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="localhost", help="address to listen on (default localhost)")
    # Commands kept in modules of their own register themselves (their handlers join COMMANDS).
    COMMANDS.update(cli_maintenance.register(commands, db_parent))
    COMMANDS.update(cli_users.register(commands, db_parent))
    return parser


# -- output ------------------------------------------------------------------
# The CSV rules (rounding, formula neutralising) are the exports' own, so that `report … --format csv`
# and every other command's CSV agree (benchmark/reports/tables.py).
_round = round_for_csv


def _emit(frame: pd.DataFrame, args: argparse.Namespace, *, shows_demo: bool = False,
          table_columns: list[str] | None = None) -> None:
    """CSV (every column) or a terminal table (`table_columns`, default all), to stdout or --output."""
    fmt = args.format or ("csv" if args.output and args.output.lower().endswith(".csv") else None)
    fmt = fmt or ("table" if sys.stdout.isatty() and not args.output else "csv")
    if fmt == "csv":
        text = frame_to_csv(frame)
    elif frame.empty:
        text = "(none)\n"
    else:
        shown = _round(frame[table_columns] if table_columns else frame)
        # na_rep does not apply to pandas' nullable columns, so spell out "–" first.
        text = shown.astype(object).where(shown.notna(), "–").to_string(index=False) + "\n"
    if args.output:
        _write_atomically(Path(args.output), text)
        print(f"wrote {len(frame)} rows to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if shows_demo:
        print(f"note: {demo.DEMO_NOTICE} (column is_demo)", file=sys.stderr)


def _write_atomically(target: Path, text: str | bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    if target.is_dir():
        raise ValidationError(f"--output {target} is a folder; give a file name, e.g. {target / 'report.csv'}")
    if not target.parent.exists():
        raise ValidationError(f"--output {target}: the folder {target.parent} does not exist")
    temporary = target.with_name(target.name + ".partial")
    try:
        if isinstance(text, bytes):
            temporary.write_bytes(text)
        else:
            temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BenchmarkError(f"cannot write {target}: {exc.strerror or exc}") from None


# -- commands ----------------------------------------------------------------
def _cmd_init(args: argparse.Namespace) -> int:
    path = settings.database_path(args.db)
    # open_store, not Store: forwarded to the dashboard's process, this is its open store.
    with open_store(path, must_exist=False) as store:
        store.create_schema()
        count = load_registry(store, actor=cli_actor())
    print(f"database {path} ready; registry holds {count} organisations")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.remove and args.scale:
        raise UsageError("--remove removes every demo data set; leave out --scale")
    with open_store(args.db) as store:
        if args.remove:
            removed = demo.remove_demo(store, actor=cli_actor())
            print(f"removed {removed} demo rows and accounts")
        elif args.scale:
            from . import scale  # the large generator, loaded only when asked for

            counts = scale.load_scale(store, args.scale, actor=cli_actor(), progress=lambda text: print(f"writing {text}", file=sys.stderr))
            print(f"loaded {args.scale}-scale demo data in {counts['seconds']:.0f} s: {counts['accounts']} accounts, "
                  f"{counts['values']} values, {counts['posts']} posts ({demo.DEMO_NOTICE.lower()})")
        else:
            counts = demo.load_demo(store, actor=cli_actor())
            print(f"loaded demo data: {counts['accounts']} accounts, {counts['values']} period values, "
                  f"{counts['posts']} posts ({demo.DEMO_NOTICE.lower()})")
    return 0


def _cmd_metrics(args: argparse.Namespace) -> int:
    frame = pd.DataFrame(
        [{"id": m.id, "label": m.label, "unit": m.unit, "aggregation": m.aggregation, "formula": m.formula,
          "higher_is_better": m.higher_is_better} for m in METRICS]
    )
    if args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
    else:
        for m in METRICS:
            print(f"{m.id:<32} {m.label} — {m.formula}")
    return 0


def _fitted(store: Store, platform: str, periods: list[Period]) -> list[Period]:
    """The periods as the dashboard reads them: with weekly figures only, a month, quarter or year
    becomes its whole ISO weeks; said on stderr, so that the output stays machine-readable."""
    weekly = views.weekly_only(store, platform)
    fitted = [views.fit_period(p, weekly) for p in periods]
    _weekly_note(platform, [(p, f) for p, f in zip(periods, fitted, strict=True) if f != p])
    return fitted


def _weekly_note(platform: str, changed: Sequence[tuple[Period, Period]]) -> None:
    if changed:
        shown = ", ".join(f"{p.label} as {f.label} ({f.start}..{f.end})" for p, f in changed[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        print(f"note: the {PLATFORMS[platform]} figures are weekly, so whole ISO weeks are read: {shown}{more}",
              file=sys.stderr)


def _report_state(store: Store, args: argparse.Namespace, platform: str) -> ViewState:
    """The view state the arguments name, in the codes a shared link or a saved deck uses."""
    if args.report == "watch":
        own = resolve_organisation(store, args.organisation)
        parse_period(args.period)  # a malformed period is named before any peer is looked up
        watch: tuple[str, ...] | None = None
        if args.watch_list:
            index = OrganisationIndex(store)
            watch = tuple(index.by_id(i).reference for i in get_watch_list(store, args.watch_list).organisation_ids)
        elif args.watch:
            watch = tuple(resolve_organisation(store, name).reference for name in args.watch)
        return ViewState(page="watch", org=own.reference, watch=watch, platform=platform, period=args.period)
    if args.report == "ranking":
        for metric in args.metric:
            get_metric(metric)
        own = resolve_organisation(store, args.organisation) if args.organisation else None
        return ViewState(page="ranking", org=own.reference if own else None, group=args.group, platform=platform,
                         period=args.period, metric=args.metric[0])
    for metric in args.metric:
        get_metric(metric)
    own = resolve_organisation(store, args.organisation)
    if parse_period(args.last).end < parse_period(args.first).start:
        raise ValidationError("--to must not be before --from")
    return ViewState(page="profile", org=own.reference, group=args.group, platform=platform, metric=args.metric[0],
                     every=args.every, first=args.first, last=args.last)


def _report_format(args: argparse.Namespace) -> str:
    """--format, else the --output file's extension, else a table on a terminal and CSV elsewhere."""
    if args.format:
        return args.format
    if args.output:
        suffix = Path(args.output).suffix.lower().lstrip(".")
        return suffix if suffix in REPORT_FORMATS and suffix != "table" else "csv"
    return "table" if sys.stdout.isatty() else "csv"


def _cmd_report(args: argparse.Namespace) -> int:
    if args.report == "pages":
        return _cmd_pages_report(args)
    from . import reports  # Altair, python-pptx and vl-convert load only for a report

    fmt = _report_format(args)
    metrics = getattr(args, "metric", None)
    if fmt in ("xlsx", "pptx", "png") and not args.output:
        raise UsageError(f"--format {fmt} writes a file: give --output FILE.{fmt}")
    if len(metrics or []) > 1 and fmt not in ("xlsx", "pptx"):
        raise UsageError(f"--metric more than once needs --format pptx or xlsx (a {fmt} holds one metric)")
    lang = check_language(args.lang or settings.get("default_language"))
    with open_store(args.db) as store:
        platform = views.check_platform(args.platform)
        state = _report_state(store, args, platform)
        report = reports.build_report(store, state, lang, metrics, default_own=False)
    _weekly_note(platform, report.refitted)
    table = report.table
    if fmt == "table":
        _emit(table.frame[list(table.csv_columns)], args, shows_demo=report.shows_demo)
        return 0
    content = reports.render(report, fmt)
    if args.output:
        _write_atomically(Path(args.output), content)
        what = f"{len(table.frame)} rows" if fmt == "csv" else f"the {fmt.upper()} file"
        print(f"wrote {what} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(content.decode("utf-8"))
    if report.shows_demo:
        where = "column is_demo" if fmt == "csv" else "labelled in the file"
        print(f"note: {demo.DEMO_NOTICE} ({where})", file=sys.stderr)
    return 0


def _cmd_pages_report(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        platform = views.check_platform(args.platform)
        organisation = resolve_organisation(store, args.organisation)
        period = _fitted(store, platform, [parse_period(args.period)])[0]
        frame = views.organisation_pages(store, organisation, platform, period)
        if frame.empty:
            raise ValidationError(f"{organisation.name} has no {PLATFORMS[platform]} pages in the database")
        _emit(frame.drop(columns=["account_id"]), args, shows_demo=bool(frame["is_demo"].fillna(False).any()))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    options = imports.ImportOptions(
        platform=args.platform, organisation=args.organisation, account=args.account,
        period=parse_period(args.period) if args.period else None,
    )
    actor = cli_actor(args.user)
    rejected = 0
    with open_store(args.db) as store:
        for name in args.files:
            path = Path(name)
            if not path.is_file():
                raise ValidationError(f"{name}: no such file")
            try:
                imports.refuse_oversize(path.name, path.stat().st_size)  # before a byte is read
                plan = imports.plan_import(store, path.name, path.read_bytes(), options)
            except IMPORT_REFUSALS as exc:
                print(f"benchmark: not imported: {exc}", file=sys.stderr)
                rejected += 1
                continue
            _print_plan(plan)
            if args.dry_run:
                print("dry run: nothing written")
                continue
            result = imports.commit_import(store, plan, actor=actor)
            print(result.message)
    return 1 if rejected else 0


def _print_plan(plan: imports.ImportPlan) -> None:
    print(plan.summary())
    for account in plan.accounts:
        org = account.organisation_name or "NOT LINKED"
        line = f"  account {account.label}: {org} ({account.how})"
        if account.organisation_id is None:
            hint = f"; closest: {', '.join(account.suggestions)}" if account.suggestions else ""
            line += f"{hint}; link it with --organisation ORG, or later with `benchmark link`"
        print(line)
    for note in plan.parsed.notes:
        print(f"  note: {note}")
    if plan.parsed.ignored_columns:
        print(f"  ignored columns: {', '.join(plan.parsed.ignored_columns[:12])}"
              + (" …" if len(plan.parsed.ignored_columns) > 12 else ""))
    if len(plan.changes) and plan.duplicate_of is None:
        shown = plan.changes.astype(object).where(plan.changes.notna(), "–")
        print(textwrap.indent(shown.to_string(index=False), "  "))


def _cmd_imports(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        frame = imports.import_history(store)
    _emit(frame, args, table_columns=["import_id", "created_at", "created_by", "file_name", "format", "platform",
                                      "row_count", "status"])
    return 0


def _cmd_accounts(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        frame = accounts.list_accounts(store, unlinked_only=args.unlinked)
    _emit(frame, args, table_columns=["account_id", "platform", "name", "platform_account_id", "organisation",
                                      "stored_values", "posts"])
    return 0


def _cmd_trace(args: argparse.Namespace) -> int:
    if args.measure not in MEASURE_IDS:
        raise NotFoundError("measure", args.measure, [m for m in MEASURE_IDS if m[:3] == args.measure[:3]])
    period = parse_period(args.period)
    with open_store(args.db) as store:
        platform = views.check_platform(args.platform) if args.platform else None
        account = accounts.resolve_account(store, args.account, platform)
        frame = imports.trace_values(store, account.account_id, args.measure, period.start, period.end)
    _emit(frame, args)
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        print(imports.undo_import(store, args.import_id, actor=cli_actor(args.user)))
    return 0


def _cmd_link(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        platform = views.check_platform(args.platform) if args.platform else None
        account = accounts.resolve_account(store, args.account, platform)
        organisation = resolve_organisation(store, args.organisation)
        accounts.link_account(store, account.account_id, organisation.organisation_id, actor=cli_actor())
        print(f"linked {account.describe()} to {organisation.describe()}")
    return 0


def _cmd_org(args: argparse.Namespace) -> int:
    population_date = None
    if args.population_date:
        try:
            population_date = date.fromisoformat(args.population_date)
        except ValueError:
            raise ValidationError(f"--population-date {args.population_date!r} is not a date like 2025-12-31") from None
    with open_store(args.db) as store:
        organisation = accounts.add_organisation(
            store, args.name, args.kind, args.country, code=args.code, parent_code=args.parent,
            population=args.population, population_date=population_date, actor=cli_actor(),
        )
    print(f"added {organisation.describe()}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    target = Path(args.output)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(f"--output {args.output}: name the file .csv or .xlsx")
    content = template.template_csv() if suffix == ".csv" else template.template_xlsx()
    _write_atomically(target, content)
    print(f"wrote the blank template to {target}", file=sys.stderr)
    return 0


def _check_deployment(path: Path) -> None:
    """Refuse to serve a deployment that must not run (benchmark/access.py): the same check the app
    makes on every page, made here first so that a service manager sees the failure at once."""
    from . import access, users

    config = access.load_access()
    has_admin = False
    if config.private and path.exists():
        with open_store(path) as store:
            has_admin = users.has_admin(store)
    problems = access.deployment_problems(config, access.read_secrets(), has_admin=has_admin)
    if problems:
        raise BenchmarkError("access.cannot_start", problems=Joined(problems, "; "))


def _cmd_serve(args: argparse.Namespace) -> int:
    from . import launch

    _check_deployment(settings.database_path(args.db))
    env = dict(os.environ, BENCHMARK_DB=str(settings.database_path(args.db)))
    launch.compile_code()
    command = launch.server_command(args.port, args.address)
    print(f"serving the dashboard at http://{args.address}:{args.port} (database {env['BENCHMARK_DB']})", file=sys.stderr)
    os.execvpe(command[0], command, env)
    return 0  # pragma: no cover - exec does not return


COMMANDS = {"init": _cmd_init, "demo": _cmd_demo, "metrics": _cmd_metrics, "report": _cmd_report,
            "import": _cmd_import, "imports": _cmd_imports, "undo": _cmd_undo, "link": _cmd_link,
            "org": _cmd_org, "template": _cmd_template, "accounts": _cmd_accounts, "trace": _cmd_trace,
            "serve": _cmd_serve}


# -- one writer: commands sent to the process that has the database open (benchmark/control.py) --
# Commands that never open the database: always run here.
LOCAL_COMMANDS = frozenset({"serve", "template", "metrics"})
# Commands that may ask at the keyboard (a password, a confirmation): forwarded, they read this
# command's terminal or standard input through the control channel; the others read end-of-input.
INTERACTIVE_COMMANDS = (("user", "add"), ("user", "set-password"), ("restore",))
# Arguments (argparse dests) that name files or folders: made absolute before a command is
# forwarded, because the dashboard's process has a working folder of its own.
PATH_ARGUMENTS = frozenset({"db", "files", "file", "output"})
FORWARDING_NOTE = "the dashboard has the database open; running the command in its process"


def _forward(args: argparse.Namespace, argv: list[str]) -> int | None:
    """Run the command in the process that has its database open and answers on the control
    socket; its exit code, or None when no such process answers (run it here)."""
    if args.command in LOCAL_COMMANDS or served_store() is not None:
        return None
    database = Path(os.path.abspath(settings.database_path(getattr(args, "db", None))))
    sock = control.connect(database)
    if sock is None:
        return None
    print(FORWARDING_NOTE, file=sys.stderr)
    with sock:
        return control.forward(sock, database, ["--db", str(database), *absolute_paths(argv)],
                               interactive=_interactive(argv))


def absolute_paths(argv: Sequence[str]) -> list[str]:
    """`argv` with every file argument (PATH_ARGUMENTS) made absolute, and nothing else touched.

    Which tokens are file names is asked of the parser itself: each candidate token is replaced
    by a marker and the arguments parsed again; it is a path if the marker lands in a path dest.
    (An organisation called like a file of the same command is not mistaken for it.)"""
    parser = build_parser()
    result = list(argv)
    for i, token in enumerate(argv):
        if token.startswith("-"):
            option, equals, value = token.partition("=")
            if token.startswith("--") and equals and _names_a_path(parser, argv, i, option + "="):
                result[i] = f"{option}={os.path.abspath(os.path.expanduser(value))}"
        elif _names_a_path(parser, argv, i, ""):
            result[i] = os.path.abspath(os.path.expanduser(token))
    return result


def _names_a_path(parser: argparse.ArgumentParser, argv: Sequence[str], index: int, prefix: str) -> bool:
    marker = f"\x00path-{index}"
    probe = list(argv)
    probe[index] = prefix + marker
    try:
        parsed = parser.parse_args(probe)
    except (UsageError, SystemExit):
        return False
    for dest in PATH_ARGUMENTS:
        value = getattr(parsed, dest, None)
        if value == marker or (isinstance(value, list) and marker in value):
            return True
    return False


def _interactive(argv: Sequence[str]) -> bool:
    words: list[str] = []
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--db":
            skip = True
        elif not token.startswith("-"):
            words.append(token)
    return any(tuple(words[:len(command)]) == command for command in INTERACTIVE_COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(arguments)
        forwarded = _forward(args, arguments)
        if forwarded is not None:
            return forwarded
        try:
            # A write that meets a change made at the same moment is a named error, not a traceback.
            with named_write_errors():
                return COMMANDS[args.command](args)
        except DatabaseInUseError:
            # The dashboard may have opened the file just now: if it answers, send the command there.
            forwarded = _forward(args, arguments)
            if forwarded is None:
                raise
            return forwarded
    except UsageError as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    except ARGUMENT_ERRORS as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    except BenchmarkError as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `benchmark report … | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
