"""Speed of the generated app's data path, SQLite and PostgreSQL, measured in one run.

Renders the default project (SQLite) and the same with `database=postgresql`, installs their
requirements into one virtual environment, fills each database with 20 items and, round by
round (so that load from other work on the machine falls on every figure alike), measures:

- GET /items (a page of 20) through the app's ASGI interface, next to its floor: the same SQL
  statements, captured from that request, run through SQLAlchemy on a connection of the same
  kind of engine, without the app. Wall time per request, sequential; target <= 1.2x. Between
  the two, the same route in an app without middleware: what the middleware adds, and what
  FastAPI's routing, dependencies and response add;
- the statements one GET /items runs (target: 1, the page and its total in one round trip);
- requests per second served by uvicorn (one worker, as `fastapi run` starts it) to 1 and to 16
  keep-alive connections; target: 16 serve at least as many as 1 (their ratio within each
  round, medians over rounds). With p50 and p99 at 16.

The response cache is off and the rate limits out of reach: the figures are the data path's.
PostgreSQL: 127.0.0.1:5432, user postgres, trust authentication; a throwaway database is
created and dropped. Run: `uv run python benchmarks/data_path.py [--rounds N] [--python PATH]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import app_speed
from app_speed import call, package_module, paired, report

RENDERS: dict[str, dict[str, object]] = {
    "pathsqlite": {},
    "pathpg": {"database": "postgresql"},
}
POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ITEMS = 20
NO_LIMIT = "1000000000/minute"
# The data path alone: no cached answers, no refusals.
BENCH_SETTINGS: dict[str, object] = {
    "cache_paths": [],
    "rate_limit_default": NO_LIMIT,
    "rate_limit_write": NO_LIMIT,
}
RATIO_TARGET = 1.2
# The app and its floor take turns this often a round, so that both see the same machine.
PAIRS_PER_ROUND = 20
REQUESTS_PER_TURN = 20
START_TIMEOUT = 60


def drive(rounds: int, seconds: float, python: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="scaffold-data-path-") as tmp:
        work = Path(tmp)
        projects = app_speed.render(work, RENDERS)
        python = python or app_speed.make_environment(work, projects)
        command = [python, __file__, "--measure", "--rounds", str(rounds), "--seconds"]
        command += [str(seconds), *map(str, projects)]
        return app_speed.run_measurements(command, work)


# --- the measurements, in the projects' environment -------------------------------------------


@asynccontextmanager
async def database_for(project: Path) -> AsyncIterator[str]:
    """A database of the project's kind, with its tables and ITEMS items; yields its URL."""
    if "pg" not in project.name:
        path = project / "bench.db"
        path.unlink(missing_ok=True)
        await fill(project, f"sqlite+aiosqlite:///{path}")
        yield f"sqlite+aiosqlite:///{path}"
        return
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"bench_{secrets.token_hex(4)}"
    server = create_async_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
        await fill(project, url)
        yield url
    finally:
        async with server.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await server.dispose()


