"""The committed Streamlit configuration keeps its protections, and no secret is ever committed."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _config() -> dict:
    return tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_the_protections_are_not_switched_off():
    server = _config()["server"]
    # Streamlit's defaults are on; a config that turns them off (common in published examples) fails here.
    assert server.get("enableCORS", True) is True
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableStaticServing", False) is False
    assert _config()["client"]["showErrorDetails"] == "none"  # no traceback reaches a browser


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="not a git checkout")
def test_secrets_and_the_access_file_stay_out_of_the_repository():
    for path in (".streamlit/secrets.toml", "access.toml"):
        assert _git("check-ignore", "-q", path).returncode == 0, f"{path} must be in .gitignore"
    for example in (".streamlit/secrets.example.toml", "access.example.toml", "benchmark/locales/en/access.toml"):
        assert _git("check-ignore", "-q", example).returncode == 1, f"{example} must not be ignored"
    tracked = _git("ls-files").stdout.splitlines()
    assert not [p for p in tracked if p.endswith("secrets.toml") or p == "access.toml"]
