"""Jinja's compiled code of the template's sources, kept between runs as Python keeps `.pyc` files.

Compiling the template's sources (its files, path segments, `_exclude` entries, computed answers)
is about half of a render. What Jinja compiles from a source depends on that source, its template
name and the environment that compiles it, nothing else: the file name only labels the code
object, and is put back on a hit. So the code is kept under a hash of name and source, in one file
per environment, whose name is a hash of everything in the environment that shapes compiled code:
Python's and Jinja's versions, the syntax options, the extensions, and the filters and tests (the
optimizer calls a filter on constant arguments at compile time) with the files that define them.

The file lives in the user's cache folder; one that cannot be read or written is not used.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from types import CodeType
from typing import Any

from fastapi_scaffold.copier_yml import cache_folder, write_atomically

# Raise when what a cache file holds changes shape.
FORMAT = 1
# Past this many kept sources (a template edited many times), keep only the last render's.
LIMIT = 2000
# The environment's settings that shape the code Jinja generates.
_SYNTAX = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "sandboxed",
)

Compile = Callable[[str, "str | None", "str | None"], CodeType]


class CompiledCache:
    """The code compiled for one environment: what earlier runs kept, and what this one used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kept = _read(path)
        self.used: dict[str, CodeType] = {}
        self.compiled = 0

    @classmethod
    def for_environment(cls, environment: Any) -> CompiledCache:
        return cls(cache_folder() / f"jinja-{fingerprint(environment)}.marshal")

    def code(
        self, compile_source: Compile, source: str, name: str | None, filename: str | None
    ) -> CodeType:
        key = hashlib.sha256(f"{name}\0{source}".encode()).hexdigest()
        code = self.used.get(key) or self.kept.get(key)
        if code is None:
            code = compile_source(source, name, filename)
            self.compiled += 1
        self.used[key] = code
        return _labelled(code, "<template>" if filename is None else filename)

    def save(self) -> None:
        """Keep what this run compiled, with what earlier runs kept."""
        if not self.compiled:
            return
        kept = {**self.kept, **self.used}
        write_atomically(self.path, marshal.dumps(kept if len(kept) <= LIMIT else self.used))


def fingerprint(environment: Any) -> str:
    import jinja2

    parts: list[object] = [FORMAT, sys.implementation.cache_tag, jinja2.__version__]
    parts.append(f"{type(environment).__module__}.{type(environment).__qualname__}")
    parts.extend((setting, getattr(environment, setting)) for setting in _SYNTAX)
    parts.append(sorted(environment.extensions))
    parts.append(_named(environment.autoescape))
    parts.append(_named(environment.finalize))
    functions = {**environment.filters, **{f"test {k}": v for k, v in environment.tests.items()}}
    parts.extend((name, _named(function)) for name, function in sorted(functions.items()))
    parts.extend(_module_stamps(functions.values()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _named(value: object) -> str:
    """A function by where it is defined (and how Jinja passes it arguments); a value by repr."""
    function = getattr(value, "func", value)  # a functools.partial: the function it wraps
    if not callable(function):
        return repr(value)
    module = getattr(function, "__module__", None) or type(function).__module__
    qualname = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{module}.{qualname} {getattr(function, 'jinja_pass_arg', None)}"


def _module_stamps(functions: Iterable[object]) -> list[tuple[str, int, int]]:
    stamps = set()
    for function in functions:
        module = sys.modules.get(getattr(getattr(function, "func", function), "__module__", ""))
        source = getattr(module, "__file__", None)
        if source is not None:
            with suppress(OSError):
                status = os.stat(source)
                stamps.add((source, status.st_size, status.st_mtime_ns))
    return sorted(stamps)


def _read(path: Path) -> dict[str, CodeType]:
    try:
        kept = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {
        key: code
        for key, code in kept.items()
        if isinstance(key, str) and isinstance(code, CodeType)
    }


def _labelled(code: CodeType, filename: str) -> CodeType:
    """The code (and the functions it defines) as compiled from `filename`."""
    if code.co_filename == filename:
        return code
    constants = tuple(
        _labelled(constant, filename) if isinstance(constant, CodeType) else constant
        for constant in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=constants)
