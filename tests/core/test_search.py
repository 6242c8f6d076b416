"""Searching token names: the same rows whether a scan or the trigram index finds them.

On SQLite (with FTS5's trigram tokenizer, migration 0003) a search of three
characters or more narrows the names through the index: for counts always, for
a sorted page while the text is rare. Every path must answer exactly what a
scan answers, on every database.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.at_revision import OWNER as OLD_OWNER
from tests.at_revision import token_at
from tests.conftest import Org
from tests.plans import page_plans
from tokentui.core.bulk import bulk_tokens
from tokentui.core.listing import queries, visibility
from tokentui.core.listing.queries import SortKey, TokenQuery
from tokentui.core.migrations import HEAD_REVISION
from tokentui.core.service import Service
from tokentui.core.store import Store

pytestmark = pytest.mark.both_databases

READ = "content_management_read"
NAMES = (
    "CI deploy website",
    "ci DEPLOY mobile",
    "Éclair preview",
    "éclair nightly",
    "50% rollout_v2",
    'say "hi" bot',
    "ΣΊΣΥΦΟΣ importer",
    "backup\\path job",
    "plain",
)
SEARCHES = (
    "ci",
    "CI",
    "é",
    "É",
    "pl",
    "ΣΊ",
    "\\",
    "5",
    "deploy",
    "DEPLOY",
    "éclair",
    "ÉCLAIR",
    "clair",
    "50%",
    "t_v",
    '"hi"',
    "σίσ",
    "ΣΊΣ",
    "\\pa",
    "zzz",
    "ai",
)


def _ids(service: Service, org: Org, search: str) -> list[str]:
    return [
        t.id for t in service.list_tokens(org.owner, TokenQuery(search=search, sort=SortKey.NAME), limit=1000)
    ]


def _scanned(org: Org, search: str) -> list[str]:
    """What a scan finds: the LIKE tests alone, without the index."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(visibility, "searches_name_index", lambda *args, **kwargs: False)
        return _ids(org.service, org, search)


@pytest.fixture
def named(org: Org) -> Org:
    for name in NAMES:
        org.service.create_token(org.developer, "personal", name=name, scopes=[READ])
    return org


@pytest.mark.parametrize("search", SEARCHES)
def test_a_search_finds_the_same_tokens_through_the_index_as_by_scanning(named: Org, search: str) -> None:
    service = named.service
    found = _ids(service, named, search)
    assert found == _scanned(named, search)
    assert service.count_tokens(named.owner, TokenQuery(search=search)) == len(found)
    assert {t.id for t in service.iter_tokens(named.owner, TokenQuery(search=search))} == set(found)
    names = {t.name for t in service.list_tokens(named.owner, TokenQuery(search=search), limit=1000)}

    # Three characters or more match anywhere in a name, one or two at its start.
    def holds(name: str, text: str) -> bool:
        return text in name if len(search) >= 3 else name.startswith(text)

    assert {n for n in NAMES if holds(n, search)} <= names
    if search.isascii():  # beyond ASCII, how case folds is the database's (SQLite: not at all)
        assert names == {n for n in NAMES if holds(n.lower(), search.lower())}


def test_a_common_text_pages_by_walking_the_order_and_finds_the_same(
    named: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    rare = _ids(named.service, named, "deploy")
    monkeypatch.setattr(queries, "COMMON_SEARCH", 1)  # two names hold "deploy": common now
    assert _ids(named.service, named, "deploy") == rare and len(rare) == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=3, max_size=30), data=st.data())
def test_any_name_is_found_by_any_part_of_it(org: Org, name: str, data: st.DataObject) -> None:
    name = name.replace("\x00", "").strip()
    if len(name) < 3:
        return
    created = org.service.create_token(org.developer, "personal", name=name, scopes=[READ]).token
    start = data.draw(st.integers(0, len(name) - 3))
    part = name[start : data.draw(st.integers(start + 3, len(name)))].strip()
    start = name[: data.draw(st.integers(1, 2))].strip()  # one or two characters: the name's start
    for typed in (part, start) if len(part) >= 3 else (start,):
        assert created.id in _ids(org.service, org, typed), typed
        assert _ids(org.service, org, typed) == _scanned(org, typed)


