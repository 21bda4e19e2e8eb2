"""Typer commands only: parse, call, report. `_run` is the one place errors become exit codes."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from fastapi_scaffold import __version__, console, stops
from fastapi_scaffold.errors import Cancelled, Interrupted, ScaffoldError, UsageError
from fastapi_scaffold.helptext import PlainGroup, Section, SectionedCommand
from fastapi_scaffold.options import (
    PRESETS,
    Answer,
    AnswerRequest,
    Question,
    build_answers,
    changed_answers,
    describe_preset,
    load_questions,
    show_answer,
)
from fastapi_scaffold.scaffold import (
    Created,
    NewProject,
    Plan,
    create_project,
    next_steps,
    template_source,
)
from fastapi_scaffold.template_source import URL_VARIABLE
from fastapi_scaffold.update import (
    CONFLICT_STYLES,
    Updated,
    UpdateRequest,
    find_project,
    update_project,
)

PROG = "fastapi-scaffold"
QUESTIONS_SECTION = "Questions (copier.yml)"
# project_name is the NAME argument; every other question of copier.yml becomes a flag.
ARGUMENT_QUESTIONS = frozenset({"project_name"})
EXIT_CODES = (
    ("0", "created; with --dry-run, checked and shown"),
    ("1", "the folder cannot be written; the template or stdout failed; or you said no"),
    ("2", "a wrong answer, option or --data-file"),
    ("130", "interrupted (Ctrl-C, Ctrl-D at a question, SIGTERM): nothing was changed"),
)
EXAMPLES = (
    f"{PROG} new myapi",
    f"{PROG} new myapi -y --database postgresql --no-example-resource",
    f"{PROG} new myapi --preset full --data-file team.yml --dry-run",
    f'cd "$({PROG} new myapi -y)"',
)


class _Group(PlainGroup):
    """Runs commands without click's own error printing, so `_run` reports every error alike."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        kwargs["standalone_mode"] = False
        parent_main = super().main
        with stops.restored():  # `new` ignores them once the project is made
            code = _run(lambda: parent_main(*args, **kwargs))
        if standalone:
            sys.exit(code)
        return code


