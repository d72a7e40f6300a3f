"""The first page a browser opens loads only what it draws.

A fresh server imports, on the first session's script run, everything the first page needs before it
can send its table (docs/performance.md, cold start). Altair, the report builder, the office-file
writers and the importers cost more than half a second between them and the Pages-to-watch page
draws no chart and writes no file until a button is clicked, so they must stay out of that run.
Checked in a fresh interpreter, since the test process has imported all of them long before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Modules the Pages-to-watch page needs only when an export or an upload is asked for.
NOT_FOR_THE_FIRST_PAGE = (
    "altair", "openpyxl", "pptx", "vl_convert",
    "benchmark.charts", "benchmark.reports.build", "benchmark.reports.slides", "benchmark.reports.images",
    "benchmark.imports", "benchmark.importers",
)

FIRST_RUN = """
import json, sys
from streamlit.testing.v1 import AppTest

at = AppTest.from_file(sys.argv[1], default_timeout=60).run()
print(json.dumps({
    "exceptions": [e.value for e in at.exception],
    "titles": [t.value for t in at.title],
    "tables": len(at.dataframe),
    "downloads": sum(1 for e in at.get("download_button")),
    "loaded": sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules),
}))
"""


def test_pages_to_watch_first_run_does_not_load_exports_or_importers(benchmark_db):
    done = subprocess.run(
        [sys.executable, "-c", FIRST_RUN, str(REPO / "app.py"), json.dumps(NOT_FOR_THE_FIRST_PAGE)],
        cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["exceptions"] == []
    assert result["titles"] == ["Pages to watch"]
    assert result["tables"] == 1
    assert result["downloads"] >= 3, "the export buttons are drawn, their files made on click"
    assert result["loaded"] == []
