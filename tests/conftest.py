"""Shared fixtures.

- `demo_db_file`: the real registry plus the demo data, built once per test
  session into a file that no test opens; tests that need a database of their
  own copy it (`demo_db_copy`), so nothing holds a lock another test needs.
- `demo_db_with_people`: the same plus the local accounts vera (viewer), anna
  (analyst) and adam (admin) of tests/actors.py, for the page and browser tests.
- `demo_store`: one open store on a copy, shared read-only by many tests.
- `small_store` + `put_values`: a tiny registry and hand-made figures for
  tests whose expected values are computed by hand.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmark import summaries
from benchmark.bootstrap import build_database
from benchmark.keys import check_unique
from benchmark.registry import load_registry
from benchmark.store import Store
from tests.actors import ADMIN, permit

REPO_ROOT = Path(__file__).resolve().parent.parent
def _shared_folder() -> Path:
    """The read-only shared material: $BENCHMARK_SHARED, else ../shared beside the repository,
    else the workplace's /work/shared (CI may clone the repository somewhere else)."""
    import os

    candidates = [Path(os.environ["BENCHMARK_SHARED"])] if os.environ.get("BENCHMARK_SHARED") else []
    candidates += [REPO_ROOT.parent / "shared", Path("/work/shared")]
    return next((c for c in candidates if c.is_dir()), candidates[0])


SHARED = _shared_folder()


def pytest_report_header(config: pytest.Config) -> list[str]:
    import altair
    import pandas
    import streamlit

    return [
        f"duckdb {duckdb.__version__}, streamlit {streamlit.__version__}, "
        f"pandas {pandas.__version__}, altair {altair.__version__}, python {sys.version.split()[0]}"
    ]


SMALL_REGISTRY = """country,kind,code,name,parent_code,parent_name,population,population_date,also_kinds,aliases
SE,region,18,Region Örebro län,18,Örebro län,300000,2025-12-31,,Örebro läns landsting
SE,region,12,Region Skåne,12,Skåne län,1400000,2025-12-31,,
SE,region,0980,Region Gotland,09,Gotlands län,60000,2025-12-31,municipality,Gotlands kommun
SE,municipality,1880,Örebro,18,Örebro län,160000,2025-12-31,,Örebro kommun
SE,municipality,1860,Laxå,18,Örebro län,5600,2025-12-31,,Laxå kommun
SE,agency,202100-0076,Polismyndigheten,,,,,,Polisen
"""


def write_small_registry(folder: Path) -> Path:
    """`folder`/registry holding SMALL_REGISTRY; returns that registry folder."""
    directory = folder / "registry"
    directory.mkdir()
    (directory / "se_small.csv").write_text(SMALL_REGISTRY, encoding="utf-8")
    return directory


def make_small_store(folder: Path, name: str = "small.duckdb") -> Store:
    """A store in `folder` holding the small registry only; for fixtures of any scope (the caller
    closes it)."""
    registry = folder / "registry" if (folder / "registry").is_dir() else write_small_registry(folder)
    store = Store(folder / name)
    store.create_schema()
    load_registry(store, registry, actor=ADMIN)
    return store


@pytest.fixture()
def small_registry(tmp_path: Path) -> Path:
    return write_small_registry(tmp_path)


@pytest.fixture()
def small_store(tmp_path: Path, small_registry: Path):
    store = make_small_store(tmp_path)
    yield store
    store.close()


class ValueWriter:
    """Writes hand-made accounts and figures into a store, under one import."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.writer(permit()) as cur:
            self.import_id = cur.execute(
                "INSERT INTO imports (source_kind, created_by) VALUES ('manual', 'test') RETURNING import_id"
            ).fetchone()[0]

    def org_id(self, name: str) -> int:
        return self.store.scalar("SELECT organisation_id FROM organisations WHERE name = ?", [name])

    def account(self, organisation: str, platform: str = "facebook", name: str | None = None) -> int:
        with self.store.writer(permit()) as cur:
            return cur.execute(
                "INSERT INTO accounts (organisation_id, platform, name, import_id) VALUES (?, ?, ?, ?) RETURNING account_id",
                [self.org_id(organisation), platform, name or organisation, self.import_id],
            ).fetchone()[0]

    def period(self, account_id: int, start: str, end: str, **measures: int) -> None:
        with self.store.writer(permit()) as cur:
            cur.executemany(
                "INSERT INTO period_values VALUES (?, ?, ?, ?, ?, ?, NULL)",
                [[account_id, m, date.fromisoformat(start), date.fromisoformat(end), v, self.import_id]
                 for m, v in measures.items()],
            )
            # as every writer of values does: the key kept, the summaries brought up to date
            check_unique(cur, "period_values", "SELECT * FROM period_values WHERE account_id = ? "
                         "AND period_start = ? AND period_end = ?",
                         [account_id, date.fromisoformat(start), date.fromisoformat(end)])
            summaries.refresh(cur, [account_id])

    def day(self, account_id: int, day: str, **measures: int) -> None:
        with self.store.writer(permit()) as cur:
            cur.executemany(
                "INSERT INTO account_daily VALUES (?, ?, ?, ?, ?, NULL)",
                [[account_id, m, date.fromisoformat(day), v, self.import_id] for m, v in measures.items()],
            )
            check_unique(cur, "account_daily", "SELECT * FROM account_daily WHERE account_id = ? AND day = ?",
                         [account_id, date.fromisoformat(day)])
            summaries.refresh(cur, [account_id])


@pytest.fixture()
def put_values(small_store: Store) -> ValueWriter:
    return ValueWriter(small_store)


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_database(path, with_demo=True)
    return path


@pytest.fixture(scope="session")
def demo_db_with_people(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database plus the local accounts of tests/actors.py (PEOPLE, PASSWORD); no test opens it."""
    from benchmark import users
    from tests.actors import PASSWORD, PEOPLE

    path = tmp_path_factory.mktemp("demo-people") / "demo.duckdb"
    shutil.copyfile(demo_db_file, path)
    with Store(path) as store:
        for name, role in PEOPLE.items():
            users.add_user(store, name, role, PASSWORD, actor=ADMIN)
    return path


@pytest.fixture()
def demo_db_copy(demo_db_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo-copy.duckdb"
    shutil.copyfile(demo_db_file, target)
    return target


@pytest.fixture(scope="session")
def demo_store(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory):
    target = tmp_path_factory.mktemp("demo-shared") / "demo.duckdb"
    shutil.copyfile(demo_db_file, target)
    store = Store(target)
    yield store
    store.close()


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared/, or skip with a printed reason where it is absent (CI always has it)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        print(f"skipping: {path} is not present (the shared folder lives beside the repository)")
        pytest.skip(f"{path} not present")
    return path
