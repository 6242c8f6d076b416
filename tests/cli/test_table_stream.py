"""`tokens list` in table mode streams: it prints a page before it reads the next, and holds one page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click
import pytest

from tests.conftest import OWNER, Org, run_cli
from tokentui.cli import tokens as tokens_cli
from tokentui.core.service import Service

PAGE = 4


@pytest.fixture
def counted(org: Org, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Eleven tokens, a 4-row page, and a record of rows read each time the CLI writes."""
    for n in range(11):
        name = f"token {n}" + (" with a much longer name than the others" if n == 0 else "")
        org.service.create_token(org.owner, "personal", name=name, scopes=["content_management_read"])
    seen: dict[str, Any] = {"read": 0, "writes": []}
    real_iter = Service.iter_tokens

    def iter_tokens(self: Service, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for token in real_iter(self, *args, **kwargs):
            seen["read"] += 1
            yield token

    real_echo = click.echo

    def echo(message: Any = None, *args: Any, **kwargs: Any) -> None:
        seen["writes"].append((seen["read"], str(message).count("\n") + 1))
        real_echo(message, *args, **kwargs)

    monkeypatch.setattr(Service, "iter_tokens", iter_tokens)
    monkeypatch.setattr(click, "echo", echo)
    monkeypatch.setattr(tokens_cli, "TABLE_PAGE", PAGE)
    return seen


def test_table_prints_each_page_before_reading_the_next(counted: dict[str, Any], db_url: str) -> None:
    result = run_cli("tokens", "list", "--sort", "created", "--asc", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    total = counted["read"]
    assert total >= 11 and lines[0].startswith("ID ") and len(lines) == 1 + total
    writes = counted["writes"]
    assert len(writes) >= 3, writes
    shown = -1  # the header is no row
    for read, count in writes:
        shown += count
        # Each write prints every row read so far: nothing read waits for the end.
        assert read <= shown + 1 and count <= PAGE + 1, writes
    assert writes[0][0] <= PAGE < total


def test_later_rows_keep_the_first_pages_widths(counted: dict[str, Any], db_url: str) -> None:
    by_name = run_cli("tokens", "list", "--sort", "name", db=db_url, actor=OWNER)
    assert by_name.code == 0, by_name.err
    lines = by_name.out.splitlines()
    header = lines[0]
    # The long name sorts last, after the first page: it is cut to that page's name width.
    assert "with a much longer name" not in by_name.out
    assert any(line.split("  ")[1].endswith("…") for line in lines[-PAGE:])
    # Columns line up with the header: the kind column starts where KIND does.
    kind_at = header.index("KIND")
    assert all(line[kind_at - 2 : kind_at] == "  " and line[kind_at] != " " for line in lines[1:]), lines
