"""The template matrix: each case is rendered once per session and checked with shared tools."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.matrix import Case, derive_cases
from tests.template.harness import Toolchain

ROOT = Path(__file__).resolve().parents[2]
CASES = derive_cases()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cases(predicate): run only for the matrix cases that satisfy predicate(case)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("cases")
    predicate: Callable[[Case], bool] = marker.args[0] if marker else lambda _: True
    selected = [case for case in CASES if predicate(case)]
    metafunc.parametrize(
        "case",
        [pytest.param(case, id=case.id, marks=pytest.mark.xdist_group(case.id)) for case in selected],
    )


@pytest.fixture(scope="session")
def renders(copie_session: Any) -> Callable[[Case], Path]:
    """Render each case once per session (the xdist group keeps a case on one worker)."""
    done: dict[str, Path] = {}

    def render(case: Case) -> Path:
        if case.id not in done:
            result = copie_session.copy(extra_answers=case.data, template_dir=ROOT)
            assert result.exit_code == 0, f"render of {case.id} failed: {result.exception!r}"
            done[case.id] = Path(result.project_dir)
        return done[case.id]

    return render


@pytest.fixture
def project(case: Case, renders: Callable[[Case], Path]) -> Path:
    return renders(case)


@pytest.fixture
def tools(case: Case, project: Path, toolchains: Callable[[str], Toolchain]) -> Toolchain:
    """The shared environment for the case's Python, holding the project's requirements."""
    toolchain = toolchains(str(case.full_answers()["python_version"]))
    toolchain.install_for(project)
    return toolchain


@pytest.fixture(scope="session")
def mypy_cache(shared_dir: Path, worker_id: str) -> dict[str, str]:
    """One mypy cache per worker, shared by every render (mypy keys it by Python version)."""
    return {"MYPY_CACHE_DIR": str(shared_dir / f"mypy-cache-{worker_id}")}