def _run(invoke: Callable[[], object]) -> int:
    """Invoke the command line; turn every failure into one `error:` line and an exit code."""
    # Typer vendors click; its usage errors (unknown option, missing argument) are ClickException.
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    try:
        result = invoke()
    except NoArgsIsHelpError as no_arguments:  # the help instead of an error, on stderr
        console.note(no_arguments.format_message())
        return no_arguments.exit_code
    except Cancelled as cancelled:
        console.note(cancelled.message)
        return cancelled.exit_code
    except ScaffoldError as error:
        console.error(error.message, error.hint)
        return error.exit_code
    except ClickException as error:
        console.error(error.format_message(), f"run '{PROG} --help' for usage")
        return error.exit_code
    except typer.Exit as exit_:
        return exit_.exit_code
    except (typer.Abort, KeyboardInterrupt, EOFError):  # before `new` changed anything
        console.error(Interrupted().message)
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
    rich_markup_mode=None,
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
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Generate layered FastAPI services that stay up to date with Copier."""


def _complete_preset(incomplete: str) -> list[tuple[str, str]]:
    return [(name, describe_preset(name)) for name in PRESETS if name.startswith(incomplete)]


def _complete_data(incomplete: str) -> list[str]:
    """`--data` completes question names (`database=`), then their choices (`database=none`)."""
    questions = load_questions()
    key, sep, partial = incomplete.partition("=")
    if not sep:
        return [f"{name}=" for name in questions if name.startswith(key)]
    question = questions.get(key)
    values = _completion_values(question) if question else ()
    return [f"{key}={value}" for value in values if value.startswith(partial)]


def _completion_values(question: Question) -> Sequence[str]:
    return ("true", "false") if question.is_bool else question.choices


def new(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Project name; also the folder unless PATH is given."),
    ],
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH", help="Folder to create (default: ./NAME).", show_default=False
        ),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option("--defaults", "-y", help="Ask nothing: answer from flags and defaults."),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question by its copier.yml name (repeatable).",
            autocompletion=_complete_data,
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option(
            "--data-file",
            metavar="FILE",
            help="Answers from a YAML file of `question: answer` lines.",
            show_default=False,
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            metavar="PRESET",
            help=f"Start from a set of answers: {', '.join(PRESETS)} (see Presets).",
            show_default=False,
            autocompletion=_complete_preset,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check everything; print the answers and files; write nothing."
        ),
    ] = False,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Print one JSON document (answers, files, path, warnings) on stdout."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Write into a non-empty folder, replacing files of the same name."
        ),
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            metavar="PATH-OR-URL",
            help="Render this Copier template (a folder or git URL) instead of the packaged one.",
            show_default=False,
        ),
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help="With --template: the git tag, branch or commit to render.",
            show_default=False,
        ),
    ] = None,
    template_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help=f"The packaged template's git URL, recorded for updates (${URL_VARIABLE}).",
            show_default=False,
        ),
    ] = None,
    *,
    question_flags: dict[str, Any],
) -> None:
    """Create a FastAPI project in PATH (default: ./NAME).

    On a terminal, new asks each question that no flag, --data or --data-file answers, then
    shows a summary and asks before it writes; with -y it asks nothing. Later sources win:
    preset < --data-file < --data < question flags.
    """
    questions = load_questions()
    wanted = AnswerRequest(preset=preset, data=data or [], flags=question_flags)
    request = NewProject(
        name=name,
        destination=path or Path(name),
        answers=_checked_answers(name, wanted, data_file, questions),
        interactive=not defaults,
        force=force,
        git=not no_git,
        dry_run=dry_run,
        **_template_choice(template, vcs_ref, template_url),
    )
    created = _create(request, questions)
    for warning in created.warnings:
        console.warning(warning)
    _report(created, questions, as_json=json_output)


def _template_choice(
    template: str | None, vcs_ref: str | None, template_url: str | None
) -> dict[str, str | None]:
    if template is None and vcs_ref is not None:
        raise UsageError("--vcs-ref needs --template", hint="the packaged template is one version")
    if template is not None and template_url is not None:
        raise UsageError(
            "--template-url is for the packaged template, not --template",
            hint="copier records the --template source itself",
        )
    source = template_source(template) if template is not None else None
    return {"template": source, "vcs_ref": vcs_ref, "template_url": template_url}


def _checked_answers(
    name: str, wanted: AnswerRequest, data_file: Path | None, questions: Mapping[str, Question]
) -> dict[str, Answer]:
    """The command line's answers (with --data-file's), checked against copier.yml."""
    if data_file is not None:
        from fastapi_scaffold.answers_file import load_data_file

        wanted.data_file = load_data_file(data_file)
        wanted.data_file_name = f"--data-file {data_file}"
    answers = build_answers(wanted, questions)
    if answers.get("project_name", name) != name:
        raise UsageError(
            "project_name is given twice: as NAME and as an answer",
            hint="the project name is the NAME argument; drop project_name from the answers",
        )
    return answers


def _create(request: NewProject, questions: Mapping[str, Question]) -> Created:
    """Make the project; from then on a Ctrl-C has nothing left to stop."""
    ask_first = request.interactive and not request.dry_run
    try:
        created = create_project(
            request, progress=console.step, confirm=_confirmation(questions) if ask_first else None
        )
    except KeyboardInterrupt:  # every earlier one is an Interrupted: this came after the move
        where = os.path.abspath(request.destination)
        raise Interrupted(f"interrupted: the project is in {where}") from None
    if not request.dry_run:
        stops.ignore()  # what is left is the report
    return created


def _confirmation(questions: Mapping[str, Question]) -> Callable[[Plan], bool]:
    """Show the answers and the files, then ask; Ctrl-D there is an interrupt like Ctrl-C."""

    def confirm(plan: Plan) -> bool:
        lines = console.answers_table(_shown_answers(plan.answers, questions))
        files = f"  {len(plan.files)} files"
        if plan.replaced:
            files += f", replacing {len(plan.replaced)}: {', '.join(plan.replaced)}"
        console.show(["", f"Create {_shown(plan.path)} with these answers:", *lines, files])
        try:
            return console.confirm("Create the project?")
        except EOFError:
            raise Interrupted() from None

    return confirm


def _report(created: Created, questions: Mapping[str, Question], *, as_json: bool) -> None:
    made = "nothing was written" if created.dry_run else f"the project is in {created.path}"
    try:
        if as_json:
            console.data_json(_document(created))
        elif created.dry_run:
            _show_plan(created.plan, questions)
        else:
            _summarise(created, questions)
            console.data(str(created.path))
    except OSError as error:
        raise ScaffoldError(
            f"cannot write to standard output ({error.strerror or error}); {made}"
        ) from error


def _document(created: Created) -> dict[str, object]:
    return {
        "path": str(created.path),
        "dry_run": created.dry_run,
        "committed": created.committed,
        "answers": created.answers,
        "files": created.plan.files,
        "replaced": created.plan.replaced,
        "warnings": created.warnings,
    }


def _show_plan(plan: Plan, questions: Mapping[str, Question]) -> None:
    title = f"Would create {_shown(plan.path)} (dry run: nothing was written)"
    answers = _shown_answers(plan.answers, questions)
    console.show(console.plan_lines(title, answers, plan.files, plan.replaced), to_stdout=True)


def _summarise(created: Created, questions: Mapping[str, Question]) -> None:
    switches = {
        name: value
        for name, value in _shown_answers(created.answers, questions).items()
        if name in questions and (questions[name].choices or questions[name].is_bool)
    }
    shown = _shown(created.path)
    title = f"Created {created.answers.get('project_name', created.path.name)} in {shown}"
    console.summary(title, switches, next_steps(shown, created.answers))


def _shown_answers(
    answers: Mapping[str, object], questions: Mapping[str, Question]
) -> dict[str, str]:
    """The answers in copier.yml's order, as a person reads them (yes/no)."""
    order = {name: index for index, name in enumerate(questions)}
    names = sorted(answers, key=lambda name: order.get(name, len(order)))
    return {name: show_answer(answers[name]) for name in names}


