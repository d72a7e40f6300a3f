"""The README's Quick start is what CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_quick_start_has_exactly_two_commands_serve_then_test():
    commands = quick_start_commands()
    assert commands == ["./run serve", "./run test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./run test" in ci


def test_linked_docs_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\(((?:docs|data)/[^)#]+)\)", text):
        assert (ROOT / link).exists(), link
