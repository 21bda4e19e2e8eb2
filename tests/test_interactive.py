"""On a terminal, `new` asks copier's questions; a question answered by a flag is not asked."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

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
