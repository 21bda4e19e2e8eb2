"""`new`: check everything, render into a staging folder, move the result into place, commit.

The promise: until `create_project` returns, a failure, Ctrl-C, SIGTERM or SIGHUP leaves the
user's folders as they were. Everything is made in a staging folder first (the first commit
included); the few changes to the user's folder itself are journaled and undone on the way out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from fastapi_scaffold import __version__, gitops, stops
from fastapi_scaffold.answers_file import read_answers, record_provenance
from fastapi_scaffold.errors import Cancelled, Interrupted, ScaffoldError, UsageError
from fastapi_scaffold.options import Answer, check_package_name
from fastapi_scaffold.template_source import (
    copy_template,
    is_checkout,
    provenance,
    template_root,
)

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
    dry_run: bool = False
    # `--template`: any Copier source instead of the packaged template, at `--vcs-ref`.
    template: str | None = None
    vcs_ref: str | None = None
    # `--template-url`: what a release records as its template's URL.
    template_url: str | None = None


@dataclass
class Plan:
    """What `new` writes: the rendered answers and files, and the user's files it replaces."""

    path: Path
    answers: dict[str, object]
    files: list[str]
    replaced: list[str]


@dataclass
class Created:
    """What `create_project` made (or, for a dry run, would make)."""

    plan: Plan
    dry_run: bool = False
    committed: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.plan.path

    @property
    def answers(self) -> dict[str, object]:
        return self.plan.answers


Progress = Callable[[str], None]
# Shown the plan before anything is written (interactive runs); False cancels.
Confirm = Callable[[Plan], bool]


def create_project(
    request: NewProject, progress: Progress, confirm: Confirm | None = None
) -> Created:
    """Create the project, or raise ScaffoldError having changed nothing."""
    check_name(request.name)
    destination = resolve_destination(request.destination)
    merge = check_destination(destination, force=request.force)
    if request.interactive and not stdin_is_terminal():
        raise UsageError(
            "cannot ask questions: standard input is not a terminal",
            hint="pass -y/--defaults and give answers as flags, --data or --data-file",
        )
    try:
        with stops.as_interrupt(), _staging_area(destination) as staging:
            plan = _render(request, staging, destination, merge, progress)
            created = Created(plan=plan, dry_run=request.dry_run)
            if request.dry_run:
                return created
            if confirm is not None and not confirm(plan):
                raise Cancelled()
            progress(f"write   {len(plan.files)} files")
            _write(request, staging / "project", created, merge=merge, progress=progress)
    except KeyboardInterrupt:
        raise Interrupted() from None
    if plan.replaced:
        created.warnings.append(
            f"replaced {len(plan.replaced)} existing files: {', '.join(plan.replaced)}"
        )
    _keep_checkout_clean(destination, progress, created)
    return created


def _render(
    request: NewProject, staging: Path, destination: Path, merge: bool, progress: Progress
) -> Plan:
    """Render into `staging/project` and check the result against the destination."""
    from fastapi_scaffold.render import copy_template as render_template  # imports copier

    project = staging / "project"
    answers = {**request.answers, "project_name": request.name}
    try:
        if request.template is not None:  # copier records the source itself
            progress(f"render  {request.template}")
            render_template(
                request.template,
                project,
                answers,
                interactive=request.interactive,
                vcs_ref=request.vcs_ref,
            )
        else:
            _render_packaged(request, project, answers, progress)
    except OSError as error:
        raise _write_error(error, destination) from error
    rendered = read_answers(project)
    check_package_name(str(rendered.get("package_name", "")))
    files = _relative_files(project)
    replaced = _files_to_replace(destination, files) if merge else []
    return Plan(path=destination, answers=rendered, files=files, replaced=replaced)


