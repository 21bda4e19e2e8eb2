"""Ctrl-C, SIGTERM and SIGHUP while `new` works: an interrupt, held for a step, or ignored.

Python runs signal handlers in the main thread, whichever thread a signal hits, so swapping the
handlers holds a signal for the whole process. Where handlers cannot be set (not the main
thread), every function here leaves them as they are.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
Handler = Callable[[int, FrameType | None], object] | int | None


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def _handlers(handler: Handler) -> Iterator[None]:
    previous: dict[signal.Signals, Handler] = {}
    try:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the work the way Ctrl-C does: as KeyboardInterrupt."""
    with _handlers(_raise_interrupt):
        yield


@contextmanager
def held(*, drop: bool = False) -> Iterator[None]:
    """Hold the stop signals for a step that must not be cut in two.

    One that comes meanwhile is acted on when the step is over (KeyboardInterrupt), or, with
    `drop`, forgotten: for an undo, which is the answer to an interrupt already.
    """
    arrived: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        arrived.append(signum)

    with _handlers(note):
        yield
    if arrived and not drop:
        raise KeyboardInterrupt


def ignore() -> None:
    """From now on the stop signals change nothing: the work is done (see `restored`).

    SIG_IGN, not a Python handler: the interpreter resets its own handlers to the default as it
    shuts down, and the default ends the process (exit status -2) even then. Nothing is started
    after this (an ignored signal would stay ignored in a child).
    """
    for signum in STOP_SIGNALS:
        try:
            signal.signal(signum, signal.SIG_IGN)
        except ValueError:  # not the main thread
            return


# Set by the console script: the process ends with the command, so nothing needs restoring.
_process_ends_with_the_command = False


def process_ends_with_the_command() -> None:
    """The command is the whole process: `restored` keeps what the command set (see `ignore`).

    Otherwise the default Ctrl-C would come back for the last steps of the interpreter (its
    teardown), where it would end the process with a traceback or SIGINT after the work is done.
    """
    global _process_ends_with_the_command
    _process_ends_with_the_command = True


@contextmanager
def restored() -> Iterator[None]:
    """For a caller that goes on after the command (tests): the handlers are as before after it."""
    if _process_ends_with_the_command:
        yield
        return
    try:
        previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    except ValueError:
        previous = {}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            try:
                signal.signal(signum, handler)
            except ValueError:
                break
