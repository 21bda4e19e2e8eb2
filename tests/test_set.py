"""`fastapi-scaffold set`: a feature switched on and off after `new`, the user's edits kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fastapi_scaffold.cli import app
from tests.gitrepos import commit_all, git, recorded
from tests.template.harness import Toolchain

CACHE_FILES = ("src/myapi/core/cache.py", "src/myapi/core/settings/cache.py", "tests/test_cache.py")
OUR_ROUTE = """

@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""


def set_answers(project: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["set", *args, str(project)])


def state(project: Path) -> tuple[str, str]:
    return git(project, "rev-parse", "HEAD"), git(project, "status", "--porcelain")


def test_a_switch_on_then_off_keeps_the_users_edits(
    v1_project: Path, toolchains: Callable[[str], Toolchain]
) -> None:
    project = v1_project
    health = project / "src" / "myapi" / "api" / "routes" / "health.py"
    health.write_text(health.read_text(encoding="utf-8") + OUR_ROUTE, encoding="utf-8")
    commit_all(project, "our ping route")

    switched_on = set_answers(project, "cache=memory")

    assert switched_on.exit_code == 0, switched_on.stderr
    assert recorded(project)["cache"] == "memory"
    assert all((project / name).is_file() for name in CACHE_FILES)
    assert health.read_text(encoding="utf-8").endswith(OUR_ROUTE)
    assert "set cache=memory in" in switched_on.stderr
    tools = toolchains("3.11")
    tools.install_for(project)
    tools.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)

    commit_all(project, "cache on")
    cache = project / CACHE_FILES[0]
    cache.write_text(cache.read_text(encoding="utf-8") + "# tuned by us\n", encoding="utf-8")
    commit_all(project, "our cache tuning")

    switched_off = set_answers(project, "cache=none")

    assert switched_off.exit_code == 0, switched_off.stderr
    assert recorded(project)["cache"] == "none"
    assert not any((project / name).exists() for name in CACHE_FILES[1:])
    assert cache.read_text(encoding="utf-8").endswith("# tuned by us\n")  # edited: kept
    assert f"kept {CACHE_FILES[0]}: you changed it" in switched_off.stderr
    assert health.read_text(encoding="utf-8").endswith(OUR_ROUTE)


def test_dry_run_changes_nothing(v1_project: Path) -> None:
    before = state(v1_project)
    result = set_answers(v1_project, "cache=redis", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f"?? {CACHE_FILES[0]}" in result.stdout.splitlines()
    assert state(v1_project) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["database=none", "migrations=true"], "migrations=true does not apply here"),
        (["cache=disk"], "set cache: 'disk' is not a choice for cache"),
        (["caching=redis"], "set: unknown question 'caching'"),
        (["package_name=other"], "set: package_name names the project"),
        (["cache"], "set 'cache' is not KEY=VALUE"),
        ([], "no KEY=VALUE to set"),
    ],
)
def test_a_refused_answer_touches_nothing(v1_project: Path, args: list[str], message: str) -> None:
    before = state(v1_project)
    result = set_answers(v1_project, *args)
    assert result.exit_code == 2, result.stderr
    assert f"error: {message}" in result.stderr
    assert state(v1_project) == before
