"""`fastapi-scaffold update`: a newer template in, the user's edits kept, conflicts named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from fastapi_scaffold.cli import app
from tests.gitrepos import NEW_FILE, NEW_LINE, OLD_LINE, commit_all, git, recorded

OUR_NOTES = "\n## Our notes\n\nKeep me.\n"


@pytest.fixture
def project(v1_project: Path) -> Path:
    return v1_project


def update(project: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["update", str(project), *args])


def head_and_status(project: Path) -> tuple[str, str]:
    return git(project, "rev-parse", "HEAD"), git(project, "status", "--porcelain")


def add_our_notes(project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + OUR_NOTES, encoding="utf-8")
    commit_all(project, "our notes")


def test_update_brings_the_newest_release_and_keeps_the_users_edits(project: Path) -> None:
    add_our_notes(project)

    result = update(project)

    assert result.exit_code == 0, result.stderr
    assert recorded(project)["_commit"] == "v2"
    name, text = NEW_FILE
    assert (project / name).read_text(encoding="utf-8") == text
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert NEW_LINE in readme and readme.endswith(OUR_NOTES)
    assert "?? CHANGELOG.md" in result.stdout.splitlines()
    assert " M README.md" in result.stdout.splitlines()
    assert "updated" in result.stderr and "from v1 to v2" in result.stderr


def test_dry_run_lists_the_changes_and_leaves_the_project_as_it_was(project: Path) -> None:
    before = head_and_status(project)

    result = update(project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("dry run, nothing was changed: updated")
    assert "?? CHANGELOG.md" in result.stdout.splitlines()
    assert head_and_status(project) == before
    assert recorded(project)["_commit"] == "v1"


@pytest.mark.parametrize(("style", "left"), [("inline", "README.md"), ("rej", "README.md.rej")])
def test_a_conflict_exits_3_and_names_the_file(project: Path, style: str, left: str) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(OLD_LINE, "Our own words"))
    commit_all(project, "our words")

    result = update(project, "--conflict", style)

    assert result.exit_code == 3, result.stderr
    assert f"error: conflicts are left in 1 files: {left}" in result.stderr
    if style == "inline":
        assert "<<<<<<< " in readme.read_text(encoding="utf-8")
    else:
        assert (project / left).is_file()


def test_update_to_a_chosen_ref_and_when_already_there(project: Path) -> None:
    result = update(project, "--to", "v1")
    assert result.exit_code == 0, result.stderr
    assert "already at v1" in result.stderr
    assert head_and_status(project)[1] == ""


def test_a_dirty_tree_is_refused_untouched(project: Path) -> None:
    (project / "scratch.txt").write_text("not committed\n", encoding="utf-8")
    before = head_and_status(project)

    result = update(project)

    assert result.exit_code == 1
    assert "has uncommitted changes (1 files): commit or stash them first" in result.stderr
    assert head_and_status(project) == before


def test_a_failed_update_puts_the_project_back(project: Path) -> None:
    before = head_and_status(project)

    result = update(project, "--to", "no-such-tag")

    assert result.exit_code == 1
    assert result.stderr.startswith("update  v1 -> no-such-tag\nerror: ")
    assert "Traceback" not in result.stderr
    assert head_and_status(project) == before


def record(project: Path, **provenance: str | None) -> None:
    """Rewrite the answers file's `_` keys (None drops one) and commit, as history might have."""
    answers = project / ".copier-answers.yml"
    loaded = yaml.safe_load(answers.read_text(encoding="utf-8"))
    for key, value in provenance.items():
        if value is None:
            loaded.pop(key, None)
        else:
            loaded[key] = value
    answers.write_text(yaml.safe_dump(loaded), encoding="utf-8")
    commit_all(project, "provenance")


def test_a_project_of_an_installed_folder_is_refused_with_the_fix(
    project: Path, tmp_path: Path
) -> None:
    """What an installed CLI used to record: its site-packages folder, and no commit."""
    site_packages = tmp_path / "venv" / "lib" / "site-packages" / "fastapi_scaffold" / "_template"
    site_packages.mkdir(parents=True)
    record(project, _src_path=str(site_packages), _commit=None)

    result = update(project)

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0] == f"error: the template this project records has no git history: {site_packages}"
    )
    # The first commit says which release made the project: the fix names its tag.
    assert lines[1] == (
        "hint: record the release it was made from: set `_src_path: "
        "https://github.com/fastapi-scaffold/fastapi-scaffold` and `_commit: v0.1.0` in "
        ".copier-answers.yml, commit, and run the command again"
    )


def test_a_project_whose_template_is_gone_is_refused(project: Path, tmp_path: Path) -> None:
    record(project, _src_path=str(tmp_path / "moved-away"))
    result = update(project)
    assert result.exit_code == 1
    assert f"records is gone: {tmp_path / 'moved-away'}" in result.stderr
    assert "hint: record the release it was made from" in result.stderr


def test_a_folder_that_is_no_project_is_refused(tmp_path: Path) -> None:
    result = update(tmp_path)
    assert result.exit_code == 1
    assert f"error: {tmp_path} has no .copier-answers.yml" in result.stderr
