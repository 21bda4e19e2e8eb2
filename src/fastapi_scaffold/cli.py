"""Typer commands only: parse, call, report. `_run` is the one place errors become exit codes."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from fastapi_scaffold import __version__, console
from fastapi_scaffold.errors import ScaffoldError, UsageError
from fastapi_scaffold.options import (
    PRESETS,
    AnswerRequest,
    Question,
    build_answers,
    load_questions,
    show_answer,
)
from fastapi_scaffold.scaffold import NewProject, create_project, next_steps

PROG = "fastapi-scaffold"
QUESTIONS_PANEL = "Questions (copier.yml)"
# project_name is the NAME argument; every other question of copier.yml becomes a flag.
ARGUMENT_QUESTIONS = frozenset({"project_name"})


class _Group(TyperGroup):
    """Runs commands without click's own error printing, so `_run` reports every error alike."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        kwargs["standalone_mode"] = False
        parent_main = super().main
        code = _run(lambda: parent_main(*args, **kwargs))
        if standalone:
            sys.exit(code)
        return code


def _run(invoke: Callable[[], object]) -> int:
    """Invoke the command line; turn every failure into one `error:` line and an exit code."""
    # Typer vendors click; its usage errors (unknown option, missing argument) are ClickException.
    from typer._click.exceptions import ClickException

    try:
        result = invoke()
    except ScaffoldError as error:
        console.error(error.message, error.hint)
        return error.exit_code
    except ClickException as error:
        message = error.format_message()
        if message:  # empty when the help was shown instead (no arguments at all)
            console.error(message, f"run '{PROG} --help' for usage")
        return error.exit_code
    except typer.Exit as exit_:
        return exit_.exit_code
    except (typer.Abort, KeyboardInterrupt):
        console.error("interrupted: nothing was written")
        return 130
    except OSError as error:
        console.error(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return 1
    return result if isinstance(result, int) else 0


app = typer.Typer(
    cls=_Group,
    name=PROG,
    help="Generate layered FastAPI services that stay up to date with Copier.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.data(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate layered FastAPI services that stay up to date with Copier."""


def new(
    name: Annotated[
        str, typer.Argument(help="Project name; also the folder unless PATH is given.")
    ],
    path: Annotated[
        Path | None, typer.Argument(help="Folder to create (default: ./NAME).", show_default=False)
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", "-y", help="Ask nothing: answer from flags and defaults.")
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer any question (repeatable)."),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            help=f"Start from a set of answers: {', '.join(PRESETS)}.", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a non-empty folder, replacing files.")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
    *,
    question_flags: dict[str, Any],
) -> None:
    """Create a new FastAPI project."""
    questions = load_questions()
    answers = build_answers(
        AnswerRequest(preset=preset, data=data or [], flags=question_flags), questions
    )
    if answers.get("project_name", name) != name:
        raise UsageError(
            "project_name is given twice: as NAME and as --data",
            hint="the project name is the NAME argument; drop --data project_name=...",
        )
    request = NewProject(
        name=name,
        destination=path or Path(name),
        answers=answers,
        interactive=not defaults,
        force=force,
        git=not no_git,
    )
    created = create_project(request, progress=console.step)
    for warning in created.warnings:
        console.warning(warning)
    _report(created.path, created.answers, questions)
    console.data(str(created.path))


def _report(path: Path, answers: dict[str, object], questions: dict[str, Question]) -> None:
    switches = {
        name: show_answer(value)
        for name, value in answers.items()
        if name in questions and (questions[name].choices or questions[name].is_bool)
    }
    where = Path.cwd()
    shown = path.relative_to(where) if path.is_relative_to(where) else path
    console.summary(
        f"Created {answers.get('project_name', path.name)} in {shown}",
        switches,
        next_steps(shown, answers),
    )


def _question_parameter(question: Question) -> inspect.Parameter:
    """A Typer option for one copier.yml question: `--database postgresql`, `--no-migrations`."""
    # Parentheses, not brackets: Typer's rich help would read `[a, b]` as a markup tag.
    details = []
    if question.choices:
        details.append(", ".join(question.choices))
    if question.literal_default is not None:
        details.append(f"default: {show_answer(question.literal_default)}")
    help_text = question.help + (f" ({'; '.join(details)})" if details else "")
    names = f"{question.flag}/--no-{question.flag[2:]}" if question.is_bool else question.flag
    option = typer.Option(
        names, help=help_text, show_default=False, rich_help_panel=QUESTIONS_PANEL
    )
    annotation = (
        Annotated[bool | None, option] if question.is_bool else Annotated[str | None, option]
    )
    return inspect.Parameter(
        question.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


def _with_question_flags(
    command: Callable[..., None], questions: Sequence[Question]
) -> Callable[..., None]:
    """Give `command` one option per question; their values arrive as `question_flags`."""
    own = [
        parameter
        for parameter in inspect.signature(command, eval_str=True).parameters.values()
        if parameter.name != "question_flags"
    ]
    flags = [_question_parameter(question) for question in questions]
    names = {question.name for question in questions}

    def command_with_flags(**kwargs: Any) -> None:
        question_flags = {name: kwargs.pop(name) for name in names}
        command(**kwargs, question_flags=question_flags)

    parameters = own + flags
    command_with_flags.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command_with_flags.__annotations__ = {p.name: p.annotation for p in parameters}
    command_with_flags.__doc__ = command.__doc__
    return command_with_flags


app.command("new")(
    _with_question_flags(
        new,
        [q for name, q in load_questions().items() if name not in ARGUMENT_QUESTIONS],
    )
)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point."""
    return int(app(args=argv, prog_name=PROG, standalone_mode=False) or 0)
