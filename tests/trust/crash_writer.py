"""A stream of writes to a store, acknowledged one by one, until the process is killed.

``python -m tests.trust.crash_writer URL INSTANT RUN`` works on the standard
organization of tests/conftest.py ("Acme") and repeats a cycle of the
operations an admin does: create and revoke delivery and management tokens,
reset the legacy access token, log in (authtokens, past the limit of 20), add
a member, grant them a space role, let them create a token, remove them, and
create a legacy-era space (which comes with its own legacy access token).

After each core call returns (its transaction committed) one JSON line is
written and flushed on standard output: the acknowledgement the parent checks
against the store after it has killed this process with SIGKILL. ``INSTANT``
is where this run's clock starts; ``RUN`` keeps this run's names apart from
earlier runs'.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from tokentui.core.models import Space, Token
from tokentui.core.service import Service
from tokentui.core.store import Store
from tokentui.core.vocabulary import TokenKind

OWNER = "owner@acme.test"
ADMIN = "admin@acme.test"
DEVELOPER = "dev@acme.test"
SPACE_ADMIN = "spaceadmin@acme.test"
# A safety net only: the parent kills the writer long before this many cycles.
MAX_CYCLES = 10_000


def ack(**fields: object) -> None:
    """Acknowledge one committed operation: one line, flushed at once."""
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def current_legacy_token(service: Service, space: str) -> str:
    """The id of the space's one active legacy access token."""
    with service.store.read() as session:
        return session.exec(
            select(Token.id)
            .join(Space, col(Space.id) == col(Token.space_id))
            .where(
                col(Space.name) == space,
                col(Token.kind) == TokenKind.LEGACY_ACCESS.value,
                col(Token.revoked_at).is_(None),
            )
        ).one()


def main(url: str, instant: str, run: str) -> None:
    """Write until killed."""
    start, started = datetime.fromisoformat(instant), time.monotonic()
    service = Service(Store(url), lambda: start + timedelta(seconds=time.monotonic() - started))
    owner, admin = service.actor(OWNER), service.actor(ADMIN)
    developer, space_admin = service.actor(DEVELOPER), service.actor(SPACE_ADMIN)
    legacy = current_legacy_token(service, "Legacy")
    for cycle in range(MAX_CYCLES):
        tag = f"{run}-{cycle}"
        delivery = service.create_token(
            developer, TokenKind.DELIVERY, name=f"delivery {tag}", space="Website", environment="staging"
        ).token.id
        ack(op="create", token=delivery)
        ack(op="revoke", token=service.revoke(developer, delivery).id)

        replaced = service.reset(developer, legacy).token.id
        ack(op="reset", old=legacy, new=replaced)
        legacy = replaced

        login = service.create_token(owner, TokenKind.SESSION, name=f"login {tag}").token.id
        ack(op="create", token=login)

        email = f"crash{tag}@acme.test"
        service.add_member(admin, email, "member")
        ack(op="add_member", email=email)
        service.grant(admin, "Website", email, "developer")
        ack(op="grant", email=email)
        newcomer = service.actor(email)
        personal = service.create_token(
            newcomer, TokenKind.PERSONAL, name=f"laptop {tag}", scopes=["content_management_read"]
        ).token.id
        ack(op="create", token=personal)
        ack(op="remove_member", email=service.remove_member(owner, email).email)

        space, born_legacy = service.add_space(owner, f"Crash {tag}", created=date(2019, 5, 1))
        assert born_legacy is not None
        ack(op="add_space", space=space.name, token=born_legacy.token.id)

        management = service.create_token(
            owner, TokenKind.MANAGEMENT, name=f"ci {tag}", space="Website", scopes=["read", "write"]
        ).token.id
        ack(op="create", token=management)
        ack(op="revoke", token=service.revoke(space_admin, management).id)


if __name__ == "__main__":
    main(*sys.argv[1:4])
