"""The `benchmark` command line, end to end.

- The issue's "done when" sequence runs as real subprocesses of the installed
  console script (init, demo, report watch) on a database of its own.
- Everything else calls `benchmark.cli.main([...])` in-process on a fresh copy
  of the demo database and reads stdout/stderr with capsys.

Expected values are hand-checkable: the 21 Swedish regions, the 12
municipalities of Örebro län, ranks and percentiles recomputed from the
printed column, and the same figure read through two different reports.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import cli
from benchmark.demo import DEMO_NOTICE
from benchmark.metrics import METRIC_IDS, WATCH_METRICS

BENCHMARK = Path(sys.executable).parent / "benchmark"
from tests.known import OREBRO_LAN_MUNICIPALITIES, OWN, SWEDISH_REGIONS
from tests.actors import ADMIN

WATCH_Q3 = ["report", "watch", "--organisation", OWN, "--platform", "facebook", "--period", "2024-Q3"]
RANKING_Q3 = ["report", "ranking", "--group", "region:SE", "--platform", "facebook", "--period", "2024-Q3"]


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def as_bool(text: str) -> bool:
    assert text in {"True", "False"}, text
    return text == "True"


def assert_one_line_error(err: str) -> str:
    """The error contract: exactly one line on stderr, `benchmark: error: …`, never a traceback."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("benchmark: error: "), err
    return lines[0]


# -- the "done when", as real subprocesses ---------------------------
@pytest.fixture(scope="module")
def done_when(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """init, demo and a watch report on a brand-new file, via the installed console script."""
    assert BENCHMARK.is_file(), f"the console script is not installed at {BENCHMARK}"
    db = tmp_path_factory.mktemp("cli-done-when") / "benchmark.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCHMARK_")}
    env["PYTHONIOENCODING"] = "utf-8"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BENCHMARK), "--db", str(db), *args], capture_output=True, text=True,
                              encoding="utf-8", env=env, timeout=240, check=False)

    results = {"init": run("init"), "demo": run("demo")}
    results["report"] = run(*WATCH_Q3, "--format", "csv")
    yield results
    db.unlink(missing_ok=True)


def test_init_and_demo_subprocesses_succeed(done_when):
    init, demo = done_when["init"], done_when["demo"]
    assert init.returncode == 0, init.stderr
    assert "ready" in init.stdout and "registry holds" in init.stdout
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("loaded demo data:")
    assert DEMO_NOTICE.lower() in demo.stdout


def test_watch_report_subprocess_csv(done_when):
    report = done_when["report"]
    assert report.returncode == 0, report.stderr
    header, rows = read_csv(report.stdout)
    assert ",".join(header).startswith("organisation,platform,period")
    for metric_id in ("followers", "followers_change_pct", "posts", "engagements", "engagements_per_post",
                      "engagement_rate_by_follower"):
        assert metric_id in header
    assert set(WATCH_METRICS) <= set(header)
    assert len(rows) == 21
    assert {r["organisation"] for r in rows} == SWEDISH_REGIONS
    assert rows[0]["organisation"] == OWN and as_bool(rows[0]["is_own"])
    assert [as_bool(r["is_own"]) for r in rows[1:]] == [False] * 20
    assert {r["platform"] for r in rows} == {"facebook"}
    assert {r["period"] for r in rows} == {"2024-Q3"}
    # The peers follow the own organisation, largest page first.
    followers = [int(r["followers"]) for r in rows[1:]]
    assert followers == sorted(followers, reverse=True)
    assert all(as_bool(r["is_demo"]) for r in rows)
    assert DEMO_NOTICE in report.stderr
    assert "Traceback" not in report.stderr


# -- in-process: reports -----------------------------------------------------
@pytest.fixture()
def db(demo_db_copy: Path) -> Path:
    """A fresh copy of the demo database, deleted afterwards (it is ~140 MB)."""
    yield demo_db_copy
    demo_db_copy.unlink(missing_ok=True)
    Path(str(demo_db_copy) + ".wal").unlink(missing_ok=True)


