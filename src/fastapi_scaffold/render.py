"""The only module that imports copier: render the template and translate copier's failures."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fastapi_scaffold import gitops
from fastapi_scaffold.errors import Interrupted, ScaffoldError, UsageError
from fastapi_scaffold.options import Answer

_VALIDATION = re.compile(r"Validation error for question '(?P<name>\w+)': (?P<detail>.*)", re.S)
_REQUIRED = re.compile(r"Question '(?P<name>\w+)' is required")
_YIELD_TAG = re.compile(r"\{%-?\s*yield\b")
# What makes a string more than itself to Jinja: expressions, tags, comments, line breaks
# (which Jinja normalises).
_JINJA_SYNTAX = re.compile(r"\{[{%#]|[\r\n]")


def copy_template(
    template: Path | str,
    destination: Path,
    answers: Mapping[str, Answer],
    *,
    interactive: bool,
    vcs_ref: str | None = None,
    git_environment: Mapping[str, str] | None = None,
) -> None:
    """Render `template` (a folder, or any Copier source at `vcs_ref`) into `destination`.

    `destination` must not exist yet. Copier validates every answer (choices and the validators
    of copier.yml) before it writes.
    """
    import copier
    from copier.errors import (
        CopierAnswersInterrupt,
        DirtyLocalWarning,
        InteractiveSessionError,
    )

    # Questions go to stderr, with the progress lines: stdout is for the project's path, and
    # `cd "$(fastapi-scaffold new x)"` must still show them. Without questions to ask, copier's
    # own chatter (e.g. "No git tags found") is noise.
    if interactive:
        chatter: contextlib.AbstractContextManager[object] = contextlib.redirect_stdout(sys.stderr)
    else:
        chatter = contextlib.redirect_stderr(io.StringIO())
    try:
        with (
            warnings.catch_warnings(),
            chatter,
            _git_for_this_render_only(git_environment or {}),
            _render_lean(str(template)),
        ):
            warnings.simplefilter("ignore", DirtyLocalWarning)
            with _copier_failures("rendering"):
                copier.run_copy(
                    str(template),
                    str(destination),
                    data=dict(answers),
                    vcs_ref=vcs_ref,
                    defaults=not interactive,
                    quiet=True,
                    unsafe=False,
                )
    except CopierAnswersInterrupt:  # Ctrl-C at a question (it is also a CopierError)
        raise Interrupted() from None
    except InteractiveSessionError as error:
        # `new` asks only on a terminal, so reaching the end of its input is Ctrl-D.
        if isinstance(error.__cause__, EOFError):
            raise Interrupted() from None
        raise ScaffoldError(
            "cannot ask questions: no terminal", hint="pass -y/--defaults and answer with flags"
        ) from error


def update_template(
    project: Path,
    *,
    vcs_ref: str | None,
    answers: Mapping[str, Answer],
    conflict: str,
    git_environment: Mapping[str, str],
) -> None:
    """`copier update` of the git work tree `project`, asking nothing, with the changed `answers`.

    The template's migrations run (`unsafe`): the project records the template it trusts, and
    a migration is how a renamed file keeps the user's edits. Conflicts are no error here: the
    caller finds them. `git_environment` is set for copier's git (e.g. a bundle for a URL).
    """
    import copier

    with (
        contextlib.redirect_stdout(sys.stderr),
        contextlib.redirect_stderr(io.StringIO()),
        _git_for_this_render_only(git_environment),
        _copier_failures("updating"),
    ):
        copier.run_update(
            str(project),
            data=dict(answers),
            vcs_ref=vcs_ref,
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=True,
            conflict=conflict,  # type: ignore[arg-type]
        )


@contextlib.contextmanager
def _copier_failures(doing: str) -> Iterator[None]:
    """copier's failures as one-line ScaffoldErrors (a ValueError is a wrong answer)."""
    from copier.errors import CopierAnswersInterrupt, CopierError, InteractiveSessionError
    from jinja2 import UndefinedError
    from plumbum import ProcessExecutionError

    try:
        yield
    except (CopierAnswersInterrupt, InteractiveSessionError):  # the caller's to tell
        raise
    except ValueError as error:
        raise _answer_error(str(error)) from error
    except UndefinedError as error:
        raise ScaffoldError(
            f"the template failed to render: {error}",
            hint="this is a bug in fastapi-scaffold; please report it",
        ) from error
    except ProcessExecutionError as error:
        raise ScaffoldError(
            f"git failed while {doing}: {_first_line(str(error.stderr))}"
        ) from error
    except CopierError as error:
        raise ScaffoldError(_first_line(str(error))) from error


