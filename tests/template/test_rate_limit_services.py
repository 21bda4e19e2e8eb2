"""Generated apps whose limiter is on Redis: every process of a service counts against one limit.

Real components: two uvicorn servers of one render on two ports of 127.0.0.1, its database
migrated, and the real Redis at 127.0.0.1:6379 under a key prefix of this test's own.
"""

from __future__ import annotations

import itertools
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.matrix import Case
from tests.template.harness import (
    REDIS_URL,
    Toolchain,
    answers_of,
    database_env,
    fresh_database,
    redis_is_up,
)
from tests.template.test_runtime import serving

LIMIT = 10
# A day's window: the count starts again only at midnight UTC, which the headers would show.
DEFAULT_LIMIT = f"{LIMIT}/day"
# Run with the render's own environment, which has redis-py.
DELETE_KEYS = (
    "import sys, redis; client = redis.Redis.from_url(sys.argv[1]); "
    "[client.delete(key) for key in client.scan_iter(match=sys.argv[2] + '*')]"
)


def get(url: str) -> tuple[int, str | None]:
    """The status and the X-RateLimit-Reset header of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("X-RateLimit-Reset")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-RateLimit-Reset")


@pytest.mark.cases(
    lambda case: case.full_answers().get("rate_limit") == "redis"
    and bool(case.full_answers()["example_resource"])
)
def test_two_processes_share_one_limit_in_redis(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    assert redis_is_up(), "Redis is not answering on 127.0.0.1:6379; .ci/run starts it"
    prefix = answers_of(project)["env_prefix"]
    key_prefix = f"scaffold-test-{uuid.uuid4().hex[:12]}:"
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(str(case.full_answers()["database"]), tmp_path))
        env = database_env(project, url) | {
            f"{prefix}REDIS_URL": REDIS_URL,
            f"{prefix}REDIS_KEY_PREFIX": key_prefix,
            f"{prefix}RATE_LIMIT_DEFAULT": DEFAULT_LIMIT,
        }
        if case.full_answers().get("migrations"):
            tools.run(["alembic", "upgrade", "head"], project, env)
        stack.callback(tools.run, ["python", "-c", DELETE_KEYS, REDIS_URL, key_prefix], project)
        servers = [stack.enter_context(serving(project, tools, env)) for _ in range(2)]
        alternating = itertools.islice(itertools.cycle(servers), 3 * LIMIT)
        answers = [get(f"{base}/items") for base in alternating]

    statuses = [status for status, _ in answers]
    assert (statuses.count(200), statuses.count(429)) == (LIMIT, 2 * LIMIT), answers
    resets = {reset for _, reset in answers}
    assert len(resets) == 1 and None not in resets, f"one window, said by every answer: {resets}"
