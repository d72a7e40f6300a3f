"""Fixtures for the AppTest page tests.

Streamlit's caches live in the test process and survive from one AppTest run
to the next (and `cached_*` in benchmark.ui do not hash the store), so every
test starts and ends with empty caches; each test gets its own copy of the
demo database through BENCHMARK_DB.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
import streamlit as st

REPO = Path(__file__).resolve().parents[2]


def _clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()  # drop the cached Store so its DuckDB instance closes


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    _clear_streamlit_caches()
    yield
    _clear_streamlit_caches()


@pytest.fixture()
def benchmark_db(demo_db_with_people: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """BENCHMARK_DB set to a fresh copy of the demo database with the test accounts (tests/actors.py);
    no access file (the defaults: public browsing, local sign-in); other settings at their defaults."""
    demo_db_copy = tmp_path / "demo-copy.duckdb"
    shutil.copyfile(demo_db_with_people, demo_db_copy)
    monkeypatch.setenv("BENCHMARK_ACCESS_FILE", str(tmp_path / "no-access-file.toml"))
    for name in ("BENCHMARK_DEFAULT_ORGANISATION", "BENCHMARK_DEMO_ON_EMPTY", "BENCHMARK_QUERY_CACHE_SECONDS",
                 "BENCHMARK_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BENCHMARK_DB", str(demo_db_copy))
    yield demo_db_copy
    # Close the app's Store (held by st.cache_resource) before removing the ~140 MB copy.
    _clear_streamlit_caches()
    demo_db_copy.unlink(missing_ok=True)
    Path(str(demo_db_copy) + ".wal").unlink(missing_ok=True)