@contextlib.contextmanager
def _git_for_this_render_only(extra: Mapping[str, str] = MappingProxyType({})) -> Iterator[None]:
    """Copier's own git calls (plumbum) run without GIT_DIR, GIT_WORK_TREE and the like.

    `extra` variables are set for them (and for copier itself) during the render only.
    """
    from plumbum import local

    with local.env(**extra), _os_environment(extra):
        for name in gitops.REPOSITORY_VARIABLES & set(local.env.keys()):
            del local.env[name]
        yield


@contextlib.contextmanager
def _os_environment(extra: Mapping[str, str]) -> Iterator[None]:
    """Copier reads a few settings (COPIER_CACHE_DIR) from os.environ itself."""
    previous = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _render_lean(source: str) -> Iterator[None]:
    """Spare copier the repeated costs that were most of a render (see benchmarks/speed.py).

    Copier compiles every path segment (and the answers file's name) again each time it meets
    it, builds its whole render context for each (~900 times), asks git about the destination's
    index once per file written, and runs three git processes to learn whether a template folder
    is a repository or a bundle. `new` renders into a fresh staging folder that is no git
    repository, where git has nothing to say; a folder with no `.git` is neither (below); a
    string compiled once renders the same every time, a plain one renders as itself, and code
    compiled by an earlier run is kept (fastapi_scaffold.compiled). These hooks are copier
    internals, present in the pinned copier 9 (tests/test_render.py fails if they move, and
    proves the output identical).
    """
    import copier._template
    from copier._main import Worker
    from copier._user_data import AnswersMap

    built = Worker.__dict__["jinja_env"]  # a functools.cached_property
    environments: list[_LeanEnvironment] = []

    def jinja_env(worker: Worker) -> Any:
        environment = built.func(worker)
        if _default_syntax(environment):
            environments.append(_LeanEnvironment(environment))
        return environment

    lean_env = functools.cached_property(jinja_env)
    lean_env.__set_name__(Worker, "jinja_env")
    answers = _AnswersWhileRendering(Worker, AnswersMap)
    replacements: dict[tuple[object, str], object] = {
        (Worker, "jinja_env"): lean_env,
        (Worker, "_sync_git_index_executable_bit"): lambda *_: None,
        (Worker, "_render_string"): _plain_as_itself(Worker._render_string),
        (Worker, "answers_relpath"): property(
            _plain_answers_file(vars(Worker)["answers_relpath"].fget)
        ),
        # Functions, which become the worker's methods (a bound method would not).
        (Worker, "_render_template"): lambda worker: answers.render_template(worker),
        (Worker, "_answers_to_remember"): lambda worker: answers.to_remember(worker),
        (AnswersMap, "combined"): property(answers.combined),
        (copier._template, "load_template_config"): _kept_reading(
            copier._template.load_template_config
        ),
    }
    if _plain_folder(source):
        get_repo = copier._template.get_repo  # type: ignore[attr-defined]
        replacements[copier._template, "get_repo"] = lambda url: (
            None if url == source else get_repo(url)
        )
    with _replaced(replacements):
        yield
    for environment in environments:
        environment.cache.save()


@contextlib.contextmanager
def _replaced(replacements: Mapping[tuple[object, str], object]) -> Iterator[None]:
    """Each `owner.name` replaced for the duration, then put back as it was defined."""
    saved = {(owner, name): vars(owner)[name] for owner, name in replacements}
    try:
        for (owner, name), value in replacements.items():
            setattr(owner, name, value)
        yield
    finally:
        for (owner, name), value in saved.items():
            setattr(owner, name, value)


class _AnswersWhileRendering:
    """Copier's answers as they stand once asked, read once while it renders the files.

    Copier rebuilds its render context for each file and templated path segment (~180 times),
    and most of that is merging the answers (`AnswersMap.combined`) and choosing those to record
    (`_answers_to_remember`). Both are fixed while `_render_template` runs: copier writes
    answers only while asking (and updating), and a template, run in Jinja's sandbox, cannot
    change them. Outside that window both are copier's own.
    """

    def __init__(self, worker: Any, answers_map: Any) -> None:
        self.copier_render_template = worker._render_template
        self.copier_to_remember = worker._answers_to_remember
        self.copier_combined = answers_map.combined.fget
        self.combined_of: dict[int, Mapping[str, Any]] = {}  # by id of the AnswersMap
        self.remembered_of: dict[int, Mapping[str, Any]] = {}  # by id of the Worker

    def render_template(self, worker: Any) -> None:
        answers = worker.answers
        self.combined_of[id(answers)] = self.copier_combined(answers)
        self.remembered_of[id(worker)] = self.copier_to_remember(worker)
        try:
            self.copier_render_template(worker)
        finally:
            del self.combined_of[id(answers)], self.remembered_of[id(worker)]

    def to_remember(self, worker: Any) -> Mapping[str, Any]:
        remembered = self.remembered_of.get(id(worker))
        return self.copier_to_remember(worker) if remembered is None else dict(remembered)

    def combined(self, answers: Any) -> Mapping[str, Any]:
        combined = self.combined_of.get(id(answers))
        return self.copier_combined(answers) if combined is None else dict(combined)


