"""Two real releases of fastapi-scaffold, installed from their wheels, and a project between them.

The package repository is this checkout's files, released as v0.1.0, then changed as a next
release would change it (a new file, a changed shared file, a renamed file with a migration)
and released as v0.2.0. Each release's wheel is built from its tag and installed in a virtual
environment of its own. The project is made by v0.1.0 and edited by its team; it is then
updated to v0.2.0 by plain `copier update` (its template URL reachable, as file://) and by
v0.2.0's `fastapi-scaffold update` with no way to reach the URL at all (offline: the wheel's
release history). Every edit stays, the template's changes arrive, the project's tests pass.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from fastapi_scaffold import __version__
from fastapi_scaffold.template_source import URL_VARIABLE
from tests.gitrepos import (
    NEW_FILE,
    NEW_LINE,
    OLD_LINE,
    UV,
    commit_all,
    git,
    recorded,
    release_v2,
    run,
    tree,
)
from tests.template.harness import Toolchain

pytestmark = pytest.mark.xdist_group("releases")  # one build of the releases per run

ROOT = Path(__file__).resolve().parents[1]
# No network: a name that cannot resolve (RFC 2606). Only the wheel's history can serve it.
UNREACHABLE = "https://template.invalid/fastapi-scaffold.git"
TEMPLATE = ("copier.yml", "template")
RENAMED = ("tests/test_health.py", "tests/test_health_checks.py")
OLD_DOC, NEW_DOC = (
    '"""The health checks: liveness and readiness."""',
    '"""Liveness and readiness."""',
)
MIGRATION = """
_migrations:
  - version: v0.2.0
    command: >-
      {{ _copier_python }} {{ _copier_conf.src_path }}/tools/carry_edits.py
      tests/test_health.py tests/test_health_checks.py
"""
OUR_ROUTE = """

@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""
OUR_TEST = """from fastapi.testclient import TestClient


def test_ping(client: TestClient) -> None:
    assert client.get("/health/ping").json() == {"ping": "pong"}
"""
OUR_HEALTH_TEST = """

def test_liveness_says_ok_twice(client: TestClient) -> None:
    assert [client.get("/health").status_code for _ in range(2)] == [200, 200]
"""
OUR_SETTING = (
    "    # Ours: requests slower than this are worth a look.\n    slow_request_ms: int = 500\n"
)
OUR_NOTES = "\n## Our notes\n\nKeep me.\n"


@dataclass(frozen=True)
class Release:
    tag: str
    wheel: Path
    cli: Path


@dataclass(frozen=True)
class Releases:
    repo: Path
    url: str  # a bare remote of the package repository, as file://
    old: Release
    new: Release


def package_files(into: Path) -> None:
    """This checkout's files as they are (tracked and untracked, not ignored)."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def next_release(repo: Path, version: str) -> None:
    """What v0.2.0 changes: a new file, a shared file, and a renamed file with its migration."""
    old, new = (repo / "template" / name for name in RENAMED)
    git(repo, "mv", str(old), str(new))
    new.write_text(new.read_text(encoding="utf-8").replace(OLD_DOC, NEW_DOC), encoding="utf-8")
    with (repo / "copier.yml").open("a", encoding="utf-8") as copier_yml:
        copier_yml.write(MIGRATION)
    for name in ("pyproject.toml", "src/fastapi_scaffold/__init__.py"):
        path = repo / name
        path.write_text(path.read_text(encoding="utf-8").replace(__version__, version, 1))
    release_v2(repo, tag=f"v{version}")


def install(repo: Path, tag: str, into: Path) -> Release:
    """Build the wheel of `tag` from a clone checked out at it, and install it in a new venv."""
    checkout = into / "checkout"
    git(into, "clone", "-q", str(repo), str(checkout))
    git(checkout, "checkout", "-q", tag)
    run([UV, "build", "--wheel", "--quiet", "--out-dir", str(into / "dist"), str(checkout)], into)
    (wheel,) = (into / "dist").glob("*.whl")
    venv = into / "venv"
    run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], into)
    python = str(venv / "bin" / "python")
    run([UV, "pip", "install", "--quiet", "--python", python, str(wheel)], into)
    return Release(tag=tag, wheel=wheel, cli=venv / "bin" / "fastapi-scaffold")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    root = tmp_path_factory.mktemp("package")
    repo = root / "fastapi-scaffold"
    repo.mkdir()
    package_files(repo)
    git(repo, "init", "-q")
    commit_all(repo, "release", tag=f"v{__version__}")
    next_release(repo, "0.2.0")
    git(root, "clone", "-q", "--bare", str(repo), str(root / "remote.git"))
    old = install(repo, f"v{__version__}", tmp_path_factory.mktemp("old-release"))
    new = install(repo, "v0.2.0", tmp_path_factory.mktemp("new-release"))
    return Releases(repo=repo, url=(root / "remote.git").as_uri(), old=old, new=new)


def made_by(release: Release, folder: Path, url: str) -> Path:
    run([str(release.cli), "new", "myapi", "-y"], folder, **{URL_VARIABLE: url})
    return folder / "myapi"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edit_like_a_team(project: Path) -> None:
    append(project / "src/myapi/api/routes/health.py", OUR_ROUTE)
    (project / "tests/test_ping.py").write_text(OUR_TEST, encoding="utf-8")
    append(project / RENAMED[0], OUR_HEALTH_TEST)
    settings = project / "src/myapi/core/settings/observability.py"
    append(settings, OUR_SETTING)
    append(project / "README.md", OUR_NOTES)
    commit_all(project, "our work")


@pytest.fixture(scope="module")
def edited_projects(
    releases: Releases, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The same team's project twice: recording the reachable URL, and an unreachable one."""
    projects = {}
    for name, url in (("online", releases.url), ("offline", UNREACHABLE)):
        project = made_by(releases.old, tmp_path_factory.mktemp(name), url)
        assert recorded(project)["_src_path"] == url
        assert recorded(project)["_commit"] == releases.old.tag
        edit_like_a_team(project)
        projects[name] = project
    return projects


