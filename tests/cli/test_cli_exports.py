"""`benchmark report … --format csv|xlsx|pptx|png|svg`: the command line writes what the dashboard's
download buttons write, because both go through `build_report` + `render`.

CSV and XLSX must be the same bytes; a deck's PNG charts are compared by content (slide titles,
table cells, picture sizes)."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from benchmark import accounts
from benchmark.demo import DEMO_NOTICE
from benchmark.reports import build_report, render
from benchmark.reports.images import png_size
from benchmark.store import Store
from benchmark.viewstate import ViewState
from tests.cli.test_cli import assert_one_line_error, read_csv, run_main
from tests.known import OWN
from tests.actors import ADMIN, permit

RANKING = ["report", "ranking", "--group", "region:SE", "--platform", "facebook", "--period", "2024-Q3"]
WATCH = ["report", "watch", "--organisation", OWN, "--platform", "facebook", "--period", "2024-Q3"]
PROFILE = ["report", "profile", "--organisation", OWN, "--platform", "facebook", "--metric", "followers",
           "--from", "2024-Q1", "--to", "2025-Q2"]
RANKING_STATE = ViewState(page="ranking", group="region:SE", platform="facebook", period="2024-Q3", metric="posts")
WATCH_STATE = ViewState(page="watch", org="SE:18", platform="facebook", period="2024-Q3")
PROFILE_STATE = ViewState(page="profile", org="SE:18", platform="facebook", metric="followers", every="quarter",
                          first="2024-Q1", last="2025-Q2")


@pytest.fixture(scope="module")
def db(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the demo database for the module: these commands only read it."""
    target = tmp_path_factory.mktemp("cli-exports") / "demo.duckdb"
    shutil.copyfile(demo_db_file, target)
    yield target
    target.unlink(missing_ok=True)


def rendered(db: Path, state: ViewState, fmt: str, lang: str = "en", metrics: list[str] | None = None) -> bytes:
    """What the dashboard's button gives for the same state (and no other process holds the file)."""
    with Store(db) as store:
        return render(build_report(store, state, lang, metrics, default_own=False), fmt)


def test_csv_is_the_same_bytes_to_a_file_and_to_stdout(capsys, db, tmp_path):
    target = tmp_path / "ranking.csv"
    code, out, err = run_main(capsys, db, *RANKING, "--metric", "posts", "--output", str(target))
    assert code == 0, err
    assert f"wrote 21 rows to {target}" in err and DEMO_NOTICE in err
    expected = rendered(db, RANKING_STATE, "csv")
    assert target.read_bytes() == expected
    code, out, err = run_main(capsys, db, *RANKING, "--metric", "posts", "--format", "csv", "--lang", "sv")
    assert code == 0, err
    assert out.encode("utf-8") == expected  # CSV has ids, not words: the language changes nothing
    header, rows = read_csv(out)
    assert header[:5] == ["organisation", "platform", "period", "rank", "posts"] and len(rows) == 21


def test_xlsx_is_the_same_bytes_and_takes_its_format_from_the_file_name(capsys, db, tmp_path):
    target = tmp_path / "watch.xlsx"
    code, out, err = run_main(capsys, db, *WATCH, "--output", str(target), "--lang", "sv")
    assert code == 0, err
    assert out == "" and f"wrote the XLSX file to {target}" in err
    assert target.read_bytes() == rendered(db, WATCH_STATE, "xlsx", "sv")
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "Sidor att bevaka"
    assert sheet["A5"].value == f"★ {OWN} (du)"
    assert sheet.cell(sheet.max_row, 1).value == "Syntetiska demodata – inte verkliga mätningar"


