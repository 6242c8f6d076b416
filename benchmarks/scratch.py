"""Scratch copies of a benchmark's stores: a measurement that writes works on a copy, removed after."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_store(directory: Path, name: str, copy: str) -> str:
    """The URL of a copy of store ``name`` (closed, so its write-ahead log is empty or absent)."""
    # A log left by an earlier copy (a killed run) would be replayed into this one.
    remove_store(directory, copy)
    for suffix in (".db", ".db-wal"):
        source = directory / f"{name}{suffix}"
        if source.exists():
            shutil.copyfile(source, directory / f"{copy}{suffix}")
    return f"sqlite:///{directory / f'{copy}.db'}"


def remove_store(directory: Path, name: str) -> None:
    """Store ``name`` and its logs, gone."""
    for suffix in (".db", ".db-wal", ".db-shm"):
        (directory / f"{name}{suffix}").unlink(missing_ok=True)
