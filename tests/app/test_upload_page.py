"""The Upload page through AppTest: preview, confirm, history, undo, refusals.

AppTest cannot drive a file drop zone, so the tests put the dropped files where
the page keeps them (`upload.files` in the session); the real drop zone is
exercised by the browser test.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.sessions import signed_in
from tests.app.test_pages import org_id

REPO = Path(__file__).resolve().parents[2]
FILE = ("q1.csv", "organisation,platform,period,posts,reactions\nRegion Örebro län,facebook,2026-Q1,7,70\n".encode())


def upload_page(files: list[tuple[str, bytes]]) -> AppTest:
    at = signed_in(AppTest.from_file(str(REPO / "app.py"), default_timeout=60), "anna")  # an analyst
    at.run()  # app.py's navigation first, as a browser session starts
    at.switch_page("pages/upload.py")
    at.session_state["upload.files"] = files
    return at.run()


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_preview_confirm_history_and_undo(benchmark_db):
    at = upload_page([FILE])
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Upload"]
    markdown = " ".join(m.value for m in at.markdown)
    assert "project template" in markdown and "Region Örebro län" in markdown
    assert "2 new" in markdown and "0 would change" in markdown
    changes = at.dataframe[0].value
    assert set(changes["measure"]) == {"posts", "reactions"}
    assert any("No uploads yet" in i.value for i in at.info)

    at = button(at, "upload.confirm.0").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("imported q1.csv as import" in s.value for s in at.success)
    history = at.dataframe[-1].value
    assert history["file_name"].tolist() == ["q1.csv"] and history["status"].tolist() == ["committed"]

    # The same file again: recognised, nothing to confirm.
    at.session_state["upload.files"] = [FILE]
    at = at.run()
    assert any("already imported" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "upload.confirm.0"]

    at.session_state["upload.files"] = []
    at = at.run()
    assert button(at, "upload.undo").disabled
    at = next(c for c in at.checkbox if c.key == "upload.undo_sure").check().run()
    at = button(at, "upload.undo").click().run()
    assert any("undid import" in s.value for s in at.success)
    assert at.dataframe[-1].value["status"].tolist() == ["undone"]


def test_rejected_file_lists_row_column_and_value(benchmark_db):
    bad = ("bad.csv", b"organisation,platform,period,posts\nRegion \xc3\x96rebro l\xc3\xa4n,facebook,2026-Q1,sju\n")
    at = upload_page([bad])
    assert not at.exception
    assert any("Not imported" in e.value for e in at.error)
    problems = at.dataframe[0].value
    assert problems.iloc[0].to_dict() | {} == {"where": "row 2", "column": "posts", "value": "sju",
                                               "expected": problems.iloc[0]["expected"]}
    assert "whole number" in problems.iloc[0]["expected"]
    assert not [b for b in at.button if b.key == "upload.confirm.0"]


def test_a_file_with_more_problems_than_are_kept_says_how_many_in_all(benchmark_db):
    from benchmark.importers.base import MAX_PROBLEMS_KEPT

    rows = "".join(f"Region Örebro län,facebook,{2000 + i // 4}-Q{i % 4 + 1},x\n" for i in range(1500))
    at = upload_page([("bad.csv", ("organisation,platform,period,posts\n" + rows).encode())])
    assert not at.exception, [e.value for e in at.exception]
    assert any("bad.csv: 1,500 value(s)" in e.value for e in at.error), [e.value for e in at.error]
    assert len(at.dataframe[0].value) == MAX_PROBLEMS_KEPT == 1000  # the table lists those kept


def test_file_that_does_not_name_its_page_asks_for_it(benchmark_db):
    series = ("Follows.csv", "\ufeffsep=,\n\"Facebook follows\"\n\"Date\",\"Primary\"\n\"2026-01-01T00:00:00\",\"3\"\n"
              .encode("utf-16"))
    at = upload_page([series])
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert "account" in warnings and "page" in warnings
    at.text_input(key="upload.account").input("Region Örebro län").run()
    assert not at.exception
    assert [b for b in at.button if b.key == "upload.confirm.0"]


POSTS = ("posts.csv", (
    "\ufeff\"Post ID\",\"Page ID\",\"Page name\",Title,\"Publish time\",\"Post type\",Date,Views,Reach,"
    "Reactions,Comments,Shares\n"
    "111,4242,\"Kulturhuset Fyren\",Hej,\"03/05/2026 09:42\",Photos,Lifetime,100,80,5,1,0\n").encode())


def test_unknown_page_imported_unlinked_then_linked(benchmark_db):
    orebro = org_id(benchmark_db, "Region Örebro län")  # read before the app opens the file
    at = upload_page([POSTS])
    assert not at.exception, [e.value for e in at.exception]
    link_box = next(s for s in at.selectbox if s.key == "upload.link.0.0")
    assert "not linked" in link_box.label and link_box.value is None
    at = button(at, "upload.confirm.0").click().run()
    assert any("imported posts.csv" in s.value for s in at.success)
    page_box = next(s for s in at.selectbox if s.key == "upload.unlinked_page")
    # One day covered: posts, reactions, comments, shares and views of that day.
    assert page_box.options == ["Kulturhuset Fyren (Facebook, 5 values)"]
    at = next(s for s in at.selectbox if s.key == "upload.unlinked_org").set_value(orebro).run()
    at = button(at, "upload.link").click().run()
    assert any("Linked Kulturhuset Fyren (Facebook, id 4242) to Region Örebro län" in s.value for s in at.success)
    assert not [s for s in at.selectbox if s.key == "upload.unlinked_page"]


TWO_PAGES = ("two-pages.csv", (
    "\ufeff\"Post ID\",\"Page ID\",\"Page name\",Title,\"Publish time\",\"Post type\",Date,Views,Reach,"
    "Reactions,Comments,Shares\n"
    "111,4242,\"Kulturhuset Fyren\",Hej,\"03/05/2026 09:42\",Photos,Lifetime,100,80,5,1,0\n"
    "222,4343,\"Fyrens bibliotek\",Hej,\"03/05/2026 11:00\",Photos,Lifetime,50,40,2,0,0\n").encode())


def test_all_unlinked_pages_of_a_file_linked_in_one_go(benchmark_db):
    orebro = org_id(benchmark_db, "Region Örebro län")
    at = upload_page([TWO_PAGES])
    assert not at.exception, [e.value for e in at.exception]
    at = next(s for s in at.selectbox if s.key == "upload.link_all.0").set_value(orebro).run()
    # The per-page choices give way to the one choice.
    assert not [s for s in at.selectbox if s.key.startswith("upload.link.0.")]
    at = button(at, "upload.confirm.0").click().run()
    assert any("imported two-pages.csv" in s.value for s in at.success)
    assert not [s for s in at.selectbox if s.key == "upload.unlinked_page"]  # nothing left to link


def test_unreadable_period_in_the_form_is_said_and_nothing_is_planned(benchmark_db):
    at = upload_page([FILE])
    at = at.text_input(key="upload.period").input("2025-Q9").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("2025-Q9" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "upload.confirm.0"]


def test_a_refused_file_is_explained_in_swedish(benchmark_db):
    bad = ("bad.csv", b"organisation,platform,period,posts\nRegion \xc3\x96rebro l\xc3\xa4n,facebook,2026-Q1,sju\n")
    at = signed_in(AppTest.from_file(str(REPO / "app.py"), default_timeout=60), "anna")
    at.query_params["lang"] = "sv"
    at.run()
    at.switch_page("pages/upload.py")
    at.session_state["upload.files"] = [bad]
    at.run()
    assert not at.exception
    problems = at.dataframe[0].value
    row = problems.iloc[0]
    assert (row["where"], row["column"], row["value"]) == ("rad 2", "posts", "sju")
    assert "heltal" in row["expected"] and "whole number" not in row["expected"]


def test_the_problems_of_a_refused_file_download_with_formulas_neutralised(benchmark_db):
    import io

    import openpyxl

    from benchmark.reports.tables import to_csv

    hostile = "=SUM(A1:A9)"
    bad = ("bad.csv", f"organisation,platform,period,posts\nRegion Örebro län,facebook,2026-Q1,{hostile}\n".encode())
    at = upload_page([bad])
    assert not at.exception
    labels = [b.label for b in at.get("download_button") if "upload.problems" in (b.proto.id or "")]
    assert labels == ["CSV", "XLSX"]
    # The buttons make their files on click (no runtime in AppTest): the table they write, made here.
    problems = at.dataframe[0].value
    assert problems.iloc[0]["value"] == hostile
    from benchmark.reports.tables import simple_table, to_xlsx

    table = simple_table(problems, {"where": "Where", "column": "Column", "value": "Value", "expected": "Expected"},
                         "bad.csv")
    assert "'=SUM(A1:A9)" in to_csv(table).decode()
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([table]))).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "SUM(A1" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


POSTS_WITH_A_BLANK_ROW = ("posts.csv", (
    "\ufeff\"Post ID\",\"Page ID\",\"Page name\",Title,\"Publish time\",\"Post type\",Date,Views,Reach,"
    "Reactions,Comments,Shares\n"
    "111,4242,\"Kulturhuset Fyren\",Hej,\"03/05/2026 09:42\",Photos,Lifetime,100,80,5,1,0\n"
    ",,,,,,,,,,,\n"  # trailing blank rows are dropped when reading; one between posts is noted
    "222,4242,\"Kulturhuset Fyren\",Hej,\"03/06/2026 11:00\",Photos,Lifetime,50,40,2,0,0\n").encode())


def test_import_notes_and_how_a_page_was_linked_are_shown_in_swedish(benchmark_db):
    at = signed_in(AppTest.from_file(str(REPO / "app.py"), default_timeout=60), "anna")
    at.query_params["lang"] = "sv"
    at.run()
    at.switch_page("pages/upload.py")
    at.session_state["upload.files"] = [POSTS_WITH_A_BLANK_ROW, FILE]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert ":material/info: hoppade över tomma rader: 1" in captions
    assert any("amerikansk Stillahavstid" in c for c in captions)
    assert any(c.startswith(":material/info: filen säger inte vilka datum den omfattar") for c in captions)
    assert not any("blank row" in c or "Pacific" in c or "does not say" in c for c in captions), captions
    # The template names its organisation: said in Swedish, not with the import service's English.
    linked = " ".join(m.value for m in at.markdown)
    assert "Region Örebro län** (namngiven i filen)" in linked and "named in the file" not in linked