def test_the_language_defaults_to_the_setting(capsys, db, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHMARK_LANGUAGE", "da")
    target = tmp_path / "ranking.xlsx"
    code, _, err = run_main(capsys, db, *RANKING, "--metric", "posts", "--output", str(target))
    assert code == 0, err
    assert target.read_bytes() == rendered(db, RANKING_STATE, "xlsx", "da")
    assert openpyxl.load_workbook(target).active["A2"].value.startswith("Facebook, 2024-Q3 (1. jul")


def deck_content(data: bytes) -> list[tuple[str, list[list[str]], list[tuple[int, int]]]]:
    deck = Presentation(io.BytesIO(data))
    content = []
    for slide in deck.slides:
        cells = [[cell.text_frame.text for cell in row.cells] for shape in slide.shapes if shape.has_table
                 for row in shape.table.rows]
        pictures = [png_size(shape.image.blob) for shape in slide.shapes if shape.shape_type == 13]
        content.append((slide.shapes.title.text_frame.text, cells, pictures))
    return content


def test_pptx_of_a_ranking_with_three_metrics(capsys, db, tmp_path):
    target = tmp_path / "deck.pptx"
    metrics = ["posts", "followers", "engagement_rate_by_follower"]
    started = time.perf_counter()
    code, out, err = run_main(capsys, db, *RANKING, *[a for m in metrics for a in ("--metric", m)],
                              "--organisation", OWN, "--output", str(target), "--lang", "sv")
    assert out == ""
    seconds = time.perf_counter() - started
    assert code == 0, err
    print(f"ranking deck with 3 metrics built by the CLI in {seconds:.1f} s")
    state = ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook", period="2024-Q3")
    expected = deck_content(rendered(db, state, "pptx", "sv", metrics))
    got = deck_content(target.read_bytes())
    assert got == expected
    assert len(got) == 1 + 3 * (1 + 2)  # title; per metric a chart and the 21 regions on two slides
    assert sum(1 for _, _, pictures in got if pictures) == 3


def test_png_and_svg(capsys, db, tmp_path):
    target = tmp_path / "profile.png"
    code, _, err = run_main(capsys, db, *PROFILE, "--format", "png", "--output", str(target))
    assert code == 0, err
    assert png_size(target.read_bytes()) == png_size(rendered(db, PROFILE_STATE, "png"))
    code, out, err = run_main(capsys, db, *PROFILE, "--format", "svg", "--lang", "nb")
    assert code == 0, err
    assert out.startswith("<svg") and "Syntetiske demodata" in out
    assert out.encode("utf-8") == rendered(db, PROFILE_STATE, "svg", "nb")


@pytest.mark.parametrize(("argv", "expected"), [
    ([*WATCH, "--format", "pptx"], "give --output FILE.pptx"),
    ([*WATCH, "--format", "xlsx"], "give --output FILE.xlsx"),
    ([*RANKING, "--metric", "posts", "--metric", "followers", "--format", "csv"], "--metric more than once"),
    ([*RANKING, "--metric", "posts", "--format", "docx"], "invalid choice: 'docx'"),
    ([*RANKING, "--metric", "posts", "--format", "csv", "--lang", "fr"], "invalid choice: 'fr'"),
    (["report", "watch", "--organisation", "Region Örebr", "--platform", "facebook", "--period", "2024-Q3",
      "--format", "xlsx", "--output", "x.xlsx"], "unknown organisation 'Region Örebr'"),
    ([*WATCH[:-1], "2024-Q5", "--format", "xlsx", "--output", "x.xlsx"], "cannot read period '2024-Q5'"),
    ([*WATCH, "--format", "png", "--output", "x.png"], "no chart"),
])
def test_mistakes_are_one_line_with_exit_code_2(capsys, db, tmp_path, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(capsys, db, *argv)
    assert code == 2, err
    assert out == ""
    assert expected in assert_one_line_error(err)
    assert not list(tmp_path.iterdir())  # nothing written


def test_an_unwritable_file_and_a_missing_template(capsys, db, tmp_path, monkeypatch):
    target = tmp_path / "missing-folder" / "deck.pptx"
    code, _, err = run_main(capsys, db, *WATCH, "--output", str(target))
    assert code in (1, 2)
    assert "missing-folder" in assert_one_line_error(err)
    monkeypatch.setenv("BENCHMARK_PPTX_TEMPLATE", str(tmp_path / "nowhere.pptx"))
    code, _, err = run_main(capsys, db, *WATCH, "--output", str(tmp_path / "deck.pptx"))
    assert code == 2
    assert "nowhere.pptx does not exist" in assert_one_line_error(err)
    assert not (tmp_path / "deck.pptx").exists()


def test_real_data_with_a_hostile_name(capsys, small_store, put_values, tmp_path):
    """Uploaded figures only: no demo note; the hostile name neutralised in the CLI's CSV and XLSX."""
    hostile = accounts.add_organisation(small_store, "Hostile", "municipality", "SE", code="H1", actor=ADMIN)
    with small_store.writer(permit()) as cur:
        cur.execute("UPDATE organisations SET name = '=HYPERLINK(\"http://x\",\"y\")' WHERE organisation_id = ?",
                    [hostile.organisation_id])
    for name in ("Region Örebro län", '=HYPERLINK("http://x","y")'):
        account = put_values.account(name)
        put_values.period(account, "2024-07-01", "2024-09-30", followers=1_000, posts=10)
    path = small_store.path
    small_store.close()
    argv = ["report", "watch", "--organisation", "SE:18", "--watch", "SE:H1", "--platform", "facebook", "--period",
            "2024-Q3"]
    code, out, err = run_main(capsys, path, *argv, "--format", "csv")
    assert code == 0, err
    assert DEMO_NOTICE not in err
    _, rows = read_csv(out)
    assert [r["organisation"] for r in rows] == [OWN, "'=HYPERLINK(\"http://x\",\"y\")"]
    assert {r["is_demo"] for r in rows} == {"False"}
    target = tmp_path / "watch.xlsx"
    code, _, err = run_main(capsys, path, *argv, "--output", str(target))
    assert code == 0, err
    state = ViewState(page="watch", org="SE:18", watch=("SE:H1",), platform="facebook", period="2024-Q3")
    with Store(path) as store:
        assert out.encode("utf-8") == render(build_report(store, state, "en"), "csv")
        assert target.read_bytes() == render(build_report(store, state, "en"), "xlsx")
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A6"].data_type == "s" and sheet["A6"].value == "'=HYPERLINK(\"http://x\",\"y\")"
    assert all(c.value is None or "synthetic" not in str(c.value).lower() for row in sheet.iter_rows() for c in row)
