"""`new`: check everything, render into a staging folder, move the result into place, commit."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fastapi_scaffold import __version__, gitops
from fastapi_scaffold.errors import Interrupted, ScaffoldError, UsageError
from fastapi_scaffold.options import Answer
from fastapi_scaffold.template_source import template_root

ANSWERS_FILE = ".copier-answers.yml"
# At most this many clashing paths are named in an error line.
SHOWN_CLASHES = 3


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
    """Create the project, or raise ScaffoldError having written nothing.

    Everything happens in a staging folder beside the destination, the first commit included;
    moving it into place is the last step. Only `--force` into a non-empty folder writes file by
    file, after checking that no file of the user's stands where the template needs a folder.
    """
    check_name(request.name)
    destination = resolve_destination(request.destination)
    merge = check_destination(destination, force=request.force)
    if request.interactive and not sys.stdin.isatty():
        raise UsageError(
            "cannot ask questions: standard input is not a terminal",
            hint="pass -y/--defaults and give answers as flags or --data KEY=VALUE",
        )
    from fastapi_scaffold.render import copy_template  # imports copier: keep `--help` fast

    answers = {**request.answers, "project_name": request.name}
    try:
        with _termination_as_interrupt(), _staging_area(destination) as staging:
            progress("render  template")
            copy_template(template_root(), staging, answers, interactive=request.interactive)
            generated = _relative_files(staging)
            progress(f"write   {len(generated)} files")
            replaced = _files_to_replace(destination, generated) if merge else []
            created = Created(path=destination, answers=_read_answers(staging), committed=False)
            if request.git and not merge:
                _commit(staging, None, created, progress)
            _place(staging, destination, generated, merge=merge)
    except KeyboardInterrupt:
        raise Interrupted() from None
    if replaced:
        created.warnings.append(f"replaced {len(replaced)} existing files: {', '.join(replaced)}")
    if request.git and merge:
        _commit(destination, generated, created, progress)
    return created


def next_steps(shown: Path, answers: dict[str, object]) -> list[str]:
    """The commands that take a new project from its folder to a running server."""
    steps = [f"cd {shlex.quote(str(shown))}", "uv sync", "uv run pytest"]
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


def resolve_destination(path: Path) -> Path:
    """The absolute folder to write; a symbolic link stands for the folder it points to."""
    destination = path.expanduser().absolute()
    if destination.is_symlink():
        if not destination.exists():
            target = os.readlink(destination)
            raise ScaffoldError(f"{destination} is a symbolic link to {target}, which is missing")
        return destination.resolve()
    return destination


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
def _termination_as_interrupt() -> Iterator[None]:
    """Let SIGTERM and SIGHUP stop `new` the way Ctrl-C does: the staging folder is removed."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous: dict[signal.Signals, object] = {}
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, interrupt)
    except ValueError:  # not the main thread, where handlers cannot be set: keep the defaults
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


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


def _files_to_replace(destination: Path, generated: list[str]) -> list[str]:
    """The user's files `--force` will replace; refuse, writing nothing, what it must not touch."""
    folders = sorted({folder for relative in generated for folder in Path(relative).parents[:-1]})
    clashes = [
        f"{folder} ({problem})"
        for folder in folders
        if (problem := _clash(destination / folder, wanted="a folder"))
    ]
    replaced = []
    for relative in generated:
        if problem := _clash(destination / relative, wanted="a file"):
            clashes.append(f"{relative} ({problem})")
        elif (destination / relative).exists():
            replaced.append(relative)
    if clashes:
        shown = ", ".join(clashes[:SHOWN_CLASHES])
        more = f" and {len(clashes) - SHOWN_CLASHES} more" if len(clashes) > SHOWN_CLASHES else ""
        raise ScaffoldError(
            f"cannot write into {destination}: {shown}{more}",
            hint="move those out of the way, then run the command again",
        )
    return replaced


def _clash(path: Path, *, wanted: str) -> str | None:
    """Why `path` must not be written as `wanted` ("a file" or "a folder"), or None."""
    if path.is_symlink():
        return "a symbolic link"
    if wanted == "a folder" and path.exists() and not path.is_dir():
        return "the template needs a folder there"
    if wanted == "a file" and path.is_dir():
        return "a folder where the template has a file"
    return None


def _place(staging: Path, destination: Path, generated: list[str], *, merge: bool) -> None:
    if merge:  # --force into a non-empty folder: checked by _files_to_replace
        for relative in generated:
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(staging / relative, target)
    elif destination.is_dir():  # empty, perhaps the working directory: keep the folder itself
        for entry in staging.iterdir():
            os.replace(entry, destination / entry.name)
    else:
        destination.parent.mkdir(parents=True, exist_ok=True)
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
