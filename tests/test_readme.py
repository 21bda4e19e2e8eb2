"""The README's set-up commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "README has no set-up block"
    return [line for line in block[1].splitlines() if line.strip()]


def test_setup_is_two_commands_and_ci_runs_the_test_command() -> None:
    install, test = setup_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "fastapi-scaffold new myapi -y" in install
    assert test in ci.splitlines(), f"CI does not run the README's test command: {test}"
