"""The repository is a plain Copier template, and the wheel carries that same template."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fastapi_scaffold.template_source import URL_VARIABLE, release_tag
from tests.gitrepos import UV, bare_url, run, template_repo, tree

ROOT = Path(__file__).resolve().parents[1]
# Lines of the answers file that say where a render came from, not what it is.
PROVENANCE = ("_src_path:", "_commit:")


def without_provenance(files: dict[str, bytes]) -> dict[str, bytes]:
    answers = files[".copier-answers.yml"].decode().splitlines(keepends=True)
    kept = "".join(line for line in answers if not line.startswith(PROVENANCE))
    return {**files, ".copier-answers.yml": kept.encode()}


def cli_render(scaffold: str, where: Path, *args: str, **extra_env: str) -> Path:
    run([scaffold, "new", "myapi", "-y", "--no-git", *args], where, **extra_env)
    return where / "myapi"


@pytest.fixture(scope="module")
def checkout_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scaffold = str(Path(sys.executable).with_name("fastapi-scaffold"))
    return cli_render(scaffold, tmp_path_factory.mktemp("checkout"))


def test_plain_copier_copy_equals_the_cli(tmp_path: Path, checkout_render: Path) -> None:
    copier = str(Path(sys.executable).with_name("copier"))
    run([copier, "copy", "--defaults", "--trust", "--quiet", str(ROOT), "myapi"], tmp_path)
    # From a checkout with uncommitted changes copier records a throwaway commit made at render
    # time, so `_commit` differs between any two renders; everything else must be equal.
    assert without_provenance(tree(tmp_path / "myapi")) == without_provenance(tree(checkout_render))


def test_the_wheel_renders_the_same_project(
    tmp_path_factory: pytest.TempPathFactory, checkout_render: Path
) -> None:
    """Build the wheel, install it in a fresh environment outside the checkout, run `new`.

    The wheel is a release: its project records the template's URL and the release tag, and is
    byte for byte what a native `copier copy <url> -r v<version>` makes (answers file included).
    """
    dist = tmp_path_factory.mktemp("dist")
    run([UV, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(ROOT)], ROOT)
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], dist)
    # Byte-compile as pip does: the template inside site-packages then grows __pycache__ folders,
    # which copier.yml's _exclude must keep out of the project.
    python = str(venv / "bin" / "python")
    run(
        [UV, "pip", "install", "--quiet", "--compile-bytecode", "--python", python, str(wheel)],
        dist,
    )
    # The release's tag in a remote of its own, reached by file:// (no network).
    tag = release_tag()
    assert tag is not None
    remote = tmp_path_factory.mktemp("remote")
    url = bare_url(template_repo(remote / "template", tag=tag), remote / "template.git")
    scaffold = str(venv / "bin" / "fastapi-scaffold")
    installed = cli_render(scaffold, tmp_path_factory.mktemp("wheel"), **{URL_VARIABLE: url})
    packaged = tree(installed)
    assert not [name for name in packaged if "__pycache__" in name or name.endswith(".pyc")]
    assert without_provenance(packaged) == without_provenance(tree(checkout_render))
    native = tmp_path_factory.mktemp("native")
    copier = str(Path(sys.executable).with_name("copier"))
    run([copier, "copy", "--defaults", "--quiet", "-r", tag, url, "myapi"], native)
    assert packaged == tree(native / "myapi")
