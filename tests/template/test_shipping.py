"""The shipping files of every case, validated without a Docker engine or a CI server.

- compose.yaml validates against the Compose specification; it has exactly the services the
  answers need, each `depends_on` names a service with the right condition, every volume used is
  declared and every one declared is used, each setting it passes is one the app reads, and the
  only variable it takes from the environment is the one its README tells you to set;
- the Dockerfile passes hadolint; every path it copies exists in the render and is not left out
  by .dockerignore; the commands it and compose run exist in the project's environment, and the
  module it serves is the app;
- the GitHub workflow and Dependabot file validate against their schemas and pass zizmor, the
  GitLab pipeline validates against its schema;
- the pre-commit hooks pass on the fresh render, offline.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.matrix import Case
from tests.template.harness import UV, Toolchain, answers_of

BIN = Path(sys.executable).parent
PATH = os.environ["PATH"]
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def _answers(case: Case) -> dict[str, Any]:
    return case.full_answers()


def _validate(schema: str, *files: Path) -> None:
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", f"vendor.{schema}", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _compose(project: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def expected_services(answers: dict[str, Any]) -> set[str]:
    wanted = {
        "app": True,
        "db": answers["database"] == "postgresql",
        "redis": "redis" in (answers["cache"], answers["rate_limit"])
        or answers["background_tasks"] in ("arq", "celery"),
        "worker": answers["background_tasks"] in ("arq", "celery"),
        "migrate": bool(answers.get("migrations")),
    }
    return {name for name, needed in wanted.items() if needed}


def settings_fields(project: Path, tools: Toolchain) -> set[str]:
    package = answers_of(project)["package_name"]
    script = (
        f"import json; from {package}.core.config import Settings; "
        "print(json.dumps(list(Settings.model_fields)))"
    )
    output = tools.run(["python", "-c", script], project, {"PYTHONPATH": str(project / "src")})
    return set(json.loads(output.stdout))


@pytest.mark.cases(lambda case: bool(_answers(case)["docker"]))
def test_compose_has_exactly_the_services_the_answers_need(
    case: Case, project: Path, tools: Toolchain
) -> None:
    _validate("compose-spec", project / "compose.yaml")
    compose = _compose(project)
    services: dict[str, dict[str, Any]] = compose["services"]
    assert set(services) == expected_services(_answers(case))

    for name, service in services.items():
        for needed, how in (service.get("depends_on") or {}).items():
            assert needed in services, f"{name} depends on a service that is not there: {needed}"
            condition = (
                "service_completed_successfully" if needed == "migrate" else "service_healthy"
            )
            assert how == {"condition": condition}, f"{name} -> {needed}: {how}"
    # The app starts once all it needs is up (and migrated); a server it waits for says when.
    assert set(services["app"].get("depends_on") or {}) == {"db", "redis", "migrate"} & set(
        services
    )
    for server in {"db", "redis"} & set(services):
        assert "healthcheck" in services[server]

    declared = set(compose.get("volumes") or {})
    used = {
        mount.split(":", 1)[0]
        for service in services.values()
        for mount in service.get("volumes", [])
        if not mount.startswith(("/", "."))
    }
    assert used == declared

    prefix = str(answers_of(project)["env_prefix"])
    fields = settings_fields(project, tools)
    passed = {key for service in services.values() for key in service.get("environment", {})}
    app_settings = {key for key in passed if key.startswith(prefix)}
    unknown = {key for key in app_settings if key.removeprefix(prefix).lower() not in fields}
    assert not unknown, f"compose passes settings the app does not read: {unknown}"

    text = (project / "compose.yaml").read_text(encoding="utf-8")
    taken = set(COMPOSE_VARIABLE.findall(text))
    assert taken == ({"POSTGRES_PASSWORD"} if "db" in services else set())
    for variable in taken:
        assert variable in (project / "README.md").read_text(encoding="utf-8")

    # The commands the services run are the project's own tools.
    for service in services.values():
        if command := service.get("command"):
            assert (tools.venv / "bin" / command[0]).exists(), command


def dockerfile_instructions(project: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (project / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    instructions = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def _ignored(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(path, pattern.removeprefix("**/")) for pattern in patterns)


@pytest.mark.cases(lambda case: bool(_answers(case)["docker"]))
def test_the_dockerfile_passes_hadolint_and_copies_and_runs_what_exists(
    case: Case, project: Path, tools: Toolchain
) -> None:
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", "Dockerfile"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    ignored = [
        line.strip()
        for line in (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copies = [args for keyword, args in dockerfile_instructions(project) if keyword == "COPY"]
    for arguments in copies:
        if "--from=" in arguments:
            continue
        *sources, _target = [part for part in arguments.split() if not part.startswith("--")]
        for source in sources:
            if source.endswith("*"):
                continue  # optional (uv.lock*)
            assert (project / source).exists(), f"COPY {source}: not in the render"
            assert not _ignored(source, ignored), f"COPY {source}: left out by .dockerignore"

    commands = [args for keyword, args in dockerfile_instructions(project) if keyword == "CMD"]
    assert len(commands) == 1
    command = json.loads(commands[0])
    package = answers_of(project)["package_name"]
    assert f"{package}.main:app" in " ".join(command)
    assert (tools.venv / "bin" / "uvicorn").exists()
    if bool(_answers(case)["observability"]):
        assert "--no-access-log" in " ".join(command)
    # The module uvicorn serves gives it the app.
    script = (
        f"import {package}.main as main; from fastapi import FastAPI; "
        "assert isinstance(main.app, FastAPI)"
    )
    tools.run(["python", "-c", script], project, {"PYTHONPATH": str(project / "src")})


@pytest.mark.cases(lambda case: _answers(case)["ci"] == "github")
def test_the_github_workflow_and_dependabot_validate_and_pass_zizmor(project: Path) -> None:
    _validate("github-workflows", project / ".github" / "workflows" / "ci.yml")
    _validate("dependabot", project / ".github" / "dependabot.yml")
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--no-progress", ".github"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.cases(lambda case: _answers(case)["ci"] == "gitlab")
def test_the_gitlab_pipeline_validates(project: Path) -> None:
    _validate("gitlab-ci", project / ".gitlab-ci.yml")


@pytest.mark.cases(lambda case: _answers(case)["ci"] != "none")
def test_the_pipeline_sets_the_variables_the_tests_read(case: Case, project: Path) -> None:
    answers = _answers(case)
    path = ".github/workflows/ci.yml" if answers["ci"] == "github" else ".gitlab-ci.yml"
    text = (project / path).read_text(encoding="utf-8")
    prefix = str(answers_of(project)["env_prefix"])
    assert (f"{prefix}DATABASE_URL:" in text) == (answers["database"] == "postgresql")
    assert (f"{prefix}REDIS_URL:" in text) == ("redis" in expected_services(answers))
    for check in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert f"uv run {check}" in text


@pytest.mark.cases(lambda case: bool(_answers(case)["pre_commit"]))
def test_the_pre_commit_hooks_pass_on_a_fresh_render(
    project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    work = tmp_path / "project"
    shutil.copytree(project, work, ignore=shutil.ignore_patterns(".mypy_cache", "__pycache__"))
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    env = {
        # The hooks' `uv run --no-sync` runs the tools of the shared environment.
        "UV_PROJECT_ENVIRONMENT": str(tools.venv),
        "PATH": os.pathsep.join(
            [str(tools.venv / "bin"), str(Path(UV).parent), os.environ["PATH"]]
        ),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
    }
    git = [shutil.which("git") or "git", *identity]
    tools.run([*git, "init", "-q"], work)
    tools.run([*git, "add", "-A"], work)
    tools.run(["pre-commit", "run", "--all-files"], work, env)
