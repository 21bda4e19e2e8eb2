"""Shared fixtures: the generated projects' tool environments; the update tests' releases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_scaffold.cli import app
from tests.gitrepos import bare_url, git, push_tags, release_v2, template_repo
from tests.template.harness import Toolchain, find_python


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder all xdist workers of this run share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


@pytest.fixture(scope="session")
def toolchains(shared_dir: Path) -> Callable[[str], Toolchain]:
    made: dict[str, Toolchain] = {}

    def toolchain(python_version: str) -> Toolchain:
        if python_version not in made:
            root = shared_dir / f"toolchain-py{python_version}"
            root.mkdir(exist_ok=True)
            made[python_version] = Toolchain(root, find_python(python_version))
        return made[python_version]

    return toolchain


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> str:
    """This template as `v1` and a scripted `v2`, in a bare remote: its file:// URL."""
    root = tmp_path_factory.mktemp("releases")
    repo = template_repo(root / "template", tag="v1")
    url = bare_url(repo, root / "template.git")
    release_v2(repo)
    push_tags(repo, url)
    return url


@pytest.fixture(scope="session")
def made_at_v1(releases: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project `new` made from `v1` (no cache: `set` switches it on), committed."""
    folder = tmp_path_factory.mktemp("made") / "myapi"
    args = ["new", "myapi", str(folder), "-y", "--cache", "none"]
    result = CliRunner().invoke(app, [*args, "--template", releases, "--vcs-ref", "v1"])
    assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture
def v1_project(made_at_v1: Path, tmp_path: Path) -> Path:
    """A copy of the `v1` project of this test's own (a clone: the same commit)."""
    copy = tmp_path / "myapi"
    git(tmp_path, "clone", "-q", str(made_at_v1), str(copy))
    return copy
