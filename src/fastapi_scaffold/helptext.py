"""Help that reads well at 80 columns, as plain text: real metavars, no colour, no boxes.

The commands' own words (what each option does, the presets, the exit codes) are written in
cli.py; this module only lays them out with the formatter Typer's click provides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup


@dataclass(frozen=True)
class Section:
    """A titled block after the options: `Presets:`, `Examples:`, `Exit codes:`."""

    title: str
    rows: Sequence[tuple[str, str]] = ()
    lines: Sequence[str] = ()


def parameter_record(parameter: click.Parameter) -> tuple[str, str]:
    """`-y, --defaults` / `--data KEY=VALUE` / `--env-file / --no-env-file`, and its help."""
    help_text = getattr(parameter, "help", None) or ""
    if isinstance(parameter, TyperArgument):
        return (parameter.metavar or (parameter.name or "").upper(), help_text)
    names = ", ".join(sorted(parameter.opts, key=len))
    if parameter.secondary_opts:
        names += " / " + ", ".join(parameter.secondary_opts)
    is_flag = getattr(parameter, "is_flag", False)
    if not is_flag and parameter.metavar:
        names += f" {parameter.metavar}"
    return names, help_text


def write_records(
    formatter: click.HelpFormatter, title: str, parameters: Iterable[click.Parameter]
) -> None:
    rows = [parameter_record(parameter) for parameter in parameters]
    if rows:
        with formatter.section(title):
            formatter.write_dl(rows)


def write_sections(formatter: click.HelpFormatter, sections: Sequence[Section]) -> None:
    for section in sections:
        with formatter.section(section.title):
            if section.rows:
                formatter.write_dl(list(section.rows))
            for line in section.lines:
                formatter.write_text(line)


def write_description(formatter: click.HelpFormatter, text: str) -> None:
    for paragraph in text.strip().split("\n\n"):
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(" ".join(paragraph.split()))


class PlainGroup(TyperGroup):
    """The top-level help: usage, what the tool does, its options, its commands."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] COMMAND [ARGS]...")
        write_description(formatter, self.help or "")
        write_records(formatter, "Options", self.get_params(ctx))
        commands = [
            (name, command.get_short_help_str(limit=60))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(commands)
        formatter.write_paragraph()
        formatter.write_text(f"Run '{ctx.command_path} COMMAND --help' for a command's options.")


class SectionedCommand(TyperCommand):
    """A command whose help groups its options and ends with extra sections.

    `option_groups` maps a section title to the names of the parameters it lists (in order of
    definition); parameters in no group are listed under "Options".
    """

    usage: str = "[OPTIONS]"
    option_groups: dict[str, frozenset[str]] = {}  # noqa: RUF012 (set per subclass)
    sections: Sequence[Section] = ()

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, self.usage)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        write_description(formatter, self.help or "")
        parameters = self.get_params(ctx)
        grouped = frozenset().union(*self.option_groups.values())
        arguments = [p for p in parameters if isinstance(p, TyperArgument)]
        options = [p for p in parameters if p not in arguments and p.name not in grouped]
        write_records(formatter, "Arguments", arguments)
        write_records(formatter, "Options", options)
        for title, names in self.option_groups.items():
            write_records(formatter, title, [p for p in parameters if p.name in names])
        write_sections(formatter, self.sections)
