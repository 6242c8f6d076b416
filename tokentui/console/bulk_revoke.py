"""The words of a bulk revoke: what the question counts, and what the answer reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from tokentui.core.results import TokenView
    from tokentui.core.tokens.bulk_revoke import BulkResult
    from tokentui.core.vocabulary import TokenKind

# Refusals named one by one in the answer; the rest are counted.
REFUSALS_NAMED = 5


def kind_words(kind: TokenKind, count: int) -> str:
    """``3 delivery tokens``, ``1 personal access token``: a count of one kind."""
    label = kind.label
    if not label[1:2].isupper():  # "OAuth" keeps its capitals
        label = label[:1].lower() + label[1:]
    if count != 1:
        at = label.rfind("token")
        label = label[: at + len("token")] + "s" + label[at + len("token") :]
    return f"{count:,} {label}"


def kinds_in_words(tokens: list[TokenView]) -> str:
    """``9 personal access tokens, 3 delivery tokens``: the tokens counted by kind, most first."""
    counts = Counter(token.kind for token in tokens)
    return ", ".join(kind_words(kind, count) for kind, count in counts.most_common())


def result_in_words(result: BulkResult, asked: list[TokenView]) -> str:
    """How many were revoked, and each refused one (by name) with its reason, a line each."""
    return "\n".join(result_lines(result, asked))


def result_lines(result: BulkResult, asked: list[TokenView]) -> list[str]:
    """:func:`result_in_words`' lines: the count, then each refused one with its reason."""
    by_id = {token.id: token for token in asked}
    total = len(result.revoked) + len(result.refused)
    lines = [f"Revoked {len(result.revoked):,} of {total:,} token{'' if total == 1 else 's'}."]
    if result.refused:
        lines.append(f"Refused {len(result.refused):,}:")
    for refused in result.refused[:REFUSALS_NAMED]:
        token = by_id.get(refused.token_id)
        named = f"{token.name!r} (…{token.last4})" if token is not None else refused.token_id
        lines.append(f"{named}: {refused.reason}")
    if len(result.refused) > REFUSALS_NAMED:
        lines.append(f"and {len(result.refused) - REFUSALS_NAMED:,} more.")
    return lines


def ask_to_revoke(
    screen: Screen[Any], tokens: list[TokenView], then: Callable[[], object], found: str = ""
) -> None:
    """One confirmation for revoking ``tokens`` (how many, of which kinds); ``then`` runs on yes.

    ``found`` says where they come from (" found in files"), after the count.
    """
    from tokentui.console.screens.confirm import ConfirmScreen
    from tokentui.text import inert

    noun = "token" if len(tokens) == 1 else "tokens"
    question = inert(
        f"Revoke {len(tokens):,} {noun}{found}: {kinds_in_words(tokens)}? "
        "They stop working at once; this cannot be undone."
    )

    def confirmed(yes: bool | None) -> None:
        if yes:
            then()

    screen.app.push_screen(ConfirmScreen(f"Revoke {len(tokens):,} {noun}", question, "Revoke"), confirmed)
