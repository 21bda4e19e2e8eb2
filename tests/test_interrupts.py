"""Ctrl-C and SIGTERM at every phase of `new`: exit 130, one line, and the folders as they were.

With --force the user's folder is the hard case: the files `new` replaced must come back and the
ones it added must go. Each test stops `new` at one point (while rendering, after the n-th file
is moved into place, during the first commit) and compares the folders before and after. The
last test sends real SIGINTs to a real process at moments spread over the whole run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fastapi_scaffold import gitops, render
from tests.test_cli import invoke

INTERRUPTED = "error: interrupted: nothing was changed"


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` with its bytes (None for a folder, the target for a link)."""
    state: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink():
            state[relative] = os.readlink(path).encode()
        elif path.is_dir():
            state[relative] = None
        else:
            state[relative] = path.read_bytes()
    return state


@pytest.fixture
def users_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A non-empty folder of the user's, with files the template also has and others it has not."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "svc"
    (folder / "docs").mkdir(parents=True)
    (folder / "README.md").write_text("my readme\n", encoding="utf-8")
    (folder / ".gitignore").write_text("my-ignores\n", encoding="utf-8")
    (folder / "pyproject.toml").write_text("[project]\nname = 'mine'\n", encoding="utf-8")
    (folder / "docs" / "notes.md").write_text("my notes\n", encoding="utf-8")
    return folder


def press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)  # the signal interrupts this sleep


def send_sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)


STOPS = [pytest.param(press_ctrl_c, id="SIGINT"), pytest.param(send_sigterm, id="SIGTERM")]


