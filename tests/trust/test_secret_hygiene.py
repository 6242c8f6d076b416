"""A secret is shown once, in the answer that creates it, and is found nowhere else afterwards.

One whole session through the real CLI: tokens of every kind that can be
created, a reset, lists, details, the audit log, verify, reminders into the
mbox outbox, the expiry sweep and revocations. Then every place a secret could
leak to is searched for every secret and for its random body: every line the
session printed, the database (the SQLite file with its -wal and -shm, or every
row on PostgreSQL), the outbox and every other file in the data directory.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import DEVELOPER, OWNER, SPACE_ADMIN, CliResult, Clock, Org, run_cli
from tests.store_state import store_state
from tokentui.core.service import Service
from tokentui.core.store import Store
from tokentui.core.tokens.secret_format import SECRET_LENGTH

pytestmark = pytest.mark.both_databases

READ = "content_management_read"
SECRET = re.compile(rf"\btt[podmsl]_[0-9A-Za-z]{{{SECRET_LENGTH - 4}}}\b")


@dataclass
class Session:
    """The CLI run as an admin and a developer would, every answer kept."""

    db: str
    data_dir: Path
    answers: list[tuple[tuple[str, ...], CliResult]] = field(default_factory=list)
    # secret -> the index of the answer that revealed it (None: revealed by the core, outside the CLI)
    secrets: dict[str, int | None] = field(default_factory=dict)

    def run(self, *args: str, actor: str | None = OWNER, stdin: str | None = None) -> CliResult:
        result = run_cli(
            *args, db=self.db, actor=actor, stdin=stdin, env={"TOKENTUI_DATA_DIR": str(self.data_dir)}
        )
        assert result.code == 0 or args[0] == "verify", (args, result.err)
        self.answers.append((args, result))
        return result

    def create(self, *args: str, actor: str) -> str:
        """Run a creating command; the secret it printed (once) is remembered with the answer."""
        result = self.run(*args, actor=actor)
        if "--json" in args:
            secret = json.loads(result.out)["token"]
        else:
            (secret,) = SECRET.findall(result.out)
        assert SECRET.fullmatch(secret) and result.out.count(secret) == 1
        self.secrets[secret] = len(self.answers) - 1
        return secret


def test_a_whole_session_leaves_no_secret_behind(
    org: Org, db_url: str, database: str, tmp_path: Path
) -> None:
    session = Session(db_url, tmp_path / "data")
    session.data_dir.mkdir()

    # Tokens made 20 days ago (the CLI runs on the real clock): one lapsed long since, for the
    # expiry sweep; one that ends in five days, for a reminder.
    past = Service(Store(db_url), Clock(datetime.now(UTC) - timedelta(days=20)))
    for name, expires in (("lapsed", "1h"), ("ends soon", "25d")):
        made = past.create_token(org.developer, "personal", name=name, scopes=[READ], expires=expires)
        session.secrets[made.secret] = None
    past.store.dispose()
    org.service.store.dispose()

    personal = session.create("tokens", "create", "--kind", "personal", "--name", "laptop", actor=DEVELOPER)
    session.create("tokens", "create", "--kind", "oauth", "--app", "Zapier", "--json", actor=DEVELOPER)
    delivery = session.create(
        "tokens", "create", "--kind", "delivery", "--space", "Website", "--env", "production", actor=DEVELOPER
    )
    session.create(
        "tokens", "create", "--kind", "management", "--space", "Website", "--json", actor=SPACE_ADMIN
    )
    session.create("tokens", "create", "--kind", "session", actor=DEVELOPER)

    listed = json.loads(session.run("tokens", "list", "--json").out)
    legacy_id = next(t["id"] for t in listed if t["kind"] == "legacy_access")
    session.create("tokens", "reset", legacy_id, "--json", actor=OWNER)
    legacy_id = json.loads(session.answers[-1][1].out)["id"]  # a reset makes a new token
    session.create("tokens", "reset", legacy_id, actor=OWNER)

    session.run("tokens", "list")
    delivery_id = next(t["id"] for t in listed if t["kind"] == "delivery")
    session.run("tokens", "show", delivery_id)
    for secret, action in (
        (delivery, "content.read"),
        (personal, "tokens.manage"),
    ):
        decided = session.run(
            "verify",
            "--action",
            action,
            "--space",
            "Website",
            "--env",
            "production",
            actor=None,
            stdin=secret + "\n",
        )
        assert "allowed" in json.loads(decided.out)
    assert json.loads(session.answers[-2][1].out)["allowed"] is True  # the delivery token reads production

    session.run("notify", actor=None)
    outbox = session.data_dir / "outbox.mbox"
    assert "ends soon" in outbox.read_text()  # the reminder was written
    expired = json.loads(session.run("expire", "--json", actor=None).out)
    assert [t["name"] for t in expired] == ["lapsed"]
    personal_id = next(t["id"] for t in listed if t["name"] == "laptop")
    session.run("tokens", "revoke", personal_id, actor=DEVELOPER)
    session.run("tokens", "revoke", delivery_id, "--json", actor=DEVELOPER)
    session.run("audit")
    session.run("audit", "--json")

    assert len(session.secrets) == 9
    for secret, revealed_by in session.secrets.items():
        needles = (secret, secret[4:], secret[4:20])  # the secret, its body without the prefix, a piece of it
        for index, (args, result) in enumerate(session.answers):
            if index == revealed_by:
                continue
            for needle in needles:
                assert needle not in result.out and needle not in result.err, (args, needle)
        for place, content in _stored(db_url, database, session.data_dir).items():
            for needle in needles:
                assert needle.encode() not in content, (place, needle)


def _stored(db_url: str, database: str, data_dir: Path) -> dict[str, bytes]:
    """Everything the session left at rest: the database and every file in the data directory."""
    places = {str(path): path.read_bytes() for path in data_dir.rglob("*") if path.is_file()}
    assert str(data_dir / "outbox.mbox") in places
    places["every row"] = repr(store_state(db_url)).encode()
    if database == "sqlite":
        database_file = Path(db_url.removeprefix("sqlite:///"))
        for path in database_file.parent.glob(database_file.name + "*"):
            places[str(path)] = path.read_bytes()
        assert str(database_file) in places
    return places
