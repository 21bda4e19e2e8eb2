"""The CLI as a user meets it: Typer's CliRunner, one test per mistake, nothing left behind."""

from __future__ import annotations

import errno
import json
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
        (
            ["new", "ok", "-y", "--package-name", "_thread", "--env-prefix", "THREAD_"],
            2,
            "'_thread' is a standard-library module",
        ),
        (["new", "pip", "-y"], 2, "'pip' is the name of a packaging tool"),
        (["new", "setuptools", "-y"], 2, "'setuptools' is the name of a packaging tool"),
        (["new", "wheel", "-y"], 2, "'wheel' is the name of a packaging tool"),
        (["new", "uv", "-y"], 2, "'uv' is the name of a packaging tool"),
        (["new", "ok", "-y", "--package-name", "pkg_resources"], 2, "a packaging tool"),
        (["new", "..", "-y"], 2, "'..' is a path, not a project name"),
        (["new", ".", "-y"], 2, "'.' is a path, not a project name"),
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
        (["new", "ok", "/proc/forbidden", "-y"], 1, "cannot write to /proc: "),
        (["new", "ok", "/sys/forbidden", "-y"], 1, "cannot write to /sys: Operation not permitted"),
        (["new", "ok", "-y", "--data-file", "missing.yml"], 2, "missing.yml: no such file"),
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
    assert "write" not in stderr.replace("cannot write into", "")  # no `write N files` first
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
    assert stderr.splitlines()[-1] == "error: interrupted: nothing was changed"
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


def test_data_strips_spaces_around_key_and_value(workdir: Path) -> None:
    exit_code, stdout, stderr = invoke(
        "new", "svc", "-y", "--json", "--dry-run", "--data", " database = none "
    )
    assert exit_code == 0, stderr
    assert json.loads(stdout)["answers"]["database"] == "none"


def test_the_path_of_an_existing_folder_reads_as_typed_not_with_dots(workdir: Path) -> None:
    (workdir / "sub" / "taken").mkdir(parents=True)
    (workdir / "sub" / "taken" / "file").write_text("", encoding="utf-8")
    exit_code, _, stderr = invoke("new", "svc", "sub/x/../taken", "-y")
    assert exit_code == 1
    assert f"error: {workdir / 'sub' / 'taken'} already exists and is not empty" in stderr


def team_file(workdir: Path, text: str) -> str:
    (workdir / "team.yml").write_text(text, encoding="utf-8")
    return "team.yml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("database: [none, sqlite]\n", "team.yml: the answer for database must be a single value"),
        ('database: "none\n', "team.yml is not valid YAML (line 2, column 1: "),
        ("- database\n", "team.yml holds a list, not `question: answer` lines"),
        ("databse: none\n", "team.yml: unknown question 'databse'"),
        ("database: mysql\n", "'mysql' is not a choice for database"),
        ("env_file: maybe\n", "'maybe' is not a yes/no answer for env_file"),
        ("database:\n", "team.yml: database has no answer"),
        ("_commit: v1\n", "'_commit' is one of copier's own settings, not an answer"),
        ("project_name: other\n", "project_name is given twice"),
        ("database: none\nmigrations: true\n", "migrations=true does not apply here"),
    ],
)
def test_a_bad_data_file_gets_one_error_line_and_writes_nothing(
    workdir: Path, text: str, message: str
) -> None:
    data_file = team_file(workdir, text)
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--data-file", data_file)
    assert exit_code == 2, stderr
    assert stderr.splitlines()[-2 if "hint:" in stderr else -1].startswith("error: ")
    assert message in stderr
    assert stdout == ""
    assert listing(workdir) == ["team.yml"]


def test_a_data_file_that_is_a_folder_or_not_text_is_refused(workdir: Path) -> None:
    (workdir / "folder.yml").mkdir()
    (workdir / "binary.yml").write_bytes(b"\xff\xfe\x00")
    for name, message in [("folder.yml", "is a folder, not a file"), ("binary.yml", "not UTF-8")]:
        exit_code, _, stderr = invoke("new", "svc", "-y", "--data-file", name)
        assert exit_code == 2
        assert f"error: --data-file {name} {message}" in stderr or message in stderr


def test_data_file_answers_rank_below_data_and_flags(workdir: Path) -> None:
    data_file = team_file(
        workdir,
        "database: postgresql\nerror_handling: no\nexample_resource: no\ndescription: Team\n",
    )
    exit_code, stdout, stderr = invoke(
        "new",
        "svc",
        "-y",
        "--json",
        "--dry-run",
        "--data-file",
        data_file,
        "--preset",
        "minimal",
        "--data",
        "error_handling=yes",
        "--example-resource",
    )
    assert exit_code == 0, stderr
    answers = json.loads(stdout)["answers"]
    assert answers["database"] == "postgresql"  # the file beats the preset
    assert answers["error_handling"] is True  # --data beats the file
    assert answers["example_resource"] is True  # a flag beats the file
    assert answers["description"] == "Team"


