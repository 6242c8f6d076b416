"""Contentful's own JavaScript clients, pinned in package.json here; .ci/run installs them with npm ci."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CLIENTS = Path(__file__).parent
NODE_MODULES = CLIENTS / "node_modules"


def need_node_clients() -> str:
    """The node executable; without it or the installed clients, skip locally and fail in CI (CI=true)."""
    node = shutil.which("node")
    missing = "node" if node is None else None
    if missing is None and not (NODE_MODULES / "contentful-cli").is_dir():
        missing = f"the npm clients (run npm ci in {CLIENTS})"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the client checks, but {missing} is missing")
        pytest.skip(f"{missing} is missing")
    assert node is not None
    return node