def _kept_reading(read_config: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Copier's reading of copier.yml, kept by content (fastapi_scaffold.copier_yml)."""
    import copier
    import yaml

    from fastapi_scaffold.copier_yml import kept_reading

    reader = f"copier {copier.__version__}, PyYAML {yaml.__version__}"

    def lean(conf_path: Path, quiet: bool = False) -> dict[str, Any]:
        return kept_reading(conf_path, lambda path: read_config(path, quiet), reader)

    return lean


def _plain_folder(source: str) -> bool:
    """A source copier's `get_repo` takes for no repository and no bundle, without asking git.

    For an absolute path it asks git whether the folder is the top of a work tree (only a folder
    holding `.git` is, its own environment variables aside, which a render clears) or a bundle
    (only a file can be); a name ending in `.git` is a repository's URL to it.
    """
    path = Path(source)
    return (
        path.is_absolute()
        and not source.endswith(".git")
        and path.is_dir()
        and not os.path.lexists(path / ".git")
    )


def _default_syntax(environment: Any) -> bool:
    """Jinja's own delimiters, which the plain and `yield` patterns above are written for."""
    return (
        (environment.block_start_string, environment.variable_start_string) == ("{%", "{{")
        and environment.comment_start_string == "{#"
        and environment.line_statement_prefix is None
        and environment.line_comment_prefix is None
    )


def _plain_as_itself(render_string: Callable[..., str]) -> Callable[..., str]:
    """Copier builds its whole render context for every string; a plain one needs none."""

    def lean(worker: Any, string: str, extra_context: object = None) -> str:
        template = worker.jinja_env.from_string(string)
        if isinstance(template, _Plain):
            return str(template)
        return render_string(worker, string, extra_context)

    return lean


def _plain_answers_file(answers_relpath: Callable[[Any], Path]) -> Callable[[Any], Path]:
    """Copier renders the answers file's name at every path it renders (~400 times)."""

    def lean(worker: Any) -> Path:
        name = worker.answers_file or worker.template.answers_relpath
        if isinstance(worker.jinja_env.from_string(str(name)), _Plain):
            return Path(str(name))
        return answers_relpath(worker)

    return lean


class _LeanEnvironment:
    """Takes over an environment's `from_string` and `compile` for the length of one render."""

    def __init__(self, environment: Any) -> None:
        from fastapi_scaffold.compiled import CompiledCache

        self.cache = CompiledCache.for_environment(environment)
        self.templates: dict[str, Any] = {}
        self.yield_seen = False
        self.compile_source = environment.compile
        self.template_from_string = environment.from_string
        environment.compile = self.compile
        environment.from_string = self.from_string

    def from_string(self, source: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or self._yields(source):
            return self.template_from_string(source, *args, **kwargs)
        if source not in self.templates:
            # Most path segments are plain names: nothing to compile.
            is_plain = _JINJA_SYNTAX.search(source) is None
            template = _Plain(source) if is_plain else self.template_from_string(source)
            self.templates[source] = template
        return self.templates[source]

    def compile(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        """Jinja's `compile(source, name, filename)`, of the files and strings alike."""
        if not isinstance(source, str) or len(args) > 2 or kwargs or self._yields(source):
            return self.compile_source(source, *args, **kwargs)
        name, filename = (*args, None, None)[:2]
        return self.cache.code(self.compile_source, source, name, filename)

    def _yields(self, source: str) -> bool:
        """A `yield` tag keeps state in the environment between compiling and rendering
        (copier's YieldExtension): once a template has one, compile everything again, as copier
        does."""
        self.yield_seen = self.yield_seen or _YIELD_TAG.search(source) is not None
        return self.yield_seen


class _Plain(str):
    """A string with no Jinja in it, standing in for its template: it renders as itself."""

    __slots__ = ()

    def render(self, *args: object, **kwargs: object) -> str:
        return str(self)


def _answer_error(text: str) -> ScaffoldError:
    flag_hint = "give another value with --{flag} (or --data {name}=...)"
    if match := _VALIDATION.match(text):
        name = match["name"]
        detail = _first_line(match["detail"])
        hint = flag_hint.format(flag=name.replace("_", "-"), name=name)
        if name == "project_name":
            hint = "choose a name that starts with a letter, e.g. fastapi-scaffold new my-api"
        elif name in {"project_slug", "package_name"}:
            hint = f"choose another project name, or {hint}"
        return UsageError(detail, hint=hint)
    if match := _REQUIRED.search(text):
        name = match["name"]
        return UsageError(
            f"no answer for {name}",
            hint=flag_hint.format(flag=name.replace("_", "-"), name=name),
        )
    return ScaffoldError(_first_line(text))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"
