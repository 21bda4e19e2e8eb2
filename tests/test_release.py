"""A release records its template's git URL and tag; `new --template` renders any source."""

from __future__ import annotations

from pathlib import Path

import copier
import pytest
from typer.testing import CliRunner

from fastapi_scaffold import scaffold, template_source
from fastapi_scaffold.cli import app
from fastapi_scaffold.template_source import (
    URL_VARIABLE,
    canonical_url,
    copy_template,
    release_tag,
    template_root,
)
from tests.gitrepos import bare_url, recorded, template_repo, tree

TAG = release_tag()


def new(*args: str) -> CliRunner:
    return CliRunner().invoke(app, ["new", "myapi", *args])


@pytest.fixture
def release_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """This template released as v<version> in a bare repository; `new` renders it as the wheel's.

    The packaged template is a plain folder (no git): what the installed wheel holds.
    """
    assert TAG is not None, "the package version is a release"
    repo = template_repo(tmp_path / "template-repo", tag=TAG)
    packaged = tmp_path / "site-packages" / "_template"
    packaged.mkdir(parents=True)
    copy_template(repo, packaged)
    monkeypatch.setattr(scaffold, "template_root", lambda: packaged)
    url = bare_url(repo, tmp_path / "template.git")
    monkeypatch.setenv(URL_VARIABLE, url)
    return url


def test_a_release_records_what_a_native_copy_of_its_tag_records(
    release_url: str, tmp_path: Path
) -> None:
    result = new(str(tmp_path / "made"), "-y")
    assert result.exit_code == 0, result.stderr
    copier.run_copy(
        release_url,
        str(tmp_path / "native"),
        data={"project_name": "myapi"},
        vcs_ref=TAG,
        defaults=True,
        quiet=True,
    )
    assert recorded(tmp_path / "made")["_src_path"] == release_url
    assert recorded(tmp_path / "made")["_commit"] == TAG
    assert tree(tmp_path / "made") == tree(tmp_path / "native")


def test_template_url_overrides_the_environment(release_url: str, tmp_path: Path) -> None:
    result = new(str(tmp_path / "made"), "-y", "--no-git", "--template-url", "https://x.test/t.git")
    assert result.exit_code == 0, result.stderr
    assert recorded(tmp_path / "made")["_src_path"] == "https://x.test/t.git"


def test_the_url_comes_from_the_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    assert canonical_url() == "https://github.com/fastapi-scaffold/fastapi-scaffold"


@pytest.mark.parametrize(
    ("version", "tag"),
    [("0.1.0", "v0.1.0"), ("1.2", "v1.2"), ("0.2.0.dev3", None), ("0.1.0+g1a2b", None)],
)
def test_only_a_release_version_has_a_tag(version: str, tag: str | None) -> None:
    assert release_tag(version) == tag


def test_a_development_build_records_no_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(template_source, "release_tag", lambda: None)
    assert template_source.provenance(copy_template(template_root(), tmp_path)) is None


def test_new_renders_another_source_at_a_ref(release_url: str, tmp_path: Path) -> None:
    result = new(
        str(tmp_path / "made"), "-y", "--no-git", "--template", release_url, "--vcs-ref", TAG
    )
    assert result.exit_code == 0, result.stderr
    answers = recorded(tmp_path / "made")
    assert (answers["_src_path"], answers["_commit"]) == (release_url, TAG)


def test_a_template_folder_is_recorded_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template_repo(tmp_path / "tpl", tag="v7")
    monkeypatch.chdir(tmp_path)
    result = new("made", "-y", "--no-git", "--template", "tpl")
    assert result.exit_code == 0, result.stderr
    answers = recorded(tmp_path / "made")
    assert (answers["_src_path"], answers["_commit"]) == (str(tmp_path / "tpl"), "v7")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--template", "no/such/folder"], "--template no/such/folder: no such folder"),
        (["--vcs-ref", "v1"], "--vcs-ref needs --template"),
        (["--template", ".", "--template-url", "https://x.test/t.git"], "--template-url is for"),
    ],
)
def test_template_options_refuse_what_cannot_work(
    args: list[str], message: str, tmp_path: Path
) -> None:
    result = new(str(tmp_path / "made"), "-y", *args)
    assert result.exit_code == 2
    assert f"error: {message}" in result.stderr
    assert not (tmp_path / "made").exists()
