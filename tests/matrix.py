"""The supported combinations, derived from copier.yml and the presets (never listed by hand).

The cases are the presets plus a pairwise covering set: for any two questions, every pair of
their choices that can occur together (a question asked only under a condition pairs only with
the answers that ask it) appears in at least one case. A greedy construction keeps the set small
and the same from run to run. tests/test_options.py proves the pairwise property, so a question
or choice added to copier.yml enters the matrix with no change here.

A case's id lists its answers that differ from the defaults (`database=postgresql,cache=redis`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from fastapi_scaffold.options import (
    PRESETS,
    Answer,
    Question,
    applies,
    load_questions,
)

Pair = tuple[tuple[str, Answer], tuple[str, Answer]]


@dataclass(frozen=True)
class Case:
    id: str
    answers: tuple[tuple[str, Answer], ...]

    @property
    def data(self) -> dict[str, Answer]:
        return dict(self.answers)

    def full_answers(self) -> dict[str, Answer]:
        """The answers with every literal default filled in, as the render will see them."""
        return complete(self.data, load_questions())


def complete(answers: Mapping[str, Answer], questions: Mapping[str, Question]) -> dict[str, Answer]:
    """`answers` with every literal default filled in, less the questions that do not apply."""
    full = {
        name: default
        for name, question in questions.items()
        if (default := question.literal_default) is not None
    }
    full.update(answers)
    return {name: value for name, value in full.items() if applies(name, full, questions)}


def switch_values(question: Question) -> list[Answer]:
    if question.is_bool:
        return [True, False]
    return list(question.choices)


def switches(questions: Mapping[str, Question]) -> list[Question]:
    """The questions with a fixed set of answers: the ones the matrix varies."""
    return [question for question in questions.values() if question.choices or question.is_bool]


def _case_id(answers: Mapping[str, Answer]) -> str:
    def show(value: Answer) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else value

    return ",".join(f"{name}={show(value)}" for name, value in answers.items()) or "defaults"


def pairs_of(answers: Mapping[str, Answer], questions: Mapping[str, Question]) -> set[Pair]:
    """The pairs of switch answers a project with `answers` (completed) has."""
    full = complete(answers, questions)
    named = [(q.name, full[q.name]) for q in switches(questions) if q.name in full]
    return set(itertools.combinations(named, 2))


def possible_pairs(questions: Mapping[str, Question]) -> set[Pair]:
    """Every pair of switch answers some project can have."""
    asked = switches(questions)
    possible: set[Pair] = set()
    for first, second in itertools.combinations(asked, 2):
        for one, other in itertools.product(switch_values(first), switch_values(second)):
            pair = ((first.name, one), (second.name, other))
            if _can_occur(pair, questions):
                possible.add(pair)
    return possible


def _can_occur(pair: Pair, questions: Mapping[str, Question]) -> bool:
    answers = dict(pair)
    if all(applies(name, answers, questions) for name in answers):
        return True
    # A conditional question's answer needs the answer that asks it, which the pair may not name.
    for subject in switches(questions):
        if subject.name in answers:
            continue
        for value in switch_values(subject):
            candidate = {**answers, subject.name: value}
            if all(applies(name, candidate, questions) for name in answers):
                return True
    return False


def _greedy_cases(
    questions: Mapping[str, Question], uncovered: set[Pair]
) -> Iterator[dict[str, Answer]]:
    """Cases until every pair in `uncovered` is covered: each starts from the first pair not yet
    covered and gives every other question the answer that covers most new pairs (the default on
    a tie, then the first choice), so the result is small and the same on every run."""
    asked = switches(questions)
    order = sorted(uncovered, key=_pair_order(asked))
    while uncovered:
        seed = next(pair for pair in order if pair in uncovered)
        answers: dict[str, Answer] = dict(seed)
        for question in asked:
            if question.name in answers:
                continue
            answers[question.name] = _best_value(question, answers, questions, uncovered)
        answers = complete(answers, questions)
        newly = pairs_of(answers, questions) & uncovered
        assert newly, f"no progress from {seed}"
        uncovered -= newly
        yield answers


def _pair_order(asked: list[Question]) -> Callable[[Pair], tuple[int, ...]]:
    position = {question.name: index for index, question in enumerate(asked)}
    values = {q.name: {str(v): i for i, v in enumerate(switch_values(q))} for q in asked}

    def key(pair: Pair) -> tuple[int, ...]:
        (first, one), (second, other) = pair
        return (
            position[first],
            position[second],
            values[first][str(one)],
            values[second][str(other)],
        )

    return key


def _best_value(
    question: Question,
    answers: Mapping[str, Answer],
    questions: Mapping[str, Question],
    uncovered: set[Pair],
) -> Answer:
    def gain(value: Answer) -> tuple[int, bool]:
        candidate = {**answers, question.name: value}
        if not applies(question.name, candidate, questions):
            return (-1, False)
        new = sum(
            1
            for name, other in answers.items()
            if applies(name, candidate, questions)
            and _ordered(questions, (name, other), (question.name, value)) in uncovered
        )
        return (new, value == question.literal_default)

    return max(switch_values(question), key=gain)  # max keeps the first of equals


def _ordered(questions: Mapping[str, Question], *answers: tuple[str, Answer]) -> Pair:
    names = list(questions)
    first, second = sorted(answers, key=lambda answer: names.index(answer[0]))
    return (first, second)


def derive_cases(questions: Mapping[str, Question] | None = None) -> list[Case]:
    questions = questions or load_questions()
    cases: dict[tuple[tuple[str, Answer], ...], str] = {}

    def add(answers: Mapping[str, Answer], case_id: str | None = None) -> None:
        key = tuple(_normalise(answers, questions).items())
        cases.setdefault(key, case_id or _case_id(dict(key)))

    uncovered = possible_pairs(questions)
    for preset, answers in PRESETS.items():
        add(answers, f"preset-{preset}")
        uncovered -= pairs_of(answers, questions)
    for answers in _greedy_cases(questions, uncovered):
        add(answers)
    return [Case(case_id, key) for key, case_id in cases.items()]


def covered_pairs(cases: Iterable[Case], questions: Mapping[str, Question]) -> set[Pair]:
    covered: set[Pair] = set()
    for case in cases:
        covered |= pairs_of(case.data, questions)
    return covered


def _normalise(
    answers: Mapping[str, Answer], questions: Mapping[str, Question]
) -> dict[str, Answer]:
    """Drop answers equal to a literal default (and those that do not apply), in question order,
    so equal projects count as one case."""
    full = complete(answers, questions)
    return {
        name: full[name]
        for name in questions
        if name in answers and name in full and full[name] != questions[name].literal_default
    }