def _render_packaged(
    request: NewProject, project: Path, answers: dict[str, Answer], progress: Progress
) -> None:
    from fastapi_scaffold.render import copy_template as render_template  # imports copier

    root = template_root()
    with _template_files(root) as template:
        progress("render  template")
        render_template(template, project, answers, interactive=request.interactive)
    source = provenance(root, request.template_url)
    if source is not None:
        record_provenance(project, source)


def template_source(given: str) -> str:
    """`--template` as copier must record it: a URL as typed, a folder as an absolute path."""
    if "://" in given or re.match(r"^[\w.-]+@[\w.-]+:", given) or given.startswith(("gh:", "gl:")):
        return given
    folder = Path(given).expanduser()
    if not folder.is_dir():
        raise UsageError(
            f"--template {given}: no such folder",
            hint="give a folder holding copier.yml, or a git URL",
        )
    return str(folder.resolve())


@contextmanager
def _template_files(root: Path) -> Iterator[Path]:
    """The folder to render: a copy of a checkout's template files, or the installed template.

    The copy lives in the system's temporary folder, not beside the user's.
    """
    if not is_checkout(root):
        yield root
        return
    copy: str | None = None
    try:
        with stops.held():  # made and known as one step: an interrupt cannot leave it behind
            copy = tempfile.mkdtemp(prefix="fastapi-scaffold-template-")
        yield copy_template(root, Path(copy), read_only=True)  # copier only reads it
    finally:
        if copy is not None:
            with stops.held(drop=True):
                shutil.rmtree(copy, ignore_errors=True)


def _write(
    request: NewProject, project: Path, created: Created, *, merge: bool, progress: Progress
) -> None:
    """Commit (in staging when the folder is new) and move the project into place."""
    destination = created.path
    if request.git and not merge:
        _commit(project, None, created, progress)
    try:
        with _Journal(destination) as journal:
            if merge:
                journal.merge(project, created.plan.files)
                if request.git:
                    if not gitops.is_repository(destination):
                        journal.note_added(destination / ".git")
                    _commit(destination, created.plan.files, created, progress)
            else:
                journal.move_in(project)
    except OSError as error:
        raise _write_error(error, destination) from error


def next_steps(shown: Path, answers: dict[str, object]) -> list[str]:
    """The commands that take a new project from its folder to a running server."""
    steps = [f"cd {shlex.quote(str(shown))}", "uv sync", "uv run pytest"]
    if answers.get("database", "none") != "none" and answers.get("migrations"):
        steps.append("uv run alembic upgrade head")
    steps.append(f"uv run fastapi dev src/{answers.get('package_name', 'app')}/main.py")
    return steps


def stdin_is_terminal() -> bool:
    """False for a pipe, a file, and a closed standard input (`0<&-`, where it is None)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        return False


def check_name(name: str) -> None:
    if not name.strip():
        raise UsageError(
            "the project name is empty", hint="for example: fastapi-scaffold new my-api"
        )
    if "/" in name or os.sep in name or name in {".", ".."}:
        raise UsageError(
            f"'{name}' is a path, not a project name",
            hint=f"give the folder separately: fastapi-scaffold new NAME {name}",
        )


def resolve_destination(path: Path) -> Path:
    """The absolute folder to write (`..` resolved); a symbolic link stands for its target."""
    destination = Path(os.path.abspath(path.expanduser()))
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
    return occupied


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def _write_error(error: OSError, destination: Path) -> ScaffoldError:
    """An OSError as one line that names the user's path, not the staging folder."""
    reason = error.strerror or str(error)
    return ScaffoldError(f"cannot write {destination}: {reason}")


@contextmanager
def _staging_area(destination: Path) -> Iterator[Path]:
    """A temporary folder beside the destination (same file system, so the move is a rename)."""
    parent = _nearest_existing(destination.parent)
    staging: str | None = None
    try:
        with stops.held():  # made and known as one step: an interrupt cannot leave it behind
            try:
                staging = tempfile.mkdtemp(prefix=".fastapi-scaffold-", dir=parent)
            except OSError as error:
                raise ScaffoldError(f"cannot write to {parent}: {error.strerror}") from error
        yield Path(staging)
    finally:
        if staging is not None:
            with stops.held(drop=True):
                shutil.rmtree(staging, ignore_errors=True)


