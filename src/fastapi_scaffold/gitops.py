"""`git init` and the first commit of a generated project (so `copier update` works later)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

# Used only when the user has no git identity configured, so the first commit still happens.
_FALLBACK_IDENTITY = (
    "-c",
    "user.name=fastapi-scaffold",
    "-c",
    "user.email=fastapi-scaffold@localhost",
)


class GitUnavailable(Exception):
    """git is missing or failed; the project is complete without it."""


def git_available() -> bool:
    return shutil.which("git") is not None


def initial_commit(project: Path, message: str, paths: Sequence[str] | None = None) -> None:
    """Initialise a repository in `project` and commit `paths` (everything when None)."""
    if not git_available():
        raise GitUnavailable("git is not installed")
    _git(project, "init", "--quiet")
    _git(project, "add", "--all", "--", *(paths or ["."]))
    identity = () if _has_identity(project) else _FALLBACK_IDENTITY
    _git(project, "commit", "--quiet", "--no-verify", "--message", message, config=identity)


def is_repository(path: Path) -> bool:
    return (path / ".git").exists()


def _has_identity(project: Path) -> bool:
    for key in ("user.name", "user.email"):
        result = subprocess.run(
            ["git", "config", key], cwd=project, capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not result.stdout.strip():
            return False
    return True


def _git(project: Path, *args: str, config: Sequence[str] = ()) -> None:
    result = subprocess.run(
        ["git", *config, *args], cwd=project, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitUnavailable(f"git {args[0]} failed: {detail[0] if detail else result.returncode}")