async def fill(project: Path, url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    base = package_module(project, "models").Base
    item = package_module(project, "models.item").Item
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(base.metadata.create_all)
        rows = [{"name": f"item {n}", "price_cents": 100 * n} for n in range(ITEMS)]
        await connection.execute(item.__table__.insert(), rows)
    await engine.dispose()


def route_alone(project: Path, app: Any) -> Any:
    """The items routes in a bare FastAPI app on `app`'s database: no middleware around them."""
    from fastapi import FastAPI

    bare = FastAPI()
    bare.include_router(package_module(project, "api.routes.items").router)
    bare.state.database = app.state.database
    return bare


def bench_environment(project: Path, url: str) -> dict[str, str]:
    """The variables that point the project's settings at `url`, with BENCH_SETTINGS."""
    prefix = package_module(project, "core.config").ENV_PREFIX
    values = {"database_url": url, **BENCH_SETTINGS}
    return {f"{prefix}{name.upper()}": _env_value(value) for name, value in values.items()}


def _env_value(value: object) -> str:
    return "[]" if value == [] else str(value)


def production_app(project: Path, environment: dict[str, str]) -> tuple[Any, Any]:
    """The app as uvicorn gets it (settings from the environment, no overrides), and settings.

    Settings passed to `create_app` become a dependency override, and FastAPI solves every
    dependency of every request again while any override is set: not what production runs.
    """
    os.environ.update(environment)
    settings = package_module(project, "core.config").get_settings()
    return package_module(project, "main").create_app(), settings


async def statements_of(app: Any, path: str) -> list[tuple[str, Any]]:
    """The SQL statements (and their parameters) one request to `path` runs."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert await call(app, path) == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def floor(project: Path, database: Any) -> Callable[[], Awaitable[None]]:
    """The same statements through SQLAlchemy, without HTTP: the service's page in a session.

    The classes are looked up once, here: the app does not look them up per request either.
    """
    lazy_session = package_module(project, "db.session").LazySession
    repository = package_module(project, "repositories.items").ItemRepository
    service = package_module(project, "services.items").ItemService

    async def page() -> None:
        session = lazy_session(database.sessions)
        try:
            await service(repository(session)).page(offset=0, limit=ITEMS)
            await session.commit()
        finally:
            await session.close()

    return page


async def driver_floor(engine: Any, statements: list[tuple[str, Any]]) -> None:
    """The bare statements on a connection: no session, no ORM objects (for reference)."""
    async with engine.connect() as connection:
        for statement, parameters in statements:
            (await connection.exec_driver_sql(statement, parameters)).all()


async def wall_ms(run: Any, requests: int) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        await run()
    return (time.perf_counter() - start) / requests * 1000


@dataclass
class Figures:
    statements: int = 0
    ms: dict[str, list[float]] = field(
        default_factory=lambda: {"app": [], "route": [], "floor": [], "driver": []}
    )
    rps: dict[int, list[float]] = field(default_factory=lambda: {1: [], 16: []})
    latencies_16: list[float] = field(default_factory=list)


class Server:
    """uvicorn serving the project's app in a process of its own, on the bench settings."""

    def __init__(self, project: Path, environment: dict[str, str]) -> None:
        self.port = free_port()
        env = dict(os.environ, PYTHONPATH=str(project / "src"), **environment)
        command = [sys.executable, "-m", "uvicorn", f"{project.name}.main:app", "--host"]
        command += ["127.0.0.1", "--port", str(self.port), "--no-access-log"]
        # The app's own access log goes to stderr: it costs what it costs in production.
        self.process = subprocess.Popen(command, cwd=project, env=env, stderr=subprocess.DEVNULL)

    async def started(self) -> None:
        """Return once it accepts connections (a first start compiles every import)."""
        deadline = time.perf_counter() + START_TIMEOUT
        while self.process.poll() is None and time.perf_counter() < deadline:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            return
        raise RuntimeError(f"uvicorn did not start within {START_TIMEOUT} s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


REQUEST = b"GET /items HTTP/1.1\r\nHost: bench\r\n\r\n"


async def load(port: int, connections: int, seconds: float) -> tuple[float, list[float]]:
    """Requests per second with `connections` keep-alive clients for `seconds`; latencies."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (start := time.perf_counter()) < deadline:
            writer.write(REQUEST)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            await reader.readexactly(_content_length(head))
            latencies.append(time.perf_counter() - start)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return len(latencies) / (time.perf_counter() - started), latencies


def _content_length(head: bytes) -> int:
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    raise AssertionError(f"no content-length in {head!r}")


async def measure_project(project: Path, rounds: int, seconds: float) -> Figures:
    figures = Figures()
    async with database_for(project) as url:
        environment = bench_environment(project, url)
        app, settings = production_app(project, environment)
        engine = package_module(project, "db.session").create_database_engine(settings)
        server = Server(project, environment)
        try:
            async with app.router.lifespan_context(app):
                statements = await statements_of(app, "/items")
                figures.statements = len(statements)
                await server.started()
                database = app.state.database
                bare = route_alone(project, app)
                runs = {
                    "app": lambda: call(app, "/items"),
                    "route": lambda: call(bare, "/items"),
                    "floor": floor(project, database),
                    "driver": lambda: driver_floor(engine, statements),
                }
                for run in runs.values():
                    await wall_ms(run, 50)  # warm up
                await load(server.port, 16, seconds / 4)
                for _ in range(rounds):
                    for _ in range(PAIRS_PER_ROUND):
                        for name, run in runs.items():
                            figures.ms[name].append(await wall_ms(run, REQUESTS_PER_TURN))
                    for connections in (1, 16):
                        rps, latencies = await load(server.port, connections, seconds)
                        figures.rps[connections].append(rps)
                        if connections == 16:
                            figures.latencies_16 += latencies
        finally:
            server.stop()
            await engine.dispose()
    return figures


def print_figures(database: str, figures: Figures) -> None:
    app_ms, floor_ms = statistics.median(figures.ms["app"]), statistics.median(figures.ms["floor"])
    _, ratio = paired(figures.ms, "app", "floor")
    print(f"{database}: GET /items, {ITEMS} items")
    report("  through the app", f"{app_ms:.3f} ms")
    middleware_ms, _ = paired(figures.ms, "app", "route")
    route_ms, _ = paired(figures.ms, "route", "floor")
    report("    of which its middleware", f"{middleware_ms:.3f} ms", "app - route alone")
    report("    routing, dependencies, response", f"{route_ms:.3f} ms", "route alone - floor")
    report("  the same SQL, no HTTP (floor)", f"{floor_ms:.3f} ms", "service + session")
    driver_ms = statistics.median(figures.ms["driver"])
    report("  the bare statements", f"{driver_ms:.3f} ms", "driver level")
    report("  app / floor", f"{ratio:.2f}x", f"<= {RATIO_TARGET}x", ratio <= RATIO_TARGET)
    report("  statements per request", str(figures.statements), "1", figures.statements == 1)
    one, sixteen = (statistics.median(figures.rps[n]) for n in (1, 16))
    report("  req/s, 1 connection", f"{one:.0f}")
    report("  req/s, 16 connections", f"{sixteen:.0f}")
    # Each round measures both, one after the other: their ratio within a round sees one load.
    _, gain = paired({str(n): figures.rps[n] for n in (1, 16)}, "16", "1")
    report("  16 connections / 1, by round", f"{gain:.2f}x", ">= 1.0x", gain >= 1)
    latencies = sorted(figures.latencies_16)
    p50, p99 = (latencies[int(len(latencies) * q)] * 1000 for q in (0.5, 0.99))
    report("  16 connections: p50 / p99", f"{p50:.1f} / {p99:.1f} ms", f"p99 {p99 / p50:.1f}x p50")


async def measure(projects: list[Path], rounds: int, seconds: float) -> None:
    results = {project: await measure_project(project, rounds, seconds) for project in projects}
    loop = "uvloop" if app_speed.uvloop else "asyncio"
    print(f"medians of {rounds} rounds, {loop}, Python {sys.version.split()[0]}")
    for project, figures in results.items():
        print_figures("PostgreSQL" if "pg" in project.name else "SQLite", figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="per throughput figure")
    parser.add_argument("--python", help="an interpreter that has the projects' requirements")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("projects", nargs="*", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        run = app_speed.uvloop.run if app_speed.uvloop else asyncio.run
        run(measure(options.projects, options.rounds, options.seconds))
        return 0
    return drive(options.rounds, options.seconds, options.python)


if __name__ == "__main__":
    raise SystemExit(main())
