"""Where the Copier template lives: inside the wheel, or at the root of a source checkout.

A checkout is rendered from a copy of its template (copier.yml and template/, what the wheel
carries), never from copier's view of the git repository: copier would clone a checkout with
uncommitted changes and replay its whole work tree, so a project generated inside it, a virtual
environment or a cache would change or break the render. The project then records the checkout
and its HEAD (`_src_path`, `_commit`) as copier itself would, so `copier update` works on it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from fastapi_scaffold import gitops
from fastapi_scaffold.errors import ScaffoldError

_PACKAGED = Path(__file__).resolve().parent / "_template"
_CHECKOUT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = ("copier.yml", "template")
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


def copy_template(root: Path, into: Path) -> Path:
    """Copy the template files of `root` into the empty folder `into`; return `into`."""
    shutil.copy2(root / "copier.yml", into / "copier.yml")
    shutil.copytree(root / "template", into / "template", symlinks=True, ignore=_NOT_TEMPLATE)
    return into


def provenance(root: Path) -> Provenance | None:
    """For a checkout: its path and HEAD, as copier records them. None for the wheel's copy."""
    if not is_checkout(root):
        return None
    return Provenance(src_path=str(root), commit=gitops.describe(root))
