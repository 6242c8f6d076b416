"""The core never imports Textual (nor the CLI's click): it serves every face."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import tokentui.core

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(tokentui.core.__path__, "tokentui.core.")
    if ".migrations.versions" not in m.name and not m.name.endswith(".env")
)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_neither_textual_nor_click(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click', 'starlette', 'uvicorn'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_cli_does_not_load_textual_for_a_command() -> None:
    code = (
        "import sys\n"
        "from tokentui.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('textual' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "False"
