"""Speed of the CLI and of the generated project, measured in one run on this machine.

Prints medians of:
- `fastapi-scaffold --help` (target <= 0.25 s);
- `fastapi-scaffold new -y --no-git` next to the floor: a raw `copier copy` of a one-file template,
  which is copier's own start-up and nothing else; interleaved so both see the same machine load,
  in wall and CPU time (target: new <= 1.5x the floor, however many switches the template has);
  a raw `copier copy` of our template with the same answers is printed beside them, and `new`'s
  first run on a machine (an empty cache folder: no questions parsed, no template code compiled
  yet; every later run finds both, as every later start finds Python's byte-code caches);
- the generated project's own test suite on the defaults, `uv run pytest` after `uv sync` as its
  README says: wall time (target <= 3 s), and pytest's own figure beside it.

Run: `uv run python benchmarks/speed.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from uv import find_uv_bin

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UV = find_uv_bin()


def environment() -> dict[str, str]:
    env = dict(os.environ)
    # A user's machine writes byte-code caches; without them every start recompiles its imports.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(runs: int, measure: Callable[[int], float]) -> float:
    return statistics.median(measure(index) for index in range(runs))


def bench_help(runs: int, work: Path, env: dict[str, str]) -> float:
    command = [str(BIN / "fastapi-scaffold"), "--help"]
    timed(command, work, env)  # warm the byte-code cache
    return median_of(runs, lambda _: timed(command, work, env))


def timed_cpu(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the child) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(command, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def one_file_template(work: Path) -> Path:
    """The floor: a template of one file and one question, as small as copier allows."""
    root = work / "floor-template"
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\nproject_name:\n  type: str\n", encoding="utf-8"
    )
    (root / "template" / "README.md.jinja").write_text("# {{ project_name }}\n", encoding="utf-8")
    return root


def bench_new_vs_floor(
    runs: int, work: Path, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    copier = str(BIN / "copier")
    floor = one_file_template(work)
    commands = {
        "floor": lambda out: [
            copier,
            "copy",
            "--defaults",
            "--quiet",
            "-d",
            "project_name=x",
            str(floor),
            out,
        ],
        "new": lambda out: [str(BIN / "fastapi-scaffold"), "new", "myapi", out, "-y", "--no-git"],
        "copier": lambda out: [
            copier,
            "copy",
            "--defaults",
            "--trust",
            "--quiet",
            "-d",
            "project_name=myapi",
            str(ROOT),
            out,
        ],
    }
    commands["first"] = commands["new"]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for index in range(runs + 1):  # the first round only warms caches
        for name, command in commands.items():
            run_env = env
            if name == "first":
                run_env = {**env, "XDG_CACHE_HOME": str(work / f"empty-cache{index}")}
            measured = timed_cpu(command(str(work / f"{name}{index}")), work, run_env)
            if index:
                times[name].append(measured)
    return {
        name: (
            statistics.median(wall for wall, _ in measured),
            statistics.median(cpu for _, cpu in measured),
        )
        for name, measured in times.items()
    }


PYTEST_SECONDS = re.compile(r" in ([0-9.]+)s")


def bench_generated_tests(runs: int, work: Path, env: dict[str, str]) -> tuple[float, float]:
    """Medians of `uv run pytest` in the default project, as its README says: wall and own time.

    The wall time is what a user waits for (Python's start-up, imports, the run, the exit);
    pytest's own figure (its last line) leaves out its start-up and the interpreter's exit.
    """
    project = work / "new1"
    subprocess.run([UV, "sync", "-q"], cwd=project, env=env, check=True)
    command = [UV, "run", "pytest", "-q"]
    walls: list[float] = []
    reported: list[float] = []
    for index in range(runs + 1):  # the first run writes the byte-code caches
        start = time.perf_counter()
        finished = subprocess.run(
            command, cwd=project, env=env, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        if index:
            walls.append(wall)
            reported.append(float(PYTEST_SECONDS.findall(finished.stdout)[-1]))
    return statistics.median(walls), statistics.median(reported)


def report(label: str, seconds: float, target: str, ok: bool) -> None:
    print(f"{label:<42} {seconds:7.3f} s   target {target:<14} {'ok' if ok else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    env = environment()
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as tmp:
        work = Path(tmp)
        help_time = bench_help(runs, work, env)
        renders = bench_new_vs_floor(runs, work, env)
        tests_wall, tests_pytest = bench_generated_tests(runs, work, env)
    (floor_wall, floor_cpu), (new_wall, new_cpu) = renders["floor"], renders["new"]
    load = os.getloadavg()[0]  # other work on the machine slows every figure
    print(
        f"medians of {runs} runs (python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load average {load:.2f})"
    )
    report("fastapi-scaffold --help", help_time, "<= 0.25 s", help_time <= 0.25)
    report("floor: copier copy, one-file template", floor_wall, "baseline", True)
    report("copier copy of this template (raw)", renders["copier"][0], "for reference", True)
    report(
        "fastapi-scaffold new -y --no-git", new_wall, "<= 1.5x floor", new_wall <= 1.5 * floor_wall
    )
    print(f"{'  ratio new / floor, wall':<42} {new_wall / floor_wall:7.2f} x")
    cpu_seconds = f"({new_cpu:.3f} s / {floor_cpu:.3f} s)"
    print(f"{'  ratio new / floor, CPU':<42} {new_cpu / floor_cpu:7.2f} x   {cpu_seconds}")
    report("  new, first run (empty cache folder)", renders["first"][0], "for reference", True)
    report("generated tests: uv run pytest (defaults)", tests_wall, "<= 3 s", tests_wall <= 3.0)
    report("  pytest's own figure (its last line)", tests_pytest, "for reference", True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
