"""Oversized, malformed and hostile uploads: refused early, with a named error and a clear message,
in bounded memory, through the same service the Upload page and `benchmark import` use.

Peak memory is measured in child processes (`resource.getrusage(...).ru_maxrss` after the file is
built and before it is read, then after), so one case cannot hide in another's peak; the cases run
side by side to keep the test quick.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from benchmark import i18n, imports
from benchmark.importers import open_export, reading_text, reading_workbooks
from benchmark.importers.base import MAX_PROBLEMS_KEPT
from benchmark.importers.model import ImportRejected, UnreadableFileError, UnrecognisedFileError
from benchmark.importers.reading_limits import MAX_COLUMNS
from tests.actors import ADMIN

REPO = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_MB = 300  # above what the process held before reading the file

# Each case builds its file (`content`), then reads it through the import service's reader.
_CASES = {
    "csv with 10^6 columns": """
        content = (",".join(f"c{i}" for i in range(1_000_000)) + "\\n" + ",".join("1" * 1_000_000) + "\\n").encode()
    """,
    "xlsx with 10^6 columns": """
        import openpyxl, random, zipfile
        book = openpyxl.Workbook(); book.active.append(["x"]); plain = io.BytesIO(); book.save(plain)
        source, out, rng = zipfile.ZipFile(plain), io.BytesIO(), random.Random(1)
        cells = "".join(f"<c><v>{rng.randrange(10**6)}</v></c>" for _ in range(1_000_000))
        sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet '
                 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 f'<row r="1">{cells}</row></sheetData></worksheet>').encode()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in source.namelist():
                archive.writestr(member, sheet if member == "xl/worksheets/sheet1.xml" else source.read(member))
        content = out.getvalue()
        del cells, sheet
    """,
    "csv with 1,100,000 rows": """
        content = b"Date,Views\\n" + b"2025-01-01,1\\n" * 1_100_000
    """,
    "csv of one 40 MB line": """
        content = b"x" * (40 * 2**20)
    """,
}
_SCRIPT = """
import io, json, resource, sys, time
import benchmark
from benchmark.importers import open_export
from benchmark.errors import BenchmarkError
{build}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
try:
    open_export("upload", content)
    outcome = ("parsed", "")
except BenchmarkError as error:
    outcome = (type(error).__name__, str(error))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"error": outcome[0], "message": outcome[1], "size_mb": len(content) / 2**20,
                  "extra_mb": (peak - before) / 1024, "seconds": time.monotonic() - started}}))
