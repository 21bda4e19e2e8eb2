"""Every case's running app keeps the promises of its own OpenAPI document.

Schemathesis with every check (a request the schema allows is accepted, one it refuses is
refused, every status, header and body is the one documented, `Allow` is right, ...) against
a real server on 127.0.0.1: on a fresh database of the case's kind, migrated, and on the real
Redis under a key prefix of this test's own where the case uses Redis. Its stateful phase
creates items and then reads, changes and deletes them through the links it infers.
"""

from __future__ import annotations

import sys
import uuid
from contextlib import ExitStack
from pathlib import Path

from tests.matrix import Case
from tests.template.harness import (
    REDIS_URL,
    Toolchain,
    answers_of,
    clean_env,
    database_env,
    fresh_database,
    redis_is_up,
    run,
    uses_redis,
)
from tests.template.test_rate_limit_services import DELETE_KEYS
from tests.template.test_runtime import serving

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# Per operation and phase: enough to reach every rule of the example, few enough to stay quick.
MAX_EXAMPLES = 20
# A fixed seed: a finding is the same on every run until the template changes.
SEED = 9
# Limits no fuzzing run reaches: the routes are under test here, the limiter has its own tests.
UNREACHED_LIMIT = "100000/minute"


def test_schemathesis_finds_nothing(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    answers = case.full_answers()
    prefix = answers_of(project)["env_prefix"]
    env = {
        f"{prefix}RATE_LIMIT_DEFAULT": UNREACHED_LIMIT,
        f"{prefix}RATE_LIMIT_WRITE": UNREACHED_LIMIT,
    }
    with ExitStack() as stack:
        if answers["database"] != "none":
            url = stack.enter_context(fresh_database(str(answers["database"]), tmp_path))
            env |= database_env(project, url)
            if answers.get("migrations"):
                tools.run(["alembic", "upgrade", "head"], project, env)
        if uses_redis(answers):
            assert redis_is_up(), "Redis is not answering on 127.0.0.1:6379; .ci/run starts it"
            key_prefix = f"scaffold-contract-{uuid.uuid4().hex[:12]}:"
            env |= {f"{prefix}REDIS_URL": REDIS_URL, f"{prefix}REDIS_KEY_PREFIX": key_prefix}
            stack.callback(tools.run, ["python", "-c", DELETE_KEYS, REDIS_URL, key_prefix], project)
        base = stack.enter_context(serving(project, tools, env))
        run(
            [
                SCHEMATHESIS, "run", f"{base}/openapi.json", "--checks", "all",
                "--phases", "examples,coverage,fuzzing,stateful",
                "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
                "--generation-database", "none", "--workers", "1", "--no-color",
            ],
            tmp_path,
            clean_env(),
        )
