"""`benchmark import | imports | undo | link | org add | template` on a small registry."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from benchmark import cli


@pytest.fixture()
def db(small_store):
    path = str(small_store.path)
    small_store.close()
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_dry_run_then_import_then_again(tmp_path, capsys, db):
    f = write(tmp_path, "q1.csv", "organisation,platform,period,posts\nLaxå,facebook,2025-Q1,7\n")
    code, out, _ = run(capsys, "import", f, "--dry-run", "--db", db)
    assert code == 0 and "dry run: nothing written" in out and "1 new value" in out
    code, out, _ = run(capsys, "imports", "--format", "csv", "--db", db)
    assert "q1.csv" not in out
    code, out, _ = run(capsys, "import", f, "--db", db, "--user", "anna")
    assert code == 0 and "imported q1.csv as import" in out
    code, out, _ = run(capsys, "import", f, "--db", db)
    assert code == 0 and "already imported" in out
    code, out, _ = run(capsys, "imports", "--format", "csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert next(iter(rows[0])) == "import_id"
    upload = [r for r in rows if r["file_name"] == "q1.csv"]
    assert len(upload) == 1 and upload[0]["created_by"] == "anna" and upload[0]["status"] == "committed"
    code, out, _ = run(capsys, "undo", upload[0]["import_id"], "--db", db)
    assert code == 0 and "removed 1 rows" in out
    code, _, err = run(capsys, "undo", upload[0]["import_id"], "--db", db)
    assert code == 2 and "already undone" in err


def test_rejected_file_exits_1_with_the_row_report(tmp_path, capsys, db):
    f = write(tmp_path, "bad.csv", "organisation,platform,period,posts\nLaxå,facebook,2025-Q1,many\n")
    code, _, err = run(capsys, "import", f, "--db", db)
    assert code == 1
    assert "not imported" in err and "row 2" in err and "'many'" in err


def test_a_file_over_the_upload_limit_is_refused_without_being_read(tmp_path, capsys, db, monkeypatch):
    monkeypatch.setenv("BENCHMARK_MAX_UPLOAD_MB", "1")
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(3 * 2**20)  # 3 MB, sparse
    monkeypatch.setattr(type(big), "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    code, _, err = run(capsys, "import", str(big), "--db", db)
    assert code == 1
    assert "big.csv: the file is 3.0 MB; the limit is 1 MB (setting max_upload_mb)" in err


def test_bad_arguments_exit_2(tmp_path, capsys, db):
    code, _, err = run(capsys, "import", str(tmp_path / "missing.csv"), "--db", db)
    assert code == 2 and "no such file" in err
    f = write(tmp_path, "q.csv", "organisation,platform,period,posts\nLaxå,facebook,2025-Q1,7\n")
    code, _, err = run(capsys, "import", f, "--period", "2025-Q9", "--db", db)
    assert code == 2 and "2025-Q9" in err
    code, _, err = run(capsys, "import", f, "--organisation", "Nowhere at all", "--db", db)
    assert code == 2 and "unknown organisation" in err


def test_link_and_org_add(tmp_path, capsys, db):
    code, out, _ = run(capsys, "org", "add", "Sveriges Radio", "--kind", "agency", "--country", "SE", "--db", db)
    assert code == 0 and "added Sveriges Radio" in out
    code, _, err = run(capsys, "org", "add", "Sveriges Radio", "--kind", "agency", "--country", "SE", "--db", db)
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "org", "add", "X", "--kind", "agency", "--country", "DE", "--db", db)
    assert code == 2 and "unknown country" in err
    code, _, err = run(capsys, "org", "add", "Y", "--kind", "agency", "--country", "SE", "--population", "5", "--db", db)
    assert code == 2 and "--population-date" in err
    # A page of the new body, imported without a link, then linked once.
    f = write(tmp_path, "p.csv", "organisation,platform,period,account,posts\nSveriges Radio,facebook,2025-Q1,P4 Örebro,3\n")
    assert run(capsys, "import", f, "--db", db)[0] == 0
    code, out, _ = run(capsys, "link", "P4 Örebro", "--organisation", "Örebro", "--db", db)
    assert code == 0 and "linked P4 Örebro (Facebook) to Örebro" in out
    code, _, err = run(capsys, "link", "P4 Orebor", "--organisation", "Örebro", "--db", db)
    assert code == 2 and "P4 Örebro" in err  # suggestion


def test_template_files(tmp_path, capsys):
    code, _, err = run(capsys, "template", "--output", str(tmp_path / "t.csv"))
    assert code == 0
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.split(",")[:4] == ["organisation", "platform", "period", "account"]
    assert "# followers:" in text
    assert run(capsys, "template", "--output", str(tmp_path / "t.xlsx"))[0] == 0
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["Data", "Columns"]
    assert [c.value for c in book["Data"][1]][:3] == ["organisation", "platform", "period"]
    code, _, err = run(capsys, "template", "--output", str(tmp_path / "t.txt"))
    assert code == 2 and ".csv or .xlsx" in err


def test_pages_report_accounts_listing_and_trace(tmp_path, capsys, db):
    f = write(tmp_path, "two.csv", "organisation,account,platform,period,posts\n"
                                   "Laxå,Laxå kommun,facebook,2025-Q1,7\nLaxå,Laxå bibliotek,facebook,2025-Q1,2\n")
    assert run(capsys, "import", f, "--db", db)[0] == 0
    code, out, _ = run(capsys, "report", "pages", "--organisation", "Laxå", "--platform", "facebook",
                       "--period", "2025-Q1", "--format", "csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["account"], r["posts"]) for r in rows] == [("Laxå bibliotek", "2"), ("Laxå kommun", "7")]
    code, _, err = run(capsys, "report", "pages", "--organisation", "Laxå", "--platform", "tiktok",
                       "--period", "2025-Q1", "--db", db)
    assert code == 2 and "no TikTok pages" in err
    code, out, _ = run(capsys, "accounts", "--format", "csv", "--db", db)
    listed = list(csv.DictReader(io.StringIO(out)))
    assert {r["name"]: r["organisation"] for r in listed} == {"Laxå kommun": "Laxå", "Laxå bibliotek": "Laxå"}
    code, out, _ = run(capsys, "accounts", "--unlinked", "--format", "csv", "--db", db)
    assert list(csv.DictReader(io.StringIO(out))) == []
    code, out, _ = run(capsys, "trace", "Laxå kommun", "--measure", "posts", "--period", "2025", "--format", "csv",
                       "--db", db)
    traced = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(traced) == 1
    assert (traced[0]["value"], traced[0]["file_name"], traced[0]["source_row"]) == ("7", "two.csv", "2")
    code, _, err = run(capsys, "trace", "Laxå kommun", "--measure", "likes", "--period", "2025", "--db", db)
    assert code == 2 and "unknown measure" in err
