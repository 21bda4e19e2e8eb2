"""render.py spares copier repeated work; the projects it renders are unchanged by that."""

from __future__ import annotations

import shutil
from pathlib import Path

import copier
import pytest
from copier._main import Worker

from fastapi_scaffold import render
from fastapi_scaffold.template_source import template_root
from tests.matrix import derive_cases

CASES = {case.id: case for case in derive_cases()}
# The most files, and the fewest.
COMPARED = ["preset-full", "preset-minimal"]


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    shutil.copy2(template_root() / "copier.yml", root / "copier.yml")
    shutil.copytree(template_root() / "template", root / "template")
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("case_id", COMPARED)
def test_a_lean_render_writes_what_copier_writes(
    case_id: str, plain_template: Path, tmp_path: Path
) -> None:
    answers = {"project_name": "myapi", **CASES[case_id].data}
    copier.run_copy(
        str(plain_template), str(tmp_path / "copier"), data=answers, defaults=True, quiet=True
    )
    render.copy_template(plain_template, tmp_path / "lean", answers, interactive=False)

    assert tree(tmp_path / "lean") == tree(tmp_path / "copier")


def test_copier_is_left_as_it_was(plain_template: Path, tmp_path: Path) -> None:
    jinja_env = Worker.__dict__["jinja_env"]
    sync = Worker.__dict__["_sync_git_index_executable_bit"]

    render.copy_template(plain_template, tmp_path / "x", {"project_name": "x"}, interactive=False)

    assert Worker.__dict__["jinja_env"] is jinja_env
    assert Worker.__dict__["_sync_git_index_executable_bit"] is sync
