"""On a terminal, `new` asks copier's questions (not those a flag answers), then shows a summary
and asks before it writes; Ctrl-C or Ctrl-D at a question or at that confirmation stop it."""

from __future__ import annotations

import os
import pty
import re
import select
import sys
import time
from pathlib import Path

import pytest
import yaml

SCAFFOLD = str(Path(sys.executable).with_name("fastapi-scaffold"))


def drive_with_enter(
    argv: list[str], cwd: Path, timeout: float = 90, stdout: Path | None = None
) -> tuple[int, str]:
    """Run `argv` on a pseudo-terminal, pressing Enter (take the default) at every pause.

    With `stdout`, the CLI's standard output goes to that file instead, as in `$(...)`.
    """
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the CLI
        os.chdir(cwd)
        if stdout is not None:
            os.dup2(os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
        os.execv(argv[0], argv)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.3)
        if not ready:
            os.write(fd, b"\r")
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal: it has exited
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_new_asks_the_questions_a_flag_does_not_answer(tmp_path: Path) -> None:
    code, screen = drive_with_enter(
        [SCAFFOLD, "new", "myapi", "--no-git", "--database", "none"], tmp_path
    )
    assert code == 0, screen
    assert "Include an example resource" in screen  # asked
    assert "Database behind the repositories" not in screen  # answered by --database
    answers = yaml.safe_load((tmp_path / "myapi" / ".copier-answers.yml").read_text())
    assert answers["database"] == "none"
    assert answers["example_resource"] is True


def test_the_questions_show_when_stdout_is_captured(tmp_path: Path) -> None:
    """`cd "$(fastapi-scaffold new myapi)"`: questions on the terminal, the path in the capture."""
    captured = tmp_path / "stdout.txt"
    code, screen = drive_with_enter(
        [SCAFFOLD, "new", "myapi", "--no-git", "--database", "none"], tmp_path, stdout=captured
    )
    assert code == 0, screen
    assert "Include an example resource" in screen
    assert captured.read_text() == f"{tmp_path / 'myapi'}\n"


CTRL_C, CTRL_D, CTRL_U = b"\x03", b"\x04", b"\x15"
FIRST_QUESTION = b"Distribution name"
CONFIRMATION = b"Create the project?"
QUESTION_MARK = "🎤".encode()  # copier's prompt


def drive_until(
    argv: list[str], cwd: Path, marker: bytes, keys: bytes, timeout: float = 90
) -> tuple[int, str]:
    """Like `drive_with_enter`, until `marker` shows; then type `keys` once and press nothing."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execv(argv[0], argv)
    output, typed, answered_up_to = b"", False, 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.3)
        if not ready:
            if typed:
                continue
            if marker in output:
                os.write(fd, keys)
                typed = True
            elif QUESTION_MARK in output[answered_up_to:]:  # a question waits: take its default
                os.write(fd, b"\r")
                answered_up_to = len(output)
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode(errors="replace"))
    return os.waitstatus_to_exitcode(status), screen


def answered(**answers: str) -> list[str]:
    """`--data` for every question with a plain default (or given here): few prompts, quick."""
    from fastapi_scaffold.options import applies, load_questions

    questions = load_questions()
    chosen = {name: answers.get(name, q.literal_default) for name, q in questions.items()}
    args = []
    for name, value in chosen.items():
        given = {key: value for key, value in chosen.items() if value is not None}
        if name != "project_name" and value is not None and applies(name, given, questions):
            args += ["--data", f"{name}={value}"]
    return args


def last_line(screen: str) -> str:
    return [line for line in screen.replace("\r", "\n").splitlines() if line.strip()][-1].strip()


@pytest.mark.parametrize(
    ("marker", "keys"),
    [
        pytest.param(FIRST_QUESTION, CTRL_C, id="ctrl-c at a question"),
        pytest.param(FIRST_QUESTION, CTRL_U + CTRL_D, id="ctrl-d at a question"),
        pytest.param(CONFIRMATION, CTRL_C, id="ctrl-c at the confirmation"),
        pytest.param(CONFIRMATION, CTRL_D, id="ctrl-d at the confirmation"),
    ],
)
def test_an_interrupt_at_a_prompt_exits_130_with_one_line(
    tmp_path: Path, marker: bytes, keys: bytes
) -> None:
    quick = answered(database="none") if marker == CONFIRMATION else ["--database", "none"]
    code, screen = drive_until([SCAFFOLD, "new", "myapi", *quick], tmp_path, marker, keys)
    assert code == 130, screen
    assert last_line(screen) == "error: interrupted: nothing was changed"
    assert "Traceback" not in screen and screen.count("error:") == 1
    assert list(tmp_path.iterdir()) == []


def test_the_summary_comes_before_anything_is_written_and_no_cancels(tmp_path: Path) -> None:
    code, screen = drive_until(
        [SCAFFOLD, "new", "myapi", *answered(database="none", example_resource="false")],
        tmp_path,
        CONFIRMATION,
        b"n\r",
    )
    assert code == 1, screen
    assert last_line(screen) == "cancelled: nothing was written"
    summary = screen.split("Create myapi with these answers:")[1].split("Create the project?")[0]
    assert re.search(r"package_name +myapi", summary)
    assert re.search(r"example_resource +no", summary)
    assert re.search(r"\d+ files", summary)
    assert list(tmp_path.iterdir()) == []


def test_force_names_in_the_summary_the_files_it_will_replace(tmp_path: Path) -> None:
    (tmp_path / "myapi").mkdir()
    (tmp_path / "myapi" / "README.md").write_text("mine\n", encoding="utf-8")
    code, screen = drive_until(
        [SCAFFOLD, "new", "myapi", "--force", "--no-git", *answered(database="none")],
        tmp_path,
        CONFIRMATION,
        b"n\r",
    )
    assert code == 1, screen
    assert "replacing 1: README.md" in screen
    assert (tmp_path / "myapi" / "README.md").read_text(encoding="utf-8") == "mine\n"
    assert [path.name for path in (tmp_path / "myapi").iterdir()] == ["README.md"]


def screen_of(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    """Run `argv` on a pseudo-terminal with `env` added; return its exit code and raw output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execve(argv[0], argv, {**os.environ, **env})
    output = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output


def test_colour_on_a_terminal_and_none_with_no_color(tmp_path: Path) -> None:
    argv = [SCAFFOLD, "new", "123", "-y"]
    colour = re.compile(rb"\x1b\[[0-9;]*(3[0-9]|9[0-7])m")  # a foreground colour (SGR)
    code, coloured = screen_of(argv, tmp_path, {"TERM": "xterm-256color"})
    assert code == 2
    assert colour.search(coloured)  # a terminal gets colour...
    code, plain = screen_of(argv, tmp_path, {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert code == 2
    assert not colour.search(plain)  # ...unless NO_COLOR says otherwise
    text = re.sub(r"\x1b\[[0-9;]*m", "", plain.decode()).replace("\r", "")
    assert "\nerror: '123' is not a valid project name" in text
