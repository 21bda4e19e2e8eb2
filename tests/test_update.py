"""A project made by `new` takes a newer template with plain `copier update`, keeping its edits."""

from __future__ import annotations

from pathlib import Path

import copier
import pytest
from typer.testing import CliRunner

from fastapi_scaffold import scaffold
from fastapi_scaffold.cli import app
from tests.gitrepos import commit_all, git, recorded
from tests.gitrepos import template_repo as make_template_repo


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """This checkout's template, released as `v1` in a git repository of its own."""
    return make_template_repo(tmp_path / "template-repo", tag="v1")


def new_project(template: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(scaffold, "template_root", lambda: template)
    result = CliRunner().invoke(app, ["new", "myapi", str(folder / "myapi"), "-y"])
    assert result.exit_code == 0, result.stderr
    return folder / "myapi"


def test_copier_update_brings_a_newer_template_and_keeps_the_users_edits(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_project(template_repo, tmp_path, monkeypatch)
    assert recorded(project)["_commit"] == "v1"
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n## Our notes\n\nKeep me.\n")
    commit_all(project, "our notes")

    (template_repo / "template" / "CHANGELOG.md").write_text("# Changelog\n\n- v2\n")
    template_readme = template_repo / "template" / "_readme" / "start.md"
    template_readme.write_text(
        template_readme.read_text(encoding="utf-8").replace(
            "A layered FastAPI service", "A layered, updatable FastAPI service", 1
        )
    )
    commit_all(template_repo, "template v2", tag="v2")

    copier.run_update(str(project), overwrite=True, defaults=True, quiet=True, unsafe=False)

    assert recorded(project)["_commit"] == "v2"
    assert (project / "CHANGELOG.md").read_text() == "# Changelog\n\n- v2\n"
    updated = readme.read_text(encoding="utf-8")
    assert "A layered, updatable FastAPI service" in updated
    assert updated.endswith("## Our notes\n\nKeep me.\n")
    assert git(project, "diff", "--name-only", "--diff-filter=U") == ""
    assert not list(project.rglob("*.rej"))


def test_new_renders_the_template_as_it_is_not_its_last_tag(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (template_repo / "template" / "UNRELEASED.md").write_text("work in progress\n")
    commit_all(template_repo, "after v1")

    project = new_project(template_repo, tmp_path, monkeypatch)

    assert (project / "UNRELEASED.md").is_file()
    assert str(recorded(project)["_commit"]).startswith("v1-1-g")
