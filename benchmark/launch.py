"""How the dashboard's server is started, the one way `benchmark serve`, the performance harness and
the browser tests all start it.

`python -m benchmark.launch run app.py OPTIONS` is `streamlit run app.py OPTIONS` with two of
Streamlit's first-session costs settled before any browser connects (docs/performance.md, cold start):

- Streamlit takes a `pages/` folder beside the main script for a legacy multipage app until
  `st.navigation` has run once, and decides so when the first session starts. `ui._route_through_app`
  then reruns that session's first script run (≈ 0.06 s, most of it the garbage collection Streamlit
  makes after a run). Here the folder is known to be ours from the start, as it is after any run.
- Before the first element Streamlit checks whether it runs in a Python prompt, to print a "use
  streamlit run" hint; the check reads the source of every frame on the stack (≈ 0.07 s). It is
  started by `streamlit run` here, so the hint cannot apply.

Both are attributes of the pinned Streamlit version (tests/unit/test_launch.py checks they exist).
`streamlit run app.py` by hand still works: `ui._route_through_app` does the first one itself.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

from . import settings

# Options every start shares: no browser to open, no usage statistics, and no file watcher (a reload
# would start a second process fighting over the DuckDB lock).
SERVER_OPTIONS = ("--server.headless", "true", "--browser.gatherUsageStats", "false",
                  "--server.fileWatcherType", "none")


def server_command(port: int, address: str, script: Path | None = None, options: tuple[str, ...] = ()) -> list[str]:
    """The command line of a dashboard server for `script` (default: the project's app.py)."""
    script = script or settings.PROJECT_ROOT / "app.py"
    return [sys.executable, "-m", "benchmark.launch", "run", str(script), "--server.port", str(port),
            "--server.address", address, *SERVER_OPTIONS, *options]


def compile_code() -> bool:
    """Write the bytecode of the app's own modules where it is missing or stale.

    Python writes it on first import, except where PYTHONDONTWRITEBYTECODE is set (this project's
    build machines set it): every server start then compiles ≈ 30 modules again (≈ 0.1 s of the cold
    start, measured). Returns False when some file could not be written (a read-only install):
    the app then runs as before, only compiling at start."""
    root = settings.PROJECT_ROOT
    written = [compileall.compile_dir(root / folder, quiet=2) for folder in ("benchmark", "pages")]
    written.append(compileall.compile_file(root / "app.py", quiet=2))
    return all(written)


def settle_streamlit() -> None:
    """Settle the two first-session decisions described above; missing attributes (another Streamlit
    version) are left alone, so the server starts as plain `streamlit run` would."""
    from streamlit import delta_generator
    from streamlit.runtime.pages_manager import PagesManager

    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False
    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


def main(argv: list[str]) -> int:
    settle_streamlit()
    from streamlit.web import cli

    sys.argv = ["streamlit", *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
