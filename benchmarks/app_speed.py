"""Speed of the generated app in-process: CPU per request against a bare FastAPI app, one run.

Renders the default project with every cross-cutting switch on (error handling, the memory
cache, the memory rate limit, observability, metrics), the default project with
`rate_limit=redis`, and with `rate_limit=none`; installs their requirements into one
virtual environment; then calls each app's ASGI interface directly (no sockets), the apps
interleaved round by round so that each sees the same machine load. Prints, with targets:

- everything on, GET /health, as a ratio to a bare FastAPI app with one route (<= 1.3x);
- the rate limiter's added CPU per request on a route: in memory, and on Redis (<= 200 µs);
- event-loop lag while requests run ten at a time against a Redis 1 ms away (a local proxy that
  holds back each reply): with no limiter, with the Redis limiter, and with the same INCR through
  a synchronous client (what slowapi's storage does). The async limiter adds no lag of its own:
  it never blocks the loop;
- the memory limiter with 50,000 clients in one window (its cost must not grow with them);
- the cache: a 20 ms endpoint uncached and cached, wall time per request (hit >= 100x faster).

Run: `uv run python benchmarks/app_speed.py [--rounds N] [--python PATH]`. The Redis figures
need Redis at 127.0.0.1:6379. `--python` runs the measurements with an interpreter that already
has the projects' requirements, instead of making a virtual environment.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The renders: (folder and project name, answers besides the defaults).
RENDERS = {
    "benchall": {"metrics": True},  # the one cross-cutting switch that defaults off
    "benchredis": {"rate_limit": "redis"},
    "benchnone": {"rate_limit": "none"},
}
REDIS_URL = "redis://127.0.0.1:6379/0"
KEYS = "scaffold-bench:"
# Limits high enough that no measured request is refused.
NO_LIMIT = "1000000000/minute"
UNLIMITED = {"rate_limit_default": NO_LIMIT, "rate_limit_write": NO_LIMIT}
EXPENSIVE_SECONDS = 0.02
# How far away the Redis of the event-loop lag figures is: a round trip across a network.
DISTANT_REDIS_DELAY = 0.001

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


# --- the driver: render, install, run the measurements in the projects' environment ----------


def render(work: Path) -> list[Path]:
    """Each of RENDERS from the template as it is in this checkout (no git provenance)."""
    import copier

    source = work / "template-src"
    source.mkdir()
    shutil.copy2(ROOT / "copier.yml", source / "copier.yml")
    shutil.copytree(ROOT / "template", source / "template")
    projects = []
    for name, answers in RENDERS.items():
        copier.run_copy(
            str(source),
            str(work / name),
            data={"project_name": name, **answers},
            defaults=True,
            quiet=True,
        )
        projects.append(work / name)
    return projects


def requirements(projects: list[Path]) -> list[str]:
    wanted: set[str] = set()
    for project in projects:
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        wanted.update(pyproject["project"]["dependencies"])
    return sorted(wanted)


def make_environment(work: Path, projects: list[Path]) -> str:
    from uv import find_uv_bin

    uv, venv = find_uv_bin(), work / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", python, *requirements(projects)], check=True
    )
    return python


def drive(rounds: int, python: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="scaffold-app-speed-") as tmp:
        work = Path(tmp)
        projects = render(work)
        python = python or make_environment(work, projects)
        command = [python, __file__, "--measure", "--rounds", str(rounds), *map(str, projects)]
        # The apps log every request to stderr (the access log): it costs them, but is not shown.
        with (work / "apps.log").open("w+", encoding="utf-8") as log:
            result = subprocess.run(command, cwd=work, stderr=log, check=False)
            if result.returncode:
                log.seek(0)
                print(log.read()[-4000:], file=sys.stderr)
        return result.returncode


# --- the measurements, in the projects' environment -------------------------------------------


def scope_for(path: str, method: str = "GET", client: str = "127.0.0.1") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench")],
        "client": (client, 50000),
        "server": ("bench", 80),
        "state": {},
    }


async def call(app: App, path: str, client: str = "127.0.0.1") -> int:
    """One request through the app's ASGI interface; its status."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope_for(path, client=client), receive, send)
    return status


def bare_app() -> App:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def package_module(project: Path, module: str) -> Any:
    if str(project / "src") not in sys.path:
        sys.path.insert(0, str(project / "src"))
    return importlib.import_module(f"{project.name}.{module}")


