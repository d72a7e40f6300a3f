"""Readers never see half an import, and keep answering while one runs.

A reader thread asks for the page's count and sum of values over and over while another thread
plans and commits a large import (40,000 two-day periods × 5 measures = 200,000 values) for it.
DuckDB's snapshot isolation and Store.writer's one transaction mean every answer is the state
before or the state after; reads take no write lock, so they go on throughout.
"""

from __future__ import annotations

import threading
import time

from benchmark import imports
from tests.actors import ADMIN
from tests.concurrency.support import template, two_day_periods

PERIODS = 40_000


def test_readers_see_before_or_after_and_keep_answering(small_store, monkeypatch):
    # The page exists with one quarter (1000+30+300+20+10 = 1360 over 5 values) before the import.
    first = imports.plan_import(small_store, "q1.csv", template([("Laxå", "facebook", "2025-Q1", 1000, 30, 300, 20, 10)]))
    imports.commit_import(small_store, first, actor=ADMIN)
    account = small_store.scalar("SELECT account_id FROM accounts WHERE name = 'Laxå'")
    before = (5, 1360)
    content, added = two_day_periods("Laxå", PERIODS)
    after = (5 + 5 * PERIODS, 1360 + added)
    # followers 1000..40999: 20,000 × 41,999 = 839,980,000; posts i mod 7: 5,714 whole weeks × 21 + 0 + 1
    # = 119,995; reactions, comments, shares 3 + 2 + 1 per period: 240,000.
    assert added == 839_980_000 + 119_995 + 240_000
    monkeypatch.setenv("BENCHMARK_MAX_UPLOAD_MB", "100")
    sql = "SELECT count(*), coalesce(sum(value), 0) FROM period_values WHERE account_id = ?"
    assert tuple(small_store.rows(sql, [account])[0]) == before

    observations: list[tuple[float, tuple[int, int]]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            observations.append((time.perf_counter(), tuple(small_store.rows(sql, [account])[0])))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.05)
        started = time.perf_counter()
        plan = imports.plan_import(small_store, "big.csv", content)
        planned = time.perf_counter()
        result = imports.commit_import(small_store, plan, actor=ADMIN)
        finished = time.perf_counter()
        time.sleep(0.05)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert result.rows_written == 5 * PERIODS

    seen = {state for _, state in observations}
    assert seen == {before, after}, f"a reader saw a state that is neither before nor after: {seen - {before, after}}"
    # Once the commit returned, every answer is the new state.
    assert all(state == after for moment, state in observations if moment > finished)
    during = [moment for moment, _ in observations if started <= moment <= finished]
    stamps = [started, *during, finished]
    longest_gap = max(b - a for a, b in zip(stamps, stamps[1:], strict=False))
    duration = finished - started
    print(f"\nimport of {5 * PERIODS} values: plan {planned - started:.2f} s, commit {finished - planned:.2f} s; "
          f"{len(during)} reader answers meanwhile, longest gap {longest_gap * 1000:.0f} ms")
    assert len(during) >= 20
    assert longest_gap < duration / 4, (longest_gap, duration)
    assert small_store.integrity_problems() == {}
