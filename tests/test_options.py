"""copier.yml as data: questions, presets and the rules across switches."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fastapi_scaffold.errors import UsageError
from fastapi_scaffold.options import PRESETS, AnswerRequest, build_answers, load_questions
from tests.matrix import derive_cases, switch_values

ROOT = Path(__file__).resolve().parents[1]


def test_every_question_has_help_and_a_default() -> None:
    for name, question in load_questions().items():
        assert question.help and question.help != name, f"{name} has no help"
        assert question.default is not None, f"{name} has no default"
        if question.choices:
            assert question.literal_default in question.choices, f"{name}: default not a choice"


def test_every_preset_answer_is_a_valid_choice() -> None:
    questions = load_questions()
    for preset, answers in PRESETS.items():
        for name, value in answers.items():
            assert name in questions, f"preset {preset}: unknown question {name}"
            assert questions[name].coerce(value, source=preset) == value


def test_every_choice_of_every_question_is_in_the_matrix() -> None:
    questions = load_questions()
    cases = derive_cases()
    for question in questions.values():
        if not (question.choices or question.is_bool):
            continue
        seen = {case.full_answers().get(question.name) for case in cases}
        assert set(switch_values(question)) <= seen, f"{question.name}: {seen}"


def test_every_preset_is_a_case() -> None:
    ids = {case.id for case in derive_cases()}
    assert {f"preset-{preset}" for preset in PRESETS} <= ids


def test_flags_beat_data_and_data_beats_the_preset() -> None:
    answers = build_answers(
        AnswerRequest(
            preset="full",
            data=["database=sqlite", "error_handling=no"],
            flags={"error_handling": True, "database": None},
        ),
        load_questions(),
    )
    assert answers["database"] == "sqlite"
    assert answers["error_handling"] is True


def test_a_preset_answer_that_no_longer_applies_is_dropped() -> None:
    answers = build_answers(
        AnswerRequest(preset="full", flags={"database": "none"}), load_questions()
    )
    assert answers["database"] == "none"
    assert "migrations" not in answers


@pytest.mark.parametrize("word", ["yes", "TRUE", "on", "1", "y"])
def test_yes_words(word: str) -> None:
    answers = build_answers(AnswerRequest(data=[f"env_file={word}"]), load_questions())
    assert answers["env_file"] is True


def test_a_typed_answer_that_does_not_apply_is_refused() -> None:
    with pytest.raises(UsageError, match="migrations=false does not apply"):
        build_answers(AnswerRequest(data=["database=none", "migrations=false"]), load_questions())


def test_copier_yml_needs_no_trust_and_keeps_updates_possible() -> None:
    settings = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    # Tasks, migrations and Jinja extensions would force every user to pass --trust.
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & settings.keys()
    assert settings["_subdirectory"] == "template"
    assert settings["_min_copier_version"]
    assert settings["_envops"]["undefined"] == "jinja2.StrictUndefined"
    assert {"__pycache__", "*.py[co]"} <= set(settings["_exclude"])
    answers_template = ROOT / "template" / "{{ _copier_conf.answers_file }}.jinja"
    assert "_copier_answers" in answers_template.read_text(encoding="utf-8")
