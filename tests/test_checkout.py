"""`new` from a source checkout: untracked things in it change nothing; updates stay possible.

The README's set-up makes `./myapi` (a git repository) inside the clone and then runs the test
suite, which renders the template from that clone again: neither may trip over the other.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_scaffold import scaffold, template_source
from fastapi_scaffold.cli import app
from fastapi_scaffold.template_source import template_root
from tests.gitrepos import git, recorded, tree


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of this template with a tag and one commit after it, used as `new`'s template."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    shutil.copy2(template_root() / "copier.yml", repo / "copier.yml")
    shutil.copytree(
        template_root() / "template",
        repo / "template",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (repo / ".gitignore").write_text(".venv/\n__pycache__/\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v1")
    git(repo, "tag", "v1")
    (repo / "NEWS.md").write_text("after v1\n", encoding="utf-8")
    git(repo, "add", "NEWS.md")
    git(repo, "commit", "-qm", "after v1")
    monkeypatch.setattr(scaffold, "template_root", lambda: repo)
    return repo


def new(*args: str) -> str:
    result = CliRunner().invoke(app, ["new", *args])
    assert result.exit_code == 0, result.stderr
    return result.stderr


def make_untracked_mess(repo: Path) -> None:
    """What a developer's checkout holds: a generated project, a venv, caches, stray files."""
    nested = repo / "generated"
    nested.mkdir()
    (nested / "app.py").write_text("print('hi')\n", encoding="utf-8")
    git(nested, "init", "-q")
    git(nested, "add", "-A")
    git(nested, "commit", "-qm", "nested")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").write_text("", encoding="utf-8")
    cache = repo / "template" / "__pycache__"
    cache.mkdir()
    (cache / "x.cpython-311.pyc").write_bytes(b"\0")
    (repo / "scratch.txt").write_text("notes\n", encoding="utf-8")


def test_untracked_things_in_the_checkout_change_nothing(checkout: Path, tmp_path: Path) -> None:
    new("clean", str(tmp_path / "clean"), "-y", "--no-git")
    make_untracked_mess(checkout)
    new("clean", str(tmp_path / "messy"), "-y", "--no-git")
    assert tree(tmp_path / "messy") == tree(tmp_path / "clean")
    assert not (tmp_path / "messy" / "generated").exists()


def test_a_project_from_a_checkout_records_what_copier_update_needs(
    checkout: Path, tmp_path: Path
) -> None:
    make_untracked_mess(checkout)
    new("svc", str(tmp_path / "svc"), "-y")
    answers = recorded(tmp_path / "svc")
    assert answers["_src_path"] == str(checkout)
    assert answers["_commit"] == git(checkout, "describe", "--tags", "--always").strip()
    assert str(answers["_commit"]).startswith("v1-1-g")


def test_the_answers_file_is_the_one_copier_writes_itself(checkout: Path, tmp_path: Path) -> None:
    """Byte for byte: a later `copier update` must not see an edit in it."""
    import copier

    new("svc", str(tmp_path / "cli"), "-y", "--no-git")
    copier.run_copy(
        str(checkout),
        str(tmp_path / "native"),
        data={"project_name": "svc"},
        defaults=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    native = (tmp_path / "native" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert (tmp_path / "cli" / ".copier-answers.yml").read_text(encoding="utf-8") == native


def test_a_project_made_inside_the_checkout_keeps_the_checkout_clean(checkout: Path) -> None:
    """The README's command 1: `./myapi` in the clone; plain copier then still renders it."""
    import copier

    stderr = new("myapi", str(checkout / "myapi"), "-y")
    assert "ignore  myapi/ in this checkout (.git/info/exclude)" in stderr
    assert git(checkout, "status", "--porcelain") == ""
    new("again", str(checkout / "again"), "-y")  # a second one, from the same checkout
    assert git(checkout, "status", "--porcelain") == ""
    exclude = (checkout / ".git" / "info" / "exclude").read_text(encoding="utf-8")
    assert exclude.splitlines()[-2:] == ["/myapi/", "/again/"]
    copier.run_copy(  # what the template tests and `copier copy <clone>` do
        str(checkout),
        str(checkout.parent / "plain"),
        data={"project_name": "plain"},
        defaults=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    assert (checkout.parent / "plain" / "pyproject.toml").is_file()


def test_the_same_folder_is_excluded_once(checkout: Path) -> None:
    new("myapi", str(checkout / "myapi"), "-y", "--no-git")
    shutil.rmtree(checkout / "myapi")
    stderr = new("myapi", str(checkout / "myapi"), "-y", "--no-git")
    assert "ignore" not in stderr
    exclude = (checkout / ".git" / "info" / "exclude").read_text(encoding="utf-8")
    assert exclude.count("/myapi/") == 1


def test_a_project_outside_the_checkout_leaves_its_exclude_alone(
    checkout: Path, tmp_path: Path
) -> None:
    before = (checkout / ".git" / "info" / "exclude").read_bytes()
    stderr = new("svc", str(tmp_path / "svc"), "-y", "--no-git")
    assert "ignore" not in stderr
    assert (checkout / ".git" / "info" / "exclude").read_bytes() == before


def test_a_development_builds_template_records_no_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain folder (the wheel's copy) of no release has no history: copier records none.

    (A release's records its URL and tag: tests/test_release.py.)
    """
    monkeypatch.setattr(template_source, "release_tag", lambda: None)
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy2(template_root() / "copier.yml", plain / "copier.yml")
    shutil.copytree(template_root() / "template", plain / "template")
    monkeypatch.setattr(scaffold, "template_root", lambda: plain)
    new("svc", str(tmp_path / "svc"), "-y", "--no-git")
    answers = recorded(tmp_path / "svc")
    assert "_commit" not in answers
    assert answers["_src_path"] == str(plain)


def test_this_checkout_renders_although_it_is_dirty(tmp_path: Path) -> None:
    """The real checkout, as it is right now (a session's uncommitted work included)."""
    scaffold_bin = Path(sys.executable).with_name("fastapi-scaffold")
    result = subprocess.run(
        [str(scaffold_bin), "new", "svc", "-y", "--no-git"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert recorded(tmp_path / "svc")["_src_path"] == str(template_root())


def test_a_copy_for_rendering_links_and_a_copy_to_edit_is_its_own(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text("name: {type: str}\n")
    (root / "template" / "README.md.jinja").write_text("# {{ name }}\n")
    edited, rendered = tmp_path / "edited", tmp_path / "rendered"
    edited.mkdir()
    rendered.mkdir()

    template_source.copy_template(root, edited)
    template_source.copy_template(root, rendered, read_only=True)
    (edited / "template" / "README.md.jinja").write_text("changed\n")

    assert (root / "template" / "README.md.jinja").read_text() == "# {{ name }}\n"
    for relative in ("copier.yml", "template/README.md.jinja"):
        assert (rendered / relative).samefile(root / relative)  # a link: nothing copied
