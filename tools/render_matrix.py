"""Render every case of the test matrix into a folder, to diff renders before and after a change.

    uv run python tools/render_matrix.py /tmp/before
    ... change the template ...
    uv run python tools/render_matrix.py /tmp/after
    diff -r /tmp/before /tmp/after

The template is copied to a plain folder first, so no git provenance (`_commit`) differs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import copier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.matrix import derive_cases  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to fill, one sub-folder per case")
    out = parser.parse_args().out
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template-src"
        template.mkdir()
        shutil.copy2(ROOT / "copier.yml", template / "copier.yml")
        shutil.copytree(ROOT / "template", template / "template")
        for case in derive_cases():
            copier.run_copy(
                str(template),
                str(out / case.id),
                data={"project_name": "myapi", **case.data},
                defaults=True,
                quiet=True,
            )
            answers = out / case.id / ".copier-answers.yml"
            lines = answers.read_text(encoding="utf-8").splitlines(keepends=True)
            answers.write_text("".join(line for line in lines if not line.startswith("_src_path")))
            print(case.id, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