def test_dry_run_shows_answers_and_every_file_and_writes_nothing(workdir: Path) -> None:
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--dry-run", "--database", "none")
    assert exit_code == 0, stderr
    assert listing(workdir) == []
    assert stdout.startswith("Would create svc (dry run: nothing was written)\n")
    assert "  database          none\n" in stdout
    assert "  create  pyproject.toml\n" in stdout
    assert "  create  src/svc/main.py\n" in stdout
    assert "alembic.ini" not in stdout  # no database: no migrations


def test_dry_run_lists_what_force_would_replace_and_keeps_the_folder(workdir: Path) -> None:
    folder = workdir / "svc"
    folder.mkdir()
    (folder / "README.md").write_text("MINE\n", encoding="utf-8")
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--dry-run", "--force")
    assert exit_code == 0, stderr
    assert "  replace README.md\n" in stdout
    assert "  create  pyproject.toml\n" in stdout
    assert listing(workdir) == ["svc", "svc/README.md"]
    assert (folder / "README.md").read_text(encoding="utf-8") == "MINE\n"


def test_dry_run_checks_the_target_as_a_real_run_does(workdir: Path) -> None:
    folder = workdir / "svc"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--dry-run")
    assert exit_code == 1
    assert "already exists and is not empty" in stderr
    assert stdout == ""
    (folder / "tests").write_text("a file where a folder goes\n", encoding="utf-8")
    exit_code, _, stderr = invoke("new", "svc", "-y", "--dry-run", "--force")
    assert exit_code == 1
    assert "tests (the template needs a folder there)" in stderr
    assert listing(workdir) == ["svc", "svc/notes.txt", "svc/tests"]


def test_json_is_one_document_on_stdout_that_matches_the_project(workdir: Path) -> None:
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--json", "--preset", "minimal")
    assert exit_code == 0, stderr
    document = json.loads(stdout)  # the whole of stdout: nothing else was printed there
    project = workdir / "svc"
    assert document["path"] == str(project)
    assert document["dry_run"] is False
    assert document["committed"] is True
    assert document["answers"] == {k: v for k, v in answers(project).items() if k[0] != "_"}
    on_disk = [
        name
        for name in listing(project)
        if (project / name).is_file() and name.split("/")[0] != ".git"
    ]
    assert document["files"] == on_disk
    assert document["replaced"] == []
    assert document["warnings"] == []


def test_json_with_dry_run_writes_nothing(workdir: Path) -> None:
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--json", "--dry-run")
    assert exit_code == 0, stderr
    document = json.loads(stdout)
    assert document["dry_run"] is True
    assert "pyproject.toml" in document["files"]
    assert listing(workdir) == []


def test_json_carries_the_warnings(workdir: Path) -> None:
    folder = workdir / "svc"
    folder.mkdir()
    (folder / "README.md").write_text("MINE\n", encoding="utf-8")
    exit_code, stdout, stderr = invoke("new", "svc", "-y", "--json", "--force", "--no-git")
    assert exit_code == 0, stderr
    document = json.loads(stdout)
    assert document["replaced"] == ["README.md"]
    assert document["warnings"] == ["replaced 1 existing files: README.md"]


def test_a_full_disk_without_a_file_name_is_reported_with_the_path(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render_then_fill(template: Path, destination: Path, *args: object, **kw: object) -> None:
        destination.mkdir()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(render, "copy_template", render_then_fill)
    exit_code, _, stderr = invoke("new", "svc", "-y")
    assert exit_code == 1
    assert (
        stderr.splitlines()[-1] == f"error: cannot write {workdir / 'svc'}: No space left on device"
    )
    assert leftovers(workdir) == []


def test_a_closed_standard_input_is_no_traceback(tmp_path: Path) -> None:
    scaffold = Path(sys.executable).with_name("fastapi-scaffold")
    for args, code, message in [
        ("svc", 2, "error: cannot ask questions: standard input is not a terminal"),
        ("svc -y --no-git", 0, "Created svc in svc"),
    ]:
        result = subprocess.run(
            ["bash", "-c", f"'{scaffold}' new {args} 0<&-"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == code, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_a_stdout_that_cannot_be_written_says_the_project_was_made(tmp_path: Path) -> None:
    scaffold = Path(sys.executable).with_name("fastapi-scaffold")
    result = subprocess.run(
        ["bash", "-c", f"'{scaffold}' new svc -y --no-git >/dev/full"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: cannot write to standard output (No space left on device); "
        f"the project is in {tmp_path / 'svc'}"
    )
    assert (tmp_path / "svc" / "pyproject.toml").is_file()