def settings_fields(project: Path) -> set[str]:
    return set(package_module(project, "core.config").Settings.model_fields)


def generated_app(project: Path, **changes: object) -> Any:
    """The render's app on its defaults (no .env), a SQLite file of its own, and `changes`.

    Changes to settings the render does not have are left out (a limit in a render without one).
    """
    fields = settings_fields(project)
    changes = {name: value for name, value in changes.items() if name in fields}
    if "database_url" in fields:
        changes["database_url"] = f"sqlite+aiosqlite:///{project / 'bench.db'}"
    settings = package_module(project, "core.config").Settings(_env_file=None)
    app = package_module(project, "main").create_app(settings.model_copy(update=changes))

    @app.get("/bench")
    async def bench() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def cpu_per_request(app: App, path: str, requests: int) -> float:
    """CPU µs per request over `requests` sequential requests."""
    start = time.process_time()
    for _ in range(requests):
        await call(app, path)
    return (time.process_time() - start) / requests * 1e6


async def interleaved(
    targets: dict[str, tuple[App, str]], rounds: int, requests: int
) -> dict[str, float]:
    """The median over rounds of each target's CPU µs per request; each round runs every target."""
    for app, path in targets.values():
        status = await call(app, path)
        assert status == 200, f"{path} answered {status}"
        await cpu_per_request(app, path, requests // 4)  # warm up
    measured: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (app, path) in targets.items():
            measured[name].append(await cpu_per_request(app, path, requests))
    return {name: statistics.median(values) for name, values in measured.items()}


async def loop_lag(
    app: App, path: str, requests: int, concurrency: int = 10
) -> tuple[float, float]:
    """How late (p99, max ms) a 1 ms timer fires while `requests` run `concurrency` at a time."""
    lags: list[float] = []
    done = asyncio.Event()

    async def timer() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - start - 0.001) * 1000)

    async def client() -> None:
        for _ in range(requests // concurrency):
            await call(app, path)
            await asyncio.sleep(0)  # the next request of this client arrives later

    ticking = asyncio.create_task(timer())
    await asyncio.gather(*(client() for _ in range(concurrency)))
    done.set()
    await ticking
    lags.sort()
    return lags[int(len(lags) * 0.99)], lags[-1]


class DistantRedis:
    """A proxy on 127.0.0.1 to the local Redis that holds back every reply: Redis across a network.

    It runs its own event loop in a thread, so the loop under test waits for it like for a
    remote server.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        serving = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._connect, "127.0.0.1", 0), self.loop
        )
        port = serving.result().sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}/0"

    def __exit__(self, *exc_info: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", 6379)
        await asyncio.gather(
            self._pipe(reader, upstream_writer, 0), self._pipe(upstream_reader, writer, self.delay)
        )

    @staticmethod
    async def _pipe(
        source: asyncio.StreamReader, target: asyncio.StreamWriter, delay: float
    ) -> None:
        while data := await source.read(65536):
            if delay:
                await asyncio.sleep(delay)
            target.write(data)
            await target.drain()
        target.close()


def blocking_incr_app(app: Any, redis_url: str) -> Any:
    """`app` with /blocking: the same INCR as the limiter, through a synchronous client."""
    import redis

    client = redis.Redis.from_url(redis_url)

    @app.get("/blocking")
    async def blocking() -> dict[str, str]:
        client.incr(f"{KEYS}blocking")  # blocks the event loop for a round trip
        return {"status": "ok"}

    return app


async def many_clients(app: App, clients: int, requests: int) -> float:
    """CPU µs per request once `clients` distinct addresses have been counted in the window."""
    for number in range(clients):
        await call(app, "/bench", client=address(number))
    start = time.process_time()
    for number in range(requests):
        await call(app, "/bench", client=address(number))
    return (time.process_time() - start) / requests * 1e6


def address(number: int) -> str:
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


# ============================================================================================
# The cache's figures: a 20 ms endpoint uncached and cached, wall time per request.
# Needs the cache switch's `cache_paths` setting (core/cache.py); skipped without it.
# ============================================================================================
async def bench_cache(project: Path, requests: int) -> tuple[float, float] | None:
    """Wall ms per request of a 20 ms endpoint, uncached and cached; None without a cache."""
    if "cache_paths" not in settings_fields(project):
        return None
    app = generated_app(project, cache_paths=["/cached"], **UNLIMITED)

    async def expensive() -> dict[str, str]:
        await asyncio.sleep(EXPENSIVE_SECONDS)
        return {"answer": "expensive"}

    app.add_api_route("/cached/answer", expensive, methods=["GET"])
    app.add_api_route("/uncached/answer", expensive, methods=["GET"])
    async with app.router.lifespan_context(app):
        await call(app, "/cached/answer")  # the miss that fills the cache
        timings = []
        for path in ("/uncached/answer", "/cached/answer"):
            start = time.perf_counter()
            for _ in range(requests):
                assert await call(app, path) == 200
            timings.append((time.perf_counter() - start) / requests * 1000)
    return timings[0], timings[1]


async def measure(projects: list[Path], rounds: int) -> None:
    everything_on, redis_project, no_limiter = projects
    on_redis = {"rate_limit_backend": "redis", "redis_url": REDIS_URL, "redis_key_prefix": KEYS}
    apps = {
        "bare": bare_app(),
        "on": generated_app(everything_on, **UNLIMITED),
        "none": generated_app(no_limiter),
        "memory": generated_app(redis_project, rate_limit_backend="memory", **UNLIMITED),
        "redis": generated_app(redis_project, **on_redis, **UNLIMITED),
    }
    async with AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        cpu = await interleaved(
            {
                "bare /health": (apps["bare"], "/health"),
                "everything on /health": (apps["on"], "/health"),
                "route, no limiter": (apps["none"], "/bench"),
                "route, memory limiter": (apps["memory"], "/bench"),
                "route, Redis limiter": (apps["redis"], "/bench"),
            },
            rounds,
            requests=2000,
        )
        crowd = await many_clients(apps["memory"], 50_000, 2000)
        with DistantRedis(delay=DISTANT_REDIS_DELAY) as distant:
            far = {**on_redis, "redis_url": distant}
            distant_app = blocking_incr_app(
                generated_app(redis_project, **far, **UNLIMITED), distant
            )
            await stack.enter_async_context(distant_app.router.lifespan_context(distant_app))
            lags = {
                "no limiter": await loop_lag(apps["none"], "/bench", 2000),
                "Redis limiter (async)": await loop_lag(distant_app, "/bench", 2000),
                "the same INCR, synchronous client": await loop_lag(distant_app, "/blocking", 2000),
            }
    cache = await bench_cache(everything_on, 50)

    python = sys.version.split()[0]
    print(
        f"CPU µs per request, in-process; median of {rounds} interleaved rounds (Python {python})"
    )
    for name, micros in cpu.items():
        report(f"  {name}", f"{micros:.1f} µs", f"{micros / cpu['bare /health']:.2f}x bare")
    ratio = cpu["everything on /health"] / cpu["bare /health"]
    report("everything on /health, to bare", f"{ratio:.2f}x", "<= 1.3x", ratio <= 1.3)
    memory_cost = cpu["route, memory limiter"] - cpu["route, no limiter"]
    redis_cost = cpu["route, Redis limiter"] - cpu["route, no limiter"]
    report("the memory limiter adds", f"{memory_cost:.1f} µs")
    report("the Redis limiter adds", f"{redis_cost:.1f} µs", "<= 200 µs", redis_cost <= 200)
    report("  with 50,000 clients in the window", f"{crowd:.1f} µs", "memory limiter")
    delay = f"{DISTANT_REDIS_DELAY * 1000:.0f} ms"
    print(f"event-loop lag of a 1 ms timer, 2,000 requests 10 at a time, Redis {delay} away:")
    for name, (p99, worst) in lags.items():
        report(f"  {name}", f"{p99:.2f} / {worst:.2f} ms")
    if cache is None:
        print("cache: not measured (this render has no cache_paths setting)")
        return
    uncached, cached = cache
    speedup = uncached / cached
    report(f"{EXPENSIVE_SECONDS * 1000:.0f} ms endpoint uncached", f"{uncached:.2f} ms")
    report(f"{EXPENSIVE_SECONDS * 1000:.0f} ms endpoint cached", f"{cached:.3f} ms")
    report("  a hit is faster, wall time", f"{speedup:.0f}x", ">= 100x", speedup >= 100)


def report(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{label:<40} {value:>16}   {target:<16} {mark}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--python", help="an interpreter that has the projects' requirements")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("projects", nargs="*", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        asyncio.run(measure(options.projects, options.rounds))
        return 0
    return drive(options.rounds, options.python)


if __name__ == "__main__":
    raise SystemExit(main())
