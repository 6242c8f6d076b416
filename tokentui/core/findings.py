"""The hygiene report (SPEC.md, "Audit"): each finding is a named token query, shared by every face.

A finding's query is the one the console's findings screen opens the token table
with and the CLI's ``findings`` lists, so a count and the list it leads to agree.
Findings about what a token may still do look at active tokens only: a revoked or
expired token is already out of the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tokentui.core.listing.queries import TokenQuery
from tokentui.core.vocabulary import Status

ACTIVE = frozenset({Status.ACTIVE})
# Fresh tokens are not yet "never used": a day gives a new token time for its first use.
NEVER_USED_GRACE = timedelta(days=1)
UNUSED_FOR = timedelta(days=90)
EXPIRING_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Finding:
    """One question of the report: a stable key (for scripts), a label (for people) and its query."""

    key: str
    label: str
    query: TokenQuery


FINDINGS: tuple[Finding, ...] = (
    Finding("never_expires", "Tokens that never expire", TokenQuery(statuses=ACTIVE, no_expiry=True)),
    Finding(
        "never_used",
        "Never used (older than a day)",
        TokenQuery(statuses=ACTIVE, never_used=True, unused_for=NEVER_USED_GRACE),
    ),
    Finding("unused_90_days", "Not used for 90 days", TokenQuery(statuses=ACTIVE, unused_for=UNUSED_FOR)),
    Finding(
        "write_never_expires",
        "Able to write and never expire",
        TokenQuery(statuses=ACTIVE, can_write=True, no_expiry=True),
    ),
    Finding("expiring_7_days", "Expiring within 7 days", TokenQuery(expiring_within=EXPIRING_WITHIN)),
    Finding("authors_at_limit", "Authtokens of authors at their limit", TokenQuery(authors_at_limit=True)),
    Finding(
        "no_space_role",
        "Tokens of members with no space role",
        TokenQuery(statuses=ACTIVE, author_without_space_role=True),
    ),
)
