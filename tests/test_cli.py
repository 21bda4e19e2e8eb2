"""The CLI as a user meets it: Typer's CliRunner, one test per mistake, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fastapi_scaffold import __version__, gitops, render
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
        (["new", "class", "-y"], 2, "'class' is a Python keyword"),
        (["new", "123", "-y"], 2, "'123' is not a valid project name"),
        (["new", "my/api", "-y"], 2, "'my/api' is a path, not a project name"),
        (["new", "", "-y"], 2, "the project name is empty"),
        (["new", "fastapi", "-y"], 2, "'fastapi' is the name of a package the project uses"),
        (["new", "conftest", "-y"], 2, "'conftest' is the name of a package the project uses"),
        (["new", "pygments", "-y"], 2, "'pygments' is the name of a package the project uses"),
        (["new", "json", "-y"], 2, "'json' is a standard-library module"),
        (["new", "ok", "-y", "--database", "mysql"], 2, "'mysql' is not a choice for database"),
        (["new", "ok", "-y", "--data", "database"], 2, "--data 'database' is not KEY=VALUE"),
        (["new", "ok", "-y", "--data", "databse=none"], 2, "unknown question 'databse'"),
        (["new", "ok", "-y", "-d", "env_file=maybe"], 2, "'maybe' is not a yes/no answer"),
        (["new", "ok", "-y", "--preset", "huge"], 2, "unknown preset 'huge'"),
        (["new", "ok", "-y", "--database", "none", "--migrations"], 2, "does not apply here"),
        (["new", "ok", "-y", "--author-email", "nope"], 2, "'nope' is not an email address"),
        (["new", "ok", "-y", "--package-name", "x y"], 2, "'x y' is not a valid Python package"),
        (["new", "qwe\n", "-y"], 2, "'qwe\\n' is not a valid project name"),
        (["new", "ok", "-y", "--author-email", "a@b.co\n"], 2, "is not an email address"),
        (["new", "ok", "-y", "--description", "two\nlines"], 2, "description must be one line"),
        (["new", "ok", "-y", "--author-name", "tab\tname"], 2, "author name must be one line"),
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


def test_quotes_and_backslashes_in_metadata_keep_pyproject_valid(workdir: Path) -> None:
    description = 'Says "hi" \\o/'
    exit_code, _, stderr = invoke(
        "new", "svc", "-y", "--no-git", "--description", description, "--author-name", 'Jo "J"'
    )
    assert exit_code == 0, stderr
    project = tomllib.loads((workdir / "svc" / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["description"] == description
    assert project["project"]["authors"][0]["name"] == 'Jo "J"'


def test_the_working_directory_itself_can_be_the_empty_target(workdir: Path) -> None:
    exit_code, stdout, stderr = invoke("new", "svc", ".", "-y")
    assert exit_code == 0, stderr
    assert Path.cwd().samefile(workdir)  # the folder is kept, not replaced
    assert stdout.strip() == str(workdir)
    assert (workdir / "pyproject.toml").is_file()
    assert "cd ." in stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=workdir, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_force_names_the_files_it_replaces(workdir: Path) -> None:
    folder = workdir / "svc"
    folder.mkdir()
    (folder / "README.md").write_text("MINE\n", encoding="utf-8")
    (folder / ".gitignore").write_text("mine\n", encoding="utf-8")
    exit_code, _, stderr = invoke("new", "svc", "-y", "--force", "--no-git")
    assert exit_code == 0, stderr
    assert "warning: replaced 2 existing files: .gitignore, README.md" in stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("tests", "tests (the template needs a folder there)"),
        ("README.md/", "README.md (a folder where the template has a file)"),
        ("pyproject.toml@", "pyproject.toml (a symbolic link)"),
        ("src@", "src (a symbolic link)"),
    ],
)
def test_force_refuses_what_it_must_not_write_through_and_writes_nothing(
    workdir: Path, setup: str, message: str
) -> None:
    folder = workdir / "svc"
    folder.mkdir()
    outside = workdir / "outside"
    outside.mkdir()
    (outside / "precious").write_text("precious\n", encoding="utf-8")
    name = setup.rstrip("/@")
    if setup.endswith("/"):
        (folder / name).mkdir()
    elif setup.endswith("@"):
        (folder / name).symlink_to(outside / "precious" if "." in name else outside)
    else:
        (folder / name).write_text("a file\n", encoding="utf-8")
    before = listing(workdir)

    exit_code, _, stderr = invoke("new", "svc", "-y", "--force")

    assert exit_code == 1
    assert f"error: cannot write into {folder}: {message}" in stderr
    assert listing(workdir) == before
    assert (outside / "precious").read_text(encoding="utf-8") == "precious\n"


def test_a_symlink_to_a_folder_is_that_folder(workdir: Path) -> None:
    (workdir / "real").mkdir()
    (workdir / "link").symlink_to(workdir / "real")
    exit_code, _, stderr = invoke("new", "svc", "link", "-y", "--no-git")
    assert exit_code == 0, stderr
    assert (workdir / "real" / "pyproject.toml").is_file()
    assert (workdir / "link").is_symlink()


def test_a_symlink_to_nothing_is_refused(workdir: Path) -> None:
    (workdir / "dangling").symlink_to(workdir / "missing")
    exit_code, _, stderr = invoke("new", "svc", "dangling", "-y")
    assert exit_code == 1
    assert f"{workdir / 'dangling'} is a symbolic link to {workdir / 'missing'}" in stderr
    assert listing(workdir) == ["dangling"]


def test_the_path_on_stdout_is_printed_as_it_is(workdir: Path) -> None:
    exit_code, stdout, stderr = invoke("new", "svc", "em:smile:oji [b]x[/b]", "-y", "--no-git")
    assert exit_code == 0, stderr
    assert stdout == f"{workdir / 'em:smile:oji [b]x[/b]'}\n"


def test_next_steps_quote_a_folder_with_spaces(workdir: Path) -> None:
    exit_code, _, stderr = invoke("new", "My API", "-y", "--no-git")
    assert exit_code == 0, stderr
    assert "  cd 'My API'\n" in stderr


def test_no_arguments_show_the_help_and_no_empty_error() -> None:
    exit_code, stdout, stderr = invoke()
    assert exit_code == 2
    assert "Usage" in stdout + stderr
    assert "error:" not in stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def press_ctrl_c() -> None:
    raise KeyboardInterrupt


def send_sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)  # the handler interrupts this sleep


@pytest.mark.parametrize("interrupt", [press_ctrl_c, send_sigterm])
def test_an_interrupted_render_leaves_nothing_behind(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, interrupt: Callable[[], None]
) -> None:
    def render_then_interrupt(
        template: Path, destination: Path, *args: object, **kw: object
    ) -> None:
        destination.mkdir()
        (destination / "half.txt").write_text("half\n", encoding="utf-8")
        interrupt()

    monkeypatch.setattr(render, "copy_template", render_then_interrupt)
    exit_code, _, stderr = invoke("new", "svc", "-y")
    assert exit_code == 130
    assert "error: interrupted: nothing was written" in stderr
    assert leftovers(workdir) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_closed_stdout_is_no_failure(tmp_path: Path) -> None:
    scaffold = Path(sys.executable).with_name("fastapi-scaffold")
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{scaffold}' new svc -y --no-git | true"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "svc" / "pyproject.toml").is_file()
