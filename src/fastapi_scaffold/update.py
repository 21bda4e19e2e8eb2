"""`update` and `set`: a project takes a newer template, or other answers, through copier update.

The promise: nothing starts unless the project's work tree is clean, and a failure or an
interrupt puts it back to its last commit. A dry run updates a throwaway clone instead. Copier
leaves conflicts without failing; they are found here (unmerged files, `.rej` files, conflict
markers a migration left) and reported. A file the new render no longer has but that the user
changed stays, and is reported.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from fastapi_scaffold import gitops, stops
from fastapi_scaffold.answers_file import ANSWERS_FILE
from fastapi_scaffold.errors import Interrupted, ScaffoldError
from fastapi_scaffold.options import Answer
from fastapi_scaffold.template_source import canonical_url, history_bundle, release_tag

CONFLICT_STYLES = ("inline", "rej")
# The subject of the first commit `new` makes names the version that made the project.
_MADE_BY = re.compile(r"fastapi-scaffold (\S+)$")
_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|gh:|gl:)")
Progress = Callable[[str], None]


@dataclass
class UpdateRequest:
    """`update` (a newer template) or `set` (other answers, the same template version)."""

    path: Path
    to: str | None = None
    conflict: str = "inline"
    dry_run: bool = False
    answers: dict[str, Answer] = field(default_factory=dict)
    keep_version: bool = False


@dataclass(frozen=True)
class Recorded:
    """What the project's answers file says: its template, that template's version, answers."""

    src_path: str
    commit: str
    answers: dict[str, object]


@dataclass
class Updated:
    """What an update changed (a dry run: would change) in the project."""

    path: Path
    from_ref: str
    to_ref: str
    dry_run: bool
    # `set`: the answers it changes (the template version stays).
    answers: dict[str, Answer] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def find_project(path: Path) -> tuple[Path, Recorded]:
    """The project's folder and what it records, or the one line that says why not."""
    project = Path(path).expanduser().resolve()
    if not project.is_dir():
        raise ScaffoldError(f"{path} is not a folder")
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file():
        raise ScaffoldError(
            f"{project} has no {ANSWERS_FILE}: it was not made by fastapi-scaffold or copier",
            hint="give the project's own folder, e.g. fastapi-scaffold update path/to/myapi",
        )
    import yaml

    loaded = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
    return project, _recorded(project, loaded)


def _recorded(project: Path, loaded: Mapping[str, object]) -> Recorded:
    src_path, commit = loaded.get("_src_path"), loaded.get("_commit")
    problem = None
    if not src_path:
        problem = f"{ANSWERS_FILE} records no template (_src_path)"
    elif not _URL.match(str(src_path)) and not Path(str(src_path)).exists():
        problem = f"the template this project records is gone: {src_path}"
    elif not _URL.match(str(src_path)) and not gitops.is_repository_root(Path(str(src_path))):
        problem = f"the template this project records has no git history: {src_path}"
    elif not commit:
        problem = f"{ANSWERS_FILE} records no template version (_commit)"
    if problem is not None:
        raise ScaffoldError(problem, hint=_how_to_fix(project))
    answers = {key: value for key, value in loaded.items() if not key.startswith("_")}
    return Recorded(src_path=str(src_path), commit=str(commit), answers=answers)


def _how_to_fix(project: Path) -> str:
    """The exact lines to write: the template's URL and the tag of the release that made it."""
    url = canonical_url() or "<the template's git URL>"
    made_by = _made_by(project)
    tag = (release_tag(made_by) if made_by else None) or "v<the version that made it>"
    return (
        f"record the release it was made from: set `_src_path: {url}` and `_commit: {tag}` "
        f"in {ANSWERS_FILE}, commit, and run the command again"
    )


def _made_by(project: Path) -> str | None:
    try:
        subjects = gitops.output(project, "log", "--reverse", "--format=%s").splitlines()
    except gitops.GitFailed:
        return None
    match = _MADE_BY.search(subjects[0]) if subjects else None
    return match[1] if match else None


def check_clean(project: Path) -> None:
    """copier update needs a committed work tree (an untracked file counts as a change)."""
    try:
        changed = gitops.changes(project)
    except gitops.GitFailed as error:
        raise ScaffoldError(
            f"{project} is not a git repository ({error})",
            hint="copier update works on commits: git init && git add -A && git commit",
        ) from None
    if changed:
        raise ScaffoldError(
            f"{project} has uncommitted changes ({len(changed)} files): commit or stash them first",
            hint="`git status` lists them",
        )


def default_ref(recorded: Recorded) -> str | None:
    """The installed release's tag for a project of this template's URL; else the newest tag."""
    tag = release_tag()
    return tag if tag and recorded.src_path == canonical_url() else None


def update_project(request: UpdateRequest, progress: Progress) -> Updated:
    """Update the project (a dry run: a clone of it), or raise having changed nothing."""
    project, recorded = find_project(request.path)
    check_clean(project)
    target = recorded.commit if request.keep_version else request.to or default_ref(recorded)
    updated = Updated(
        path=project,
        from_ref=recorded.commit,
        to_ref=target or "the newest tag",
        dry_run=request.dry_run,
        answers=request.answers,
    )
    if target == recorded.commit and not request.answers:
        return updated  # already there
    try:
        with stops.as_interrupt(), _workspace(project, dry_run=request.dry_run) as work:
            _update(work, recorded, request, target, updated, progress)
    except KeyboardInterrupt:
        raise Interrupted() from None
    return updated


