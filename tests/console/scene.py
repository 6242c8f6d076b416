"""A reproducible console: the demo organization at a fixed instant with seeded randomness.

Used by the SVG snapshot tests and by ``scripts/screenshots.py``, so the pictures in the
README and the pinned snapshots show the same, real app.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from tokentui.console.app import TokentuiApp
from tokentui.core.demo import DEMO_OWNER
from tokentui.core.tokens import secret_format

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@contextmanager
def seeded(seed: int = 2026) -> Iterator[None]:
    """Make generated secrets and ids repeatable (for pictures only, never for real tokens)."""
    rng = random.Random(seed)
    seeded_source = SimpleNamespace(randbits=rng.getrandbits, choice=rng.choice)
    saved = secret_format._random
    secret_format._random = seeded_source  # type: ignore[assignment]
    try:
        yield
    finally:
        secret_format._random = saved


def demo_app(directory: Path, actor: str = DEMO_OWNER) -> TokentuiApp:
    """The console on a new demo store in ``directory``, at :data:`NOW`."""
    return TokentuiApp(db=f"sqlite:///{directory / 'demo.db'}", actor=actor, clock=lambda: NOW)
