"""render.py spares copier repeated work; the projects it renders are unchanged by that."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import copier
import copier._template
import jinja2
import pytest
from copier._main import Worker
from copier._user_data import AnswersMap
from jinja2.sandbox import SandboxedEnvironment

from fastapi_scaffold import compiled, render
from fastapi_scaffold.errors import ScaffoldError
from fastapi_scaffold.options import Answer
from fastapi_scaffold.template_source import template_root
from tests.matrix import derive_cases

CASES = {case.id: case for case in derive_cases()}
# What copier's Worker gets back after a render.
PATCHED = (
    "jinja_env",
    "_sync_git_index_executable_bit",
    "_render_string",
    "answers_relpath",
    "_render_template",
    "_answers_to_remember",
)
TEMPLATE_MODULE: ModuleType = copier._template  # where copier's Template finds get_repo
IDENTITY = ["-c", "user.name=Template Author", "-c", "user.email=author@example.com"]


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    shutil.copy2(template_root() / "copier.yml", root / "copier.yml")
    shutil.copytree(template_root() / "template", root / "template")
    return root


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "fastapi-scaffold"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str | None]]:
    """The names of the sources Jinja parses (compiles), in order."""
    parsed: list[str | None] = []
    parse = jinja2.Environment._parse

    def counted(environment: jinja2.Environment, source: str, name: str | None, *args: object):  # type: ignore[no-untyped-def]
        parsed.append(name)
        return parse(environment, source, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "_parse", counted)
    yield parsed


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def copier_copy(template: Path, into: Path, answers: dict[str, Answer]) -> dict[str, bytes]:
    copier.run_copy(str(template), str(into), data=answers, defaults=True, quiet=True)
    return tree(into)


def lean_copy(template: Path, into: Path, answers: dict[str, Answer]) -> dict[str, bytes]:
    render.copy_template(template, into, answers, interactive=False)
    return tree(into)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_a_lean_render_writes_what_copier_writes(
    case_id: str, plain_template: Path, tmp_path: Path, cache: Path
) -> None:
    answers = {"project_name": "myapi", **CASES[case_id].data}
    expected = copier_copy(plain_template, tmp_path / "copier", answers)

    assert lean_copy(plain_template, tmp_path / "cold", answers) == expected
    assert lean_copy(plain_template, tmp_path / "warm", answers) == expected  # from the cache


def test_a_render_compiles_only_what_no_run_kept(
    plain_template: Path, tmp_path: Path, cache: Path, parses: list[str | None]
) -> None:
    lean_copy(plain_template, tmp_path / "first", {"project_name": "x"})
    assert "template/README.md.jinja" in parses
    parses.clear()

    lean_copy(plain_template, tmp_path / "second", {"project_name": "y"})

    assert parses == []
    assert [path.name for path in cache.glob("jinja-*")] != []


def test_a_changed_source_is_compiled_again(
    plain_template: Path, tmp_path: Path, cache: Path
) -> None:
    template = tmp_path / "template"
    shutil.copytree(plain_template, template)
    lean_copy(template, tmp_path / "before", {"project_name": "x"})
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text(encoding="utf-8") + "{{ project_name }} again\n")

    lean = lean_copy(template, tmp_path / "lean", {"project_name": "x"})

    assert lean["README.md"].endswith(b"x again\n")
    assert lean == copier_copy(template, tmp_path / "copier", {"project_name": "x"})


def test_a_damaged_cache_is_compiled_afresh(
    plain_template: Path, tmp_path: Path, cache: Path
) -> None:
    lean_copy(plain_template, tmp_path / "first", {"project_name": "x"})
    (kept,) = cache.glob("jinja-*")
    kept.write_bytes(kept.read_bytes()[:1000])

    lean = lean_copy(plain_template, tmp_path / "lean", {"project_name": "x"})

    assert lean == copier_copy(plain_template, tmp_path / "copier", {"project_name": "x"})
    assert len(compiled.CompiledCache(kept).kept) > 60  # written again, whole


def test_code_is_kept_per_environment() -> None:
    def environment(**options: object) -> SandboxedEnvironment:
        return SandboxedEnvironment(**options)

    same = compiled.fingerprint(environment(trim_blocks=True))

    assert compiled.fingerprint(environment(trim_blocks=True)) == same
    assert compiled.fingerprint(environment()) != same
    assert compiled.fingerprint(jinja2.Environment(trim_blocks=True)) != same
    extended = environment(trim_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    assert compiled.fingerprint(extended) != same
    filtered = environment(trim_blocks=True)
    filtered.filters["shout"] = str.upper
    assert compiled.fingerprint(filtered) != same


def test_kept_code_names_the_file_it_is_compiled_from(tmp_path: Path) -> None:
    environment = SandboxedEnvironment()
    cache = compiled.CompiledCache(tmp_path / "kept")
    source = "{% macro m() %}{{ x }}{% endmacro %}{{ m() }}"
    cache.code(environment.compile, source, "a.jinja", "/first/a.jinja")

    code = cache.code(environment.compile, source, "a.jinja", "/second/a.jinja")

    template = environment.template_class.from_code(environment, code, environment.globals)
    assert template.filename == "/second/a.jinja"
    assert {const.co_filename for const in code.co_consts if hasattr(const, "co_filename")} == {
        "/second/a.jinja"
    }
    assert cache.compiled == 1


@pytest.mark.parametrize(
    ("settings", "path", "rendered"),
    [
        # Copier's yield tag: one folder per item (compiling it sets state in the environment).
        (
            "items:\n  type: yaml\n  default: [a, b]\n",
            "{% yield item from items %}{{ item }}{% endyield %}/{{ item }}.txt.jinja",
            {"a/a.txt", "b/b.txt"},
        ),
        # Other delimiters: `[[ name ]]` is no plain name.
        (
            "_envops:\n  variable_start_string: '[['\n  variable_end_string: ']]'\n",
            "[[ project_name ]].txt.jinja",
            {"x.txt"},
        ),
    ],
    ids=["yield", "delimiters"],
)
def test_templates_beyond_ours_render_as_copier_renders_them(
    settings: str, path: str, rendered: set[str], tmp_path: Path, cache: Path
) -> None:
    template = tmp_path / "template"
    (template / path).parent.mkdir(parents=True)
    (template / "copier.yml").write_text(f"project_name:\n  type: str\n{settings}")
    (template / path).write_text("{{ project_name }}\n")

    expected = copier_copy(template, tmp_path / "copier", {"project_name": "x"})

    assert set(expected) - {".copier-answers.yml", "copier.yml"} == rendered
    assert lean_copy(template, tmp_path / "lean", {"project_name": "x"}) == expected
    assert lean_copy(template, tmp_path / "again", {"project_name": "x"}) == expected


def test_a_template_folder_is_no_repository_without_asking_git(
    plain_template: Path, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(TEMPLATE_MODULE, "get_repo", lambda url: asked.append(url))

    lean_copy(plain_template, tmp_path / "lean", {"project_name": "x"})

    assert asked == []


def test_a_template_repository_renders_as_copier_renders_it(tmp_path: Path, cache: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text("project_name:\n  type: str\n")
    (template / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}"
    )
    (template / "README.md.jinja").write_text("# {{ project_name }}\n")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1"]):
        subprocess.run(["git", *IDENTITY, *command], cwd=template, check=True)

    expected = copier_copy(template, tmp_path / "copier", {"project_name": "x"})

    assert b"_commit: v1" in expected[".copier-answers.yml"]
    assert lean_copy(template, tmp_path / "lean", {"project_name": "x"}) == expected


def test_copier_reads_copier_yml_again_only_when_it_changed(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = TEMPLATE_MODULE.load_template_config
    readings: list[Path] = []

    def counted(path: Path, *args: bool) -> object:
        readings.append(path)
        return read(path, *args)

    monkeypatch.setattr(TEMPLATE_MODULE, "load_template_config", counted)
    template = tmp_path / "template"
    template.mkdir()
    (template / "{{ greeting }}.txt.jinja").write_text("{{ greeting }}\n")
    copier_yml = template / "copier.yml"

    copier_yml.write_text("greeting:\n  type: str\n  default: hello\n")
    first = lean_copy(template, tmp_path / "first", {})
    second = lean_copy(template, tmp_path / "second", {})
    copier_yml.write_text("greeting:\n  type: str\n  default: bye\n")
    changed = lean_copy(template, tmp_path / "changed", {})
    copier_yml.write_text("greeting:\n  type: str\n  default: hello\n")
    back = lean_copy(template, tmp_path / "back", {})  # both readings are kept

    assert len(readings) == 2
    assert first == second == back == {"hello.txt": b"hello\n"}
    assert changed == {"bye.txt": b"bye\n"}


def test_a_copier_yml_that_includes_another_is_read_each_time(tmp_path: Path, cache: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text("name:\n  type: str\n---\n!include more.yml\n")
    (template / "more.yml").write_text("color:\n  type: str\n  default: blue\n")
    (template / "{{ color }}.txt.jinja").write_text("{{ name }}\n")
    lean_copy(template, tmp_path / "first", {"name": "x"})
    (template / "more.yml").write_text("color:\n  type: str\n  default: red\n")

    expected = copier_copy(template, tmp_path / "copier", {"name": "x"})

    assert "red.txt" in expected
    assert lean_copy(template, tmp_path / "lean", {"name": "x"}) == expected


@pytest.mark.parametrize("database", ["sqlite", "oracle"], ids=["rendered", "refused"])
def test_copier_is_left_as_it_was(
    database: str, plain_template: Path, tmp_path: Path, cache: Path
) -> None:
    before = {name: Worker.__dict__[name] for name in PATCHED}
    get_repo = TEMPLATE_MODULE.get_repo
    read = TEMPLATE_MODULE.load_template_config
    combined = AnswersMap.__dict__["combined"]

    refused = database == "oracle"  # no such choice
    with pytest.raises(ScaffoldError) if refused else contextlib.nullcontext():
        lean_copy(plain_template, tmp_path / "x", {"project_name": "x", "database": database})

    assert {name: Worker.__dict__[name] for name in PATCHED} == before
    assert TEMPLATE_MODULE.get_repo is get_repo
    assert TEMPLATE_MODULE.load_template_config is read
    assert AnswersMap.__dict__["combined"] is combined
