"""The questions of copier.yml as plain data, kept in a cache between runs; copier's reading too.

Every start of the CLI (`--help` and completion included) needs the questions to build one flag
per question; importing PyYAML and parsing the file is most of what that costs. So the parsed
questions are kept as JSON in the user's cache folder, next to the copier.yml they came from
(its path, size and modification time, and this package's version). Any change to the file or
to the package reads it again; a cache that cannot be read or written is simply not used.

A render has copier parse the whole file again (pure-Python YAML, a few ms per hundred lines):
`kept_reading` keeps what copier read, by the file's content and copier's version.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import zlib
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from fastapi_scaffold import __version__

# Raise when the shape of a spec below changes, so older caches are read again.
FORMAT = 1
Spec = dict[str, Any]
# How many copier.yml readings are kept (templates, or versions of one, in use side by side).
KEPT_READINGS = 8


def question_specs(copier_yml: Path) -> dict[str, Spec]:
    """Every question of `copier_yml`, in order: name, type, help, default, choices, when.

    Left out: `_`-prefixed settings, and computed values (`when: false`), which are never asked.
    """
    stamp = _stamp(copier_yml)
    cache_file = _cache_file(copier_yml)
    cached = _read_cache(cache_file, stamp)
    if cached is not None:
        return cached
    specs = _parse(copier_yml)
    _write_cache(cache_file, stamp, specs)
    return specs


def kept_reading(
    copier_yml: Path, read: Callable[[Path], dict[str, Any]], reader: str
) -> dict[str, Any]:
    """`read(copier_yml)`, or what it returned for the same bytes and the same `reader` before.

    A file that includes others (`!include`) is read each time, and so is one whose reading
    marshal cannot keep (a YAML date); both come back exactly as read (marshal keeps types,
    order and shared objects).
    """
    content = copier_yml.read_bytes()
    if b"!include" in content:
        return read(copier_yml)
    key = hashlib.sha256(f"{FORMAT}\0{reader}\0".encode() + content).hexdigest()
    cache_file = cache_folder() / "copier-yml-readings.marshal"
    kept: dict[str, Any] = {}
    with suppress(OSError, EOFError, ValueError, TypeError):
        kept = marshal.loads(cache_file.read_bytes())
    if not isinstance(kept, dict):
        kept = {}
    if isinstance(reading := kept.get(key), dict):
        return reading
    reading = read(copier_yml)
    latest = {**dict(list(kept.items())[1 - KEPT_READINGS :]), key: reading}
    with suppress(ValueError):  # what marshal cannot hold
        write_atomically(cache_file, marshal.dumps(latest))
    return reading


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fastapi-scaffold"


def _stamp(copier_yml: Path) -> dict[str, Any]:
    status = copier_yml.stat()
    return {
        "path": str(copier_yml.resolve()),
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
        "version": __version__,
        "format": FORMAT,
    }


def _cache_file(copier_yml: Path) -> Path:
    key = zlib.crc32(str(copier_yml.resolve()).encode())
    return cache_folder() / f"questions-{key:08x}.json"


def _read_cache(cache_file: Path, stamp: dict[str, Any]) -> dict[str, Spec] | None:
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("stamp") != stamp:
        return None
    specs = cached.get("questions")
    return specs if isinstance(specs, dict) else None


def _write_cache(cache_file: Path, stamp: dict[str, Any], specs: dict[str, Spec]) -> None:
    with suppress(TypeError, ValueError):  # a default JSON cannot hold
        content = json.dumps({"stamp": stamp, "questions": specs}).encode()
        write_atomically(cache_file, content)


def write_atomically(cache_file: Path, content: bytes) -> None:
    """Another run may read the file meanwhile; give up quietly if it cannot be written."""
    partial = cache_file.with_name(f"{cache_file.name}.{os.getpid()}.tmp")
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(content)
        os.replace(partial, cache_file)
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def _parse(copier_yml: Path) -> dict[str, Spec]:
    import yaml  # only when the cache cannot answer

    # libyaml's loader when PyYAML has it.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(copier_yml.read_text(encoding="utf-8"), Loader=loader)
    specs: dict[str, Spec] = {}
    for name, spec in raw.items():
        if name.startswith("_") or spec.get("when") is False:
            continue
        specs[name] = {
            "type": spec.get("type", "str"),
            "help": " ".join(str(spec.get("help", name)).split()),
            "default": spec.get("default"),
            "choices": [str(choice) for choice in spec.get("choices") or ()],
            "when": spec.get("when"),
        }
    return specs