def _shown(path: Path) -> Path:
    where = Path.cwd()
    return path.relative_to(where) if path.is_relative_to(where) else path


def _question_help(question: Question, questions: Mapping[str, Question]) -> str:
    details = []
    if question.choices:
        details.append(f"one of {', '.join(question.choices)}")
    default = question.describe_default(questions)
    if default is not None:
        details.append(f"default: {default}")
    if question.condition is not None:
        details.append(question.condition.describe_when())
    return question.help + (f" ({'; '.join(details)})" if details else "")


def _question_parameter(question: Question, questions: Mapping[str, Question]) -> inspect.Parameter:
    """A Typer option for one copier.yml question: `--database DATABASE`, `--no-migrations`."""
    names = f"{question.flag}/--no-{question.flag[2:]}" if question.is_bool else question.flag
    completion = None
    if question.choices:

        def completion(incomplete: str) -> list[str]:
            return [choice for choice in question.choices if choice.startswith(incomplete)]

    option = typer.Option(
        names,
        help=_question_help(question, questions),
        metavar=None if question.is_bool else question.metavar,
        show_default=False,
        autocompletion=completion,
    )
    annotation = (
        Annotated[bool | None, option] if question.is_bool else Annotated[str | None, option]
    )
    return inspect.Parameter(
        question.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


def _with_question_flags(
    command: Callable[..., None], questions: Mapping[str, Question]
) -> Callable[..., None]:
    """Give `command` one option per question; their values arrive as `question_flags`."""
    own = [
        parameter
        for parameter in inspect.signature(command, eval_str=True).parameters.values()
        if parameter.name != "question_flags"
    ]
    every_question = load_questions()
    flags = [_question_parameter(question, every_question) for question in questions.values()]

    def command_with_flags(**kwargs: Any) -> None:
        question_flags = {name: kwargs.pop(name) for name in questions}
        command(**kwargs, question_flags=question_flags)

    parameters = own + flags
    command_with_flags.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command_with_flags.__annotations__ = {p.name: p.annotation for p in parameters}
    command_with_flags.__doc__ = command.__doc__
    return command_with_flags


_FLAG_QUESTIONS = {
    name: question for name, question in load_questions().items() if name not in ARGUMENT_QUESTIONS
}


class _NewCommand(SectionedCommand):
    usage = "[OPTIONS] NAME [PATH]"
    option_groups = {QUESTIONS_SECTION: frozenset(_FLAG_QUESTIONS)}  # noqa: RUF012
    sections = (
        Section("Presets", rows=[(name, describe_preset(name)) for name in PRESETS]),
        Section("Examples", lines=EXAMPLES),
        Section("Exit codes", rows=EXIT_CODES),
    )


app.command("new", cls=_NewCommand)(_with_question_flags(new, _FLAG_QUESTIONS))


UPDATE_EXIT_CODES = (
    ("0", "updated (or already up to date); with --dry-run, shown"),
    ("1", "not a clean git work tree of a project; its template cannot be reached"),
    ("2", "a wrong option or answer"),
    ("3", "conflicts are left in the files listed: resolve them, then commit"),
    ("130", "interrupted: the project is back at its last commit"),
)
ProjectPath = Annotated[
    Path,
    typer.Argument(metavar="[PATH]", help="The project's folder (default: .).", show_default=False),
]
ConflictStyle = Annotated[
    str,
    typer.Option(
        metavar="inline|rej",
        help="Leave conflicts as markers in the file (inline) or beside it in FILE.rej.",
    ),
]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Update a throwaway clone; list what would change."),
]


