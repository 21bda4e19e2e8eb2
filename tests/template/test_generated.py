"""Every case of the matrix: a clean render that passes lint, format, strict types and its tests."""

from __future__ import annotations

import ast
import itertools
import os
import re
from pathlib import Path

import pytest
import yaml

from fastapi_scaffold.template_source import template_root
from tests.matrix import Case
from tests.template.harness import (
    Toolchain,
    answers_of,
    database_env,
    fresh_database,
    postgres_databases,
    services_env,
)

JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")
BINARY_SUFFIXES = {".png", ".ico", ".db", ".sqlite"}
# Python (and Alembic's Python-producing Mako) may keep two blank lines between top-level blocks.
PYTHON_SUFFIXES = {".py", ".mako"}


def text_files(project: Path) -> list[Path]:
    return [
        path
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.parts and path.suffix not in BINARY_SUFFIXES
    ]


def test_render_has_no_template_litter(project: Path) -> None:
    problems = []
    for path in text_files(project):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(project)
        if JINJA_LEFTOVER.search(text):
            problems.append(f"{name}: Jinja left in the output")
        if "\n\n\n\n" in text or (path.suffix not in PYTHON_SUFFIXES and "\n\n\n" in text):
            problems.append(f"{name}: a run of blank lines")
        if text.startswith("\n") or text.endswith("\n\n") or (text and not text.endswith("\n")):
            problems.append(f"{name}: blank lines at the start or end, or no final newline")
        if path.name.endswith(".jinja") or "{{" in str(name):
            problems.append(f"{name}: template file name")
    assert not problems, "\n".join(problems)


_render_stamps = itertools.count(1_000_000_000)


def stamp_sources(project: Path) -> None:
    """Give this render's Python files an mtime no other render in this cache has.

    The shared cache saves re-checking FastAPI, SQLAlchemy and pydantic for each render. Each
    render's package has its own name, but every render has a `tests.test_errors`; mypy trusts
    a cached module whose file has the same size and mtime second, so without this it could
    check one render's tests against another's cache entry.
    """
    stamp = next(_render_stamps)
    for path in project.rglob("*.py"):
        os.utime(path, (stamp, stamp))


def test_ruff_lint_and_format(project: Path, tools: Toolchain) -> None:
    tools.run(["ruff", "check", "--no-cache", "."], project)
    tools.run(["ruff", "format", "--check", "--no-cache", "."], project)


def test_mypy_strict(project: Path, tools: Toolchain, mypy_cache: dict[str, str]) -> None:
    stamp_sources(project)
    result = tools.run(["mypy"], project, mypy_cache)
    assert "Success" in result.stdout


def test_own_test_suite(case: Case, project: Path, tools: Toolchain, tmp_path: Path) -> None:
    database = case.full_answers()["database"]
    env = services_env(project, case)
    if database == "postgresql":
        # The generated tests make and drop their own throwaway database on this server.
        env |= database_env(project, "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    before = postgres_databases() if database == "postgresql" else set()
    result = tools.run(["pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert " failed" not in result.stdout and " skipped" not in result.stdout, result.stdout
    if database == "postgresql":
        # Other workers may be running at once: only this render's throwaway names count.
        package = str(answers_of(project)["package_name"])
        left = {name for name in postgres_databases() - before if name.startswith(package)}
        assert not left, f"throwaway databases left behind: {left}"


@pytest.mark.cases(lambda case: bool(case.full_answers().get("migrations")))
def test_migrations_build_the_models_schema(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    """`alembic upgrade head` on an empty database, then `alembic check` finds no difference."""
    with fresh_database(str(case.full_answers()["database"]), tmp_path) as url:
        env = database_env(project, url)
        tools.run(["alembic", "upgrade", "head"], project, env)
        result = tools.run(["alembic", "check"], project, env)
        assert "No new upgrade operations detected" in result.stdout + result.stderr


def refused_package_names() -> set[str]:
    """The names copier.yml's package_name validator refuses as dependencies of the project."""
    validator = yaml.safe_load((template_root() / "copier.yml").read_text(encoding="utf-8"))[
        "package_name"
    ]["validator"]
    match = re.search(r"\{% set dependencies = (\[.*?\]) %\}", validator, re.S)
    assert match, "copier.yml: package_name's validator has no dependencies list"
    return set(ast.literal_eval(match[1]))


def test_no_installed_module_can_be_shadowed_by_the_package_name(
    project: Path, tools: Toolchain
) -> None:
    """A package named like a module the project installs would break its imports."""
    listing = tools.run(
        ["python", "-c", "import importlib.metadata as m; print(*m.packages_distributions())"],
        project,
    ).stdout
    importable = {name for name in listing.split() if re.fullmatch(r"[a-z][a-z0-9_]*", name)}
    assert importable - refused_package_names() == set()
