"""The load test's own smoke test (the real one runs on demand: docs/reliability.md, "Load").

- a short run of `benchmark.loadtest` with 3 sessions against a copy of the demo database, with an
  import forwarded into the dashboard's process when the command line can do that
  (benchmark/control.py); no errors, reruns happened, figures are numbers;
- the error detection: a page that raises is an error, a page message is not, on a real server
  (a four-line Streamlit script) and on ForwardMsgs built here.
"""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmark import loadtest

FORWARDING = importlib.util.find_spec("benchmark.control") is not None


def test_a_short_run_has_no_errors_and_reports_its_figures(demo_db_copy: Path) -> None:
    report = loadtest.run(demo_db_copy, sessions=3, duration=6, think=(0.3, 1.0), ramp=1, seed=3, timeout=60,
                          do_import=FORWARDING, import_rows=400, import_delay=1.5, say=lambda _: None)
    print(loadtest.format_report(report))
    sessions = report["sessions"]
    assert sessions["errors"] == 0, report["errors"]
    assert sessions["started"] == 3 and sessions["connections"] >= 3
    assert sessions["reruns"] >= 6
    for page in ("watch", "ranking"):
        figures = report["latency_ms"][page]
        assert figures["n"] > 0 and 0 < figures["median"] <= figures["p95"] <= figures["max"]
    assert report["first_render_ms"]["median"] > 0
    # VmHWM is the kernel's own peak, but Linux syncs each thread's RSS count into it lazily (every
    # 64 page faults), so it may trail a sampled VmRSS by a little (seen: 368.3 against 368.6 MB).
    assert report["rss_peak_sampled_mb"] > 0 and report["vm_hwm_mb"] >= 0.98 * report["rss_peak_sampled_mb"]
    assert report["server_cpu_s"] > 0
    assert report["server_log_tracebacks"] == 0
    # After the run: healthy, and a newsletter link's unknown parameter is a page message, not an error.
    after = report["after_run"]
    assert after["health"] == "ok"
    assert after["fresh_session"]["ok"] and not after["fresh_session"]["errors"]
    assert any("utm_source" in w or "link" in w.lower() for w in after["fresh_session"]["warnings"]), after
    if FORWARDING:
        assert report["import"]["outcome"] == "imported", report["import"]
        assert report["import"]["forwarded_to_dashboard"]
        verified = report["verification"]
        assert verified["ok"], verified
        assert verified["committed"] == 1 and verified["stored_rows"] == verified["expected_rows"] == 400 * 5
        assert report["undo"]["exit_code"] == 0
    assert report["ok"]


FAILING_PAGE = """
import streamlit as st
st.title("load test probe")
if st.query_params.get("fail"):
    raise RuntimeError("forced by the load test's own test")
st.warning("a page message, not an error")
"""


def test_a_page_that_raises_is_an_error_and_a_page_message_is_not(tmp_path: Path) -> None:
    script = tmp_path / "probe_page.py"
    script.write_text(FAILING_PAGE, encoding="utf-8")
    with loadtest.Server.script(script, tmp_path / "server.log") as server:
        fine = asyncio.run(loadtest.probe(server.base_url, query="x=1", timeout=60))
        failed = asyncio.run(loadtest.probe(server.base_url, query="fail=1", timeout=60))
    assert fine.errors == [] and fine.warnings == ["a page message, not an error"] and fine.seconds > 0
    assert failed.errors == ["exception RuntimeError"], failed.errors


def _element(**fields) -> ForwardMsg:
    msg = ForwardMsg()
    for name, value in fields.items():
        target = getattr(msg.delta.new_element, name)
        for key, item in value.items():
            setattr(target, key, item)
    return msg


def test_error_detection_on_built_messages() -> None:
    assert loadtest.page_errors(_element(exception={"type": "ValueError", "message": "bad"})) == [
        "exception ValueError: bad"]
    # With client.showErrorDetails = "none" (the shipped setting) the page gets no type: still an error.
    assert loadtest.page_errors(_element(exception={"message": ""})) == [
        "exception (type hidden by client.showErrorDetails)"]
    assert loadtest.page_errors(_element(exception={"type": "Deprecation", "is_warning": True})) == []
    assert loadtest.page_errors(_element(alert={"body": "Unknown organisation", "format": 1})) == []
    assert loadtest.page_errors(_element(alert={"body": "link ignored", "format": 2})) == []
    missing = ForwardMsg()
    missing.page_not_found.page_name = "nope"
    assert loadtest.page_errors(missing) == ["page not found: 'nope'"]
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
    assert loadtest.page_errors(finished) == ["script finished with a compile error"]
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    assert loadtest.page_errors(finished) == []


def test_widget_keys_and_percentiles() -> None:
    assert loadtest.widget_key("$$ID-5cd8945f28005f66802627c294960c23-watch.period.quarter") == "watch.period.quarter"
    assert loadtest.widget_key("$$ID-ab-FormSubmitter:auth.local-Sign in") == "FormSubmitter:auth.local-Sign in"
    figures = loadtest.summarise([float(x) for x in range(1, 101)])
    assert figures == {"n": 100, "median": 50.5, "p95": 95.0, "max": 100.0}
    assert loadtest.summarise([]) == {"n": 0, "median": None, "p95": None, "max": None}


@pytest.mark.parametrize("text, expected", [("2,6", (2.0, 6.0)), ("1", (1.0, 1.0))])
def test_think_option(text: str, expected: tuple[float, float]) -> None:
    assert loadtest._think(text) == expected
