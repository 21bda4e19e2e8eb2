"""Typed answers: the questions read from copier.yml, presets, and the rules across switches.

Nothing here imports copier, so `--help` stays fast; copier.yml is read by copier_yml.py.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fastapi_scaffold.copier_yml import question_specs
from fastapi_scaffold.errors import UsageError
from fastapi_scaffold.template_source import template_root

Answer = str | bool
# What a user may give as an answer before it is checked (`--data-file` values are YAML).
RawAnswer = str | bool | int | float

_TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})


@dataclass(frozen=True)
class Question:
    """One question of copier.yml, as far as the CLI needs to know it."""

    name: str
    type: str
    help: str
    default: Any
    choices: tuple[str, ...] = ()
    when: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def is_bool(self) -> bool:
        return self.type == "bool"

    @property
    def metavar(self) -> str:
        """What `--help` shows after the flag: `--env-prefix PREFIX`, `--description TEXT`."""
        if "_" not in self.name and not self.choices:
            return "TEXT"
        return self.name.rsplit("_", 1)[-1].upper()

    @property
    def condition(self) -> Condition | None:
        return parse_condition(self.when) if self.when else None

    def describe_default(self, questions: Iterable[str]) -> str | None:
        """The default as `--help` tells it: the value, or what it is computed from."""
        if self.literal_default is not None:
            return show_answer(self.literal_default)
        if isinstance(self.default, str):
            sources = [name for name in _NAMES.findall(self.default) if name in questions]
            if sources:
                return f"from the {sources[0].replace('_', ' ')}"
        return None

    @property
    def literal_default(self) -> Answer | None:
        """The default when it is a plain value rather than a Jinja expression."""
        if isinstance(self.default, bool):
            return self.default
        if isinstance(self.default, str) and "{{" not in self.default:
            return self.default
        return None

    def coerce(self, raw: RawAnswer, *, source: str) -> Answer:
        """Check one answer and turn it into the type Copier expects."""
        if self.is_bool:
            return _to_bool(self, raw, source=source)
        value = str(raw)
        if self.choices and value not in self.choices:
            raise UsageError(
                f"{source}: '{value}' is not a choice for {self.name}",
                hint=f"choose one of: {', '.join(self.choices)}",
            )
        return value


def _to_bool(question: Question, raw: RawAnswer, *, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise UsageError(
        f"{source}: '{raw}' is not a yes/no answer for {question.name}",
        hint="use true or false (also yes/no, on/off, 1/0)",
    )


@cache
def load_questions(copier_yml: Path | None = None) -> dict[str, Question]:
    """Every question of copier.yml, in order (computed values, `when: false`, left out)."""
    specs = question_specs(copier_yml or template_root() / "copier.yml")
    return {
        name: Question(
            name=name,
            type=spec["type"],
            help=spec["help"],
            default=spec["default"],
            choices=tuple(spec["choices"]),
            when=spec["when"],
        )
        for name, spec in specs.items()
    }


# Presets name a set of answers; `standard` is the defaults. Every key must be a question of
# copier.yml and every value one of its choices (tests/test_options.py checks this).
PRESETS: dict[str, dict[str, Answer]] = {
    "minimal": {"database": "none", "error_handling": False, "example_resource": False},
    "standard": {},
    "full": {
        "database": "postgresql",
        "migrations": True,
        "error_handling": True,
        "example_resource": True,
        "background_tasks": "arq",
        "cache": "redis",
        "rate_limit": "redis",
        "observability": True,
        "metrics": True,
    },
}


def describe_preset(name: str) -> str:
    """What a preset sets, as `--help` lists it: `database=none, error_handling=no`."""
    answers = PRESETS[name]
    if not answers:
        return "the defaults"
    return ", ".join(f"{key}={show_answer(value)}" for key, value in answers.items())


@dataclass
class AnswerRequest:
    """What the user asked for on the command line, before it is checked."""

    preset: str | None = None
    data: list[str] = field(default_factory=list)
    flags: dict[str, Answer | None] = field(default_factory=dict)
    # `--data-file`: its answers, and how errors name it (`--data-file team.yml`).
    data_file: Mapping[str, RawAnswer] = field(default_factory=dict)
    data_file_name: str = "--data-file"


def build_answers(request: AnswerRequest, questions: Mapping[str, Question]) -> dict[str, Answer]:
    """Merge preset < --data-file < --data < per-question flags; check values and their rules."""
    explicit = _file_answers(request.data_file, request.data_file_name, questions)
    explicit.update(_data_answers(request.data, questions))
    for name, value in request.flags.items():
        if value is not None:
            explicit[name] = questions[name].coerce(value, source=questions[name].flag)
    answers = {**_preset_answers(request.preset, questions), **explicit}
    check_rules(answers, questions, explicit=explicit.keys())
    # A preset's answer that no longer applies (`--preset full --database none` and migrations)
    # is dropped; only an answer the user typed is refused.
    return {name: value for name, value in answers.items() if applies(name, answers, questions)}


def _preset_answers(preset: str | None, questions: Mapping[str, Question]) -> dict[str, Answer]:
    if preset is None:
        return {}
    if preset not in PRESETS:
        raise UsageError(
            f"unknown preset '{preset}'",
            hint=f"choose one of: {', '.join(PRESETS)}",
        )
    return {
        name: questions[name].coerce(value, source=f"preset {preset}")
        for name, value in PRESETS[preset].items()
    }


def _file_answers(
    answers: Mapping[str, RawAnswer], file_name: str, questions: Mapping[str, Question]
) -> dict[str, Answer]:
    checked: dict[str, Answer] = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            raise UsageError(
                f"{file_name}: unknown question '{key}'", hint=_suggest(key, questions)
            )
        checked[key] = question.coerce(value, source=f"{file_name}: {key}")
    return checked


def _data_answers(
    pairs: Iterable[str], questions: Mapping[str, Question], *, command: str = "--data"
) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise UsageError(
                f"{command} '{pair}' is not KEY=VALUE",
                hint=f"for example: {command} database=postgresql",
            )
        question = questions.get(key)
        if question is None:
            raise UsageError(f"{command}: unknown question '{key}'", hint=_suggest(key, questions))
        answers[key] = question.coerce(value, source=f"{command} {key}")
    return answers


# What names the project: changing one would move its package, and the user's code with it.
FIXED_AFTER_NEW = frozenset({"project_name", "project_slug", "package_name"})


def changed_answers(
    pairs: Iterable[str], recorded: Mapping[str, object], questions: Mapping[str, Question]
) -> dict[str, Answer]:
    """`set KEY=VALUE...`: the new answers, checked alone and with the recorded ones."""
    changed = _data_answers(pairs, questions, command="set")
    if fixed := sorted(FIXED_AFTER_NEW & changed.keys()):
        raise UsageError(
            f"set: {fixed[0]} names the project and cannot change after new",
            hint="make a new project with the new name, and move your code into it",
        )
    kept = {
        name: value
        for name, value in recorded.items()
        if name in questions and isinstance(value, str | bool)
    }
    check_rules({**kept, **changed}, questions, explicit=changed.keys())
    return {name: value for name, value in changed.items() if recorded.get(name) != value}


def _suggest(name: str, questions: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(questions), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "questions: " + ", ".join(questions)


_NAMES = re.compile(r"\b([a-z_][a-z0-9_]*)\b")
_WHEN_COMPARISON = re.compile(r"^\{\{\s*(\w+)\s*(==|!=)\s*'([^']*)'\s*\}\}$")


@dataclass(frozen=True)
class Condition:
    """A `when:` of the one shape copier.yml uses: `{{ other == 'value' }}` (or `!=`)."""

    subject: str
    equal: bool
    value: str

    def describe(self) -> str:
        return f"{self.subject} {'=' if self.equal else 'other than'} {self.value}"

    def describe_when(self) -> str:
        """For `--help`: `only when database is not none`."""
        return f"only when {self.subject} is {'' if self.equal else 'not '}{self.value}"


def parse_condition(when: str) -> Condition | None:
    """The condition, or None for a `when:` of another shape (left to Copier)."""
    match = _WHEN_COMPARISON.match(when.strip())
    if match is None:
        return None
    subject, operator, value = match.groups()
    return Condition(subject, operator == "==", value)


def show_answer(value: object) -> str:
    """An answer as a person reads it: yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def check_rules(
    answers: Mapping[str, Answer],
    questions: Mapping[str, Question],
    *,
    explicit: Iterable[str],
) -> None:
    """Refuse an answer to a question that does not apply to the other answers.

    Copier would silently drop such an answer (a question whose `when` is false is never asked),
    so `--database none --migrations` would not do what the user meant.
    """
    for name in explicit:
        if applies(name, answers, questions):
            continue
        condition = parse_condition(questions[name].when or "")
        needs = condition.describe() if condition else questions[name].when
        answer = str(answers[name]).lower()  # true/false, as typed in --data
        raise UsageError(
            f"{name}={answer} does not apply here: it needs {needs}",
            hint=f"drop the {name} answer, or change the answer it depends on",
        )


def applies(name: str, answers: Mapping[str, Answer], questions: Mapping[str, Question]) -> bool:
    condition = questions[name].when
    return condition is None or _condition_holds(condition, answers, questions)


def _condition_holds(
    when: str, answers: Mapping[str, Answer], questions: Mapping[str, Question]
) -> bool:
    condition = parse_condition(when)
    if condition is None:
        return True
    subject = questions.get(condition.subject)
    actual = answers.get(condition.subject, subject.literal_default if subject else None)
    if actual is None:
        return True
    return (str(actual) == condition.value) == condition.equal


# Lower-cased: on a case-insensitive file system `cprofile` would shadow `cProfile`.
_STDLIB = frozenset(name.lower() for name in sys.stdlib_module_names)


def check_package_name(package_name: str) -> None:
    """Refuse a package name that would shadow a module of this interpreter's standard library.

    copier.yml refuses them too, from its own list; this check is the interpreter's word, so the
    two can never disagree silently (tests/test_options.py compares them).
    """
    if package_name.lower() in _STDLIB:
        raise UsageError(
            f"'{package_name}' is a standard-library module; the package would shadow it",
            hint="choose another project name, or give another value with --package-name",
        )
