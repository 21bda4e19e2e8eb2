"""Generated apps whose cache or limiter is on Redis keep answering when Redis misbehaves.

Real servers: the app under uvicorn on 127.0.0.1, its database migrated, its Redis pointed at a
port where nothing listens, or at a socket that accepts connections and never answers.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.matrix import Case
from tests.template.harness import (
    Toolchain,
    answers_of,
    database_env,
    fresh_database,
    has_worker,
    redis_backs_cache_or_limits,
)
from tests.template.test_runtime import request, serving

REDIS_TIMEOUT = 0.2
# What a request may take beyond the Redis timeout on this shared 2-core machine.
MARGIN = 0.8

pytestmark = pytest.mark.cases(
    lambda case: redis_backs_cache_or_limits(case.full_answers())
    and case.full_answers()["database"] != "none"
    and bool(case.full_answers()["example_resource"])
)


@contextmanager
def unanswering_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


@contextmanager
def app_with_redis_at(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path, redis_url: str
) -> Iterator[str]:
    prefix = answers_of(project)["env_prefix"]
    with fresh_database(str(case.full_answers()["database"]), tmp_path) as url:
        env = database_env(project, url)
        if case.full_answers().get("migrations"):
            tools.run(["alembic", "upgrade", "head"], project, env)
        env |= {f"{prefix}REDIS_URL": redis_url, f"{prefix}REDIS_TIMEOUT": str(REDIS_TIMEOUT)}
        with serving(project, tools, env) as base:
            yield base


def exercise(base: str) -> list[tuple[str, int, float]]:
    """Cached reads, limited writes and readiness: (what, status, seconds) for each."""
    calls = [
        ("POST /items", "POST", "/items", {"name": "Lamp", "price_cents": 1}),
        ("GET /items", "GET", "/items", None),
        ("GET /items again", "GET", "/items", None),
        ("GET /items/1", "GET", "/items/1", None),
        ("PATCH /items/1", "PATCH", "/items/1", {"price_cents": 2}),
        ("GET /health/ready", "GET", "/health/ready", None),
    ]
    results = []
    for what, method, path, body in calls:
        start = time.perf_counter()
        status, _ = request(f"{base}{path}", method, body)
        results.append((what, status, time.perf_counter() - start))
    return results


def expected_statuses(case: Case) -> list[int]:
    """Reads and writes all answer; with a worker, a write that cannot queue its notification
    is refused (503) and rolled back, so the item it would have made is not there to read."""
    if has_worker(case.full_answers()):
        return [503, 200, 200, 404, 404, 200]
    return [201, 200, 200, 200, 200, 200]


def test_with_nothing_listening_at_redis_every_route_answers(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    with app_with_redis_at(case, project, tools, tmp_path, "redis://127.0.0.1:1/0") as base:
        results = exercise(base)

    assert [status for _, status, _ in results] == expected_statuses(case), results


def test_a_redis_that_never_answers_holds_no_request_past_its_timeout(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    with unanswering_port() as port:
        url = f"redis://127.0.0.1:{port}/0"
        with app_with_redis_at(case, project, tools, tmp_path, url) as base:
            results = exercise(base)

    assert [status for _, status, _ in results] == expected_statuses(case), results
    slow = [(what, round(took, 3)) for what, _, took in results if took > REDIS_TIMEOUT + MARGIN]
    assert not slow, f"held past the {REDIS_TIMEOUT} s timeout: {slow}"
