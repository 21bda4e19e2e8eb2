"""`--help` as a newcomer reads it at 80 columns, and shell completion for bash, zsh and fish."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_scaffold.cli import ARGUMENT_QUESTIONS
from fastapi_scaffold.options import PRESETS, describe_preset, load_questions

SCAFFOLD = str(Path(sys.executable).with_name("fastapi-scaffold"))
SHELLS = ("bash", "zsh", "fish")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "80", **(env or {})}
    return subprocess.run(
        [SCAFFOLD, *args], capture_output=True, text=True, check=False, env=environment
    )


@pytest.fixture(scope="module")
def new_help() -> str:
    result = run("new", "--help")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_fits_80_columns_as_plain_text(new_help: str) -> None:
    top = run("--help").stdout
    for text in (new_help, top):
        assert max(len(line) for line in text.splitlines()) <= 80
        assert "\x1b[" not in text  # no colour codes
        assert not set("╭╮╰╯│─") & set(text)  # no boxes


def test_usage_and_metavars_are_real(new_help: str) -> None:
    assert new_help.startswith("Usage: fastapi-scaffold new [OPTIONS] NAME [PATH]\n")
    for fragment in ["<bool>", "<str>", "<path>", "{name}", "[path]"]:
        assert fragment not in new_help
    assert "  -y, --defaults " in new_help
    assert "  -d, --data KEY=VALUE " in new_help
    assert "  --data-file FILE " in new_help
    assert "  --preset PRESET " in new_help
    assert "  --database DATABASE " in new_help
    assert "  --env-prefix PREFIX " in new_help
    assert "  --env-file / --no-env-file " in new_help


def test_every_question_has_its_flag_and_choices(new_help: str) -> None:
    flat = " ".join(new_help.split())
    for name, question in load_questions().items():
        if name in ARGUMENT_QUESTIONS:
            continue
        names = f"{question.flag} / --no-{question.flag[2:]}" if question.is_bool else question.flag
        assert names in flat, f"{name} has no flag"
        if question.choices:
            assert f"one of {', '.join(question.choices)}" in flat, name


def test_computed_defaults_and_conditions_are_described(new_help: str) -> None:
    flat = " ".join(new_help.split())
    assert (
        "Distribution name (lower case, words joined by '-') (default: from the project name)"
        in flat
    )
    assert "(default: from the project slug)" in flat
    assert "(default: from the package name)" in flat
    assert "(default: yes; only when database is not none)" in flat


def test_presets_examples_and_exit_codes_are_shown(new_help: str) -> None:
    flat = " ".join(new_help.split())
    for preset in PRESETS:
        assert f"{preset} {describe_preset(preset)}" in flat
    assert "Examples:\n  fastapi-scaffold new myapi\n" in new_help
    assert 'cd "$(fastapi-scaffold new myapi -y)"' in new_help
    for code in ("0", "1", "2", "130"):
        assert f"\n  {code} " in new_help.split("Exit codes:")[1]


def test_help_and_completion_load_neither_copier_nor_rich_nor_yaml(tmp_path: Path) -> None:
    """What `--help` must not pay for; PyYAML only once, to fill the questions' cache."""
    # Printed at exit: completion ends the process from inside main().
    probe = (
        "import atexit, sys; from fastapi_scaffold.cli import main; atexit.register(lambda: "
        "print('loaded:', sorted({'copier', 'rich', 'pydantic', 'yaml'} & set(sys.modules)))); "
        "main(sys.argv[1:])"
    )
    cache = {"XDG_CACHE_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", probe, "--help"], env={**os.environ, **cache}, check=True)
    for args, env in [
        (["new", "--help"], {}),
        (["--help"], {}),
        (
            [],
            {
                "_FASTAPI_SCAFFOLD_COMPLETE": "complete_bash",
                "COMP_WORDS": "x new --d",
                "COMP_CWORD": "2",
            },
        ),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **cache, **env},
        )
        assert result.stdout.splitlines()[-1] == "loaded: []", result


def complete(shell: str, words: str) -> list[str]:
    """What the shell's completion function gets from the CLI for the command line `words`."""
    env = {"_FASTAPI_SCAFFOLD_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        parts = words.split(" ")
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = run(env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_script_for_each_shell(shell: str) -> None:
    result = run(
        "--show-completion", shell, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert f"complete_{shell}" in result.stdout
    assert "fastapi-scaffold" in result.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_offers_question_flags_and_their_choices(shell: str) -> None:
    flags = " ".join(complete(shell, "fastapi-scaffold new myapi --"))
    for flag in ["--database", "--migrations", "--no-migrations", "--data-file", "--dry-run"]:
        assert flag in flags, (shell, flag)
    choices = " ".join(complete(shell, "fastapi-scaffold new myapi --database "))
    for choice in load_questions()["database"].choices:
        assert choice in choices, (shell, choice)
    presets = " ".join(complete(shell, "fastapi-scaffold new myapi --preset "))
    assert all(preset in presets for preset in PRESETS)


def test_completion_of_data_offers_names_then_values() -> None:
    assert "database=" in complete("bash", "fastapi-scaffold new x --data datab")
    assert complete("bash", "fastapi-scaffold new x --data database=p") == ["database=postgresql"]
    assert complete("bash", "fastapi-scaffold new x --data env_file=") == [
        "env_file=true",
        "env_file=false",
    ]


def test_bash_completes_through_its_own_script(tmp_path: Path) -> None:
    """The script `--show-completion bash` prints, sourced in a real bash."""
    script = run(
        "--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    ).stdout
    (tmp_path / "completion.bash").write_text(script, encoding="utf-8")
    driver = (
        f'PATH="{Path(SCAFFOLD).parent}:$PATH"; source {tmp_path / "completion.bash"}; '
        "COMP_WORDS=(fastapi-scaffold new myapi --database p); COMP_CWORD=4; "
        '_fastapi_scaffold_completion fastapi-scaffold; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(["bash", "-c", driver], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql"]
