"""Where the Copier template lives: inside the wheel, or at the root of a source checkout."""

from __future__ import annotations

from pathlib import Path

from fastapi_scaffold.errors import ScaffoldError

_PACKAGED = Path(__file__).resolve().parent / "_template"
_CHECKOUT = Path(__file__).resolve().parents[2]


def template_root() -> Path:
    """The folder holding copier.yml (and `template/` beside it)."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if (candidate / "copier.yml").is_file() and (candidate / "template").is_dir():
            return candidate
    raise ScaffoldError(
        "the project template is missing from this installation",
        hint="reinstall fastapi-scaffold",
    )
