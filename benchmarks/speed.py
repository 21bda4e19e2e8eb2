"""Speed of the CLI and of the generated project, measured in one run on this machine.

Prints medians of:
- `fastapi-scaffold --help` (target <= 0.25 s);
- `fastapi-scaffold new -y` (render + git init + commit) next to a raw `copier copy` of the same
  template with the same answers, interleaved so both see the same machine load
  (target: new <= 1.3x copier);
- the generated project's own test suite, defaults (target <= 3 s).

Run: `uv run python benchmarks/speed.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
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


def bench_new_vs_copier(runs: int, work: Path, env: dict[str, str]) -> tuple[float, float]:
    new_times, copier_times = [], []
    for index in range(runs + 1):  # the first round only warms caches
        new_dir, copier_dir = work / f"new{index}", work / f"copier{index}"
        new = timed([str(BIN / "fastapi-scaffold"), "new", "myapi", str(new_dir), "-y"], work, env)
        raw = timed(
            [
                str(BIN / "copier"),
                "copy",
                "--defaults",
                "--trust",
                "--quiet",
                "--data",
                "project_name=myapi",
                str(ROOT),
                str(copier_dir),
            ],
            work,
            env,
        )
        if index:
            new_times.append(new)
            copier_times.append(raw)
    return statistics.median(new_times), statistics.median(copier_times)


def bench_generated_tests(runs: int, work: Path, env: dict[str, str]) -> float:
    project = work / "new0"
    venv = work / "venv"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [
        *pyproject["project"]["dependencies"],
        *(item for item in pyproject["dependency-groups"]["dev"] if isinstance(item, str)),
    ]
    subprocess.run([UV, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [UV, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *requirements],
        check=True,
    )
    command = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    timed(command, project, env)  # warm the byte-code cache
    return median_of(runs, lambda _: timed(command, project, env))


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
        new_time, copier_time = bench_new_vs_copier(runs, work, env)
        tests_time = bench_generated_tests(max(3, runs // 2), work, env)
    ratio = new_time / copier_time
    print(f"medians of {runs} runs (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    report("fastapi-scaffold --help", help_time, "<= 0.25 s", help_time <= 0.25)
    report("copier copy (raw, same answers)", copier_time, "baseline", True)
    report("fastapi-scaffold new -y (render + git)", new_time, "<= 1.3x raw", ratio <= 1.3)
    print(f"{'  ratio new / copier':<42} {ratio:7.2f} x")
    report("generated project: pytest (defaults)", tests_time, "<= 3 s", tests_time <= 3.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
