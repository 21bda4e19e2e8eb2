"""YAML answers: `--data-file FILE` in, and the project's `.copier-answers.yml` read and amended.

PyYAML is imported where it is needed, not with this module: `--help` never needs it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi_scaffold.errors import UsageError
from fastapi_scaffold.template_source import Provenance

ANSWERS_FILE = ".copier-answers.yml"
Scalar = str | bool | int | float


def load_data_file(path: Path) -> dict[str, Scalar]:
    """The `question: answer` mapping of a YAML file, or a UsageError that names the problem."""
    import yaml

    where = f"--data-file {path}"
    text = _read_text(path, where)
    try:
        loaded = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        position = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise UsageError(
            f"{where} is not valid YAML ({position}{error.problem})",
            hint="write one `question: answer` per line, e.g. `database: postgresql`",
        ) from None
    except yaml.YAMLError as error:
        raise UsageError(f"{where} is not valid YAML ({error})") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(
            f"{where} holds a {type(loaded).__name__}, not `question: answer` lines",
            hint="write one `question: answer` per line, e.g. `database: postgresql`",
        )
    return {_key(key, where): _scalar(key, value, where) for key, value in loaded.items()}


def _read_text(path: Path, where: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{where} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{where} is not UTF-8 text") from None
    except OSError as error:
        raise UsageError(f"{where} cannot be read: {error.strerror}") from None


def _key(key: object, where: str) -> str:
    if not isinstance(key, str):
        raise UsageError(f"{where}: '{key}' is not a question name")
    if key.startswith("_"):
        raise UsageError(
            f"{where}: '{key}' is one of copier's own settings, not an answer",
            hint="an answers file lists questions only; leave out the `_` keys",
        )
    return key


def _scalar(key: str, value: object, where: str) -> Scalar:
    if isinstance(value, str | bool | int | float):
        return value
    if value is None:
        raise UsageError(f"{where}: {key} has no answer", hint=f"write e.g. `{key}: ...`")
    raise UsageError(f"{where}: the answer for {key} must be a single value, not a list or mapping")


def read_answers(project: Path) -> dict[str, object]:
    """The recorded answers of a rendered project (copier's `_` keys left out)."""
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file():
        return {}
    import yaml

    loaded = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
    return {key: value for key, value in loaded.items() if not key.startswith("_")}


def record_provenance(project: Path, source: Provenance) -> None:
    """Write `_src_path` and `_commit` into the answers file as copier writes them itself.

    The result is the file copier renders from `source` (same header, same YAML layout), so a
    later `copier update` cannot tell the difference.
    """
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file():  # a template without one: nothing to amend
        return
    text = answers_path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = "".join(line for line in lines[: _header_length(lines)])
    import yaml

    recorded = yaml.safe_load(text) or {}
    recorded["_src_path"] = source.src_path
    if source.commit:
        recorded["_commit"] = source.commit
    else:
        recorded.pop("_commit", None)
    # copier's `to_nice_yaml` filter: sorted keys, block style, indent 4, unicode kept.
    body = yaml.dump(recorded, indent=4, allow_unicode=True, default_flow_style=False)
    answers_path.write_text(header + body, encoding="utf-8")


def _header_length(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            return index
    return len(lines)
