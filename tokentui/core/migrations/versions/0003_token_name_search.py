"""token name search index (SQLite)

A substring search of a million token names cannot be a scan and stay
interactive. On SQLite the names get an FTS5 index with the trigram tokenizer
(SQLite 3.34 and later), which answers ``contains`` queries of three characters
or more from the index: ``token_search`` is an external-content table over
``token`` (it stores only the index, keyed by the token's rowid), kept current by
triggers. Where the SQLite library lacks FTS5 or the trigram tokenizer, and on
other databases, nothing is created and search scans as before
(:func:`tokentui.core.search.has_name_index` tells which).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlite3

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CREATE = (
    "CREATE VIRTUAL TABLE token_search USING fts5("
    "name, content='token', content_rowid='rowid', tokenize='trigram case_sensitive 0')",
    "CREATE TRIGGER token_search_insert AFTER INSERT ON token BEGIN "
    "INSERT INTO token_search(rowid, name) VALUES (new.rowid, new.name); END",
    "CREATE TRIGGER token_search_delete AFTER DELETE ON token BEGIN "
    "INSERT INTO token_search(token_search, rowid, name) VALUES ('delete', old.rowid, old.name); END",
    "CREATE TRIGGER token_search_update AFTER UPDATE OF name ON token BEGIN "
    "INSERT INTO token_search(token_search, rowid, name) VALUES ('delete', old.rowid, old.name); "
    "INSERT INTO token_search(rowid, name) VALUES (new.rowid, new.name); END",
    "INSERT INTO token_search(token_search) VALUES ('rebuild')",
)


def trigram_available() -> bool:
    """Whether this SQLite library has FTS5 with the trigram tokenizer."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite" or not trigram_available():
        return
    for statement in CREATE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("token_search_insert", "token_search_delete", "token_search_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS token_search")