def update(
    path: ProjectPath = Path("."),
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="REF",
            help="The template tag, branch or commit (default: this release's tag; for other"
            " templates, the newest tag).",
            show_default=False,
        ),
    ] = None,
    conflict: ConflictStyle = "inline",
    dry_run: DryRun = False,
) -> None:
    """Take in a newer version of the template, keeping your edits.

    The project must be a git work tree with everything committed. The changes are left
    uncommitted for you to review (`git diff`) and commit.
    """
    request = UpdateRequest(path=path, to=to, conflict=_conflict_style(conflict), dry_run=dry_run)
    _report_update(update_project(request, progress=console.step))


def set_answers(
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="KEY=VALUE... [PATH]",
            help="New answers by their copier.yml names; then the project (default: .).",
        ),
    ],
    conflict: ConflictStyle = "inline",
    dry_run: DryRun = False,
) -> None:
    """Change answers: switch a feature on, off or to another backend.

    The same template version is rendered again with the new answers through copier update, so
    your edits stay; a file the change removes stays if you edited it. The answers are checked
    as `new` checks them before anything is touched.
    """
    *pairs, last = assignments
    path = Path(".") if "=" in last else Path(last)
    pairs = [*pairs, last] if "=" in last else pairs
    if not pairs:
        raise UsageError("no KEY=VALUE to set", hint=f"for example: {PROG} set cache=redis")
    _, recorded = find_project(path)
    answers = changed_answers(pairs, recorded.answers, load_questions())
    request = UpdateRequest(
        path=path,
        answers=answers,
        conflict=_conflict_style(conflict),
        dry_run=dry_run,
        keep_version=True,
    )
    _report_update(update_project(request, progress=console.step))


def _conflict_style(given: str) -> str:
    if given not in CONFLICT_STYLES:
        raise UsageError(
            f"--conflict {given}: not a conflict style",
            hint=f"choose one of: {', '.join(CONFLICT_STYLES)}",
        )
    return given


def _report_update(updated: Updated) -> None:
    """The changed files on stdout; kept files, conflicts and the next step on stderr."""
    where = _shown(updated.path)
    if updated.answers:
        pairs = " ".join(f"{key}={show_answer(value)}" for key, value in updated.answers.items())
        done = f"set {pairs} in {where} (template {updated.to_ref})"
    else:
        done = f"updated {where} from {updated.from_ref} to {updated.to_ref}"
    if not updated.changes and not updated.dry_run:
        console.note(f"{where} is already at {updated.to_ref} with these answers: nothing to do")
        return
    if updated.dry_run:
        console.data(f"dry run, nothing was changed: {done} would change")
    for line in updated.changes:
        console.data(line)
    for relative in updated.kept:
        console.warning(f"kept {relative}: you changed it, and the template no longer has it")
    if updated.conflicts:
        raise ScaffoldError(
            f"conflicts {'would be' if updated.dry_run else 'are'} left in"
            f" {len(updated.conflicts)} files: {', '.join(updated.conflicts)}",
            hint="resolve the <<<<<<< markers (or the .rej files), then commit",
            exit_code=3,
        )
    if not updated.dry_run:
        console.note(f"{done}: review with `git diff`, then commit")


class _UpdateCommand(SectionedCommand):
    usage = "[OPTIONS] [PATH]"
    sections = (
        Section(
            "Examples",
            lines=(
                f"{PROG} update",
                f"{PROG} update myapi --dry-run",
                f"{PROG} update --to v0.2.0",
            ),
        ),
        Section("Exit codes", rows=UPDATE_EXIT_CODES),
    )


class _SetCommand(SectionedCommand):
    usage = "[OPTIONS] KEY=VALUE... [PATH]"
    sections = (
        Section(
            "Examples",
            lines=(
                f"{PROG} set cache=redis",
                f"{PROG} set cache=none metrics=true myapi --dry-run",
            ),
        ),
        Section("Exit codes", rows=UPDATE_EXIT_CODES),
    )


app.command("update", cls=_UpdateCommand)(update)
app.command("set", cls=_SetCommand)(set_answers)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point."""
    return int(app(args=argv, prog_name=PROG, standalone_mode=False) or 0)