"""


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    children = {
        case: subprocess.Popen([sys.executable, "-c", _SCRIPT.format(build=textwrap.dedent(build))], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for case, build in _CASES.items()
    }
    results = {}
    for case, child in children.items():
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, f"{case}: {err}"
        results[case] = json.loads(out)
    print("\n".join(f"{case}: {r['size_mb']:.1f} MB file, {r['extra_mb']:.0f} MB peak above the baseline, "
                    f"{r['seconds']:.1f} s: {r['message'][:90]}" for case, r in results.items()))
    return results


@pytest.mark.parametrize("case, message", [
    ("csv with 10^6 columns", "upload: row 1 has 1,000,000 columns; no platform export has more than a few thousand"),
    ("xlsx with 10^6 columns", "upload: row 1 has 1,000,000 columns; no platform export has more than a few thousand"),
    ("csv with 1,100,000 rows", "upload: the file has more than 1,048,576 rows, more than Excel or any export holds"),
    ("csv of one 40 MB line", "upload: line 1: a value is longer than 1,048,576 characters"),
])
def test_huge_files_are_refused_early_in_bounded_memory(measured, case, message):
    result = measured[case]
    assert result["error"] == "UnreadableFileError"
    assert result["message"].startswith(message)
    assert result["extra_mb"] < MEMORY_LIMIT_MB, result
    assert result["seconds"] < 30, result


# -- size: refused before anything is read ---------------------------------------------------------------------
def test_a_file_over_the_upload_limit_is_refused_before_it_is_parsed(small_store, monkeypatch):
    imported = small_store.scalar("SELECT count(*) FROM imports")  # the registry's
    monkeypatch.setenv("BENCHMARK_MAX_UPLOAD_MB", "1")
    monkeypatch.setattr(imports, "open_export", lambda *a, **k: pytest.fail("the file was parsed"))
    with pytest.raises(UnreadableFileError) as caught:
        imports.plan_import(small_store, "big.csv", b"x" * (2**20 + 1))
    assert str(caught.value) == ("big.csv: the file is 1.0 MB; the limit is 1 MB (setting max_upload_mb). "
                                 "Export a shorter date range and upload the parts.")
    # a caller holding only a path checks the size first, so a sparse 1 GB file is never read
    with pytest.raises(UnreadableFileError) as caught:
        imports.refuse_oversize("huge.csv", 2**30)
    assert "the file is 1024.0 MB; the limit is 1 MB" in str(caught.value)
    assert "filen är 1024,0 MB; gränsen är 1 MB" in i18n.error_text(caught.value, "sv")
    assert imports.refuse_oversize("small.csv", 2**20) == 2**20
    assert small_store.scalar("SELECT count(*) FROM imports") == imported


# -- empty, header only, binary renamed .csv ------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(2000)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + random.Random(2).randbytes(2000)


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Totals.csv", "Date,Views\n2025-01-01,5\n")
        archive.writestr("Table data.csv", "Content,Views\nTotal,5\n")
    return out.getvalue()


@pytest.mark.parametrize("content, error, message", [
    (b"", UnreadableFileError, "the file is empty"),
    (b" \r\n\t\n", UnreadableFileError, "the file is empty"),
    (b"\xef\xbb\xbf", UnreadableFileError, "the file is empty"),
    (b"organisation,platform,period,posts\n", ImportRejected, "at least one row with a figure: the template has no figures"),
    ("\ufeffPost ID,Page ID,Page name,Publish time,Views,Reactions\n".encode(), ImportRejected,
     "at least one post row under the header; the file has none"),
    (b"Date,Views,Subscribers\r\n", ImportRejected, "the file has a header but no dated rows"),
    (PNG, UnreadableFileError, "this is a PNG image, not a CSV or Excel file"),
    (PDF, UnreadableFileError, "this is a PDF document, not a CSV or Excel file"),
    (_zip(), UnreadableFileError, "this is a ZIP archive holding Table data.csv, Totals.csv; unzip it"),
    (random.Random(3).randbytes(5000), UnreadableFileError, "this is not a CSV or Excel file (it holds binary data"),
    (b"\x7fELF\x02\x01\x01" + bytes(3000), UnreadableFileError, "this is not a CSV or Excel file (it holds binary data"),
    (b"\x1f\x8b\x08\x00" + random.Random(4).randbytes(500), UnreadableFileError, "this is a gzip-compressed file"),
    (b"hello", UnrecognisedFileError, "this is not an export we recognise"),
])
def test_empty_header_only_and_binary_files_get_a_named_error(small_store, content, error, message):
    imported = small_store.scalar("SELECT count(*) FROM imports")
    with pytest.raises(error) as caught:
        imports.plan_import(small_store, "export.csv", content, imports.ImportOptions(period=None))
    assert message in str(caught.value)
    assert str(caught.value).startswith("export.csv: ")
    swedish = i18n.error_text(caught.value, "sv")
    assert swedish != str(caught.value) and "export.csv" in swedish  # a translated message, not English
    assert small_store.scalar("SELECT count(*) FROM imports") == imported


# -- the limits themselves, with small numbers ---------------------------------------------------------------
def test_csv_rows_and_cells_are_capped(monkeypatch):
    monkeypatch.setattr(reading_text, "MAX_ROWS", 5)
    four = "".join(f"2025-01-0{day},1\n" for day in range(1, 5)).encode()
    assert open_export("ok.csv", b"Date,Views\n" + four).value_count == 4
    with pytest.raises(UnreadableFileError, match="the file has more than 5 rows"):
        open_export("rows.csv", b"Date,Views\n" + b"\n" * 5 + b"2025-01-01,1\n")
    monkeypatch.setattr(reading_text, "MAX_CELLS", 9)
    with pytest.raises(UnreadableFileError, match=r"the file has more than 9 values \(cells\)"):
        open_export("cells.csv", b"a,b,c,d\n1,2,3,4\n5,6,7,8\n")


def test_a_wide_header_is_refused_before_the_csv_module_splits_it():
    content = (";".join(["col"] * (MAX_COLUMNS + 1)) + "\n1;2\n").encode()
    with pytest.raises(UnreadableFileError) as caught:
        open_export("wide.csv", content)
    assert str(caught.value).startswith("wide.csv: row 1 has 10,001 columns")


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_and_shared_strings_are_counted_before_openpyxl_opens_it(monkeypatch):
    monkeypatch.setattr(reading_workbooks, "MAX_CELLS", 10)
    monkeypatch.setattr(reading_workbooks.openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    with pytest.raises(UnreadableFileError, match="the workbook has more than 10 cells"):
        open_export("many.xlsx", _xlsx([[f"text {i}", i] for i in range(6)]))
    monkeypatch.setattr(reading_workbooks, "MAX_COLUMNS", 3)
    with pytest.raises(UnreadableFileError, match="row 2 has 4 columns"):
        open_export("wide.xlsx", _xlsx([[1, 2], [1, 2, 3, 4]]))


def test_thousands_of_bad_cells_keep_a_thousand_problems_and_count_the_rest():
    rows = 5_000  # a damaged file can have a million: memory for the first thousand only
    content = b"Date,Views\n" + b"2025-01-01,many\n" * rows
    with pytest.raises(ImportRejected) as caught:
        open_export("Totals.csv", content)
    rejected = caught.value
    assert len(rejected.problems) == MAX_PROBLEMS_KEPT and rejected.total == rows
    assert str(rejected).startswith("Totals.csv: not imported — 5000 value(s) in this YouTube Studio Totals.csv")
    assert str(rejected).endswith("\n  … and 4980 more")  # 20 listed
    assert (rejected.problems[0].row, rejected.problems[-1].row) == ("row 2", "row 1001")


def test_dates_outside_1970_to_2100_and_counts_of_16_digits_are_refused():
    posts = ("\ufeffPost ID,Page ID,Page name,Publish time,Views\n"
             "1,9,Laxå kommun,01/05/0001 09:42,5\n2,9,Laxå kommun,01/05/2026 09:42,5\n").encode()
    with pytest.raises(ImportRejected) as caught:
        open_export("posts.csv", posts)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == ("row 2", "Publish time", "01/05/0001 09:42")
    assert problem.expected == "a date between 1970 and 2100; a year outside them is a damaged or mistyped cell"
    template = _xlsx([["organisation", "platform", "period", "posts", "reactions"],
                      ["Laxå", "facebook", "2025-Q1", 1e300, 10**15]])
    with pytest.raises(ImportRejected) as caught:
        open_export("members.xlsx", template)
    assert [(p.column, p.value) for p in caught.value.problems] == [("posts", "1e+300"), ("reactions", str(10**15))]
    assert all("too many digits" in p.expected for p in caught.value.problems)


def test_a_required_column_twice_in_a_legacy_facebook_file_is_named():
    content = (b"Post ID,Post ID,Permalink,Post Message,Type,Posted,Lifetime Post Total Impressions\n"
               b"11_22,11_22,https://example.org/p/22,Hej,Link,06/01/2016 09:15:00 AM,120\n")
    with pytest.raises(ImportRejected) as caught:
        open_export("posts.csv", content)
    (problem,) = caught.value.problems
    assert (problem.column, problem.expected) == ("Post ID", "each column once; this one appears twice")


def test_a_hostile_file_through_the_service_leaves_nothing_behind(small_store):
    """The same refusal through plan and commit: nothing written, the tables as before."""
    imported = small_store.scalar("SELECT count(*) FROM imports")
    for content in (PNG, b"", _zip()):
        with pytest.raises(UnreadableFileError):
            plan = imports.plan_import(small_store, "x.csv", content)
            imports.commit_import(small_store, plan, actor=ADMIN)
    assert small_store.scalar("SELECT count(*) FROM imports") == imported
    assert small_store.integrity_problems() == {}
