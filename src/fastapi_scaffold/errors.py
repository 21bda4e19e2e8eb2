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
