"""copier.yml as data: questions, presets and the rules across switches."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fastapi_scaffold import copier_yml
from fastapi_scaffold.errors import UsageError
from fastapi_scaffold.options import (
    PRESETS,
    AnswerRequest,
    build_answers,
    check_package_name,
    describe_preset,
    load_questions,
)
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


def copier_yml_list(name: str) -> set[str]:
    """One of the `{% set name = [...] %}` lists of package_name's validator in copier.yml."""
    settings = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    validator = settings["package_name"]["validator"]
    found = re.search(rf"set {name} = \[(.*?)\]", validator, re.S)
    assert found, f"copier.yml's package_name validator has no {name} list"
    return set(re.findall(r"'([^']+)'", found[1]))


def interpreters() -> dict[str, str]:
    """This interpreter and every supported Python that pyenv has here, by version."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in load_questions()["python_version"].choices:
        for candidate in sorted(pyenv.glob(f"{version}.*/bin/python{version}")):
            found.setdefault(version, str(candidate))
    return found


@pytest.mark.parametrize(("version", "python"), sorted(interpreters().items()))
def test_copier_yml_reserves_every_public_stdlib_module_of_the_interpreter(
    version: str, python: str
) -> None:
    """The CLI checks sys.stdlib_module_names; copier.yml's own list must say the same."""
    names = subprocess.run(
        [python, "-c", "import sys; print(*sys.stdlib_module_names)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # A package name is lower case and does not start with `_` (copier.yml's own rules).
    possible = {name for name in names if re.fullmatch(r"[a-z][a-z0-9_]*", name)}
    missing = sorted(possible - copier_yml_list("stdlib"))
    assert not missing, f"Python {version}: copier.yml's stdlib list lacks {missing}"


@pytest.mark.parametrize("name", ["json", "cprofile", "_thread", "sys"])
def test_the_cli_refuses_what_the_interpreter_calls_stdlib(name: str) -> None:
    with pytest.raises(UsageError, match="is a standard-library module"):
        check_package_name(name)


def test_the_cli_accepts_a_plain_name() -> None:
    check_package_name("shop_api")  # no error


def test_packaging_tools_are_reserved_in_copier_yml() -> None:
    tools = copier_yml_list("packaging_tools")
    assert {"pip", "setuptools", "wheel", "uv", "pkg_resources", "virtualenv"} <= tools


def test_data_file_answers_are_checked_like_data() -> None:
    questions = load_questions()
    answers = build_answers(
        AnswerRequest(data_file={"database": "none", "env_file": "no", "python_version": 3.12}),
        questions,
    )
    assert answers == {"database": "none", "env_file": False, "python_version": "3.12"}
    with pytest.raises(UsageError, match=r"team.yml: unknown question 'databse'"):
        build_answers(
            AnswerRequest(data_file={"databse": "none"}, data_file_name="team.yml"), questions
        )


def test_help_describes_computed_defaults_and_conditions() -> None:
    questions = load_questions()
    assert questions["project_slug"].describe_default(questions) == "from the project name"
    assert questions["package_name"].describe_default(questions) == "from the project slug"
    assert questions["env_prefix"].describe_default(questions) == "from the package name"
    assert questions["database"].describe_default(questions) == "sqlite"
    condition = questions["migrations"].condition
    assert condition is not None
    assert condition.describe_when() == "only when database is not none"


def test_presets_are_described_by_what_they_set() -> None:
    assert describe_preset("standard") == "the defaults"
    assert describe_preset("minimal") == "database=none, error_handling=no, example_resource=no"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def small_copier_yml(folder: Path, extra: str = "") -> Path:
    path = folder / "copier.yml"
    path.write_text(
        "_subdirectory: template\n"
        "database:\n  type: str\n  help: Which database\n  choices: [none, sqlite]\n"
        "  default: sqlite\n"
        "migrations:\n  type: bool\n  help: Alembic?\n  default: true\n"
        "  when: \"{{ database != 'none' }}\"\n"
        "has_database:\n  type: bool\n  default: \"{{ database != 'none' }}\"\n  when: false\n"
        + extra,
        encoding="utf-8",
    )
    return path


def test_the_questions_cache_gives_what_parsing_gives(tmp_path: Path, cache_home: Path) -> None:
    path = small_copier_yml(tmp_path)
    first = copier_yml.question_specs(path)  # parsed, then kept
    assert list(cache_home.glob("fastapi-scaffold/questions-*.json"))
    assert copier_yml.question_specs(path) == first == copier_yml._parse(path)
    assert list(first) == ["database", "migrations"]  # settings and computed values left out
    assert first["database"]["choices"] == ["none", "sqlite"]


def test_a_changed_copier_yml_is_read_again(tmp_path: Path, cache_home: Path) -> None:
    path = small_copier_yml(tmp_path)
    copier_yml.question_specs(path)
    small_copier_yml(tmp_path, extra="cache:\n  type: str\n  help: Cache\n  default: none\n")
    assert "cache" in copier_yml.question_specs(path)


def test_a_damaged_or_unwritable_cache_is_not_used(tmp_path: Path, cache_home: Path) -> None:
    path = small_copier_yml(tmp_path)
    copier_yml.question_specs(path)
    (cache_file,) = cache_home.glob("fastapi-scaffold/questions-*.json")
    cache_file.write_text("{not json", encoding="utf-8")
    assert list(copier_yml.question_specs(path)) == ["database", "migrations"]
    assert json.loads(cache_file.read_text(encoding="utf-8"))["questions"]  # written anew
    shutil.rmtree(cache_home)
    cache_home.write_text("a file where the cache folder would go", encoding="utf-8")
    assert list(copier_yml.question_specs(path)) == ["database", "migrations"]