def run_main(capsys: pytest.CaptureFixture[str], db: Path | None, *argv: str) -> tuple[int, str, str]:
    args = [*(["--db", str(db)] if db is not None else []), *argv]
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_ranking_regions_by_posts(capsys, db):
    code, out, err = run_main(capsys, db, *RANKING_Q3, "--metric", "posts", "--format", "csv")
    assert code == 0, err
    header, rows = read_csv(out)
    assert header[:5] == ["organisation", "platform", "period", "rank", "posts"]
    assert len(rows) == 21
    assert {r["organisation"] for r in rows} == SWEDISH_REGIONS
    ranks = [int(r["rank"]) for r in rows]
    posts = [int(r["posts"]) for r in rows]
    assert ranks[0] == 1
    assert ranks == sorted(ranks)
    assert posts == sorted(posts, reverse=True)
    # Standard competition ranking: rank = 1 + number of pages with more posts.
    assert ranks == [1 + sum(p > value for p in posts) for value in posts]
    percentiles = [float(r["percentile"]) for r in rows]
    assert percentiles[0] == pytest.approx(100.0)
    assert percentiles[-1] == pytest.approx(0.0)
    # Percentile = share of the other 20 pages with a strictly worse value; tied pages
    # do not count each other (two pages tied at rank 12 both get 40).
    assert percentiles == pytest.approx(
        [100.0 * sum(p < value for p in posts) / 20 for value in posts])
    untied = [i for i, value in enumerate(posts) if posts.count(value) == 1]
    assert len(untied) >= 15
    for i in untied:
        assert percentiles[i] == pytest.approx(100.0 * sum(p < posts[i] for p in posts) / 20)
    median = statistics.median(posts)
    assert {float(r["peer_median"]) for r in rows} == {median}
    assert [float(r["difference_from_median"]) for r in rows] == pytest.approx([p - median for p in posts])
    assert DEMO_NOTICE in err


