"""The one error type the CLI turns into an exit code."""

from __future__ import annotations


class ScaffoldError(Exception):
    """A user-facing failure: one line of message, an optional hint, an exit code."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


class UsageError(ScaffoldError):
    """The command line itself is wrong (exit code 2, like argument-parsing errors)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, exit_code=2)


class Interrupted(ScaffoldError):
    """Ctrl-C, Ctrl-D at a question, SIGTERM or SIGHUP (exit code 130, as for SIGINT).

    Raised only once everything `new` had changed is undone.
    """

    def __init__(self, message: str = "interrupted: nothing was changed") -> None:
        super().__init__(message, exit_code=130)


class Cancelled(ScaffoldError):
    """The user answered no to the confirmation: nothing was written (exit code 1)."""

    def __init__(self) -> None:
        super().__init__("cancelled: nothing was written")
