"""The console script `fastapi-scaffold` (also `python -m fastapi_scaffold`).

Ctrl-C can come while Python is still importing the CLI, before its own handling is in place:
that too is one line and exit code 130, not a traceback.
"""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from fastapi_scaffold.cli import main as run

        return run()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted: nothing was changed\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