def clone(project: Path, into: Path) -> Path:
    git(into, "clone", "-q", str(project), str(into / "myapi"))
    return into / "myapi"


def assert_updated_with_every_edit(project: Path) -> None:
    assert recorded(project)["_commit"] == "v0.2.0"
    name, text = NEW_FILE
    assert (project / name).read_text(encoding="utf-8") == text
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert NEW_LINE in readme and readme.endswith(OUR_NOTES)
    assert (project / "src/myapi/api/routes/health.py").read_text().endswith(OUR_ROUTE)
    assert (project / "tests/test_ping.py").read_text() == OUR_TEST
    assert (project / "src/myapi/core/settings/observability.py").read_text().endswith(OUR_SETTING)
    old, new = (project / name for name in RENAMED)
    assert not old.exists()
    renamed = new.read_text(encoding="utf-8")
    assert renamed.startswith(NEW_DOC) and renamed.endswith(OUR_HEALTH_TEST)  # both sides
    assert git(project, "diff", "--name-only", "--diff-filter=U") == ""
    assert "<<<<<<<" not in git(project, "diff", "HEAD")


def run_project_tests(project: Path, toolchains: Callable[[str], Toolchain]) -> None:
    tools = toolchains(str(recorded(project)["python_version"]))
    tools.install_for(project)
    tools.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)


def test_the_wheel_carries_the_template_of_its_tag(releases: Releases, tmp_path: Path) -> None:
    def differences(wheel: Path) -> list[str]:
        tag_zip_path = tmp_path / "tag.zip"
        git(releases.repo, "archive", "-o", str(tag_zip_path), releases.old.tag, *TEMPLATE)
        with zipfile.ZipFile(tag_zip_path) as tag_zip:
            tag_files = {n: tag_zip.read(n) for n in tag_zip.namelist() if not n.endswith("/")}
        prefix = "fastapi_scaffold/_template/"
        with zipfile.ZipFile(wheel) as wheel_zip:
            wheel_files = {
                n.removeprefix(prefix): wheel_zip.read(n)
                for n in wheel_zip.namelist()
                if n.startswith(prefix) and not n.endswith("/")
            }
        names = sorted(tag_files.keys() | wheel_files.keys())
        return [n for n in names if tag_files.get(n) != wheel_files.get(n)]

    assert differences(releases.old.wheel) == []
    tampered = tmp_path / releases.old.wheel.name
    with zipfile.ZipFile(releases.old.wheel) as source, zipfile.ZipFile(tampered, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("_template/template/.gitignore"):
                data += b"# drift\n"
            copy.writestr(item, data)
    assert differences(tampered) == ["template/.gitignore"]


@pytest.fixture(scope="module")
def updated(
    releases: Releases, edited_projects: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, str]]:
    """Each project updated to v0.2.0: by plain copier, and by v0.2.0's CLI offline (stderr)."""
    online = clone(edited_projects["online"], tmp_path_factory.mktemp("updated-online"))
    copier = str(Path(sys.executable).with_name("copier"))
    plain = run([copier, "update", "--trust", "--defaults", "--quiet"], online)
    offline = clone(edited_projects["offline"], tmp_path_factory.mktemp("updated-offline"))
    ours = run([str(releases.new.cli), "update"], offline, **{URL_VARIABLE: UNREACHABLE})
    return {"online": (online, plain.stderr), "offline": (offline, ours.stderr)}


def test_plain_copier_update_keeps_every_edit(
    updated: dict[str, tuple[Path, str]], toolchains: Callable[[str], Toolchain]
) -> None:
    project, _ = updated["online"]
    assert_updated_with_every_edit(project)
    run_project_tests(project, toolchains)


def test_fastapi_scaffold_update_works_offline_and_keeps_every_edit(
    updated: dict[str, tuple[Path, str]], toolchains: Callable[[str], Toolchain]
) -> None:
    project, stderr = updated["offline"]
    assert "v0.1.0 -> v0.2.0 (from the release history this CLI carries)" in stderr
    assert_updated_with_every_edit(project)
    assert recorded(project)["_src_path"] == UNREACHABLE
    run_project_tests(project, toolchains)
    # The same edits and the same release: the same project, whichever way it was updated.
    online, _ = updated["online"]
    answers = {".copier-answers.yml": b""}
    assert {**tree(project), **answers} == {**tree(online), **answers}


def test_a_real_conflict_exits_3_and_names_the_file(
    releases: Releases, edited_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = clone(edited_projects["offline"], tmp_path)
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(OLD_LINE, "Our own words"))
    commit_all(project, "our words")
    command = [str(releases.new.cli), "update"]
    result = run(command, project, expect=3, **{URL_VARIABLE: UNREACHABLE})
    assert "error: conflicts are left in 1 files: README.md" in result.stderr
