"""The only module that imports copier: render the template and translate copier's failures."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

from fastapi_scaffold import gitops
from fastapi_scaffold.errors import Interrupted, ScaffoldError, UsageError
from fastapi_scaffold.options import Answer

_VALIDATION = re.compile(r"Validation error for question '(?P<name>\w+)': (?P<detail>.*)", re.S)
_REQUIRED = re.compile(r"Question '(?P<name>\w+)' is required")


def copy_template(
    template: Path,
    destination: Path,
    answers: Mapping[str, Answer],
    *,
    interactive: bool,
) -> None:
    """Render `template` (a plain folder) into `destination`, which must not exist yet.

    Copier validates every answer (choices and the validators of copier.yml) before it writes.
    """
    import copier
    from copier.errors import (
        CopierAnswersInterrupt,
        CopierError,
        DirtyLocalWarning,
        InteractiveSessionError,
    )
    from jinja2 import UndefinedError
    from plumbum import ProcessExecutionError

    # Questions go to stderr, with the progress lines: stdout is for the project's path, and
    # `cd "$(fastapi-scaffold new x)"` must still show them. Without questions to ask, copier's
    # own chatter (e.g. "No git tags found") is noise.
    if interactive:
        chatter: contextlib.AbstractContextManager[object] = contextlib.redirect_stdout(sys.stderr)
    else:
        chatter = contextlib.redirect_stderr(io.StringIO())
    try:
        with warnings.catch_warnings(), chatter, _git_for_this_render_only():
            warnings.simplefilter("ignore", DirtyLocalWarning)
            copier.run_copy(
                str(template),
                str(destination),
                data=dict(answers),
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
    except ValueError as error:
        raise _answer_error(str(error)) from error
    except UndefinedError as error:
        raise ScaffoldError(
            f"the template failed to render: {error}",
            hint="this is a bug in fastapi-scaffold; please report it",
        ) from error
    except ProcessExecutionError as error:
        raise ScaffoldError(
            f"git failed while rendering: {_first_line(str(error.stderr))}"
        ) from error
    except CopierError as error:
        raise ScaffoldError(_first_line(str(error))) from error


@contextlib.contextmanager
def _git_for_this_render_only() -> Iterator[None]:
    """Copier's own git calls (plumbum) run without GIT_DIR, GIT_WORK_TREE and the like."""
    from plumbum import local

    with local.env():
        for name in gitops.REPOSITORY_VARIABLES & set(local.env.keys()):
            del local.env[name]
        yield


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
