"""The harness runs and reports every case; it asserts no timing (shared machines are noisy)."""

from benchmark import perf


def test_harness_reports_every_case_with_a_ratio(demo_store):
    results = perf.run(demo_store, repeat=1)
    names = [r.case for r in results]
    assert names[0].startswith("baseline") and results[0].ratio_to_baseline == 1.0
    assert set(names[1:]) == set(perf.cases(demo_store))
    assert all(r.ratio_to_baseline > 0 and r.rows > 0 for r in results)
    text = perf.report(results, demo_store)
    assert "× baseline" in text and "max RSS" in text
