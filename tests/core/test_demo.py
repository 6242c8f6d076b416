"""Demo data: a believable organization with every kind and status."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import OWNER, Clock, Org, standard_org
from tokentui.core import bulk
from tokentui.core.bulk import bulk_tokens
from tokentui.core.demo import DEMO_OWNER, fill_demo
from tokentui.core.errors import Conflict
from tokentui.core.service import Service
from tokentui.core.store import Store
from tokentui.core.vocabulary import Status, TokenKind

pytestmark = pytest.mark.both_databases


def test_demo_fills_a_believable_organization_with_every_kind_and_status(service: Service) -> None:
    summary = fill_demo(service)
    owner = service.actor(DEMO_OWNER)
    tokens = list(service.iter_tokens(owner))
    assert 200 <= len(tokens) <= 1000
    assert {t.kind for t in tokens} == set(TokenKind)
    assert {t.status for t in tokens} == set(Status)
    assert len(service.members(owner)) >= 30
    assert len(service.spaces(owner)) >= 5
    assert "Northwind Media" in summary


def test_demo_twice_is_refused(service: Service) -> None:
    fill_demo(service)
    with pytest.raises(Conflict, match="already"):
        fill_demo(service)


def test_demo_adds_bulk_tokens_on_request(service: Service) -> None:
    fill_demo(service, tokens=500)
    owner = service.actor(DEMO_OWNER)
    assert service.count_tokens(owner) >= 500


def _bulk_rows(service: Service) -> list[tuple[str, str, str, object]]:
    owner = service.actor(OWNER)
    return [(t.name, t.kind.value, t.author, t.created_at) for t in service.iter_tokens(owner)]


def test_a_large_load_made_in_a_worker_process_is_the_same_as_one_made_here(
    org: Org, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = Service(Store(f"sqlite:///{tmp_path / 'inline.db'}"), clock)
    try:
        standard_org(inline)
        monkeypatch.setattr(bulk, "BATCH", 130)  # three batches, the last one short
        bulk_tokens(inline, "Acme", 2 * 130 + 7, seed=9)
        monkeypatch.setattr(bulk, "_PARALLEL_THRESHOLD", 0)
        bulk_tokens(org.service, "Acme", 2 * 130 + 7, seed=9)
        assert _bulk_rows(org.service) == _bulk_rows(inline)
    finally:
        inline.store.dispose()


def test_a_worker_that_fails_leaves_the_store_as_it_was(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    before = org.service.count_tokens(org.owner)

    def broken(self: object, count: int, *, as_text: bool) -> list[tuple[object, ...]]:
        raise RuntimeError("the worker ran out of rows")

    monkeypatch.setattr(bulk, "BATCH", 100)
    monkeypatch.setattr(bulk, "_PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(bulk._Rows, "take", broken)  # the forked worker inherits the patch
    with pytest.raises(RuntimeError, match="ran out of rows"):
        bulk_tokens(org.service, "Acme", 500)
    assert org.service.count_tokens(org.owner) == before


def _connection_settings(service: Service) -> tuple[int, int, list[tuple[str, int]]]:
    with service.store.read() as session:
        conn = session.connection()
        return (
            conn.exec_driver_sql("PRAGMA cache_size").scalar_one(),
            conn.exec_driver_sql("PRAGMA threads").scalar_one(),
            [
                tuple(row)
                for row in conn.exec_driver_sql("SELECT k, v FROM token_search_config WHERE k = 'hashsize'")
            ],
        )


@pytest.mark.sqlite_only
def test_a_large_load_puts_the_stores_settings_back(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _connection_settings(org.service)
    monkeypatch.setattr(bulk, "_REBUILD_THRESHOLD", 100)  # the large-load path, on a small load
    bulk_tokens(org.service, "Acme", 400)
    cache, threads, buffer = _connection_settings(org.service)
    assert (cache, threads) == before[:2]
    assert buffer in ([], [("hashsize", 1 << 20)])  # FTS5's own default


@pytest.mark.sqlite_only
def test_a_large_load_on_an_sqlite_without_the_name_index_buffer_still_indexes_every_name(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "_REBUILD_THRESHOLD", 100)
    monkeypatch.setattr(bulk, "_NAME_INDEX_BUFFER", 0)  # refused by FTS5, as an unknown option would be
    bulk_tokens(org.service, "Acme", 400)
    with org.service.store.read() as session:
        indexed = session.execute(text("SELECT count(*) FROM token_search WHERE token_search MATCH 'login'"))
        scanned = session.execute(text("SELECT count(*) FROM token WHERE instr(lower(name), 'login')"))
        assert indexed.scalar_one() == scanned.scalar_one() > 10
