"""The import service end to end on the project template: preview, commit, re-import, replace, undo.

Expected figures are written by hand next to each file; after every change the
database's integrity checks must hold.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from benchmark import imports
from benchmark.errors import NotFoundError, ValidationError
from benchmark.importers.formats.template import template_csv, template_xlsx
from benchmark.importers.model import (
    ImportRejected,
    NeedsInputError,
    UnrecognisedFileError,
)
from benchmark.periods import parse_period
from benchmark.query import metric_table
from benchmark.auth import Actor, Role
from tests.actors import ADMIN, permit

HEADER = "organisation,platform,period,followers,posts,reactions,comments,shares,reach\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def _import(store, name: str, content: bytes, **options) -> imports.ImportResult:
    plan = imports.plan_import(store, name, content, imports.ImportOptions(**options))
    return imports.commit_import(store, plan, actor=ADMIN)


def _value(store, org: str, metric: str, period: str = "2025-Q1", platform: str = "facebook"):
    org_id = store.scalar("SELECT organisation_id FROM organisations WHERE name = ?", [org])
    frame = metric_table(store, [org_id], platform, [parse_period(period)])
    value = frame[metric].iloc[0]
    return None if pd.isna(value) else value


def _state(store) -> list:
    return store.rows(
        "SELECT account_id, measure, period_start, period_end, value, import_id FROM period_values ORDER BY ALL"
    )


def test_preview_writes_nothing_and_names_accounts_and_changes(small_store):
    before = small_store.scalar("SELECT count(*) FROM imports")
    plan = imports.plan_import(small_store, "q1.csv", _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10,"))
    assert small_store.scalar("SELECT count(*) FROM imports") == before
    assert plan.format_label == "project template"
    assert [(a.name, a.organisation_name, a.how) for a in plan.accounts] == [("Örebro", "Örebro", "named in the file")]
    assert plan.first_day == date(2025, 1, 1) and plan.last_day == date(2025, 3, 31)
    # Five figures given (reach is empty = unknown, not 0), all new.
    assert int(plan.changes["new"].sum()) == 5
    assert int(plan.changes["changed"].sum()) == 0


def test_import_then_same_file_again_changes_nothing(small_store):
    content = _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10,", "Laxå,facebook,2025-Q1,200,5,50,5,0,90")
    first = _import(small_store, "q1.csv", content)
    assert first.import_id is not None and first.rows_written == 11
    assert _value(small_store, "Örebro", "posts") == 30
    assert _value(small_store, "Örebro", "engagements") == 330
    assert _value(small_store, "Laxå", "reach") == 90
    state = _state(small_store)
    plan = imports.plan_import(small_store, "renamed.csv", content)
    assert plan.duplicate_of == first.import_id
    assert "nothing to do" in plan.summary()
    again = imports.commit_import(small_store, plan, actor=ADMIN)
    assert again.import_id is None and "already imported" in again.message
    assert _state(small_store) == state
    assert small_store.integrity_problems() == {}


def test_new_file_replaces_values_and_undo_restores_them(small_store):
    first = _import(small_store, "a.csv", _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10,"))
    before = _state(small_store)
    plan = imports.plan_import(small_store, "b.csv", _csv("Örebro,facebook,2025-Q1,1000,35,300,20,10,"))
    posts = plan.changes[plan.changes["measure"] == "posts"].iloc[0]
    assert (posts["changed"], posts["stored"], posts["incoming"]) == (1, 30, 35)
    assert int(plan.changes["same"].sum()) == 4
    second = imports.commit_import(small_store, plan, actor=ADMIN)
    assert second.replaced == 5  # identical values are re-supplied by the new import too
    assert _value(small_store, "Örebro", "posts") == 35
    assert small_store.scalar("SELECT count(*) FROM replaced_period_values WHERE replaced_by = ?", [second.import_id]) == 5
    message = imports.undo_import(small_store, second.import_id, actor=ADMIN)
    assert "restored 5" in message
    assert _state(small_store) == before
    assert small_store.scalar("SELECT count(*) FROM replaced_period_values") == 0
    assert small_store.scalar("SELECT status FROM imports WHERE import_id = ?", [second.import_id]) == "undone"
    assert small_store.integrity_problems() == {}
    # The first import is untouched and still the supplier of every value.
    assert {r[5] for r in _state(small_store)} == {first.import_id}


def test_undo_of_an_import_that_was_itself_replaced(small_store):
    a = _import(small_store, "a.csv", _csv("Örebro,facebook,2025-Q1,,30,,,,"))
    b = _import(small_store, "b.csv", _csv("Örebro,facebook,2025-Q1,,35,,,,"))
    c = _import(small_store, "c.csv", _csv("Örebro,facebook,2025-Q1,,40,,,,"))
    imports.undo_import(small_store, b.import_id, actor=ADMIN)
    assert _value(small_store, "Örebro", "posts") == 40  # c is still the latest
    replaced = small_store.rows("SELECT value, import_id, replaced_by FROM replaced_period_values")
    assert replaced == [(30, a.import_id, c.import_id)]  # a now counts as replaced by c
    imports.undo_import(small_store, c.import_id, actor=ADMIN)
    assert _value(small_store, "Örebro", "posts") == 30
    imports.undo_import(small_store, a.import_id, actor=ADMIN)
    assert _value(small_store, "Örebro", "posts") is None
    assert small_store.scalar("SELECT count(*) FROM period_values") == 0
    # The page created by the first import holds nothing now, so it went too.
    assert small_store.scalar("SELECT count(*) FROM accounts") == 0
    assert small_store.integrity_problems() == {}
    with pytest.raises(ValidationError, match="already undone"):
        imports.undo_import(small_store, a.import_id, actor=ADMIN)
    # Undone files can be imported again; their raw bytes were kept.
    name, content = imports.stored_file(small_store, b.import_id)
    assert name == "b.csv" and b"35" in content
    again = _import(small_store, name, content)
    assert again.import_id is not None and _value(small_store, "Örebro", "posts") == 35


def test_only_uploads_can_be_undone(small_store):
    registry_import = small_store.scalar("SELECT min(import_id) FROM imports WHERE source_kind = 'registry'")
    with pytest.raises(ValidationError, match="only uploads"):
        imports.undo_import(small_store, registry_import, actor=ADMIN)
    with pytest.raises(NotFoundError):
        imports.undo_import(small_store, 9999, actor=ADMIN)


def test_bad_cells_reject_the_whole_file_with_row_and_column(small_store):
    before = small_store.scalar("SELECT count(*) FROM imports")
    content = _csv("Örebro,facebook,2025-Q1,1000,30,,,,", "Laxå,facebook,2025-Q1,200,\"12,5\",,,,",
                   "Laxå,fakebook,2025-Q2,1,1,,,,")
    with pytest.raises(ImportRejected) as caught:
        imports.plan_import(small_store, "bad.csv", content)
    problems = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert ("row 3", "posts", "12,5") in problems
    assert ("row 4", "platform", "fakebook") in problems
    assert "not imported" in str(caught.value)
    assert small_store.scalar("SELECT count(*) FROM imports") == before
    assert small_store.scalar("SELECT count(*) FROM period_values") == 0


def test_unknown_column_and_duplicate_rows_are_refused(small_store):
    with pytest.raises(ImportRejected, match="Folowers"):
        imports.plan_import(small_store, "typo.csv", b"organisation,platform,period,Folowers,posts\nLax\xc3\xa5,facebook,2025-Q1,1,2\n")
    with pytest.raises(ImportRejected, match="row 2 has the same"):
        imports.plan_import(small_store, "dup.csv", _csv("Laxå,facebook,2025-Q1,,1,,,,", "Laxå,facebook,2025-Q1,,2,,,,"))


def test_unknown_organisation_is_an_argument_problem_with_suggestions(small_store):
    with pytest.raises(NotFoundError, match="Laxå"):
        imports.plan_import(small_store, "x.csv", _csv("Laxa kommun x,facebook,2025-Q1,,1,,,,"))


def test_nordic_resave_reads_the_same_as_the_plain_file(small_store):
    plain = _csv("Örebro,facebook,2025-Q1,12345,30,1234,20,10,")
    # Excel on a Swedish PC: semicolons, CRLF, Windows-1252, space and period as thousands separators.
    nordic = ("organisation;platform;period;followers;posts;reactions;comments;shares;reach\r\n"
              "Örebro;Facebook;2025-Q1;12 345;30;1.234;20;10;\r\n").encode("cp1252")
    a = imports.plan_import(small_store, "plain.csv", plain)
    b = imports.plan_import(small_store, "nordic.csv", nordic)
    assert a.period_rows[["measure", "value"]].values.tolist() == b.period_rows[["measure", "value"]].values.tolist()
    assert dict(a.period_rows[["measure", "value"]].values.tolist())["reactions"] == 1234


def test_from_to_dates_in_nordic_form(small_store):
    content = "organisation;platform;från;till;posts\nLaxå;facebook;01.07.2025;30.09.2025;12\n".encode("utf-8-sig")
    plan = imports.plan_import(small_store, "sv.csv", content)
    row = plan.period_rows.iloc[0]
    assert (row["period_start"], row["period_end"], row["value"]) == (date(2025, 7, 1), date(2025, 9, 30), 12)


def test_blank_templates_are_readable_and_refused_as_empty(small_store):
    for name, content in (("template.csv", template_csv()), ("template.xlsx", template_xlsx())):
        with pytest.raises(ImportRejected, match="no figures"):
            imports.plan_import(small_store, name, content)


def test_filled_xlsx_template_imports(small_store, tmp_path):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx()))
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    row = dict.fromkeys(header)
    row.update(organisation="SE:1880", platform="instagram", period="2025-03", followers=5400, posts=12,
               net_followers=-15)
    sheet.append([row[h] for h in header])
    buffer = io.BytesIO()
    book.save(buffer)
    imports.commit_import(small_store, imports.plan_import(small_store, "filled.xlsx", buffer.getvalue()), actor=ADMIN)
    assert _value(small_store, "Örebro", "posts", "2025-03", "instagram") == 12
    assert _value(small_store, "Örebro", "net_followers", "2025-03", "instagram") == -15
    assert _value(small_store, "Örebro", "followers", "2025-03", "instagram") == 5400


def test_files_that_are_not_exports_get_advice(small_store):
    with pytest.raises(UnrecognisedFileError, match="template"):
        imports.plan_import(small_store, "notes.csv", b"name,colour\nanna,blue\n")


def test_platform_must_be_known(small_store):
    with pytest.raises(NotFoundError):
        imports.plan_import(small_store, "a.csv", _csv("Laxå,facebook,2025-Q1,,1,,,,"),
                            imports.ImportOptions(platform="myspace"))


def test_history_lists_uploads_newest_first(small_store):
    a = _import(small_store, "a.csv", _csv("Laxå,facebook,2025-Q1,,1,,,,"))
    b = _import(small_store, "b.csv", _csv("Laxå,facebook,2025-Q2,,2,,,,"))
    imports.undo_import(small_store, a.import_id, actor=Actor("anna", Role.ANALYST, "local"))
    history = imports.import_history(small_store, uploads_only=True)
    assert history["import_id"].tolist() == [b.import_id, a.import_id]
    assert history["status"].tolist() == ["committed", "undone"]
    assert history["undone_by"].tolist()[1] == "anna"
    assert history.columns[0] == "import_id"


def test_values_trace_to_file_and_row(small_store):
    result = _import(small_store, "trace.csv", _csv("Laxå,facebook,2025-Q1,,1,,,,", "Laxå,facebook,2025-Q2,,2,,,,"))
    account_id = small_store.scalar("SELECT account_id FROM accounts WHERE name = 'Laxå'")
    trace = imports.trace_values(small_store, account_id, "posts", date(2025, 1, 1), date(2025, 6, 30))
    assert trace["source_row"].tolist() == [2, 3]
    assert set(trace["file_name"]) == {"trace.csv"} and set(trace["import_id"]) == {result.import_id}


def test_needs_input_for_files_without_account(small_store, monkeypatch):
    # A parsed file whose account is unnamed (like a Meta chart export) needs --account or --organisation.
    from benchmark.importers.model import AccountRef, ParsedFile, PeriodValue

    parsed = ParsedFile("series", "chart export", None,
                        values=[PeriodValue(AccountRef(), "new_followers", date(2025, 1, 1), date(2025, 1, 1), 4, 3)])
    monkeypatch.setattr(imports, "open_export", lambda *a, **k: parsed)
    with pytest.raises(NeedsInputError) as caught:
        imports.plan_import(small_store, "Follows.csv", b"x")
    assert caught.value.field == "platform"
    with pytest.raises(NeedsInputError) as caught:
        imports.plan_import(small_store, "Follows.csv", b"x", imports.ImportOptions(platform="facebook"))
    assert caught.value.field == "account"
    plan = imports.plan_import(small_store, "Follows.csv", b"x",
                               imports.ImportOptions(platform="facebook", organisation="Laxå"))
    assert [(a.name, a.organisation_name) for a in plan.accounts] == [("Laxå", "Laxå")]
    imports.commit_import(small_store, plan, actor=ADMIN)
    # The next file of the same page finds the account and its link by itself.
    plan = imports.plan_import(small_store, "Follows (1).csv", b"y",
                               imports.ImportOptions(platform="facebook", account="laxå"))
    assert plan.accounts[0].account_id is not None and plan.accounts[0].how == "linked earlier"


def test_several_pages_of_one_organisation_roll_up_and_show_one_by_one(small_store):
    from benchmark import views
    from benchmark.registry import resolve_organisation

    content = ("organisation,account,platform,period,followers,posts,reactions,comments,shares\n"
               "Örebro,Örebro kommun,facebook,2025-Q1,1000,30,300,20,10\n"
               "Örebro,Örebrokultur,facebook,2025-Q1,250,12,100,,5\n").encode()
    _import(small_store, "two-pages.csv", content)
    org = resolve_organisation(small_store, "Örebro")
    table = views.watch_table(small_store, org, [], "facebook", parse_period("2025-Q1"))
    own = table.frame.iloc[0]
    # Followers and posts add up over the two pages; engagements are unknown because one page lacks comments.
    assert (own["pages"], own["followers"], own["posts"]) == (2, 1250, 42)
    assert pd.isna(own["engagements"])
    pages = views.organisation_pages(small_store, org, "facebook", parse_period("2025-Q1"))
    assert pages["account"].tolist() == ["Örebro kommun", "Örebrokultur"]
    assert pages["followers"].tolist() == [1000, 250]
    assert pages["engagements"].tolist()[0] == 330 and pd.isna(pages["engagements"].tolist()[1])


def test_real_pages_replace_demo_pages_of_the_same_organisation(small_store, put_values):
    demo_account = put_values.account("Laxå")
    with small_store.writer(permit()) as cur:
        cur.execute("UPDATE accounts SET is_demo = true WHERE account_id = ?", [demo_account])
    put_values.period(demo_account, "2025-01-01", "2025-03-31", posts=99)
    assert _value(small_store, "Laxå", "posts") == 99
    _import(small_store, "real.csv", _csv("Laxå,facebook,2025-Q1,,4,,,,"))
    assert _value(small_store, "Laxå", "posts") == 4  # the demo page is left out, not added


def test_a_file_with_dates_but_no_figures_is_refused(small_store):
    # YouTube Totals with a day whose figures are all empty: nothing to import is said, not a silent no-op.
    with pytest.raises(ImportRejected, match="nothing to import"):
        imports.plan_import(small_store, "Totals.csv", b"Date,Views,Subscribers\n2025-06-13,,\n",
                            imports.ImportOptions(organisation="Laxå"))
