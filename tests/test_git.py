"""git under `new`: the user's identity and config, never another repository; failures undone.

Also the file-system failures that git and the render meet for real: a read-only file system and
a full disk, each on a small tmpfs mounted in a private mount namespace (`unshare`), so nothing
outside the test sees it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import answers, invoke

SCAFFOLD = str(Path(sys.executable).with_name("fastapi-scaffold"))


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


def state_of(repository: Path) -> dict[str, tuple[int, int]]:
    """Every file of a repository's .git with its size and modification time."""
    return {
        str(path.relative_to(repository)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted((repository / ".git").rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def other_repository(tmp_path: Path) -> Path:
    """A repository of the user's that the environment points at (as inside a git hook)."""
    repository = tmp_path / "other"
    repository.mkdir()
    git(repository, "init", "-q")
    (repository / "tracked.txt").write_text("mine\n", encoding="utf-8")
    git(repository, "add", "tracked.txt")
    git(repository, "-c", "user.name=Me", "-c", "user.email=me@example.com", "commit", "-qm", "x")
    return repository


def test_git_variables_in_the_environment_do_not_leak_into_new(
    tmp_path: Path, other_repository: Path
) -> None:
    before = state_of(other_repository)
    env = {
        **os.environ,
        "GIT_DIR": str(other_repository / ".git"),
        "GIT_WORK_TREE": str(other_repository),
        "GIT_INDEX_FILE": str(other_repository / ".git" / "index"),
        # The user's own settings stay: this identity must sign the first commit.
        "GIT_AUTHOR_NAME": "Ada Lovelace",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.email",
        "GIT_CONFIG_VALUE_0": "ada@example.com",
    }
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [SCAFFOLD, "new", "svc", "-y"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert state_of(other_repository) == before  # not re-initialised, nothing committed there
    project = work / "svc"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae>"],
        cwd=project,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log == "Ada Lovelace <ada@example.com>\n"


def broken_git_config(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    """A real git failure, from the user's own configuration (which `new` honours)."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", key)
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", value)


def test_a_failed_git_init_removes_its_half_made_repository_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    broken_git_config(monkeypatch, "init.defaultBranch", "a..b")  # `git init` fails after mkdir
    exit_code, stdout, stderr = invoke("new", "svc", "-y")
    assert exit_code == 0, stderr
    assert (
        "warning: git init failed: invalid branch name: init.defaultBranch = a..b; removed the"
        " .git it made: the project was not committed (copier update needs git)"
    ) in stderr
    assert "Created svc in svc" in stderr
    assert stdout.strip() == str(tmp_path / "svc")
    assert not (tmp_path / "svc" / ".git").exists()
    assert (tmp_path / "svc" / "pyproject.toml").is_file()


def test_a_failed_commit_removes_the_repository_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "2")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "commit.gpgSign")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    monkeypatch.setenv("GIT_CONFIG_KEY_1", "gpg.program")
    monkeypatch.setenv("GIT_CONFIG_VALUE_1", "false")
    exit_code, _, stderr = invoke("new", "svc", "-y")
    assert exit_code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: git commit failed: ")
    assert "removed the .git it made" in warnings[0]
    assert not (tmp_path / "svc" / ".git").exists()


def test_with_force_a_failed_git_init_leaves_the_users_files_and_no_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "svc"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    broken_git_config(monkeypatch, "init.defaultBranch", "a..b")
    exit_code, _, stderr = invoke("new", "svc", "-y", "--force")
    assert exit_code == 0, stderr
    assert "warning: git init failed" in stderr
    assert not (folder / ".git").exists()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert answers(folder)["project_name"] == "svc"


def test_with_force_into_a_repository_nothing_is_committed_for_the_user(tmp_path: Path) -> None:
    folder = tmp_path / "svc"
    folder.mkdir()
    git(folder, "init", "-q")
    exit_code, _, stderr = _in(tmp_path, "new", "svc", "-y", "--force")
    assert exit_code == 0, stderr
    assert "the folder is already a git repository" in stderr
    assert git(folder, "status", "--porcelain").startswith("?? ")
    assert (folder / ".git").is_dir()  # the user's repository is kept


def _in(folder: Path, *args: str) -> tuple[int, str, str]:
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        return invoke(*args)
    finally:
        os.chdir(cwd)


def namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not namespaces_work(), reason="needs `unshare -rm` and tmpfs mounts (Linux, user namespaces)"
)


def in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `script` (sh) in a private mount namespace: its mounts vanish with it."""
    return subprocess.run(
        ["unshare", "-rm", "sh", "-euc", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCAFFOLD": SCAFFOLD},
    )


@needs_namespaces
def test_a_read_only_file_system_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    result = in_namespace(
        'mount -t tmpfs -o ro,size=1m tmpfs ro; "$SCAFFOLD" new svc ro/svc -y', tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write to {tmp_path / 'ro'}: Read-only file system"
    )


@needs_namespaces
def test_a_disk_that_fills_while_rendering_leaves_nothing_and_names_the_path(
    tmp_path: Path,
) -> None:
    (tmp_path / "small").mkdir()
    result = in_namespace(
        'mount -t tmpfs -o size=48k tmpfs small; "$SCAFFOLD" new svc small/svc -y; ls -A small >&2',
        tmp_path,
    )
    lines = result.stderr.splitlines()
    assert lines[-1] == f"error: cannot write {tmp_path / 'small' / 'svc'}: No space left on device"
    assert "Traceback" not in result.stderr


@needs_namespaces
def test_a_disk_that_fills_during_git_init_leaves_no_half_made_repository(tmp_path: Path) -> None:
    """Room for the project's files but not for its .git: the project comes without git."""
    (tmp_path / "disk").mkdir()
    script = """
        mount -t tmpfs -o size=64m tmpfs disk
        "$SCAFFOLD" new svc disk/measure -y --no-git >/dev/null 2>&1
        used=$(du -sk disk/measure | cut -f1)
        umount disk
        mount -t tmpfs -o size=$((used + 16))k tmpfs disk
        "$SCAFFOLD" new svc disk/svc -y
        echo "git: $(ls -A disk/svc | grep -c '^.git$' || true)" >&2
        echo "files: $(find disk/svc -type f | wc -l)" >&2
    """
    result = in_namespace(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: git " in result.stderr
    assert "removed the .git it made" in result.stderr
    assert "git: 0" in result.stderr.splitlines()
    assert "Created svc in disk/svc" in result.stderr
