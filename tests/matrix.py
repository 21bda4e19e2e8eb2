"""The supported combinations, derived from copier.yml and the presets (never listed by hand).

- every choice of every question appears in at least one case (one switch moved off its default);
- every question asked only under a condition is crossed with each value that asks it
  (database x migrations);
- questions that can use the same service (a `redis` choice) are crossed with each other
  (cache x rate_limit), since they then share one client;
- every preset is a case.
A question added to copier.yml enters the matrix with no change here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fastapi_scaffold.options import (
    PRESETS,
    Answer,
    Question,
    applies,
    load_questions,
    parse_condition,
)


@dataclass(frozen=True)
class Case:
    id: str
    answers: tuple[tuple[str, Answer], ...]

    @property
    def data(self) -> dict[str, Answer]:
        return dict(self.answers)

    def full_answers(self) -> dict[str, Answer]:
        """The answers with every literal default filled in, as the render will see them."""
        questions = load_questions()
        answers = {
            name: default
            for name, question in questions.items()
            if (default := question.literal_default) is not None
        }
        answers.update(self.data)
        return {name: value for name, value in answers.items() if applies(name, answers, questions)}


def switch_values(question: Question) -> list[Answer]:
    if question.is_bool:
        return [True, False]
    return list(question.choices)


def _applies(answers: Mapping[str, Answer], questions: Mapping[str, Question]) -> bool:
    return all(applies(name, answers, questions) for name in answers)


def _case_id(answers: Mapping[str, Answer]) -> str:
    def show(value: Answer) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else value

    return ",".join(f"{name}={show(value)}" for name, value in answers.items()) or "defaults"


def _one_switch_cases(questions: Mapping[str, Question]) -> Iterator[dict[str, Answer]]:
    for question in questions.values():
        if not (question.choices or question.is_bool):
            continue
        for value in switch_values(question):
            if value == question.literal_default:
                continue
            answers: dict[str, Answer] = {question.name: value}
            yield answers if _applies(answers, questions) else _enable(answers, question, questions)


def _enable(
    answers: dict[str, Answer], question: Question, questions: Mapping[str, Question]
) -> dict[str, Answer]:
    """Add the answer that makes a conditional question apply (first value that does)."""
    subject = _condition_subject(question)
    for value in switch_values(questions[subject]):
        candidate = {subject: value, **answers}
        if _applies(candidate, questions):
            return candidate
    raise ValueError(f"no answer makes {question.name} apply")


def _condition_subject(question: Question) -> str:
    condition = parse_condition(question.when or "")
    if condition is None:
        raise ValueError(f"cannot read the condition of {question.name}: {question.when}")
    return condition.subject


def _conditional_cases(questions: Mapping[str, Question]) -> Iterator[dict[str, Answer]]:
    for question in questions.values():
        if question.when is None:
            continue
        subject = questions[_condition_subject(question)]
        for subject_value, value in itertools.product(
            switch_values(subject), switch_values(question)
        ):
            answers = {subject.name: subject_value, question.name: value}
            if _applies(answers, questions):
                yield answers


SHARED_SERVICE = "redis"


def _shared_service_cases(questions: Mapping[str, Question]) -> Iterator[dict[str, Answer]]:
    sharing = [question for question in questions.values() if SHARED_SERVICE in question.choices]
    for first, second in itertools.combinations(sharing, 2):
        for values in itertools.product(switch_values(first), switch_values(second)):
            yield dict(zip((first.name, second.name), values, strict=True))


def derive_cases(questions: Mapping[str, Question] | None = None) -> list[Case]:
    questions = questions or load_questions()
    cases: dict[tuple[tuple[str, Answer], ...], str] = {}

    def add(answers: Mapping[str, Answer], case_id: str | None = None) -> None:
        key = tuple(sorted(_normalise(answers, questions).items()))
        cases.setdefault(key, case_id or _case_id(answers))

    for preset, answers in PRESETS.items():
        add(answers, f"preset-{preset}")
    for answers in itertools.chain(
        _one_switch_cases(questions),
        _conditional_cases(questions),
        _shared_service_cases(questions),
    ):
        add(answers)
    return [Case(case_id, key) for key, case_id in cases.items()]


def _normalise(
    answers: Mapping[str, Answer], questions: Mapping[str, Question]
) -> dict[str, Answer]:
    """Drop answers equal to a literal default, so equal projects count as one case."""
    return {
        name: value for name, value in answers.items() if value != questions[name].literal_default
    }
