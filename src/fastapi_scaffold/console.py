"""The only module that imports rich: progress, warnings and errors on stderr, data on stdout.

Every line reads the same without colour; rich honours NO_COLOR and plain pipes by itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from rich.console import Console
from rich.markup import escape


class _DataConsole(Console):
    def on_broken_pipe(self) -> None:
        # Nobody reads stdout any more (`| head`): the work is done, so that is no failure
        # (rich would exit 1). Point stdout at /dev/null so the last flush cannot fail either.
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# emoji=False: a path such as `a:smile:b` must print as itself, not as `a😄b`.
_stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
_stdout = _DataConsole(highlight=False, soft_wrap=True, emoji=False)


def step(message: str) -> None:
    """One tagged progress line, e.g. `render  template`."""
    tag, _, rest = message.partition(" ")
    _stderr.print(f"[green]{escape(tag)}[/green] {escape(rest)}")


def warning(message: str) -> None:
    _stderr.print(f"[yellow]warning[/yellow]: {escape(message)}")


def error(message: str, hint: str | None = None) -> None:
    _stderr.print(f"[bold red]error[/bold red]: {escape(message)}")
    if hint:
        _stderr.print(f"[cyan]hint[/cyan]: {escape(hint)}")


def data(text: str) -> None:
    """Machine-readable output (stdout)."""
    _stdout.print(escape(text))


def summary(title: str, switches: Mapping[str, str], next_steps: list[str]) -> None:
    _stderr.print(f"\n[bold]{escape(title)}[/bold]")
    width = max((len(name) for name in switches), default=0)
    for name, value in switches.items():
        _stderr.print(f"  {escape(name.ljust(width))}  {escape(value)}")
    _stderr.print("\n[bold]Next steps[/bold]")
    for command in next_steps:
        _stderr.print(f"  {escape(command)}")