def test_ranking_within_county(capsys, db):
    code, out, err = run_main(capsys, db, "report", "ranking", "--group", "in:Örebro län", "--platform", "facebook",
                              "--period", "2024-Q3", "--metric", "posts", "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    assert len(rows) == 12
    assert {r["organisation"] for r in rows} == OREBRO_LAN_MUNICIPALITIES
    assert {r["kind"] for r in rows} == {"municipality"}
    # The region body names the same area: same 12 municipalities.
    code, out, _ = run_main(capsys, db, "report", "ranking", "--group", "in:Region Örebro län", "--platform",
                            "facebook", "--period", "2024-Q3", "--metric", "posts", "--format", "csv")
    assert code == 0
    assert {r["organisation"] for r in read_csv(out)[1]} == OREBRO_LAN_MUNICIPALITIES


def test_ranking_marks_own_organisation_outside_the_group(capsys, db):
    code, out, err = run_main(capsys, db, "report", "ranking", "--group", "in:Örebro län", "--platform", "facebook",
                              "--period", "2024-Q3", "--metric", "posts", "--organisation", OWN, "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    # The 12 municipalities plus the own region, shown (and ranked) next to them.
    assert len(rows) == 13
    own = [r for r in rows if as_bool(r["is_own"])]
    assert [r["organisation"] for r in own] == [OWN]
    assert own[0]["rank"] != ""


def test_profile_one_row_per_quarter(capsys, db):
    code, out, err = run_main(capsys, db, "report", "profile", "--organisation", OWN, "--platform", "facebook",
                              "--metric", "followers", "--from", "2024-Q1", "--to", "2025-Q2", "--format", "csv")
    assert code == 0, err
    header, rows = read_csv(out)
    assert header[:4] == ["organisation", "platform", "period", "followers"]
    assert [r["period"] for r in rows] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert {r["organisation"] for r in rows} == {OWN}
    assert {r["peers_with_data"] for r in rows} == {"21"}
    for r in rows:
        assert float(r["peer_q1"]) <= float(r["peer_median"]) <= float(r["peer_q3"])
    # The same figure through another report: followers at the end of 2024-Q3.
    code, watch_out, _ = run_main(capsys, db, *WATCH_Q3, "--format", "csv")
    assert code == 0
    watch_own = read_csv(watch_out)[1][0]
    assert watch_own["organisation"] == OWN
    assert rows[2]["followers"] == watch_own["followers"]


def test_profile_every_month_and_year(capsys, db):
    base = ["report", "profile", "--organisation", OWN, "--platform", "facebook", "--metric", "posts", "--format", "csv"]
    code, out, _ = run_main(capsys, db, *base, "--from", "2024-Q3", "--to", "2024-Q3", "--every", "month")
    assert code == 0
    months = read_csv(out)[1]
    assert [r["period"] for r in months] == ["2024-07", "2024-08", "2024-09"]
    code, out, _ = run_main(capsys, db, *base, "--from", "2024-Q3", "--to", "2024-Q3")
    quarter = read_csv(out)[1]
    assert len(quarter) == 1
    # Posts are additive: the quarter is the sum of its months.
    assert int(quarter[0]["posts"]) == sum(int(r["posts"]) for r in months)
    code, out, _ = run_main(capsys, db, *base, "--from", "2024-Q1", "--to", "2025-Q4", "--every", "year")
    assert [r["period"] for r in read_csv(out)[1]] == ["2024", "2025"]


def test_metrics_lists_every_metric(capsys):
    code, out, err = run_main(capsys, None, "metrics")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == list(METRIC_IDS)
    code, out, _ = run_main(capsys, None, "metrics", "--format", "csv")
    header, rows = read_csv(out)
    assert header == ["id", "label", "unit", "aggregation", "formula", "higher_is_better"]
    assert [r["id"] for r in rows] == list(METRIC_IDS)


def test_output_file(capsys, db, tmp_path):
    target = tmp_path / "watch.csv"
    code, out, err = run_main(capsys, db, *WATCH_Q3, "--output", str(target))
    assert code == 0, err
    assert out == ""
    assert f"wrote 21 rows to {target}" in err
    assert DEMO_NOTICE in err
    # No --format: a .csv name means CSV.
    header, rows = read_csv(target.read_text(encoding="utf-8"))
    assert header[:3] == ["organisation", "platform", "period"]
    assert len(rows) == 21 and rows[0]["organisation"] == OWN
    assert sorted(p.name for p in tmp_path.iterdir() if "watch" in p.name) == ["watch.csv"]
    assert not list(tmp_path.glob("*.partial"))


def test_output_file_is_replaced_whole(capsys, db, tmp_path):
    target = tmp_path / "ranking.txt"
    target.write_text("old content that is much longer than nothing\n" * 100, encoding="utf-8")
    code, out, err = run_main(capsys, db, *RANKING_Q3, "--metric", "posts", "--output", str(target), "--format", "csv")
    assert code == 0, err
    assert out == ""
    text = target.read_text(encoding="utf-8")
    assert "old content" not in text
    assert len(read_csv(text)[1]) == 21
    assert not list(tmp_path.glob("*.partial"))


def test_format_table(capsys, db):
    code, out, err = run_main(capsys, db, *WATCH_Q3, "--format", "table")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 22  # header + 21 regions
    assert "," not in lines[0]
    assert lines[0].split()[:3] == ["organisation", "platform", "period"]
    assert lines[1].split()[:5] == ["Region", "Örebro", "län", "facebook", "2024-Q3"]
    assert all("facebook" in line for line in lines[1:])


def test_format_table_shows_missing_values_as_dash(capsys, db):
    # Region Västernorrland has no LinkedIn account in the demo data: a "no data" row.
    code, out, err = run_main(capsys, db, "report", "watch", "--organisation", OWN, "--platform", "linkedin",
                              "--period", "2024-Q3", "--format", "table")
    assert code == 0, err
    row = next(line for line in out.splitlines() if "Västernorrland" in line)
    assert "no data" in row
    assert "<NA>" not in out
    assert "–" in row


def test_watch_report_keeps_organisation_without_account(capsys, db):
    code, out, err = run_main(capsys, db, "report", "watch", "--organisation", OWN, "--platform", "linkedin",
                              "--period", "2024-Q3", "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    assert len(rows) == 21
    no_data = [r for r in rows if r["status"] == "no data"]
    assert [r["organisation"] for r in no_data] == ["Region Västernorrland"]
    assert no_data[0]["pages"] == "0" and no_data[0]["followers"] == ""
    assert rows[-1]["organisation"] == "Region Västernorrland"  # no figures: listed last


def test_watch_report_with_named_peers(capsys, db):
    code, out, err = run_main(capsys, db, "report", "watch", "--organisation", "SE:1281", "--platform", "facebook",
                              "--period", "2024-Q3", "--watch", "Region Skåne", "--watch", "SE:1880", "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    assert [(r["organisation"], r["code"], r["is_own"]) for r in rows] == [
        ("Lund", "1281", "True"), ("Region Skåne", "12", "False"), ("Örebro", "1880", "False"),
    ]


def test_watch_report_for_a_municipality_with_default_peers(capsys, db):
    code, out, err = run_main(capsys, db, "report", "watch", "--organisation", "SE:1880", "--platform", "facebook",
                              "--period", "2024-Q3", "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    assert rows[0]["organisation"] == "Örebro" and rows[0]["is_own"] == "True"
    assert len(rows) > 1


def test_demo_remove_then_report_has_no_demo_rows(capsys, db):
    code, out, err = run_main(capsys, db, "demo", "--remove")
    assert code == 0, err
    assert out.startswith("removed ") and int(out.split()[1]) > 1_000_000
    code, out, err = run_main(capsys, db, *WATCH_Q3, "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    assert len(rows) == 21  # every region still listed …
    assert {r["is_demo"] for r in rows} == {"False"}  # … with no demo figures
    assert {r["status"] for r in rows} == {"no data"}
    assert {r["pages"] for r in rows} == {"0"}
    assert all(r[m] == "" for r in rows for m in WATCH_METRICS)
    assert "Demo data" not in err
    code, out, err = run_main(capsys, db, *RANKING_Q3, "--metric", "posts", "--format", "csv")
    assert code == 0, err
    _, rows = read_csv(out)
    assert {r["rank"] for r in rows} == {""} and {r["is_demo"] for r in rows} == {"False"}
    assert "Demo data" not in err


# -- in-process: errors ------------------------------------------------------
ARGUMENT_ERRORS = {
    "unknown organisation": (
        ["report", "watch", "--organisation", "Region Örebr", "--platform", "facebook", "--period", "2024-Q3"],
        ["unknown organisation 'Region Örebr'", "'Region Örebro län'"],
    ),
    "ambiguous organisation": (
        ["report", "watch", "--organisation", "Lund", "--platform", "facebook", "--period", "2024-Q3"],
        ["'Lund' matches several", "SE:1281", "NO:1112"],
    ),
    "unknown platform": (
        ["report", "watch", "--organisation", OWN, "--platform", "facebok", "--period", "2024-Q3"],
        ["unknown platform 'facebok'", "'facebook'"],
    ),
    "unknown metric": (
        [*RANKING_Q3, "--metric", "postz"],
        ["unknown metric 'postz'", "'posts'"],
    ),
    "unknown profile metric": (
        ["report", "profile", "--organisation", OWN, "--platform", "facebook", "--metric", "reach_rate",
         "--from", "2024-Q1", "--to", "2024-Q4"],
        ["unknown metric 'reach_rate'"],
    ),
    "quarter 5": (
        [*WATCH_Q3[:-1], "2024-Q5"], ["cannot read period '2024-Q5'", "not recognised"],
    ),
    "month 13": (
        [*WATCH_Q3[:-1], "2024-13"], ["cannot read period '2024-13'", "no month 13"],
    ),
    "week 60": (
        [*WATCH_Q3[:-1], "2024-W60"], ["cannot read period '2024-W60'", "no ISO week 60"],
    ),
    "backwards range": (
        [*WATCH_Q3[:-1], "2024-09-30..2024-07-01"],
        ["cannot read period '2024-09-30..2024-07-01'", "ends before it starts"],
    ),
    "impossible date": (
        [*WATCH_Q3[:-1], "2024-02-30..2024-03-31"], ["cannot read period '2024-02-30..2024-03-31'", "not a real date"],
    ),
    "empty period": (
        [*WATCH_Q3[:-1], ""], ["cannot read period ''", "empty"],
    ),
    "profile --to before --from": (
        ["report", "profile", "--organisation", OWN, "--platform", "facebook", "--metric", "posts",
         "--from", "2025-Q1", "--to", "2024-Q1"],
        ["--to must not be before --from"],
    ),
    "unknown country": (
        ["report", "ranking", "--group", "region:XX", "--platform", "facebook", "--period", "2024-Q3",
         "--metric", "posts"],
        ["unknown country 'XX'", "'SE'"],
    ),
    "unknown kind": (
        ["report", "ranking", "--group", "kommun:SE", "--platform", "facebook", "--period", "2024-Q3",
         "--metric", "posts"],
        ["unknown kind of body 'kommun'"],
    ),
    "unknown county": (
        ["report", "ranking", "--group", "in:Nowhere", "--platform", "facebook", "--period", "2024-Q3",
         "--metric", "posts"],
        ["unknown county or region 'Nowhere'"],
    ),
    "unknown watch-list group": (
        ["report", "ranking", "--group", "Mina regioner", "--platform", "facebook", "--period", "2024-Q3",
         "--metric", "posts"],
        ["unknown group 'Mina regioner'", "region:SE"],
    ),
    "unknown --watch-list": (
        [*WATCH_Q3, "--watch-list", "Mina regioner"], ["'Mina regioner'"],
    ),
    "unknown --watch peer": (
        [*WATCH_Q3, "--watch", "Region Skånee"], ["unknown organisation 'Region Skånee'", "'Region Skåne'"],
    ),
    "missing required argument": (
        ["report", "watch", "--organisation", OWN, "--platform", "facebook"],
        ["the following arguments are required: --period", "--help"],
    ),
    "missing report": (["report"], ["required: REPORT"]),
    "missing command": ([], ["required: COMMAND"]),
    "unknown command": (["reprot"], ["invalid choice: 'reprot'"]),
    "bad format": ([*WATCH_Q3, "--format", "xml"], ["invalid choice: 'xml'"]),
    "bad --every": (
        ["report", "profile", "--organisation", OWN, "--platform", "facebook", "--metric", "posts",
         "--from", "2024-Q1", "--to", "2024-Q4", "--every", "week"],
        ["invalid choice: 'week'"],
    ),
}


@pytest.mark.parametrize("argv, expected", list(ARGUMENT_ERRORS.values()), ids=list(ARGUMENT_ERRORS))
def test_argument_errors_exit_2_with_one_line(capsys, db, argv, expected):
    code, out, err = run_main(capsys, db, *argv)
    assert code == 2, err
    assert out == ""
    line = assert_one_line_error(err)
    for text in expected:
        assert text in line


def test_missing_database_exits_1_naming_file_and_init(capsys, tmp_path):
    missing = tmp_path / "nowhere" / "missing.duckdb"
    code, out, err = run_main(capsys, missing, *WATCH_Q3)
    assert code == 1
    assert out == ""
    line = assert_one_line_error(err)
    assert str(missing) in line and "init" in line
    assert not missing.exists()  # a report never creates the file


def test_database_without_tables_exits_1(capsys, tmp_path):
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    code, out, err = run_main(capsys, empty, *WATCH_Q3)
    assert code == 1
    line = assert_one_line_error(err)
    assert str(empty) in line and "init" in line


def test_file_that_is_not_a_database_exits_1(capsys, tmp_path):
    text_file = tmp_path / "notes.duckdb"
    text_file.write_text("not a database\n", encoding="utf-8")
    code, out, err = run_main(capsys, text_file, *WATCH_Q3)
    assert code == 1
    line = assert_one_line_error(err)
    assert str(text_file) in line
    assert text_file.read_text(encoding="utf-8") == "not a database\n"


def test_database_in_use_by_another_process(capsys, db):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
         str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read() if holder.stderr else ""
        code, out, err = run_main(capsys, db, *WATCH_Q3, "--format", "csv")
        assert code == 1
        assert out == ""
        line = assert_one_line_error(err)
        assert str(db) in line
        assert "open in another process" in line
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # Once the other process is gone the same command works.
    code, out, err = run_main(capsys, db, *WATCH_Q3, "--format", "csv")
    assert code == 0, err
    assert len(read_csv(out)[1]) == 21


def test_output_into_missing_folder_is_a_one_line_error(capsys, db, tmp_path):
    target = tmp_path / "no-such-folder" / "watch.csv"
    code, out, err = run_main(capsys, db, *WATCH_Q3, "--output", str(target))
    assert code in (1, 2)
    line = assert_one_line_error(err)
    assert str(target) in line or "no-such-folder" in line
    assert not target.parent.exists()


def test_output_onto_a_folder_is_a_one_line_error_and_leaves_nothing(capsys, db, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    code, out, err = run_main(capsys, db, *WATCH_Q3, "--output", str(folder))
    assert code in (1, 2)
    assert not list(tmp_path.glob("*.partial"))
    assert_one_line_error(err)


# -- help ----------------------------------------------------------------------
HELP = {
    "benchmark": ([], ["--db", "init", "demo", "metrics", "report", "serve"]),
    "init": (["init"], ["--db", "registry"]),
    "demo": (["demo"], ["--db", "--remove"]),
    "metrics": (["metrics"], ["--format"]),
    "report": (["report"], ["watch", "ranking", "profile"]),
    "report watch": (["report", "watch"],
                     ["--db", "--organisation", "--platform", "--period", "--watch", "--watch-list", "--format",
                      "--output"]),
    "report ranking": (["report", "ranking"],
                       ["--db", "--group", "--platform", "--period", "--metric", "--organisation", "--format",
                        "--output"]),
    "report profile": (["report", "profile"],
                       ["--db", "--organisation", "--platform", "--metric", "--from", "--to", "--every", "--group",
                        "--format", "--output"]),
    "serve": (["serve"], ["--db", "--port", "--address"]),
}


@pytest.mark.parametrize("argv, options", list(HELP.values()), ids=list(HELP))
def test_help(capsys, argv, options):
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--help"])
    assert exited.value.code in (0, None)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("usage: benchmark")
    for option in options:
        assert option in captured.out


def test_reports_read_calendar_periods_as_whole_weeks_on_weekly_figures(capsys, tmp_path):
    """The tiny scale set is weekly: 2024-Q3 is read as weeks 27–39, with a note on stderr only."""
    from benchmark.bootstrap import build_database
    from benchmark.scale import load_scale
    from benchmark.store import Store

    path = tmp_path / "weekly.duckdb"
    build_database(path, with_demo=False)
    with Store(path) as store:
        load_scale(store, "tiny", actor=ADMIN)
        expected = dict(store.rows(
            """
            SELECT o.name, sum(v.value) FROM period_values v JOIN accounts a USING (account_id)
            JOIN organisations o USING (organisation_id)
            WHERE a.platform = 'facebook' AND v.measure = 'posts' AND o.kind = 'region' AND o.country = 'SE'
              AND v.period_start >= DATE '2024-07-01' AND v.period_end <= DATE '2024-09-29'
            GROUP BY o.name
            """))
    code, out, err = run_main(capsys, path, "report", "ranking", "--group", "region:SE", "--platform", "facebook",
                              "--period", "2024-Q3", "--metric", "posts", "--format", "csv")
    assert code == 0, err
    assert "whole ISO weeks are read: 2024-Q3 as 2024-W27..2024-W39 (2024-07-01..2024-09-29)" in err
    _, rows = read_csv(out)
    assert {r["period"] for r in rows} == {"2024-W27..2024-W39"}
    assert {r["organisation"]: int(r["posts"]) for r in rows} == expected and len(expected) == 21
