"""Where the Copier template lives: inside the wheel, or at the root of a source checkout.

A checkout is rendered from a copy of its template (copier.yml and template/, what the wheel
carries), never from copier's view of the git repository: copier would clone a checkout with
uncommitted changes and replay its whole work tree, so a project generated inside it, a virtual
environment or a cache would change or break the render. The project then records the checkout
and its HEAD (`_src_path`, `_commit`) as copier itself would, so `copier update` works on it.

The wheel of a release carries the template of that release's tag. A project it makes records
the template's canonical git URL and the tag `v<version>`, the answers file a native
`copier copy <url> -r v<version>` writes, so `copier update` works on it from any machine.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from fastapi_scaffold import __version__, gitops
from fastapi_scaffold.errors import ScaffoldError

_PACKAGED = Path(__file__).resolve().parent / "_template"
# The template's release history (every tag), which the wheel carries: see hatch_build.py.
_HISTORY = Path(__file__).resolve().parent / "_history" / "template-history.bundle"
_CHECKOUT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = ("copier.yml", "template")
DISTRIBUTION = "fastapi-scaffold"
URL_VARIABLE = "FASTAPI_SCAFFOLD_TEMPLATE_URL"
# The package metadata's [project.urls] entry that names the template's git repository.
_URL_LABEL = "Source"
# A release version, as opposed to a development or local build (`0.2.0.dev3`, `0.1.0+g1a2b`).
_RELEASE = re.compile(r"\d+(\.\d+)*")
# Never part of a template, wherever they turn up (copier.yml's _exclude drops them too).
_NOT_TEMPLATE = shutil.ignore_patterns("__pycache__", "*.py[co]", ".DS_Store")


def template_root() -> Path:
    """The folder holding copier.yml (and `template/` beside it)."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if (candidate / "copier.yml").is_file() and (candidate / "template").is_dir():
            return candidate
    raise ScaffoldError(
        "the project template is missing from this installation",
        hint="reinstall fastapi-scaffold",
    )


@dataclass(frozen=True)
class Provenance:
    """What a project records about its template so that `copier update` can run."""

    src_path: str
    commit: str | None


def is_checkout(root: Path) -> bool:
    """True when `root` is the top of a git work tree (a clone of this repository)."""
    return gitops.is_repository(root)


def copy_template(root: Path, into: Path, *, read_only: bool = False) -> Path:
    """Copy the template files of `root` into the empty folder `into`; return `into`.

    `read_only`: a copy nothing will write into (a render's) is hard links where the file system
    allows them, which is nothing to read or write; writing into it would change `root`.
    """
    copy = _link_or_copy if read_only else shutil.copy2
    copy(root / "copier.yml", into / "copier.yml")
    shutil.copytree(
        root / "template",
        into / "template",
        symlinks=True,
        ignore=_NOT_TEMPLATE,
        copy_function=copy,
    )
    return into


def _link_or_copy(source: Path | str, target: Path | str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def provenance(root: Path, template_url: str | None = None) -> Provenance | None:
    """What a project rendered from `root` records; None keeps what copier wrote.

    A checkout: its path and HEAD, as copier records them. The wheel of a release: the template's
    URL and the release tag. The wheel of a development build: nothing it could be updated from.
    """
    if is_checkout(root):
        return Provenance(src_path=str(root), commit=gitops.describe(root))
    tag = release_tag()
    url = template_url or canonical_url()
    if tag is None or url is None:
        return None
    return Provenance(src_path=url, commit=tag)


def release_tag(version: str = __version__) -> str | None:
    """`v<version>` for a release, None for a development or local build."""
    return f"v{version}" if _RELEASE.fullmatch(version) else None


def canonical_url() -> str | None:
    """The template's git URL: $FASTAPI_SCAFFOLD_TEMPLATE_URL, else the package metadata's."""
    if override := os.environ.get(URL_VARIABLE, "").strip():
        return override
    from importlib import metadata

    try:
        entries = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = str(entry).partition(",")
        if label.strip() == _URL_LABEL and url.strip():
            return str(url.strip())
    return None


def history_bundle() -> Path | None:
    """The git bundle of the template's releases inside the installed wheel, if it has one."""
    return _HISTORY if _HISTORY.is_file() else None
