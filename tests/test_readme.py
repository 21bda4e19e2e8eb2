"""The README's set-up commands are the ones CI runs, as written, in order, in one shell."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    """The commands of the README's set-up block; a line ending in `\\` continues on the next."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "README has no set-up block"
    return re.split(r"(?<!\\)\n", block[1].strip())


def ci_script() -> str:
    return (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_setup_is_two_commands_install_and_main_job_then_the_tests() -> None:
    install, test = setup_commands()
    assert install.rstrip().endswith("fastapi-scaffold new myapi -y")
    assert test == "uv run pytest -n auto --dist loadgroup"
    assert "sudo" not in install and "pip install --user" not in install


def test_ci_runs_both_commands_as_written_and_in_order() -> None:
    install, test = setup_commands()
    ci = ci_script()
    assert f"\n{install}\n" in ci, "CI does not run the README's command 1 as written"
    assert f"\n{test}\n" in ci, "CI does not run the README's command 2 as written"
    assert ci.index(install) < ci.index(f"\n{test}\n")


def test_ci_runs_them_in_the_clone_with_debians_python_first() -> None:
    ci = ci_script()
    before = ci[: ci.index(setup_commands()[0])]
    assert 'cd "$(dirname "$0")/.."' in before  # the clone it is given, not a scratch folder
    assert 'export PATH="/usr/bin:$PATH"' in before  # Debian's own python3 (PEP 668)
    assert "cd " not in before.split('cd "$(dirname "$0")/.."', 1)[1]
