"""The core never imports the web framework, and the CLI imports it only when serving."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "tokentui.core.access.bearer",
        "tokentui.core.listing.api_filters",
        "tokentui.core.access.redact",
        "tokentui.cli",
    ],
)
def test_module_does_not_import_the_web_server(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in ('starlette', 'uvicorn', 'textual') if m in sys.modules); "
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
