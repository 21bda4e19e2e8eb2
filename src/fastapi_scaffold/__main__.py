"""The console script `fastapi-scaffold` (also `python -m fastapi_scaffold`).

Ctrl-C can come while Python is still importing the CLI, before its own handling is in place:
that too is one line and exit code 130, not a traceback. Once the command has returned, the
process only ends: a Ctrl-C then changes nothing, and is ignored.
"""

from __future__ import annotations

import sys

from fastapi_scaffold import stops


def main() -> int:
    stops.process_ends_with_the_command()
    try:
        from fastapi_scaffold.cli import main as run

        code = run()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted: nothing was changed\n")
        return 130
    stops.ignore()
    return code


if __name__ == "__main__":
    sys.exit(main())
