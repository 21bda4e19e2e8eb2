"""git for `new` and `update`: the first commit, what a checkout records, a project's state.

Every git process runs with the user's identity and configuration but without the variables
that point git at another repository (a hook or a `git rebase --exec` sets them), so `new`
never reads or writes any repository but the one it means.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# What `git rev-parse --local-env-vars` lists, less the configuration ones (GIT_CONFIG*), which
# are the user's own settings; plus the few that also steer repository discovery.
REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_NAMESPACE",
        "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_QUARANTINE_PATH",
    }
)

# Used only when the user has no git identity configured, so the first commit still happens.
_FALLBACK_IDENTITY = (
    "-c",
    "user.name=fastapi-scaffold",
    "-c",
    "user.email=fastapi-scaffold@localhost",
)


class GitFailed(Exception):
    """git is missing or failed; whatever it had made is removed again."""


def clean_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without the variables that would point git at another repository."""
    source = os.environ if environ is None else environ
    return {key: value for key, value in source.items() if key not in REPOSITORY_VARIABLES}


def git_available() -> bool:
    return shutil.which("git") is not None


def is_repository(path: Path) -> bool:
    return (path / ".git").exists()


def initial_commit(project: Path, message: str, paths: Sequence[str] | None = None) -> None:
    """Initialise a repository in `project` and commit `paths` (everything when None).

    On any failure, or an interrupt, the `.git` it made is removed before the error goes on.
    """
    if not git_available():
        raise GitFailed("git is not installed")
    if is_repository(project):
        raise GitFailed(f"{project} is already a git repository")
    try:
        _git(project, "init", "--quiet")
        _git(project, "add", "--all", "--", *(paths or ["."]))
        identity = () if _has_identity(project) else _FALLBACK_IDENTITY
        _git(project, "commit", "--quiet", "--no-verify", "--message", message, config=identity)
    except GitFailed as error:
        made = (project / ".git").exists()
        shutil.rmtree(project / ".git", ignore_errors=True)
        raise GitFailed(f"{error}; removed the .git it made" if made else str(error)) from None
    except BaseException:  # an interrupt: undo, then let it go on
        shutil.rmtree(project / ".git", ignore_errors=True)
        raise


def describe(checkout: Path) -> str | None:
    """HEAD as copier records it in `_commit` (`v1-1-gabc1234`), or None if there is no commit."""
    try:
        result = _run_git(checkout, "describe", "--tags", "--always")
    except GitFailed:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def exclude_locally(checkout: Path, folder: Path) -> bool:
    """List `folder` (inside `checkout`) in the checkout's own `info/exclude`.

    That file is local to the clone and never committed; git, and so copier, then treat the
    folder as if it were not there. True when the line was added.
    """
    result = _run_git(checkout, "rev-parse", "--path-format=absolute", "--git-path", "info/exclude")
    if result.returncode != 0:
        return False
    exclude = Path(result.stdout.strip())
    line = "/" + folder.relative_to(checkout).as_posix() + "/"
    existing = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
    if line in existing.splitlines():
        return False
    exclude.parent.mkdir(parents=True, exist_ok=True)
    separator = "" if not existing or existing.endswith("\n") else "\n"
    with exclude.open("a", encoding="utf-8") as handle:
        handle.write(f"{separator}{line}\n")
    return True


def output(folder: Path, *args: str) -> str:
    """What `git ARGS` prints in `folder`, or GitFailed naming the failure."""
    result = _run_git(folder, *args)
    if result.returncode != 0:
        raise GitFailed(_failure(args, result))
    return result.stdout


def changes(project: Path) -> list[str]:
    """`git status --porcelain` lines (each untracked file too): empty for a clean tree."""
    status = output(project, "status", "--porcelain", "--untracked-files=all")
    return [line for line in status.splitlines() if line]


def is_repository_root(folder: Path) -> bool:
    """A bare repository, or the top of a work tree (not merely a folder inside one)."""
    try:
        if output(folder, "rev-parse", "--is-bare-repository").strip() == "true":
            return True
        top = output(folder, "rev-parse", "--show-toplevel").strip()
    except GitFailed:
        return False
    return Path(top).resolve() == folder.resolve()


def discard_changes(project: Path) -> None:
    """Put a work tree that was clean back to its last commit (an update that failed)."""
    output(project, "reset", "--hard", "--quiet", "HEAD")
    output(project, "clean", "-d", "--force", "--quiet")


def _has_identity(project: Path) -> bool:
    for key in ("user.name", "user.email"):
        result = _run_git(project, "config", key)
        if result.returncode != 0 or not result.stdout.strip():
            return False
    return True


def _git(project: Path, *args: str, config: Sequence[str] = ()) -> None:
    result = _run_git(project, *config, *args)
    if result.returncode != 0:
        raise GitFailed(_failure(args, result))


def _failure(args: Sequence[str], result: subprocess.CompletedProcess[str]) -> str:
    detail = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    reason = detail[-1].strip() if detail else f"exit code {result.returncode}"
    command = next(arg for arg in args if not arg.startswith("-"))
    return f"git {command} failed: {reason.removeprefix('fatal: ')}"


def _run_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=clean_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:  # e.g. git vanished, or no memory left to start it
        raise GitFailed(f"git could not run: {error.strerror or error}") from error
