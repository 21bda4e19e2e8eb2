"""Generated apps as a user runs them: a real server on 127.0.0.1, restarted, on a real database."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.matrix import Case
from tests.template.harness import (
    UV,
    Toolchain,
    answers_of,
    database_env,
    find_python,
    fresh_database,
    free_port,
    run,
    clean_env,
)

STARTUP_TIMEOUT = 60.0


def request(url: str, method: str = "GET", body: object = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data else {}
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def serving(
    project: Path, tools: Toolchain, env: Mapping[str, str], args: Sequence[str] = ()
) -> Iterator[str]:
    """`fastapi run src/<package>/main.py [args]` on a free port of 127.0.0.1, stopped on exit.

    Its Redis keys (if it uses Redis) are under a prefix of its own unless `env` names one: the
    renders share a package name, and one case's queue (an arq sorted set) must not be another's
    (a Celery list) in the same Redis.
    """
    package = answers_of(project)["package_name"]
    own_keys = f"scaffold-{uuid.uuid4().hex[:8]}:"
    env = {f"{answers_of(project)['env_prefix']}REDIS_KEY_PREFIX": own_keys, **env}
    port = free_port()
    log = _log_path(project, port)
    with log.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            ["fastapi", "run", f"src/{package}/main.py", "--host", "127.0.0.1", "--port", str(port),
             *args],
            cwd=project,
            env=tools.env(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, server, log)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_log(base: str, project: Path) -> str:
    """What the server `serving` started on `base` has printed so far."""
    port = int(base.rsplit(":", 1)[1])
    return _log_path(project, port).read_text(encoding="utf-8", errors="replace")


def _log_path(project: Path, port: int) -> Path:
    return project.parent / f"server-{port}.log"


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"the server exited with {server.returncode}:\n{output}")
        try:
            if request(f"{base}/health")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"no healthy answer from {base} within {STARTUP_TIMEOUT} s")


def test_the_app_starts_and_answers_its_health_check(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    database = str(case.full_answers()["database"])
    if database == "none":
        with serving(project, tools, {}) as base:
            assert request(f"{base}/health") == (200, {"status": "ok"})
    else:
        with fresh_database(database, tmp_path) as url:
            env = database_env(project, url)
            if case.full_answers().get("migrations"):
                tools.run(["alembic", "upgrade", "head"], project, env)
            with serving(project, tools, env) as base:
                assert request(f"{base}/health")[0] == 200
                assert request(f"{base}/health/ready")[0] == 200
    if case.full_answers()["observability"]:
        # The app's own access line, and not uvicorn's as well (`fastapi run` configures it).
        log = server_log(base, project)  # the server has stopped: every line is written
        assert '"route":"/health"' in log
        assert '"GET /health HTTP/1.1"' not in log


@pytest.mark.cases(
    lambda case: case.full_answers()["database"] != "none"
    and bool(case.full_answers()["example_resource"])
)
def test_a_created_item_survives_a_restart(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    with fresh_database(str(case.full_answers()["database"]), tmp_path) as url:
        env = database_env(project, url)
        if case.full_answers().get("migrations"):
            tools.run(["alembic", "upgrade", "head"], project, env)
        item = {"name": "Lamp", "description": "A desk lamp", "price_cents": 2500}
        with serving(project, tools, env) as base:
            status, created = request(f"{base}/items", "POST", item)
            assert status == 201, created
        assert isinstance(created, dict)
        with serving(project, tools, env) as base:
            assert request(f"{base}/items/{created['id']}") == (200, created)
            status, conflict = request(f"{base}/items", "POST", item)
            assert status == 409, conflict


@pytest.mark.cases(
    lambda case: case.full_answers()["database"] != "none"
    and bool(case.full_answers().get("migrations"))
    and bool(case.full_answers()["example_resource"])
)
def test_an_unmigrated_database_is_reported_at_start_up_and_not_ready(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    with fresh_database(str(case.full_answers()["database"]), tmp_path) as url:
        with serving(project, tools, database_env(project, url)) as base:
            status, problem = request(f"{base}/health/ready")
            log = server_log(base, project)
    assert status == 503, problem
    assert "The database has no table items: run `alembic upgrade head`" in log


@pytest.mark.cases(lambda case: case.id == "preset-standard")
def test_an_invalid_setting_stops_start_up_with_one_line_and_no_traceback(
    project: Path, tools: Toolchain
) -> None:
    variable = f"{answers_of(project)['env_prefix']}DEBUG"
    package = answers_of(project)["package_name"]
    result = subprocess.run(
        ["fastapi", "run", f"src/{package}/main.py", "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=project,
        env=tools.env({variable: "perhaps"}),
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 1
    assert f"{variable}: Input should be a valid boolean" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.cases(lambda case: case.id == "preset-standard")
def test_the_readme_commands_work_as_written(project: Path, tmp_path: Path) -> None:
    """`uv sync && uv run pytest` in a copy of the default render, with its own pins.

    A developer's .env with a bad value in it changes nothing: the tests never read it.
    """
    copy = tmp_path / "myapi"
    shutil.copytree(project, copy)
    variable = f"{answers_of(project)['env_prefix']}DEBUG"
    (copy / ".env").write_text(f"{variable}=perhaps\n", encoding="utf-8")
    env = clean_env({"UV_PYTHON": find_python("3.11"), "UV_PYTHON_DOWNLOADS": "never"})
    run([UV, "sync", "--quiet"], copy, env)
    result = run([UV, "run", "--quiet", "pytest", "-q", "-p", "no:cacheprovider"], copy, env)
    assert " passed" in result.stdout and " failed" not in result.stdout