@contextmanager
def _workspace(project: Path, *, dry_run: bool) -> Iterator[Path]:
    """Where the update runs: a throwaway clone, or the project, put back if anything fails."""
    if dry_run:
        with _scratch_clone(project) as clone:
            yield clone
        return
    try:
        yield project
    except BaseException:
        with stops.held(drop=True):
            gitops.discard_changes(project)
        raise


def _update(
    work: Path,
    recorded: Recorded,
    request: UpdateRequest,
    target: str | None,
    updated: Updated,
    progress: Progress,
) -> None:
    from fastapi_scaffold.render import update_template  # imports copier

    with template_reach(recorded, target) as environment:
        offline = " (from the release history this CLI carries)" if environment else ""
        progress(f"update  {recorded.commit} -> {updated.to_ref}{offline}")
        update_template(
            work,
            vcs_ref=target,
            answers=request.answers,
            conflict=request.conflict,
            git_environment=environment,
        )
        updated.kept = _keep_edited_files(work, recorded, environment)
    updated.conflicts = find_conflicts(work)
    updated.changes = gitops.changes(work)
    updated.to_ref = str(_recorded_commit(work) or updated.to_ref)


@contextmanager
def template_reach(recorded: Recorded, target: str | None) -> Iterator[dict[str, str]]:
    """What copier's git needs to reach the template: for this CLI's own, nothing but the wheel.

    A project of this template's URL is updated from the release history the wheel carries
    (both versions in it): git's `url.<bundle>.insteadOf` sends the URL to the bundle, and a
    fresh copier cache keeps any earlier clone of the URL out of it. Otherwise: the URL.
    """
    bundle = history_bundle()
    wanted = {recorded.commit, target} - {None}
    if bundle is None or recorded.src_path != canonical_url() or not wanted <= _tags_in(bundle):
        yield {}
        return
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)  # after the user's own
    with tempfile.TemporaryDirectory(prefix="fastapi-scaffold-copier-cache-") as cache:
        yield {
            "GIT_CONFIG_COUNT": str(index + 1),
            f"GIT_CONFIG_KEY_{index}": f"url.{bundle}.insteadOf",
            f"GIT_CONFIG_VALUE_{index}": recorded.src_path,
            "COPIER_CACHE_DIR": cache,
        }


def _tags_in(bundle: Path) -> set[str | None]:
    try:
        heads = gitops.output(bundle.parent, "bundle", "list-heads", str(bundle))
    except gitops.GitFailed:
        return set()
    return {line.split()[-1].removeprefix("refs/tags/") for line in heads.splitlines() if line}


def _recorded_commit(project: Path) -> object:
    import yaml

    loaded = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    return loaded.get("_commit")


@contextmanager
def _scratch_clone(project: Path) -> Iterator[Path]:
    """A clone of the project's last commit (the work tree is clean: the same files)."""
    scratch: str | None = None
    try:
        with stops.held():
            scratch = tempfile.mkdtemp(prefix="fastapi-scaffold-dry-run-")
        clone = Path(scratch) / project.name
        gitops.output(Path(scratch), "clone", "--quiet", "--no-hardlinks", str(project), str(clone))
        yield clone
    finally:
        if scratch is not None:
            with stops.held(drop=True):
                shutil.rmtree(scratch, ignore_errors=True)


def _keep_edited_files(work: Path, recorded: Recorded, environment: Mapping[str, str]) -> list[str]:
    """Bring back each file the update removed that differs from its last render: user's work.

    Copier removes a file the new render lacks even when the user changed it. A migration that
    moves a file stages its removal (`git rm`), so only unstaged removals are looked at.
    """
    removed = [line[3:] for line in gitops.changes(work) if line.startswith(" D ")]
    if not removed:
        return []
    from fastapi_scaffold.render import copy_template  # imports copier

    kept = []
    with tempfile.TemporaryDirectory(prefix="fastapi-scaffold-last-render-") as scratch:
        last = Path(scratch) / "project"
        copy_template(
            recorded.src_path,
            last,
            {key: value for key, value in recorded.answers.items() if _is_answer(value)},
            interactive=False,
            vcs_ref=recorded.commit,
            git_environment=environment,
        )
        for relative in removed:
            rendered = last / relative
            committed = gitops.output(work, "cat-file", "blob", f"HEAD:{relative}")
            if not rendered.is_file() or rendered.read_text(encoding="utf-8") != committed:
                gitops.output(work, "checkout", "HEAD", "--", relative)
                kept.append(relative)
    return kept


def _is_answer(value: object) -> TypeGuard[Answer]:
    return isinstance(value, str | bool)


def find_conflicts(work: Path) -> list[str]:
    """Files an update left for the user to resolve: unmerged, rejected or with markers."""
    unmerged = gitops.output(work, "diff", "--name-only", "--diff-filter=U").splitlines()
    rejected = [
        str(path.relative_to(work))
        for path in work.rglob("*.rej")
        if ".git" not in path.relative_to(work).parts
    ]
    marked = [path for path in _changed_files(work) if _has_markers(work / path)]
    return sorted({*unmerged, *rejected, *marked})


def _changed_files(work: Path) -> list[str]:
    return [
        line[3:].split(" -> ")[-1]
        for line in gitops.changes(work)
        if "D" not in line[:2] and not line.endswith(".rej")
    ]


def _has_markers(path: Path) -> bool:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("<<<<<<< ") for line in lines) and any(
        line.startswith(">>>>>>> ") for line in lines
    )
