"""Metrics of a service run by several worker processes add up across them."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.matrix import Case
from tests.template.harness import Toolchain, answers_of, database_env, fresh_database
from tests.template.test_runtime import request, serving

REQUESTS = 20
# Counted by another process beforehand: /metrics must add them to the server's own.
COUNTED_ELSEWHERE = 5
# Not the route `serving` polls while the server starts: only this test's requests count.
COUNTED_ROUTE = "/health/ready"


def scrape(base: str) -> str:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        body: bytes = response.read()
    return body.decode()


def requests_counted(metrics: str, route: str) -> float:
    pattern = rf'^http_requests_total\{{[^}}]*route="{re.escape(route)}"[^}}]*\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, metrics, re.M))


def count_elsewhere(project: Path) -> str:
    package = answers_of(project)["package_name"]
    return (
        f"from {package}.core.metrics import Metrics\n"
        f"Metrics.create().requests.labels('GET', {COUNTED_ROUTE!r}, '200')"
        f".inc({COUNTED_ELSEWHERE})\n"
    )


@contextmanager
def database_for(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> Iterator[dict[str, str]]:
    database = str(case.full_answers()["database"])
    if database == "none":
        yield {}
        return
    with fresh_database(database, tmp_path) as url:
        env = database_env(project, url)
        if case.full_answers().get("migrations"):
            tools.run(["alembic", "upgrade", "head"], project, env)
        yield env


@pytest.mark.cases(lambda case: bool(case.full_answers().get("metrics")))
def test_two_workers_count_every_request_once(
    case: Case, project: Path, tools: Toolchain, tmp_path: Path
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    with database_for(case, project, tools, tmp_path) as env:
        env |= {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
        tools.run(["python", "-c", count_elsewhere(project)], project, env | {"PYTHONPATH": "src"})
        with serving(project, tools, env, args=["--workers", "2"]) as base:
            for _ in range(REQUESTS):
                assert request(f"{base}{COUNTED_ROUTE}")[0] == 200
            # Whichever worker answers a scrape, it adds up the values of both.
            counted = {requests_counted(scrape(base), COUNTED_ROUTE) for _ in range(6)}
        processes = {path.name for path in folder.glob("counter_*.db")}

    assert counted == {REQUESTS + COUNTED_ELSEWHERE}
    assert len(processes) >= 2, processes  # the other process, and the workers that answered
