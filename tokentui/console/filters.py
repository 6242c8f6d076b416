"""The console's filter state, as the user chose it, and its translation to a token query.

The console remembers choices ("expires within 7 days") rather than the instants
they stand for, so the filter still means the same thing a minute later and the
filter dialog reopens with what the user picked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tokentui.core.vocabulary import Status, TokenKind

if TYPE_CHECKING:
    from tokentui.core.listing.queries import TokenQuery


class ExpiryChoice(StrEnum):
    """The expiry-date filter's presets."""

    ANY = "any"
    EXPIRED = "expired"
    WITHIN_7_DAYS = "7d"
    WITHIN_30_DAYS = "30d"
    NO_EXPIRY = "never"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        """The words the filter dialog shows."""
        return EXPIRY_LABELS[self]


EXPIRY_LABELS = {
    ExpiryChoice.ANY: "any expiry",
    ExpiryChoice.EXPIRED: "expired",
    ExpiryChoice.WITHIN_7_DAYS: "expires within 7 days",
    ExpiryChoice.WITHIN_30_DAYS: "expires within 30 days",
    ExpiryChoice.NO_EXPIRY: "never expires",
    ExpiryChoice.CUSTOM: "custom range",
}


@dataclass(frozen=True)
class Filters:
    """Everything that narrows the token table, apart from sorting."""

    search: str = ""
    kinds: frozenset[TokenKind] = frozenset()
    statuses: frozenset[Status] = frozenset()
    created_from: date | None = None
    created_to: date | None = None
    expiry: ExpiryChoice = ExpiryChoice.ANY
    expires_from: date | None = None
    expires_to: date | None = None
    mine: bool = False
    # The audit's questions (SPEC.md, "Audit").
    never_used: bool = False
    unused_for: timedelta | None = None
    can_write: bool = False
    author: str = ""
    sort: str = "created"
    descending: bool = True

    def with_(self, **changes: Any) -> Filters:
        """A copy with ``changes``."""
        return replace(self, **changes)

    def cleared(self) -> Filters:
        """No filters and no search; the sort order stays."""
        return Filters(mine=self.mine, sort=self.sort, descending=self.descending)

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list."""
        return self.cleared() != self

    @property
    def search_author(self) -> str | None:
        """What follows "@" when the search box starts with it (search by author, as GitHub's
        "author:"), else None; it stands in for the dialog's author field."""
        return self.search[1:].strip() if self.search.startswith("@") else None

    def describe(self) -> list[str]:
        """Each active filter in a few words, for the summary line."""
        parts: list[str] = []
        if self.search_author is not None:
            if self.search_author:
                parts.append(f"author {self.search_author!r}")
        elif self.search:
            parts.append(f"search {self.search!r}")
        if self.kinds:
            parts.append("kind: " + ", ".join(sorted(k.label for k in self.kinds)))
        if self.statuses:
            parts.append("status: " + ", ".join(sorted(s.value for s in self.statuses)))
        if self.created_from or self.created_to:
            parts.append(f"created {_span(self.created_from, self.created_to)}")
        if self.expiry is ExpiryChoice.CUSTOM:
            parts.append(f"expires {_span(self.expires_from, self.expires_to)}")
        elif self.expiry is not ExpiryChoice.ANY:
            parts.append(self.expiry.label)
        if self.never_used:
            parts.append("never used")
        if self.unused_for is not None:
            parts.append(f"unused for {duration_text(self.unused_for)}")
        if self.can_write:
            parts.append("can write")
        if self.author.strip():
            parts.append(f"author {self.author.strip()!r}")
        return parts

    def summary(self, *more: str) -> str:
        """The active filters (and ``more``, e.g. a finding shown) in one phrase: "2 filters: never
        used; can write" (the line cuts it; f shows all)."""
        described = [*more, *self.describe()]
        count = len(described)
        return f"{count} filter{'' if count == 1 else 's'}: " + "; ".join(described)

    def inverted(self) -> list[str]:
        """Each date range whose start is after its end (nothing can match it), in a few words."""
        ranges = [("created", self.created_from, self.created_to)]
        if self.expiry is ExpiryChoice.CUSTOM:
            ranges.append(("expires", self.expires_from, self.expires_to))
        return [
            f"{what} from {start.isoformat()} is after {end.isoformat()}"
            for what, start, end in ranges
            if start and end and start > end
        ]

    def to_query(self, now: datetime) -> TokenQuery:
        """The token query these choices stand for at ``now``."""
        from tokentui.core.listing.queries import SortKey, TokenQuery
        from tokentui.core.tokens.expiry import start_of_day, start_of_next_day

        expires_after: datetime | None = None
        expires_before: datetime | None = None
        if self.expiry is ExpiryChoice.EXPIRED:
            expires_before = now
        elif self.expiry is ExpiryChoice.WITHIN_7_DAYS:
            expires_after, expires_before = now, now + timedelta(days=7)
        elif self.expiry is ExpiryChoice.WITHIN_30_DAYS:
            expires_after, expires_before = now, now + timedelta(days=30)
        elif self.expiry is ExpiryChoice.CUSTOM:
            expires_after = start_of_day(self.expires_from) if self.expires_from else None
            expires_before = start_of_next_day(self.expires_to) if self.expires_to else None
        return TokenQuery(
            mine=self.mine,
            kinds=self.kinds,
            statuses=self.statuses,
            search="" if self.search_author is not None else self.search,
            created_after=start_of_day(self.created_from) if self.created_from else None,
            created_before=start_of_next_day(self.created_to) if self.created_to else None,
            expires_after=expires_after,
            expires_before=expires_before,
            no_expiry=self.expiry is ExpiryChoice.NO_EXPIRY,
            never_used=self.never_used,
            unused_for=self.unused_for,
            can_write=self.can_write,
            author=self.author.strip() if self.search_author is None else self.search_author,
            sort=SortKey(self.sort),
            descending=self.descending,
        )


def duration_text(span: timedelta) -> str:
    """``span`` as the unused-for field takes it back: "90d", or "36h" for part of a day."""
    if span % timedelta(days=1):
        return f"{span // timedelta(hours=1)}h"
    return f"{span.days}d"


def parse_unused_for(text: str) -> timedelta | None:
    """The unused-for field: empty for none, a number of days ("90") or a duration ("90d", "12w").

    InvalidInput (naming the field) for anything else.
    """
    from tokentui.core.tokens.expiry import parse_duration

    text = text.strip()
    if not text:
        return None
    return parse_duration(text + "d" if text.isdigit() else text, "unused for")


def _span(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    return f"until {end.isoformat() if end else ''}"
