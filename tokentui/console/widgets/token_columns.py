"""The token table's columns: what each shows of a token, and how wide it may be."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from tokentui.core import dates
from tokentui.core.vocabulary import Status
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.core.results import TokenView


def short_date(instant: datetime | None, empty: str = "never") -> str:
    """``YYYY-MM-DD`` in UTC, or ``empty``."""
    return empty if instant is None else dates.day(instant)


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis (wide characters counted)."""
    cells = cell_len(text)
    if cells <= width:
        return text + " " * (width - cells)
    cut = Text(text, no_wrap=True, end="")
    cut.truncate(width, overflow="ellipsis", pad=True)
    return cut.plain


STATUS_MARKS = {Status.ACTIVE: "●", Status.EXPIRED: "◌", Status.REVOKED: "✕"}


@dataclass(frozen=True)
class Column:
    """One column: the sort key it stands for, its title, and how wide it may be.

    ``drop`` orders which columns a narrow table leaves out first (1 first; 0 never).
    """

    key: str
    title: str
    min_width: int
    weight: int
    cell: Callable[[TokenView, datetime], str]
    drop: int = 0

    def text(self, token: TokenView, width: int, now: datetime) -> str:
        """``token``'s cell in exactly ``width`` cells, made printable."""
        return fit(printable(self.cell(token, now)), width)

    def heading(self, width: int, arrow: str) -> str:
        """The title in ``width`` cells, with ``arrow`` (the sort's) kept whole however narrow."""
        if not arrow:
            return fit(self.title, width)
        if len(self.title) + 2 <= width:
            return fit(f"{self.title} {arrow}", width)
        return fit(self.title[: max(0, width - 1)] + arrow, width)


def _where(token: TokenView, _now: datetime) -> str:
    if token.space is None:
        return "-"
    return f"{token.space}/{token.environment}" if token.environment else token.space


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 12, 6, lambda t, _: t.name),
    # The short label at every width: the kind sort's order is theirs (core.listing.queries.kind_order).
    Column("kind", "Kind", 10, 0, lambda t, _: t.kind.spec.short_label),
    Column("author", "Author", 10, 2, lambda t, _: t.author, drop=6),
    Column("created", "Created", 10, 0, lambda t, _: short_date(t.created_at), drop=3),
    Column("expires", "Expires", 10, 0, lambda t, _: short_date(t.expires_at), drop=7),
    Column("status", "Status", 9, 0, lambda t, _: f"{STATUS_MARKS[t.status]} {t.status.value}"),
    Column("last4", "Last4", 5, 0, lambda t, _: t.last4, drop=4),
    Column("space", "Space/env", 9, 2, _where, drop=1),
    # "11 months ago" whole.
    Column(
        "last_used",
        "Last used",
        13,
        0,
        lambda t, now: dates.relative(t.last_used_at, now, short=True),
        drop=5,
    ),
    Column("access", "Access", 10, 0, lambda t, _: t.access, drop=2),
)
# Cells between two columns.
GAP = 1
# The Name column's width before any column is left out: a 24-character name shows whole.
NAME_WANTED = 24


def _needs(columns: list[Column], name: int) -> int:
    return sum(name if c.key == "name" else c.min_width for c in columns) + GAP * (len(columns) - 1)


def shown_columns(total: int, sort_key: str = "") -> list[Column]:
    """The columns a table ``total`` cells wide shows: the least used go first, never the sorted one."""
    shown = list(COLUMNS)
    droppable = sorted((c for c in COLUMNS if c.drop and c.key != sort_key), key=lambda c: c.drop)
    for column in droppable:
        if _needs(shown, NAME_WANTED) <= total:
            break
        shown.remove(column)
    return shown


def min_width(sort_key: str = "") -> int:
    """The narrowest the table is: every column it keeps at its minimum, and the gaps."""
    kept = [c for c in COLUMNS if not c.drop or c.key == sort_key]
    return _needs(kept, kept[0].min_width)


# The narrowest the table is whatever it is sorted by.
MIN_WIDTH = max(min_width(c.key) for c in COLUMNS)


def hidden_columns(total: int, sort_key: str = "") -> list[Column]:
    """The columns a table ``total`` cells wide leaves out (for the screen to say so)."""
    shown = shown_columns(total, sort_key)
    return [c for c in COLUMNS if c not in shown]


def column_widths(total: int, sort_key: str = "") -> list[tuple[Column, int]]:
    """Each shown column with its width for a table ``total`` cells wide (at least every minimum)."""
    shown = shown_columns(total, sort_key)
    needed = _needs(shown, shown[0].min_width)
    spare = max(0, total - needed)
    # Name first takes what it needs to show a usual name whole; the rest is shared by weight.
    name_extra = min(spare, NAME_WANTED - shown[0].min_width)
    spare -= name_extra
    weights = sum(c.weight for c in shown) or 1
    widths = [c.min_width + spare * c.weight // weights for c in shown]
    widths[0] += name_extra
    # Rounding leftovers go to Name, so the row fills the width.
    leftover = max(0, total - sum(widths) - GAP * (len(shown) - 1))
    widths[0] += leftover
    return list(zip(shown, widths, strict=True))
