"""A `_migrations` step for a release that renames or moves a generated file: edits follow it.

    _migrations:
      - version: v0.2.0
        command: "{{ _copier_python }} {{ _copier_conf.src_path }}/tools/carry_edits.py OLD NEW"

Copier runs it in the project after an update (the default `after` stage) from VERSION_FROM.
The update has rendered NEW as the new release has it and removed OLD, the user's edits with
it. This merges those edits (OLD at the project's last commit, against OLD as VERSION_FROM
rendered it) into NEW, with conflict markers where both sides changed the same lines, and stages
OLD's removal so that nothing brings OLD back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import yaml

TEMPLATE = Path(__file__).resolve().parents[1]


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def last_render(old: str, scratch: Path) -> str:
    """OLD as the previous release rendered it, with the project's recorded answers."""
    recorded = yaml.safe_load(git("show", "HEAD:.copier-answers.yml").stdout) or {}
    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    rendered = scratch / "last-render"
    copier.run_copy(
        str(TEMPLATE),
        str(rendered),
        data=answers,
        vcs_ref=os.environ["VERSION_FROM"],
        defaults=True,
        quiet=True,
    )
    path = rendered / old
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def carry(old: str, new: str) -> int:
    users = git("show", f"HEAD:{old}")
    if users.returncode != 0 or not Path(new).is_file():
        return 0  # the user removed OLD, or the release has no NEW for it: nothing to carry
    with tempfile.TemporaryDirectory(prefix="carry-edits-") as folder:
        scratch = Path(folder)
        base = last_render(old, scratch)
        if users.stdout != base:
            (scratch / "base").write_text(base, encoding="utf-8")
            (scratch / "users").write_text(users.stdout, encoding="utf-8")
            # Labelled as copier labels its own conflicts: the user's side first.
            labels = ["-L", "before updating", "-L", "last update", "-L", "after updating"]
            sides = [str(scratch / "users"), str(scratch / "base"), new]
            merged = git("merge-file", "--stdout", *labels, *sides)
            Path(new).write_text(merged.stdout, encoding="utf-8")
    git("rm", "--quiet", "--cached", "--ignore-unmatch", "--", old)
    return 0


if __name__ == "__main__":
    sys.exit(carry(*sys.argv[1:3]))
