"""Generated apps with a worker, run as their README says: the server queues, the worker runs.

A real server on 127.0.0.1, its database migrated, and the worker command of the README, both
on the Redis at 127.0.0.1:6379 under a key prefix of this test's own. With observability on, the
worker logs JSON lines, and the job's carry the id of the request that queued it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.matrix import Case
from tests.template.harness import (
    REDIS_URL,
    Toolchain,
    answers_of,
    database_env,
    fresh_database,
    has_worker,
    redis_is_up,
)
from tests.template.test_runtime import request, serving

JOB_TIMEOUT = 60.0

pytestmark = pytest.mark.cases(
    lambda case: has_worker(case.full_answers()) and bool(case.full_answers()["example_resource"])
)


def worker_command(answers: dict[str, object]) -> list[str]:
    """The README's command, without `uv run` (the shared environment is on PATH)."""
    module = f"{answers['package_name']}.tasks.worker"
    if answers["background_tasks"] == "arq":
        return ["arq", f"{module}.WorkerSettings", "--custom-log-dict", f"{module}.LOGGING"]
    return ["celery", "-A", module, "worker", "--loglevel", "INFO", "--pool", "solo"]


def create_item(base: str, request_id: str) -> str:
    """POST an item; the id of the job its notification was queued as."""
    body = json.dumps({"name": "Lamp", "price_cents": 2500}).encode()
    headers = {"Content-Type": "application/json", "X-Request-ID": request_id}
    call = urllib.request.Request(f"{base}/items", data=body, method="POST", headers=headers)
    with urllib.request.urlopen(call, timeout=10) as response:
        assert response.status == 201
        return str(response.headers["X-Job-ID"])


def wait_until_finished(base: str, job: str) -> object:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        status, body = request(f"{base}/jobs/{job}")
        assert status == 200, body
        if isinstance(body, dict) and body["status"] in ("complete", "failed"):
            return body["status"]
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish within {JOB_TIMEOUT} s")


def test_the_readme_worker_runs_a_job_queued_through_the_server(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    if not redis_is_up():
        raise AssertionError("Redis is not answering on 127.0.0.1:6379; .ci/run starts it")
    answers = answers_of(project)
    prefix = answers["env_prefix"]
    redis = {
        f"{prefix}REDIS_URL": REDIS_URL,
        f"{prefix}REDIS_KEY_PREFIX": f"scaffold-{uuid.uuid4().hex[:8]}:",
    }
    with fresh_database(str(case.full_answers()["database"]), tmp_path) as url:
        env = database_env(project, url) | redis
        if case.full_answers().get("migrations"):
            tools.run(["alembic", "upgrade", "head"], project, env)
        with serving(project, tools, env) as base:
            request_id = f"readme-{uuid.uuid4().hex[:8]}"
            job = create_item(base, request_id)
            log = tmp_path / "worker.log"
            with log.open("w", encoding="utf-8") as output:
                worker = subprocess.Popen(
                    worker_command(answers),
                    cwd=project,
                    # `uv sync` installs the project; the shared environment finds it in src/.
                    env=tools.env(redis | {"PYTHONPATH": "src"}),
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            try:
                status = wait_until_finished(base, job)
            finally:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert status == "complete", output
    if case.full_answers()["observability"]:
        lines = json_lines(output)
        notices = [line for line in lines if "Notification" in str(line["message"])]
        assert [line["request_id"] for line in notices] == [request_id], output
        tool = str(answers["background_tasks"])  # its own lines, as JSON too
        assert any(str(line["logger"]).startswith(tool) for line in lines), output


def json_lines(output: str) -> list[dict[str, object]]:
    """The JSON objects of the worker's log lines (Celery also prints a banner, in text)."""
    lines = []
    for line in output.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines
