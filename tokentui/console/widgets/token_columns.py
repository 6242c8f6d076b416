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
    """One column: the sort key it stands for, its title, and how wide it may be."""

    key: str
    title: str
    min_width: int
    weight: int
    cell: Callable[[TokenView], str]

    def text(self, token: TokenView, width: int) -> str:
        """``token``'s cell in exactly ``width`` cells, made printable."""
        value = self.cell(token)
        if self.key == "kind" and len(value) > width:
            value = token.kind.spec.short_label  # the kinds table's, for a narrow column
        return fit(printable(value), width)


def _where(token: TokenView) -> str:
    if token.space is None:
        return "-"
    return f"{token.space}/{token.environment}" if token.environment else token.space


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 9, 3, lambda t: t.name),
    Column("kind", "Kind", 10, 4, lambda t: t.kind.label),
    Column("author", "Author", 10, 3, lambda t: t.author),
    Column("created", "Created", 10, 0, lambda t: short_date(t.created_at)),
    Column("expires", "Expires", 10, 0, lambda t: short_date(t.expires_at)),
    Column("status", "Status", 9, 0, lambda t: f"{STATUS_MARKS[t.status]} {t.status.value}"),
    Column("last4", "Last4", 5, 0, lambda t: t.last4),
    Column("space", "Space/env", 9, 3, _where),
)
# Cells between two columns.
GAP = 1
# The narrowest the table is: every column at its minimum, and the gaps.
MIN_WIDTH = sum(c.min_width for c in COLUMNS) + GAP * (len(COLUMNS) - 1)


def column_widths(total: int) -> list[int]:
    """Each column's width for a table ``total`` cells wide (at least every minimum)."""
    spare = max(0, total - MIN_WIDTH)
    weights = sum(c.weight for c in COLUMNS)
    widths = [c.min_width + spare * c.weight // weights for c in COLUMNS]
    # Rounding leftovers go to the first flexible column, so the row fills the width.
    leftover = max(0, total - sum(widths) - GAP * (len(COLUMNS) - 1))
    widths[0] += leftover
    return widths