def interrupt_after(count: int, real: Callable[..., object], stop: Callable[[], None]):  # type: ignore[no-untyped-def]
    """`real`, which stops the process on its `count`-th call."""
    calls = 0

    def wrapper(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == count:
            stop()
        return real(*args, **kwargs)

    return wrapper


def assert_interrupted(exit_code: int, stderr: str) -> None:
    assert exit_code == 130, stderr
    assert stderr.splitlines()[-1] == INTERRUPTED
    assert stderr.count("error:") == 1
    assert "Traceback" not in stderr


@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("moved", [1, 2, 9, 10_000])
def test_force_interrupted_while_files_go_in_restores_the_folder(
    users_folder: Path, monkeypatch: pytest.MonkeyPatch, moved: int, stop: Callable[[], None]
) -> None:
    before = snapshot(users_folder.parent)
    # 10_000: past the last file, so the stop comes from the last file's own move.
    monkeypatch.setattr(shutil, "move", interrupt_after(min(moved, 37), shutil.move, stop))
    exit_code, _, stderr = invoke("new", "svc", "-y", "--force", "--no-git")
    assert_interrupted(exit_code, stderr)
    assert snapshot(users_folder.parent) == before


@pytest.mark.parametrize("stop", STOPS)
def test_force_interrupted_during_the_commit_restores_the_folder(
    users_folder: Path, monkeypatch: pytest.MonkeyPatch, stop: Callable[[], None]
) -> None:
    before = snapshot(users_folder.parent)
    real_git = gitops._git

    def git_then_stop(project: Path, *args: str, **kwargs: object) -> None:
        real_git(project, *args, **kwargs)  # type: ignore[arg-type]
        if "commit" in args:
            stop()

    monkeypatch.setattr(gitops, "_git", git_then_stop)
    exit_code, _, stderr = invoke("new", "svc", "-y", "--force")
    assert_interrupted(exit_code, stderr)
    assert snapshot(users_folder.parent) == before  # no .git left, every file as it was


@pytest.mark.parametrize("stop", STOPS)
def test_interrupted_during_the_commit_of_a_new_folder_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: Callable[[], None]
) -> None:
    monkeypatch.chdir(tmp_path)
    real_git = gitops._git

    def stop_at_add(project: Path, *args: str, **kwargs: object) -> None:
        if "add" in args:
            stop()
        real_git(project, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gitops, "_git", stop_at_add)
    exit_code, _, stderr = invoke("new", "svc", "a/b/c", "-y")
    assert_interrupted(exit_code, stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stop", STOPS)
def test_interrupted_while_an_empty_folder_is_filled_leaves_it_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: Callable[[], None]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(shutil, "move", interrupt_after(3, shutil.move, stop))
    exit_code, _, stderr = invoke("new", "svc", "empty", "-y")
    assert_interrupted(exit_code, stderr)
    assert [path.name for path in tmp_path.iterdir()] == ["empty"]
    assert list((tmp_path / "empty").iterdir()) == []


@pytest.mark.parametrize("stop", STOPS)
def test_interrupted_while_rendering_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: Callable[[], None]
) -> None:
    monkeypatch.chdir(tmp_path)
    real = render.copy_template

    def render_then_stop(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        stop()

    monkeypatch.setattr(render, "copy_template", render_then_stop)
    exit_code, _, stderr = invoke("new", "svc", "-y")
    assert_interrupted(exit_code, stderr)
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_second_ctrl_c_while_undoing_changes_nothing_more(
    users_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C pressed twice: the second arrives while the first is being undone."""
    before = snapshot(users_folder.parent)
    real_replace = os.replace
    undoing = False

    def replace_pressing_ctrl_c(source: object, target: object) -> None:
        nonlocal undoing
        real_replace(source, target)  # type: ignore[arg-type]
        if ".fastapi-scaffold-saved-" in str(source):  # putting a user's file back
            os.kill(os.getpid(), signal.SIGINT)  # held until the undo is done, then dropped
        elif ".fastapi-scaffold-saved-" in str(target) and not undoing:
            undoing = True
            press_ctrl_c()

    monkeypatch.setattr(os, "replace", replace_pressing_ctrl_c)
    exit_code, _, stderr = invoke("new", "svc", "-y", "--force", "--no-git")
    assert_interrupted(exit_code, stderr)
    assert snapshot(users_folder.parent) == before


def test_real_sigints_at_any_moment_keep_the_promise(users_folder: Path) -> None:
    """A real process, a real SIGINT, at moments spread over a whole `new --force` run.

    Whenever it lands, either the folder is as it was (130), or the project was made (exit 0,
    or 130 if the signal cut the report short). The clock starts at the first progress line:
    before it, Python is still starting (a signal there is the interpreter's to report).
    """
    scaffold = Path(sys.executable).with_name("fastapi-scaffold")
    before = snapshot(users_folder.parent)
    outcomes = []
    for delay in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6):
        shutil.rmtree(users_folder.parent)
        restore(users_folder.parent, before)
        process = subprocess.Popen(
            [str(scaffold), "new", "svc", "-y", "--force"],
            cwd=users_folder.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        first = process.stderr.readline()  # `render  template`: the CLI is running
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
        stderr = first + rest
        last_line = stderr.splitlines()[-1] if stderr else ""
        outcomes.append(process.returncode)
        if last_line == INTERRUPTED:
            assert process.returncode == 130
            assert snapshot(users_folder.parent) == before, f"after {delay} s"
        else:  # made, then perhaps interrupted while printing what it made
            assert process.returncode == 0 or last_line.startswith(
                f"error: interrupted: the project is in {users_folder}"
            ), (delay, process.returncode, stderr)
            assert (users_folder / ".copier-answers.yml").is_file()
            assert (users_folder / ".git").is_dir()
            assert (users_folder / "docs" / "notes.md").read_text() == "my notes\n"
            assert not [p for p in users_folder.parent.iterdir() if p.name.startswith(".fastapi")]
            assert not [p for p in users_folder.iterdir() if p.name.startswith(".fastapi")]
    assert 130 in outcomes  # at least one landed in the middle of the work


def restore(folder: Path, state: dict[str, bytes | None]) -> None:
    folder.mkdir()
    for relative, content in state.items():
        path = folder / relative
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
