"""The template's house rules: plain file names, one layout table, little Jinja in Python files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from pathspec import PathSpec

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template"
PACKAGE = "{{ package_name }}"
ANSWERS_FILE = "{{ _copier_conf.answers_file }}.jinja"
# "About 10 %": a Python template file may have a tenth of its lines in `{% %}` tags, and any
# file may have two blocks (four tag lines), so a small wiring file can still loop or branch.
TAG_SHARE = 0.11
TAG_ALLOWANCE = 4


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATE.rglob("*") if path.is_file())


def output_path(path: Path) -> str:
    """The path a template file is generated at, for a package named `pkg`."""
    relative = path.relative_to(TEMPLATE).as_posix().replace(PACKAGE, "pkg")
    return relative.removesuffix(".jinja")


def layout_patterns() -> list[str]:
    """The paths of copier.yml's layout table (its conditional entries), without the conditions."""
    exclude = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))["_exclude"]
    table = [entry for entry in exclude if "{%" in entry]
    lines = (line.strip() for entry in table for line in entry.splitlines())
    return [line for line in lines if line and not line.startswith("{%")]


def test_template_file_names_are_plain() -> None:
    jinja_names = [
        output_path(path)
        for path in template_files()
        if "{" in path.relative_to(TEMPLATE).as_posix().replace(PACKAGE, "pkg")
        and path.name != ANSWERS_FILE
    ]
    assert jinja_names == []


@pytest.mark.parametrize("pattern", layout_patterns())
def test_every_path_of_the_layout_table_names_template_files(pattern: str) -> None:
    spec = PathSpec.from_lines("gitignore", [pattern])
    assert [path for path in template_files() if spec.match_file(output_path(path))]


@pytest.mark.parametrize(
    "path",
    [path for path in template_files() if path.name.endswith(".py.jinja")],
    ids=output_path,
)
def test_a_python_template_file_is_mostly_python(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    tags = [line for line in lines if re.search(r"\{%.*%\}", line)]
    allowed = max(TAG_ALLOWANCE, math.ceil(TAG_SHARE * len(lines)))
    assert len(tags) <= allowed, f"{len(tags)} of {len(lines)} lines are Jinja tags"
