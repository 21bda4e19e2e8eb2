"""How fast `--help` starts, against Python's own start-up, measured in one run.

Prints the medians of, interleaved so that every command sees the same machine load:
- `python -c pass` (the floor: the interpreter alone);
- `fastapi-scaffold --help` and `fastapi-scaffold new --help`;
- `fastapi-scaffold new --help` with copier.yml's questions tripled (a copy of the template),
  so the figure shows how `--help` grows with the questions;
and each as a ratio to the floor. Target: every ratio <= 10x. Exits 1 when one is over.

Run: `uv run python benchmarks/cli_help.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 10.0
# `new --help` as the CLI runs it, but with the template read from the folder given first.
WITH_TEMPLATE = (
    "import sys; from pathlib import Path; import fastapi_scaffold.template_source as source; "
    "source.template_root = lambda: Path(sys.argv[1]); "
    "from fastapi_scaffold.cli import main; sys.exit(main(sys.argv[2:]))"
)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    # A user's machine writes byte-code caches; without them every start recompiles its imports.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("VIRTUAL_ENV", None)
    env["COLUMNS"] = "80"
    return env


def tripled_template(into: Path) -> Path:
    """A copy of the template whose copier.yml asks every question (but the name) three times."""
    settings = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    questions = [name for name in settings if not name.startswith("_") and name != "project_name"]
    tripled = dict(settings)
    for copy in (2, 3):
        for name in questions:
            spec = dict(settings[name])
            for key in ("default", "when", "validator"):
                if isinstance(spec.get(key), str):
                    spec[key] = _renamed(spec[key], questions, copy)
            tripled[f"{name}_{copy}"] = spec
    (into / "copier.yml").write_text(yaml.safe_dump(tripled, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "template", into / "template")
    return into


def _renamed(text: str, questions: list[str], copy: int) -> str:
    names = "|".join(sorted(questions, key=len, reverse=True))
    return re.sub(rf"\b({names})\b", rf"\1_{copy}", text)


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    env = environment()
    scaffold = str(BIN / "fastapi-scaffold")
    with tempfile.TemporaryDirectory() as work:
        tripled = tripled_template(Path(work))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "fastapi-scaffold --help": [scaffold, "--help"],
            "fastapi-scaffold new --help": [scaffold, "new", "--help"],
            "new --help, 3x the questions": [
                sys.executable,
                "-c",
                WITH_TEMPLATE,
                str(tripled),
                "new",
                "--help",
            ],
        }
        for command in commands.values():  # warm the byte-code caches and the file cache
            timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["python -c pass"]
    worst = 0.0
    print(f"median of {runs} interleaved runs; target: each <= {TARGET:g}x python -c pass")
    for name, median in medians.items():
        ratio = median / floor
        if name != "python -c pass":
            worst = max(worst, ratio)
        print(f"  {name:<30} {median * 1000:7.1f} ms  {ratio:5.1f}x")
    verdict = "met" if worst <= TARGET else "MISSED"
    print(f"worst ratio {worst:.1f}x: target {verdict}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
