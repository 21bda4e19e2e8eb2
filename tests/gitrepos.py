"""Real git repositories for the update tests: template releases, bare remotes, projects."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from uv import find_uv_bin

from fastapi_scaffold.template_source import copy_template, template_root

UV = find_uv_bin()
IDENTITY = ["-c", "user.name=Template Author", "-c", "user.email=author@example.com"]


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *IDENTITY, *args], cwd=folder, capture_output=True, text=True, check=True
    )
    return result.stdout


def run(
    command: list[str], cwd: Path, *, expect: int = 0, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Run a command outside this test run's environment (its venv, pytest's variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST_"))}
    env.update(extra_env)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == expect, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def commit_all(folder: Path, message: str, tag: str | None = None) -> None:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "--no-verify", "-m", message)
    if tag:
        git(folder, "tag", tag)


def template_repo(folder: Path, tag: str | None = "v1") -> Path:
    """This checkout's template, committed (and tagged) in a git repository of its own."""
    folder.mkdir(parents=True)
    copy_template(template_root(), folder)
    git(folder, "init", "-q")
    commit_all(folder, f"template {tag or 'v1'}", tag=tag)
    return folder


def bare_url(repo: Path, into: Path) -> str:
    """A bare clone of `repo` (with its tags) as a file:// URL: a remote, without a network."""
    git(repo.parent, "clone", "-q", "--bare", str(repo), str(into))
    return into.as_uri()


def push_tags(repo: Path, url: str) -> None:
    git(repo, "push", "-q", url, "HEAD:refs/heads/main", "--tags")


def recorded(project: Path) -> dict[str, object]:
    """The whole answers file, copier's `_` keys included."""
    return dict(yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8")))


def tree(root: Path) -> dict[str, bytes]:
    """Every file below `root` but git's own, by relative path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


# The scripted change of a second release: a new file, and a changed line of a shared file.
NEW_FILE = ("CHANGELOG.md", "# Changelog\n\n- v2\n")
SHARED_FILE = "_readme/start.md"
OLD_LINE, NEW_LINE = "A layered FastAPI service", "A layered, updatable FastAPI service"


def release_v2(repo: Path, tag: str = "v2") -> None:
    """Change the template as a next release would, commit and tag it."""
    name, text = NEW_FILE
    (repo / "template" / name).write_text(text, encoding="utf-8")
    shared = repo / "template" / SHARED_FILE
    shared.write_text(shared.read_text(encoding="utf-8").replace(OLD_LINE, NEW_LINE, 1))
    commit_all(repo, f"template {tag}", tag=tag)
