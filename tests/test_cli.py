"""The CLI as a user meets it: Typer's CliRunner, one test per mistake, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fastapi_scaffold import __version__, gitops
from fastapi_scaffold.cli import ARGUMENT_QUESTIONS, app
from fastapi_scaffold.options import load_questions

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def answers(project: Path) -> dict[str, object]:
    return dict(yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["new", "class", "-y"], 1, "'class' is a Python keyword"),
        (["new", "123", "-y"], 1, "'123' is not a valid project name"),
        (["new", "my/api", "-y"], 2, "'my/api' is a path, not a project name"),
        (["new", "", "-y"], 2, "the project name is empty"),
        (["new", "fastapi", "-y"], 1, "'fastapi' is the name of a package the project uses"),
        (["new", "conftest", "-y"], 1, "'conftest' is the name of a package the project uses"),
        (["new", "pygments", "-y"], 1, "'pygments' is the name of a package the project uses"),
        (["new", "json", "-y"], 1, "'json' is a standard-library module"),
        (["new", "ok", "-y", "--database", "mysql"], 2, "'mysql' is not a choice for database"),
        (["new", "ok", "-y", "--data", "database"], 2, "--data 'database' is not KEY=VALUE"),
        (["new", "ok", "-y", "--data", "databse=none"], 2, "unknown question 'databse'"),
        (["new", "ok", "-y", "-d", "env_file=maybe"], 2, "'maybe' is not a yes/no answer"),
        (["new", "ok", "-y", "--preset", "huge"], 2, "unknown preset 'huge'"),
        (["new", "ok", "-y", "--database", "none", "--migrations"], 2, "does not apply here"),
        (["new", "ok", "-y", "--author-email", "nope"], 1, "'nope' is not an email address"),
        (["new", "ok", "-y", "--package-name", "x y"], 1, "'x y' is not a valid Python package"),
        (["new", "ok", "-y", "--bogus"], 2, "No such option: --bogus"),
        (["new", "ok", "-y", "-d", "project_name=other"], 2, "project_name is given twice"),
        (["new", "ok"], 2, "standard input is not a terminal"),
        (["new", "ok", "/proc/forbidden", "-y"], 1, "cannot write to /proc"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_mistake_gets_one_error_line_and_writes_nothing(
    workdir: Path, args: list[str], code: int, message: str
) -> None:
    exit_code, stdout, stderr = invoke(*args)
    assert exit_code == code, stderr
    assert stderr.splitlines()[-2 if "hint:" in stderr else -1].startswith("error: ")
    assert message in stderr
    assert "Traceback" not in stderr + stdout
    assert stdout == ""
    assert listing(workdir) == []


def test_an_existing_folder_is_refused_and_kept(workdir: Path) -> None:
    mine = workdir / "myapi" / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("mine", encoding="utf-8")
    exit_code, _, stderr = invoke("new", "myapi", "-y")
    assert exit_code == 1
    assert "already exists and is not empty" in stderr
    assert "hint: choose another folder, or pass --force" in stderr
    assert listing(workdir) == ["myapi", "myapi/notes.txt"]
    assert mine.read_text(encoding="utf-8") == "mine"


def test_a_path_through_a_file_is_refused(workdir: Path) -> None:
    (workdir / "afile").write_text("", encoding="utf-8")
    exit_code, _, stderr = invoke("new", "ok", "afile/ok", "-y")
    assert exit_code == 1
    assert "is a file, not a folder" in stderr


def test_help_lists_one_flag_per_question() -> None:
    exit_code, stdout, _ = invoke("new", "--help")
    assert exit_code == 0
    for name, question in load_questions().items():
        if name in ARGUMENT_QUESTIONS:
            continue
        assert question.flag in stdout, f"{name} has no flag"
        if question.is_bool:
            assert f"--no-{question.flag[2:]}" in stdout
        for choice in question.choices:
            assert choice in stdout, f"{name}: choice {choice} not in the help"


def test_version() -> None:
    exit_code, stdout, _ = invoke("--version")
    assert exit_code == 0
    assert stdout.strip() == f"fastapi-scaffold {__version__}"


def test_help_does_not_import_copier() -> None:
    probe = (
        "import sys; from fastapi_scaffold.cli import main; code = main(['new', '--help']); "
        "print('copier' in sys.modules, code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False 0"


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """One project made through the CLI with a few flags, shared by the tests below."""
    where = tmp_path_factory.mktemp("created")
    cwd = Path.cwd()
    os.chdir(where)
    try:
        exit_code, stdout, stderr = invoke(
            "new", "shop-api", "-y", "--no-error-handling", "--data", "description=Sells things"
        )
    finally:
        os.chdir(cwd)
    assert exit_code == 0, stderr
    return where / "shop-api", stdout, stderr


def test_new_renders_and_reports(created: tuple[Path, str, str]) -> None:
    project, stdout, stderr = created
    assert stdout.strip() == str(project)
    assert "Created shop-api in shop-api" in stderr
    assert "uv run alembic upgrade head\n  uv run fastapi dev src/shop_api/main.py" in stderr
    recorded = answers(project)
    assert recorded["package_name"] == "shop_api"
    assert recorded["error_handling"] is False
    assert recorded["description"] == "Sells things"
    assert (project / "src" / "shop_api" / "main.py").is_file()


def test_new_makes_a_first_commit_of_everything(created: tuple[Path, str, str]) -> None:
    project, _, _ = created

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=True
        ).stdout

    assert len(git("log", "--oneline").splitlines()) == 1
    assert git("status", "--porcelain") == ""


def test_no_git_and_an_empty_existing_folder(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    exit_code, _, stderr = invoke("new", "svc", "empty", "-y", "--no-git", "--preset", "minimal")
    assert exit_code == 0, stderr
    assert not (workdir / "empty" / ".git").exists()
    assert answers(workdir / "empty")["database"] == "none"


def test_force_writes_into_a_folder_and_keeps_other_files(workdir: Path) -> None:
    mine = workdir / "svc" / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("mine", encoding="utf-8")
    exit_code, _, stderr = invoke("new", "svc", "-y", "--force", "--preset", "full")
    assert exit_code == 0, stderr
    assert mine.read_text(encoding="utf-8") == "mine"
    assert answers(workdir / "svc")["database"] == "postgresql"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=mine.parent, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "notes.txt" not in tracked and ".copier-answers.yml" in tracked


def test_without_git_the_project_is_made_with_one_warning(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitops, "git_available", lambda: False)
    exit_code, _, stderr = invoke("new", "svc", "-y")
    assert exit_code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: git is not installed: the project was not committed (copier update needs git)"
    ]
    assert (workdir / "svc" / "pyproject.toml").is_file()
    assert not (workdir / "svc" / ".git").exists()
