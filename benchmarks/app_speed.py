"""Speed of the generated app in-process: CPU per request against a bare FastAPI app, one run.

Renders the default project with every cross-cutting switch on (error handling, the memory
cache, the memory rate limit, observability, metrics), the default project with
`rate_limit=redis`, and with `rate_limit=none`; installs their requirements into one
virtual environment; then calls each app's ASGI interface directly (no sockets) on uvloop, the
loop uvicorn[standard] serves them on. The apps take turns round by round, and each figure is the
median over rounds of a comparison within a round, so that load from other work on the machine
cancels out. Prints, with targets:

- everything on, GET /health, as a ratio to a bare FastAPI app with one route (<= 1.3x);
- what the body limit and the security headers, which every project has, add to the bare app;
- the access log's own cost: everything on, with and without it (one line per request);
- the rate limiter's added CPU per request on a route: in memory, and on Redis (<= 200 µs);
- how long the event loop is held at a time (one step, from one await to the next) while
  requests run ten at a time against a Redis 1 ms away (a local relay that holds back each
  reply): with no limiter, with the Redis limiter, and with the same INCR through a synchronous
  client, as slowapi's storage does it. The async limiter never holds the loop for a round trip;
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
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

try:
    import uvloop
except ImportError:  # the driver's environment; the measurements run where the apps' are
    uvloop = None

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


def render(work: Path, renders: Mapping[str, Mapping[str, object]] = RENDERS) -> list[Path]:
    """Each of `renders` from the template as it is in this checkout (no git provenance)."""
    import copier

    source = work / "template-src"
    source.mkdir()
    shutil.copy2(ROOT / "copier.yml", source / "copier.yml")
    shutil.copytree(ROOT / "template", source / "template")
    projects = []
    for name, answers in renders.items():
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
        return run_measurements(command, work)


def run_measurements(command: list[str], work: Path) -> int:
    """Run `command` in `work`; its stderr is shown only if it fails."""
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


async def response_header_names(app: App, path: str) -> set[bytes]:
    """The names of the headers the app answers `path` with."""
    names: set[bytes] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            names.update(name for name, _ in message["headers"])

    await app(scope_for(path), receive, send)
    return names


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
    # Validated like any settings (the database URL becomes a secret, a limit is parsed).
    settings = package_module(project, "core.config").Settings(_env_file=None, **changes)
    app = package_module(project, "main").create_app(settings)

    @app.get("/bench")
    async def bench() -> dict[str, str]:
        return {"status": "ok"}

    return app


def logging_of_one(project: Path) -> None:
    """Keep the log handlers `project` set up, and drop those of the other renders.

    A process serves one project; here each render's app set up its own handler on the root
    logger, and every line would be written once for each.
    """
    root = logging.getLogger()
    module = f"{project.name}.core.logging"
    root.handlers = [handler for handler in root.handlers if type(handler).__module__ == module]


def bare_app_with_limits_and_headers(project: Path) -> App:
    """The bare app with the render's body limit and security headers, which every project has."""
    app = bare_app()
    settings = package_module(project, "core.config").Settings(_env_file=None)
    package_module(project, "core.body_limit").install_body_limit(app, settings)
    package_module(project, "core.security_headers").install_security_headers(app, settings)
    return app


async def cpu_per_request(app: App, path: str, requests: int) -> float:
    """CPU µs per request over `requests` sequential requests."""
    start = time.process_time()
    for _ in range(requests):
        await call(app, path)
    return (time.process_time() - start) / requests * 1e6


