"""Alembic migrations shipped inside the package.

Revision ids are the file names' leading numbers, so the store can tell a
current, an older and a newer schema apart without importing Alembic.
"""

from __future__ import annotations

from pathlib import Path

_VERSIONS = Path(__file__).parent / "versions"
KNOWN_REVISIONS: tuple[str, ...] = tuple(
    sorted(p.name.split("_", 1)[0] for p in _VERSIONS.glob("[0-9]*_*.py"))
)
HEAD_REVISION: str = KNOWN_REVISIONS[-1]
