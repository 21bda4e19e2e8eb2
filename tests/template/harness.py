"""Run a generated project's own checks against one shared virtual environment per Python.

Every render installs its own requirements into the environment of its Python version (uv makes
that a no-op once they are there), so the matrix grows without a new environment per case.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from filelock import FileLock
from uv import find_uv_bin

if TYPE_CHECKING:
    from tests.matrix import Case

POSTGRES_HOST = "127.0.0.1"
POSTGRES_PORT = 5432
POSTGRES_ADMIN_URL = f"postgresql+asyncpg://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}"
COMMAND_TIMEOUT = 600
# The real binary: a pyenv shim named `uv` would follow a render's .python-version instead.
UV = find_uv_bin()
# Byte code of what a render runs is kept out of the render (the renders are shared by the
# tests, and one checks that a render holds only what the template wrote), but still kept.
PYCACHE_PREFIX = str(Path(tempfile.gettempdir()) / f"scaffold-pycache-{os.getuid()}")


def find_python(version: str) -> str:
    """An interpreter for `version`: on PATH, or under pyenv (uv cannot download one here)."""
    candidates = [shutil.which(f"python{version}") or ""]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    if sys.version_info[:2] == tuple(int(part) for part in version.split(".")):
        candidates.insert(0, sys.executable)
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "--version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    raise RuntimeError(f"no Python {version} interpreter found (looked on PATH and in pyenv)")


def clean_env(extra: Mapping[str, str] | None = None, *, venv: Path | None = None) -> dict[str, str]:
    """The environment for a generated project's tools: none of our pytest's or venv's state."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "VIRTUAL_ENV", "UV_PROJECT", "COV_"))
    }
    env.setdefault("PYTHONPYCACHEPREFIX", PYCACHE_PREFIX)
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    env.update(extra or {})
    return env


def run(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a command and fail with its whole output when it fails."""
    result = subprocess.run(
        list(command),
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


@dataclass
class Toolchain:
    """A shared virtual environment for one Python version."""

    root: Path
    python: str
    # Requirement sets this process already installed: most renders share one, so later
    # tests skip the resolver entirely.
    _installed: set[tuple[str, ...]] = field(default_factory=set)

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    def install_for(self, project: Path) -> None:
        """Make the environment hold `project`'s dependencies and dev group."""
        wanted = tuple(sorted(requirements(project)))
        if wanted in self._installed:
            return
        with FileLock(str(self.root / "install.lock")):
            if not (self.venv / "bin" / "python").exists():
                run([UV, "venv", "--quiet", "--python", self.python, str(self.venv)], self.root, clean_env())
            run(
                [
                    UV, "pip", "install", "--quiet", "--python", str(self.venv / "bin" / "python"),
                    *wanted,
                ],
                project,
                clean_env(),
            )
        self._installed.add(wanted)

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return clean_env(extra, venv=self.venv)

    def run(
        self, command: Sequence[str], project: Path, extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run(command, project, self.env(extra_env))


def requirements(project: Path) -> list[str]:
    """The project's runtime dependencies and its dev dependency group, as requirement strings."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = pyproject["project"].get("dependencies", [])
    dev = pyproject.get("dependency-groups", {}).get("dev", [])
    return [*runtime, *(item for item in dev if isinstance(item, str))]


def answers_of(project: Path) -> dict[str, object]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return dict(loaded)


def postgres_is_up() -> bool:
    try:
        with socket.create_connection((POSTGRES_HOST, POSTGRES_PORT), timeout=2):
            return True
    except OSError:
        return False


def _psql(sql: str) -> str:
    return run(
        ["psql", "-h", POSTGRES_HOST, "-p", str(POSTGRES_PORT), "-U", "postgres", "-d", "postgres",
         "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-c", sql],
        Path.cwd(),
        clean_env(),
    ).stdout


def postgres_databases() -> set[str]:
    return set(_psql("SELECT datname FROM pg_database").split())


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """An empty database for one run: a throwaway Postgres database, or a new SQLite file
    (nothing, an empty URL, for a project without a database)."""
    if kind == "none":
        yield ""
        return
    if kind == "sqlite":
        path = workdir / f"fresh-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite+aiosqlite:///{path}"
        finally:
            path.unlink(missing_ok=True)
        return
    if not postgres_is_up():
        raise AssertionError(
            f"PostgreSQL is not answering on {POSTGRES_HOST}:{POSTGRES_PORT}; .ci/run starts it"
        )
    name = f"scaffold_{uuid.uuid4().hex[:12]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL}/{name}"
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_URL = "redis://127.0.0.1:6379/0"


def uses_redis(answers: Mapping[str, object]) -> bool:
    return redis_backs_cache_or_limits(answers) or has_worker(answers)


def redis_backs_cache_or_limits(answers: Mapping[str, object]) -> bool:
    """Features that do without Redis while it is down: their routes keep answering."""
    return "redis" in (answers.get("cache"), answers.get("rate_limit"))


def has_worker(answers: Mapping[str, object]) -> bool:
    """Background work queued on Redis for a worker: queueing answers 503 while it is down."""
    return answers.get("background_tasks") in ("arq", "celery")


def services_env(project: Path, case: Case) -> dict[str, str]:
    """The variables that point a render's own tests at this machine's real Redis, if it uses one."""
    if not uses_redis(case.full_answers()):
        return {}
    if not redis_is_up():
        raise AssertionError("Redis is not answering on 127.0.0.1:6379; .ci/run starts it")
    return {f"{answers_of(project)['env_prefix']}REDIS_URL": REDIS_URL}


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_env(project: Path, url: str) -> dict[str, str]:
    if not url:
        return {}
    return {f"{answers_of(project)['env_prefix']}DATABASE_URL": url}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
