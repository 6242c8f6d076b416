"""Writing a listing out, as CSV or JSON: one mapping of a token to its fields for every face.

The CSV has a header row of the JSON fields, then one row a token (lists space-separated,
null empty). The csv module quotes whatever a name holds (commas, quotes, line breaks),
so a hostile name stays one cell of one row, and a cell a spreadsheet would run as a
formula is kept as text (:func:`csv_cell`). Rows are written as they come: a listing
of any size takes the memory of one row.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from tokentui.core.errors import InvalidInput
from tokentui.core.results import TokenView
from tokentui.core.vocabulary import Status, TokenKind


class Format(StrEnum):
    """The file formats a listing is written in."""

    CSV = "csv"
    JSON = "json"


# A spreadsheet reads a cell starting with one of these as a formula (OWASP's "CSV injection"):
# a token named '=HYPERLINK("https://evil", "click")' would become a live link, or worse.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A JSON value as one CSV cell: lists space-separated, null empty, booleans as JSON spells them.

    Text a spreadsheet would run as a formula gets a leading apostrophe, which spreadsheets
    show as text and do not display (as GitLab's and GitHub's exports do); the JSON keeps
    every value exact.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cells(token: TokenView) -> dict[str, str]:
    """``token``'s CSV row, by field (the keys of its JSON, in order)."""
    return {key: csv_cell(value) for key, value in token.to_json().items()}


def csv_fields() -> list[str]:
    """The CSV header: the keys of a token's JSON, read from a blank token."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    blank = TokenView(
        id="",
        kind=TokenKind.PERSONAL,
        name="",
        scopes=(),
        author="",
        author_id=0,
        space=None,
        environment=None,
        branches=(),
        app_name=None,
        status=Status.ACTIVE,
        revoked_reason=None,
        last4="",
        notify=False,
        created_at=epoch,
        updated_at=epoch,
        expires_at=None,
        revoked_at=None,
        last_used_at=None,
    )
    return list(blank.to_json())


def write_csv(rows: Iterable[TokenView], out: TextIO) -> int:
    """The header, then one row a token, streamed to ``out``; answers how many rows."""
    writer = csv.DictWriter(out, fieldnames=csv_fields(), lineterminator="\n")
    writer.writeheader()
    count = 0
    for token in rows:
        writer.writerow(csv_cells(token))
        count += 1
    return count


def write_json(rows: Iterable[TokenView], out: TextIO) -> int:
    """A JSON array of the tokens, one element a line, streamed to ``out``; answers how many."""
    count = 0
    out.write("[")
    for token in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(token.to_json(), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


WRITERS: dict[Format, Callable[[Iterable[TokenView], TextIO], int]] = {
    Format.CSV: write_csv,
    Format.JSON: write_json,
}


def default_name(now: datetime, fmt: Format) -> str:
    """``tokens-YYYYMMDD-HHMM.csv``: a file name for an export made at ``now`` (UTC)."""
    return f"tokens-{now.astimezone(UTC):%Y%m%d-%H%M}.{fmt.value}"


def export_file(path: str | Path, rows: Iterable[TokenView], fmt: Format) -> tuple[Path, int]:
    """Write ``rows`` to a new file at ``path``; answers its full path and the row count.

    The rows go to a temporary file beside it, renamed into place once all are written:
    a path that cannot be written, or a failure half-way, leaves nothing behind. An
    existing file is not replaced.
    """
    target = Path(path).expanduser()
    if not str(path).strip():
        raise InvalidInput("type the path of the file to write")
    target = target.absolute()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder: type a file name")
    if target.exists():
        raise InvalidInput(f"{target} already exists: choose another name")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".tokens-", suffix=".part", dir=target.parent)
    except OSError as error:
        raise InvalidInput(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            count = WRITERS[fmt](rows, out)
        if target.exists():
            raise InvalidInput(f"{target} already exists: choose another name")
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target, count
