"""How the dashboard's server is started (benchmark/launch.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from benchmark import launch, settings


def test_the_server_command_runs_app_py_through_the_launcher():
    command = launch.server_command(8765, "127.0.0.1")
    assert command[:5] == [sys.executable, "-m", "benchmark.launch", "run", str(settings.PROJECT_ROOT / "app.py")]
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {"--server.port": "8765", "--server.address": "127.0.0.1", "--server.headless": "true",
                       "--browser.gatherUsageStats": "false", "--server.fileWatcherType": "none"}


def test_extra_options_and_another_script_are_passed_on(tmp_path):
    command = launch.server_command(1, "0.0.0.0", tmp_path / "x.py", ("--client.showErrorDetails", "type"))
    assert command[4] == str(tmp_path / "x.py")
    assert command[-2:] == ["--client.showErrorDetails", "type"]


SETTLED = """
from streamlit import delta_generator
from streamlit.runtime.pages_manager import PagesManager
from benchmark import launch
before = (PagesManager.uses_pages_directory, delta_generator._use_warning_has_been_displayed)
launch.settle_streamlit()
print(before, (PagesManager.uses_pages_directory, delta_generator._use_warning_has_been_displayed))
"""


def test_the_pinned_streamlit_has_what_the_launcher_settles():
    # Another Streamlit version without these attributes would start as plain `streamlit run` does,
    # slower; this test says so when the pin moves.
    done = subprocess.run([sys.executable, "-c", SETTLED], capture_output=True, text=True, timeout=120,
                          cwd=settings.PROJECT_ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[0] == "(None, False) (False, True)"


def _tree(root: Path) -> list[Path]:
    sources = [root / "benchmark" / "a.py", root / "benchmark" / "sub" / "b.py", root / "pages" / "p.py", root / "app.py"]
    for source in sources:
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("X = 1\n", encoding="utf-8")
    return sources


def test_compile_code_writes_the_bytecode_of_the_app_modules(tmp_path, monkeypatch):
    sources = _tree(tmp_path)
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert launch.compile_code() is True
    for source in sources:
        assert Path(importlib.util.cache_from_source(str(source))).is_file(), source


def test_compile_code_that_cannot_write_says_so_and_does_not_raise(tmp_path, monkeypatch):
    # A file where the bytecode folder would go stands for a read-only install (which root could write).
    _tree(tmp_path)
    (tmp_path / "benchmark" / "__pycache__").write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    assert launch.compile_code() is False
    assert Path(importlib.util.cache_from_source(str(tmp_path / "app.py"))).is_file()  # the rest is written
