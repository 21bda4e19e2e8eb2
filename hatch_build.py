"""Build hook: the wheel carries the template's release history as a git bundle.

A project made by an installed release records the template's git URL; `fastapi-scaffold update`
points git's `url.<bundle>.insteadOf` at this bundle, so the update needs no network. The bundle
holds every tag (each release) and HEAD, made from the checkout the wheel is built from. An
sdist carries the bundle made from its checkout, for the wheel built from it; a build from a
folder that is neither simply has none (the update then fetches from the URL).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = "template-history.bundle"
IN_WHEEL = f"fastapi_scaffold/_history/{BUNDLE}"


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":  # runs from the checkout, whose template is its own
            return
        root = Path(self.root)
        bundle = self._bundle(root)
        if bundle is not None:
            target = IN_WHEEL if self.target_name == "wheel" else BUNDLE
            build_data["force_include"][str(bundle)] = target

    def _bundle(self, root: Path) -> Path | None:
        shipped = root / BUNDLE  # an sdist's
        if not (root / ".git").exists():
            return shipped if shipped.is_file() else None
        if shutil.which("git") is None:
            return None
        tags = subprocess.run(
            ["git", "tag", "--list"], cwd=root, capture_output=True, text=True, check=False
        )
        if tags.returncode != 0 or not tags.stdout.strip():
            return None  # no release yet
        self._scratch = tempfile.mkdtemp(prefix="fastapi-scaffold-bundle-")
        bundle = Path(self._scratch) / BUNDLE
        subprocess.run(
            ["git", "bundle", "create", "--quiet", str(bundle), "HEAD", "--tags"],
            cwd=root,
            capture_output=True,
            check=True,
        )
        return bundle

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
