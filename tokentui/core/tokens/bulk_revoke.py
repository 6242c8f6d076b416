"""Revoking many tokens at once: each token its own transaction and its own rule check.

A refusal of one changes nothing of it and stops none of the others; every refusal
is reported with its reason and the exit code its error carries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from tokentui.core.dates import Clock
from tokentui.core.errors import TokentuiError
from tokentui.core.people.actors import Actor
from tokentui.core.results import TokenView
from tokentui.core.store import Store
from tokentui.core.tokens import lifecycle


class Refused(NamedTuple):
    """One token that was not revoked, and why."""

    token_id: str
    reason: str
    exit_code: int


@dataclass(frozen=True)
class BulkResult:
    """What a bulk revoke did."""

    revoked: list[TokenView] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every token was revoked, else the first refusal's code (README's table)."""
        return self.refused[0].exit_code if self.refused else 0


def revoke_many(store: Store, clock: Clock, actor: Actor, ids: Iterable[str]) -> BulkResult:
    """Revoke each of ``ids`` (blank and repeated ones once), reporting each refusal."""
    result = BulkResult()
    for token_id in dict.fromkeys(i.strip() for i in ids if i.strip()):
        try:
            result.revoked.append(lifecycle.revoke(store, clock, actor, token_id))
        except TokentuiError as error:
            result.refused.append(Refused(token_id, str(error), error.exit_code))
    return result
