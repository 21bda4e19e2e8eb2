"""`new`: check everything, render into a staging folder, move the result into place, commit."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fastapi_scaffold import __version__, gitops
from fastapi_scaffold.errors import ScaffoldError, UsageError
from fastapi_scaffold.options import Answer
from fastapi_scaffold.template_source import template_root

ANSWERS_FILE = ".copier-answers.yml"


@dataclass
class NewProject:
    """A request to create one project."""

    name: str
    destination: Path
    answers: dict[str, Answer]
    interactive: bool = False
    force: bool = False
    git: bool = True


@dataclass
class Created:
    """What `create_project` made."""

    path: Path
    answers: dict[str, object]
    committed: bool
    warnings: list[str] = field(default_factory=list)


Progress = Callable[[str], None]


def create_project(request: NewProject, progress: Progress) -> Created:
    """Create the project, or raise ScaffoldError having written nothing."""
    check_name(request.name)
    destination = request.destination.expanduser().absolute()
    merge = check_destination(destination, force=request.force)
    if request.interactive and not sys.stdin.isatty():
        raise UsageError(
            "cannot ask questions: standard input is not a terminal",
            hint="pass -y/--defaults and give answers as flags or --data KEY=VALUE",
        )
    from fastapi_scaffold.render import copy_template  # imports copier: keep `--help` fast

    answers = {**request.answers, "project_name": request.name}
    with _staging_area(destination) as staging:
        progress("render  template")
        copy_template(template_root(), staging, answers, interactive=request.interactive)
        generated = _relative_files(staging)
        _place(staging, destination, merge=merge)
    progress(f"write   {len(generated)} files")
    created = Created(path=destination, answers=_read_answers(destination), committed=False)
    if request.git:
        _commit(destination, generated if merge else None, created, progress)
    return created


def next_steps(shown: Path, answers: dict[str, object]) -> list[str]:
    """The commands that take a new project from its folder to a running server."""
    steps = [f"cd {shown}", "uv sync", "uv run pytest"]
    if answers.get("database", "none") != "none" and answers.get("migrations"):
        steps.append("uv run alembic upgrade head")
    steps.append(f"uv run fastapi dev src/{answers.get('package_name', 'app')}/main.py")
    return steps


def check_name(name: str) -> None:
    if not name.strip():
        raise UsageError(
            "the project name is empty", hint="for example: fastapi-scaffold new my-api"
        )
    if "/" in name or os.sep in name:
        raise UsageError(
            f"'{name}' is a path, not a project name",
            hint=f"give the folder separately: fastapi-scaffold new NAME {name}",
        )


def check_destination(destination: Path, *, force: bool) -> bool:
    """Refuse what cannot or must not be written; True when merging into an existing folder."""
    if destination.exists() and not destination.is_dir():
        raise ScaffoldError(f"{destination} exists and is not a folder")
    occupied = destination.is_dir() and any(destination.iterdir())
    if occupied and not force:
        raise ScaffoldError(
            f"{destination} already exists and is not empty",
            hint="choose another folder, or pass --force to write into it (files may be replaced)",
        )
    ancestor = _nearest_existing(destination)
    if not ancestor.is_dir():
        raise ScaffoldError(f"cannot create {destination}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ScaffoldError(f"cannot write to {ancestor}: permission denied")
    return occupied


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


@contextmanager
def _staging_area(destination: Path) -> Iterator[Path]:
    """A temporary folder beside the destination (same file system, so the move is a rename)."""
    parent = _nearest_existing(destination.parent)
    try:
        staging = tempfile.mkdtemp(prefix=".fastapi-scaffold-", dir=parent)
    except OSError as error:
        raise ScaffoldError(f"cannot write to {parent}: {error.strerror}") from error
    try:
        yield Path(staging) / (destination.name or "project")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _relative_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if not path.is_dir())


def _place(staging: Path, destination: Path, *, merge: bool) -> None:
    if merge:
        shutil.copytree(staging, destination, dirs_exist_ok=True)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.is_dir():
        destination.rmdir()  # empty: checked before rendering
    os.replace(staging, destination)


def _read_answers(project: Path) -> dict[str, object]:
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file():
        return {}
    loaded = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
    return {key: value for key, value in loaded.items() if not key.startswith("_")}


def _commit(project: Path, paths: list[str] | None, created: Created, progress: Progress) -> None:
    if paths is not None and gitops.is_repository(project):
        created.warnings.append(
            "the folder is already a git repository: review and commit the generated files yourself"
        )
        return
    try:
        gitops.initial_commit(
            project, f"Create project with fastapi-scaffold {__version__}", paths=paths
        )
    except gitops.GitUnavailable as error:
        created.warnings.append(f"{error}: the project was not committed (copier update needs git)")
        return
    created.committed = True
    progress("git     initial commit")