async def interleaved(
    targets: dict[str, tuple[App, str]], rounds: int, requests: int
) -> dict[str, list[float]]:
    """Each target's CPU µs per request, round by round; each round runs every target once."""
    for app, path in targets.values():
        status = await call(app, path)
        assert status == 200, f"{path} answered {status}"
        await cpu_per_request(app, path, requests // 4)  # warm up
    measured: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (app, path) in targets.items():
            measured[name].append(await cpu_per_request(app, path, requests))
    return measured


def paired(measured: dict[str, list[float]], name: str, base: str) -> tuple[float, float]:
    """The median over rounds of `name` minus `base`, and of `name` over `base`, round by round.

    Pairing within a round cancels the load other work puts on the machine in that round.
    """
    pairs = list(zip(measured[name], measured[base], strict=True))
    return (
        statistics.median(value - other for value, other in pairs),
        statistics.median(value / other for value, other in pairs),
    )


async def loop_steps(
    app: App, path: str, requests: int, concurrency: int = 10
) -> tuple[float, float]:
    """The p99 and longest ms the event loop ran one step (from one await to the next) while
    `requests` run `concurrency` at a time: how long nothing else could run. Standard loop only.
    """
    steps: list[float] = []
    run_step = asyncio.events.Handle._run

    def timed_step(handle: asyncio.Handle) -> None:
        start = time.perf_counter()
        run_step(handle)
        steps.append((time.perf_counter() - start) * 1000)

    async def client() -> None:
        for _ in range(requests // concurrency):
            await call(app, path)
            await asyncio.sleep(0)  # the next request of this client arrives later

    asyncio.events.Handle._run = timed_step  # type: ignore[method-assign]
    try:
        await asyncio.gather(*(client() for _ in range(concurrency)))
    finally:
        asyncio.events.Handle._run = run_step  # type: ignore[method-assign]
    steps.sort()
    return steps[int(len(steps) * 0.99)], steps[-1]


class DistantRedis:
    """A relay on 127.0.0.1 to the local Redis that holds back every reply: Redis across a network.

    It is a process of its own (this script with --relay), so it never holds this one's GIL.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def __enter__(self) -> str:
        command = [sys.executable, __file__, "--relay", str(self.delay)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        return f"redis://127.0.0.1:{int(self.process.stdout.readline())}/0"

    def __exit__(self, *exc_info: object) -> None:
        self.process.terminate()
        self.process.wait()


async def relay(delay: float) -> None:
    """Serve DistantRedis: print the port, then pass bytes both ways, replies `delay` s late."""

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", 6379)
        await asyncio.gather(pipe(reader, upstream_writer, 0), pipe(upstream_reader, writer, delay))

    async def pipe(
        source: asyncio.StreamReader, target: asyncio.StreamWriter, delay: float
    ) -> None:
        while data := await source.read(65536):
            if delay:
                await asyncio.sleep(delay)
            target.write(data)
            await target.drain()
        target.close()

    server = await asyncio.start_server(connect, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


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
        "bare, limits and headers": bare_app_with_limits_and_headers(everything_on),
        "on, no access log": generated_app(everything_on, access_log=False, **UNLIMITED),
        "none": generated_app(no_limiter),
        "memory": generated_app(redis_project, rate_limit_backend="memory", **UNLIMITED),
        "redis": generated_app(redis_project, **on_redis, **UNLIMITED),
    }
    async with AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        logging_of_one(everything_on)  # after start-up, where the apps set their logging up again
        for name, secured in (("bare", False), ("bare, limits and headers", True), ("on", True)):
            names = await response_header_names(apps[name], "/health")
            assert (b"x-content-type-options" in names) is secured, f"{name}: {sorted(names)}"
        cpu = await interleaved(
            {
                "bare /health": (apps["bare"], "/health"),
                "everything on /health": (apps["on"], "/health"),
                "everything on, no access log /health": (apps["on, no access log"], "/health"),
                "bare, limits and headers /health": (apps["bare, limits and headers"], "/health"),
                "route, no limiter": (apps["none"], "/bench"),
                "route, memory limiter": (apps["memory"], "/bench"),
                "route, Redis limiter": (apps["redis"], "/bench"),
            },
            rounds,
            requests=2000,
        )
        crowd = await many_clients(apps["memory"], 50_000, 2000)
    cache = await bench_cache(everything_on, 50)

    python = sys.version.split()[0]
    loop = "uvloop" if uvloop else "asyncio"
    print(f"CPU µs per request, in-process, {loop}; medians of {rounds} rounds (Python {python})")
    for name, values in cpu.items():
        _, ratio = paired(cpu, name, "bare /health")
        report(f"  {name}", f"{statistics.median(values):.1f} µs", f"{ratio:.2f}x bare")
    _, ratio = paired(cpu, "everything on /health", "bare /health")
    report("everything on /health, to bare", f"{ratio:.2f}x", "<= 1.3x", ratio <= 1.3)
    layers_cost, _ = paired(cpu, "bare, limits and headers /health", "bare /health")
    report("body limit and security headers add", f"{layers_cost:.1f} µs")
    access_cost, _ = paired(cpu, "everything on /health", "everything on, no access log /health")
    report("the access log adds", f"{access_cost:.1f} µs", "one line a request")
    memory_cost, _ = paired(cpu, "route, memory limiter", "route, no limiter")
    redis_cost, _ = paired(cpu, "route, Redis limiter", "route, no limiter")
    report("the memory limiter adds", f"{memory_cost:.1f} µs")
    report("the Redis limiter adds", f"{redis_cost:.1f} µs", "<= 200 µs", redis_cost <= 200)
    report("  with 50,000 clients in the window", f"{crowd:.1f} µs", "memory limiter")
    if cache is None:
        print("cache: not measured (this render has no cache_paths setting)")
        return
    uncached, cached = cache
    speedup = uncached / cached
    report(f"{EXPENSIVE_SECONDS * 1000:.0f} ms endpoint uncached", f"{uncached:.2f} ms")
    report(f"{EXPENSIVE_SECONDS * 1000:.0f} ms endpoint cached", f"{cached:.3f} ms")
    report("  a hit is faster, wall time", f"{speedup:.0f}x", ">= 100x", speedup >= 100)


async def measure_blocking(projects: list[Path]) -> None:
    """How long the event loop is held at a time, with Redis 1 ms away (standard asyncio loop)."""
    _, redis_project, no_limiter = projects
    with DistantRedis(delay=DISTANT_REDIS_DELAY) as distant:
        far = {"rate_limit_backend": "redis", "redis_url": distant, "redis_key_prefix": KEYS}
        apps = {
            "no limiter": (generated_app(no_limiter), "/bench"),
            "Redis limiter (async)": (generated_app(redis_project, **far, **UNLIMITED), "/bench"),
        }
        sync_app = blocking_incr_app(generated_app(redis_project, **far, **UNLIMITED), distant)
        apps["the same INCR, synchronous client"] = (sync_app, "/blocking")
        async with AsyncExitStack() as stack:
            for app, _ in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            steps = {name: await loop_steps(app, path, 2000) for name, (app, path) in apps.items()}
    forget_keys()
    delay = f"{DISTANT_REDIS_DELAY * 1000:.0f} ms"
    print(f"longest the event loop is held at a time (p99 / max), Redis {delay} away:")
    for name, (p99, longest) in steps.items():
        report(f"  {name}", f"{p99:.2f} / {longest:.2f} ms")
    held, _ = steps["Redis limiter (async)"]
    # Holding the loop for less than a round trip: it never waits for Redis while holding it.
    report(
        "  the Redis limiter, p99", f"{held:.2f} ms", "< 1 ms", held < DISTANT_REDIS_DELAY * 1000
    )


def forget_keys() -> None:
    """Delete what the measurements left in Redis (the limiter's counts expire on their own)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(*client.keys(f"{KEYS}*") or [f"{KEYS}blocking"])
    client.close()


def report(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{label:<40} {value:>16}   {target:<16} {mark}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--python", help="an interpreter that has the projects' requirements")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--relay", type=float, help=argparse.SUPPRESS)
    parser.add_argument("projects", nargs="*", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.relay is not None:
        asyncio.run(relay(options.relay))
        return 0
    if options.measure:
        # uvicorn[standard] serves the app on uvloop: measure on the loop it runs on.
        (uvloop.run if uvloop else asyncio.run)(measure(options.projects, options.rounds))
        asyncio.run(measure_blocking(options.projects))
        return 0
    return drive(options.rounds, options.python)


if __name__ == "__main__":
    raise SystemExit(main())
