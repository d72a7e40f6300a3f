"""Create a ready-to-use database on first start, atomically.

The file is built under a temporary name next to the target and renamed into
place only when the registry (and, if asked, the demo data) are in, so an
interrupted first start never leaves a half-made database behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import demo
from .registry import load_registry
from .store import Store, open_store


def build_database(path: Path, *, with_demo: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.building-{os.getpid()}")
    # A first start that was killed leaves its temporary file; it holds nothing worth keeping.
    for leftover in path.parent.glob(f".{path.name}.building-*"):
        leftover.unlink(missing_ok=True)
    try:
        with Store(temporary) as store:
            store.create_schema()
            load_registry(store)
            if with_demo:
                demo.load_demo(store)
            with store.writer() as cur:
                cur.execute("INSERT OR REPLACE INTO schema_info VALUES ('created_by', 'first start')")
            store.rows("CHECKPOINT")  # fold the WAL into the file before it is renamed
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, Path(str(temporary) + ".wal")):
            leftover.unlink(missing_ok=True)


def ensure_database(path: Path, *, with_demo: bool) -> Store:
    """Open `path`, creating it first (registry, optionally demo data) if it does not exist."""
    if not path.exists():
        build_database(path, with_demo=with_demo)
    return open_store(path)
