"""Generated apps never hang a request on their database, run as a user runs them.

Real servers: the app under uvicorn on 127.0.0.1, its database migrated, and a second connection
holding a lock that every request needs (PostgreSQL: `LOCK TABLE items IN ACCESS EXCLUSIVE
MODE` in an open transaction; SQLite: a writer's exclusive transaction) for far longer than the
app's timeouts.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.matrix import Case
from tests.template.harness import (
    POSTGRES_ADMIN_URL,
    POSTGRES_HOST,
    POSTGRES_PORT,
    Toolchain,
    answers_of,
    clean_env,
    database_env,
    fresh_database,
    run,
)
from tests.template.test_runtime import request, server_log, serving

STATEMENT_TIMEOUT = 2.0
CONNECT_TIMEOUT = 2.0
# What a request may take beyond its timeouts on this shared 2-core machine.
MARGIN = 3.0
# The scenario: the lock is held for 15 s while 30 requests want it.
LOCK_HELD = 15.0
CONCURRENT_REQUESTS = 30
PSQL = ["psql", "-h", POSTGRES_HOST, "-p", str(POSTGRES_PORT), "-U", "postgres", "-q", "-A", "-t"]
BUSY = {
    "The database did not answer in time; try again later.",  # waited on the lock
    "The database is unavailable; try again later.",  # waited for a free connection of the pool
}


@contextmanager
def table_locked(database: str, url: str) -> Iterator[None]:
    """Another connection holds the items table (PostgreSQL) or the whole file (SQLite).

    `url` is one of `fresh_database`: `sqlite+aiosqlite:///<path>` or `<server>/<database>`.
    """
    if database == "sqlite":
        writer = sqlite3.connect(url.split(":///", 1)[1], isolation_level=None)
        try:
            writer.execute("BEGIN EXCLUSIVE")
            yield
        finally:
            writer.close()
        return
    name = url.rsplit("/", 1)[1]
    hold = f"BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({LOCK_HELD}); END;"
    holder = subprocess.Popen([*PSQL, "-d", name, "-c", hold], stdout=subprocess.DEVNULL)
    try:
        _wait_for_lock(name)
        yield
    finally:
        # The server notices a vanished client only after pg_sleep: end its session itself.
        _query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{name}' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
        )
        holder.wait(timeout=30)


def _wait_for_lock(database: str) -> None:
    query = (
        "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted"
        " AND locktype = 'relation' AND database ="
        f" (SELECT oid FROM pg_database WHERE datname = '{database}')"
    )
    deadline = time.monotonic() + 20
    while _query(query).strip() == "0":
        assert time.monotonic() < deadline, "the lock holder never got its lock"
        time.sleep(0.1)


def _query(sql: str) -> str:
    return run([*PSQL, "-d", "postgres", "-c", sql], Path.cwd(), clean_env()).stdout


def timed_get(url: str) -> tuple[int, object, float]:
    started = time.monotonic()
    status, body = request(url)
    return status, body, time.monotonic() - started


@pytest.mark.cases(lambda case: case.id in {"preset-standard", "preset-full"})
def test_no_request_hangs_on_a_locked_table(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    database = str(case.full_answers()["database"])
    prefix = answers_of(project)["env_prefix"]
    with fresh_database(database, tmp_path) as url:
        env = database_env(project, url)
        tools.run(["alembic", "upgrade", "head"], project, env)
        env |= {
            f"{prefix}DATABASE_STATEMENT_TIMEOUT": str(STATEMENT_TIMEOUT),
            f"{prefix}DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        }
        with serving(project, tools, env) as base:
            assert request(f"{base}/items", "POST", {"name": "Lamp", "price_cents": 1})[0] == 201
            with table_locked(database, url), ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
                answers = list(pool.map(timed_get, [f"{base}/items/1"] * CONCURRENT_REQUESTS))
            after = request(f"{base}/items/1")
            log = server_log(base, project)

    # A request waits for a free connection, then for its one statement.
    longest = CONNECT_TIMEOUT + STATEMENT_TIMEOUT + MARGIN
    late = [seconds for _, _, seconds in answers if seconds >= longest]
    assert not late, f"{len(late)} requests took {max(late):.1f} s or more, longest {longest} s"
    assert {status for status, _, _ in answers} == {503}
    assert {body["detail"] for _, body, _ in answers if isinstance(body, dict)} <= BUSY
    assert after[0] == 200, after  # the app serves again once the lock is gone
    assert "Traceback" not in log


@pytest.mark.cases(lambda case: case.id == "preset-full")
def test_the_readmes_postgresql_steps_work_on_a_server_without_the_database(
    project: Path, tools: Toolchain
) -> None:
    """`uv run alembic upgrade head` before and after the README's `createdb` line."""
    name = f"missing_{uuid.uuid4().hex[:8]}"
    env = database_env(project, f"{POSTGRES_ADMIN_URL}/{name}")
    readme = (project / "README.md").read_text(encoding="utf-8").splitlines()
    createdb = next(line for line in readme if line.startswith("createdb ")).split("#")[0].split()

    before = subprocess.run(
        ["alembic", "upgrade", "head"],
        cwd=project,
        env=tools.env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    run([*createdb[:-1], name], project, clean_env())  # the README's line, for this database
    try:
        tools.run(["alembic", "upgrade", "head"], project, env)
    finally:
        _query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    assert before.returncode == 1
    assert before.stderr.strip().splitlines()[-1].startswith("Cannot migrate: database")
    assert "does not exist: create it first" in before.stderr
    assert "Traceback" not in before.stdout + before.stderr
