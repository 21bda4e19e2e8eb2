"""The test matrix: every pair of answers is in a case (from copier.yml); refused combinations."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_scaffold.cli import app
from fastapi_scaffold.options import PRESETS, load_questions, parse_condition, show_answer
from tests.matrix import covered_pairs, derive_cases, possible_pairs, switch_values, switches


def test_every_pair_of_answers_is_in_a_case() -> None:
    questions = load_questions()
    missing = possible_pairs(questions) - covered_pairs(derive_cases(), questions)
    assert not missing, sorted(missing, key=str)[:10]


def test_the_property_check_notices_a_missing_case() -> None:
    questions = load_questions()
    cases = derive_cases()
    assert possible_pairs(questions) - covered_pairs(cases[:-1], questions)


def test_a_new_choice_is_paired_with_every_other_answer() -> None:
    questions = dict(load_questions())
    cache = questions["cache"]
    questions["cache"] = dataclasses.replace(cache, choices=(*cache.choices, "memcached"))
    cases = derive_cases(questions)
    covered = covered_pairs(cases, questions)
    assert not possible_pairs(questions) - covered
    for question in switches(questions):
        if question.name in ("cache", "migrations"):
            continue
        for value in switch_values(question):
            pair = (("cache", "memcached"), (question.name, value))
            reverse = ((question.name, value), ("cache", "memcached"))
            assert pair in covered or reverse in covered, (question.name, value)


def test_the_set_stays_small() -> None:
    questions = load_questions()
    widest = sorted((len(switch_values(q)) for q in switches(questions)), reverse=True)
    # At least widest[0] * widest[1] cases are needed; the greedy set stays within 2x of that.
    assert len(derive_cases()) <= 2 * widest[0] * widest[1] + len(PRESETS)


def test_case_ids_name_the_answers_that_differ_from_the_defaults() -> None:
    for case in derive_cases():
        if case.id.startswith("preset-"):
            continue
        shown = dict(part.split("=", 1) for part in case.id.split(","))
        assert shown == {name: show_answer(value) for name, value in case.data.items()}


def _refused_combinations() -> list[tuple[str, str, str]]:
    """For each conditional question: an answer to it with each answer that does not ask it."""
    questions = load_questions()
    refused = []
    for question in questions.values():
        condition = parse_condition(question.when or "")
        if condition is None:
            continue
        subject = questions[condition.subject]
        for value in switch_values(subject):
            if (show_answer(value) == condition.value) != condition.equal:
                answer = show_answer(switch_values(question)[0])
                refused.append(
                    (
                        f"{subject.name}={show_answer(value)}",
                        f"{question.name}={answer}",
                        question.name,
                    )
                )
    return refused


@pytest.mark.parametrize(("subject", "answer", "name"), _refused_combinations())
def test_a_combination_that_cannot_apply_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subject: str, answer: str, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["new", "demo", "-y", "-d", subject, "-d", answer])
    assert result.exit_code == 2, result.stderr
    assert f"{name}=" in result.stderr and "does not apply here" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_copier_yml_has_combinations_to_refuse() -> None:
    assert ("database=none", "migrations=yes", "migrations") in _refused_combinations()