def _plan(org: Org, search: str) -> str:
    """SQLite's plan for counting the tokens ``search`` finds."""
    with org.service.store.read() as session:
        where = org.service._visibility(org.owner, TokenQuery(search=search), session, rows=False)
        compiled = queries.token_count(where).compile(session.get_bind())
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
    return "\n".join(row[-1] for row in plan)


@pytest.mark.sqlite_only
def test_counting_a_search_reads_an_index_not_every_name(named: Org) -> None:
    assert "token_search VIRTUAL TABLE" in _plan(named, "deploy")  # a substring: the trigram index
    assert "ix_token_name_order (<expr>>? AND <expr><?)" in _plan(named, "de")  # a start: lower(name)


@pytest.mark.sqlite_only
def test_a_search_walking_the_newest_first_order_tests_names_from_the_index_alone(
    named: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "COMMON_SEARCH_BY_CREATION", 0)  # every text walks the order
    for search in ("deploy", "ci", "éclair"):  # a name's part; one short enough to be a last four too
        plan = page_plans(named.service, named.owner, TokenQuery(search=search))
        assert "SCAN token USING COVERING INDEX ix_token_created_order" in plan, plan


@pytest.mark.sqlite_only
def test_a_page_of_a_common_text_walks_the_order_instead(named: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    with named.service.store.read() as session:
        assert queries.use_name_index(session, "deploy", rows=True)
        assert queries.use_name_index(session, "ci", rows=True)
        monkeypatch.setattr(queries, "COMMON_SEARCH", 1)
        assert not queries.use_name_index(session, "deploy", rows=True)
        assert not queries.use_name_index(session, "ci", rows=True)
        assert queries.use_name_index(session, "deploy", rows=False)
        # The creation order tests names from its index: a text is common there sooner.
        monkeypatch.setattr(queries, "COMMON_SEARCH", 10_000)
        monkeypatch.setattr(queries, "COMMON_SEARCH_BY_CREATION", 1)
        assert not queries.use_name_index(session, "deploy", rows=True, sort=SortKey.CREATED)
        assert queries.use_name_index(session, "deploy", rows=True, sort=SortKey.NAME)


@pytest.mark.sqlite_only
def test_bulk_loaded_tokens_are_in_the_name_index(service: Service, org: Org) -> None:
    bulk_tokens(service, "Acme", 21_000, seed=5)  # above the size that loads without the trigger
    words = Counter(t.name.split()[0] for t in service.list_tokens(org.owner, limit=500))
    word = words.most_common(1)[0][0]
    with service.store.read() as session:
        indexed = session.execute(queries.name_index_matches(word)).all()
        scanned = session.execute(
            text("SELECT count(*) FROM token WHERE instr(lower(name), :w)"), {"w": word.lower()}
        )
        trigger = session.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'token_search_insert'")
        ).first()
        assert len(indexed) == scanned.scalar_one() > 100
    assert trigger is not None  # put back after the load: the next token is indexed as it is made
    made = service.create_token(org.developer, "personal", name="after the bulk load", scopes=[READ]).token
    assert [t.id for t in service.list_tokens(org.owner, TokenQuery(search="after the bulk"))] == [made.id]


@pytest.mark.sqlite_only
def test_upgrading_a_store_indexes_the_names_it_already_holds(empty_db_url: str) -> None:
    made = token_at(empty_db_url, "0002", "before the index", scopes=READ)
    service = Service(Store(empty_db_url))  # migrates to the head
    owner = service.actor(OLD_OWNER)
    assert service.store.schema_revision() == HEAD_REVISION
    with service.store.read() as session:
        assert session.execute(text("SELECT count(*) FROM token_search")).scalar_one() == 1
    assert [t.id for t in service.list_tokens(owner, TokenQuery(search="the index"))] == [made]
    service.store.dispose()