class _Journal:
    """Every change to the user's folder, in order, so that a failure can undo all of them.

    Each step is noted before it is taken; undoing a step that was not taken is a no-op, so an
    interrupt between the note and the step is safe. A file that is replaced is first renamed
    into a backup folder inside the destination (the same file system: the rename is atomic).
    """

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self.steps: list[tuple[str, Path]] = []
        self.backup: Path | None = None

    def __enter__(self) -> _Journal:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        with stops.held(drop=True):
            if kind is not None:
                self._undo()
            if self.backup is not None:
                shutil.rmtree(self.backup, ignore_errors=True)

    def move_in(self, project: Path) -> None:
        """The destination is missing or empty: it becomes the project."""
        self._make_folders(self.destination.parent)
        if self.destination.is_dir():  # empty, perhaps the working directory: keep the folder
            for entry in sorted(project.iterdir()):
                self._put(entry, self.destination / entry.name)
            return
        self.steps.append(("added", self.destination))
        os.replace(project, self.destination)

    def note_added(self, path: Path) -> None:
        """`path` is about to be made by someone else (git): undo removes it too."""
        self.steps.append(("added", path))

    def merge(self, project: Path, files: list[str]) -> None:
        """--force: put each file in place, renaming the user's file of that name aside."""
        for relative in files:
            target = self.destination / relative
            self._make_folders(target.parent)
            self._put(project / relative, target)

    def _put(self, source: Path, target: Path) -> None:
        if target.exists() or target.is_symlink():
            saved = self._saved(target, make=True)
            self.steps.append(("replaced", target))
            os.replace(target, saved)
        else:
            self.steps.append(("added", target))
        shutil.move(source, target)

    def _make_folders(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            self.steps.append(("made", path))
            path.mkdir()

    def _saved(self, target: Path, *, make: bool = False) -> Path:
        """Where the user's `target` is kept until the end (`make`: create its folder)."""
        if self.backup is None:
            with stops.held():  # made and known as one step (removed by __exit__)
                prefix = ".fastapi-scaffold-saved-"
                self.backup = Path(tempfile.mkdtemp(prefix=prefix, dir=self.destination))
        saved = self.backup / target.relative_to(self.destination)
        if make:
            saved.parent.mkdir(parents=True, exist_ok=True)
        return saved

    def _undo(self) -> None:
        for kind, path in reversed(self.steps):
            if kind == "added":
                _remove(path)
            elif kind == "replaced":
                saved = self._saved(path)
                if saved.exists() or saved.is_symlink():
                    _remove(path)
                    os.replace(saved, path)
            elif kind == "made":
                with suppress(OSError):
                    path.rmdir()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


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
    except gitops.GitFailed as error:
        reason = str(error).replace(str(project), str(created.path))  # not the staging folder
        created.warnings.append(
            f"{reason}: the project was not committed (copier update needs git)"
        )
        return
    created.committed = True
    progress("git     initial commit")


def _keep_checkout_clean(destination: Path, progress: Progress, created: Created) -> None:
    """A project made inside the template's own checkout is excluded from that checkout.

    Otherwise the checkout is dirty from then on, and copier (`copier copy` of the checkout, the
    template's own tests) would replay it with the project as a nested repository, and fail.
    """
    root = template_root()
    if not (destination.is_relative_to(root) and destination != root and is_checkout(root)):
        return
    try:
        excluded = gitops.exclude_locally(root, destination)
    except (OSError, gitops.GitFailed) as error:
        created.warnings.append(
            f"could not list {destination} in {root}/.git/info/exclude: {error}"
        )
        return
    if excluded:
        progress(f"ignore  {destination.relative_to(root)}/ in this checkout (.git/info/exclude)")
