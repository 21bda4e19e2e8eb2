"""The only module that imports rich: progress, questions, warnings and errors on stderr.

Data (the project's path, a dry run's plan, JSON) goes to stdout as plain text. Every line reads
the same without colour; rich honours NO_COLOR and plain pipes by itself. rich is imported on
first use, so `--help` and shell completion never pay for it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def _stderr() -> Console:
    from rich.console import Console

    # emoji=False: a path such as `a:smile:b` must print as itself, not as `a😄b`.
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def step(message: str) -> None:
    """One tagged progress line, e.g. `render  template`."""
    tag, _, rest = message.partition(" ")
    _stderr().print(f"[green]{_escape(tag)}[/green] {_escape(rest)}")


def warning(message: str) -> None:
    _stderr().print(f"[yellow]warning[/yellow]: {_escape(message)}")


def error(message: str, hint: str | None = None) -> None:
    _stderr().print(f"[bold red]error[/bold red]: {_escape(message)}")
    if hint:
        _stderr().print(f"[cyan]hint[/cyan]: {_escape(hint)}")


def note(message: str) -> None:
    """A plain line on stderr that is neither progress nor a problem (`cancelled: ...`)."""
    _stderr().print(_escape(message))


def data(text: str) -> None:
    """Machine-readable output on stdout. OSError (e.g. a full disk) is the caller's to report."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Nobody reads stdout any more (`| head`): the work is done, so that is no failure.
        # Point stdout at /dev/null so the interpreter's last flush cannot fail either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def data_json(document: object) -> None:
    data(json.dumps(document, indent=2, ensure_ascii=False))


def answers_table(answers: Mapping[str, str]) -> list[str]:
    """`  name  value` lines, the names aligned."""
    width = max((len(name) for name in answers), default=0)
    return [f"  {name.ljust(width)}  {value}" for name, value in answers.items()]


def plan_lines(
    title: str, answers: Mapping[str, str], files: Sequence[str], replaced: Sequence[str]
) -> list[str]:
    """A plan as text: the answers, then every file with what happens to it."""
    replacing = set(replaced)
    lines = [title, "", "answers:", *answers_table(answers), "", f"files ({len(files)}):"]
    lines += [f"  {'replace' if name in replacing else 'create':<7} {name}" for name in files]
    return lines


def show(lines: Sequence[str], *, to_stdout: bool = False) -> None:
    """Lines as they are (no markup): on stdout as data, or on stderr for the person."""
    if to_stdout:
        data("\n".join(lines))
        return
    for line in lines:
        _stderr().print(_escape(line))


def confirm(question: str) -> bool:
    """Ask yes/no on the terminal (the prompt on stderr). EOFError on Ctrl-D.

    Keys typed while the project was rendering are dropped first: only an answer typed at the
    question counts.
    """
    from rich.prompt import Confirm

    _drop_typeahead()
    try:
        return Confirm.ask(_escape(question), console=_stderr(), default=True)
    except (KeyboardInterrupt, EOFError):
        _stderr().print()  # end the prompt's line: the error that follows gets its own
        raise


def summary(title: str, switches: Mapping[str, str], next_steps: list[str]) -> None:
    _stderr().print(f"\n[bold]{_escape(title)}[/bold]")
    for line in answers_table(switches):
        _stderr().print(_escape(line))
    _stderr().print("\n[bold]Next steps[/bold]")
    for command in next_steps:
        _stderr().print(f"  {_escape(command)}")


def _drop_typeahead() -> None:
    try:
        import termios

        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError, AttributeError):  # not a POSIX terminal
        pass
