"""``tokentui audit``: the organization's audit log; ``audit verify`` checks its hash chain."""

from __future__ import annotations

import sys

import click

from tokentui.cli.context import (
    Context,
    common_options,
    emit_json,
    json_option,
    pass_context,
    short_time,
    table,
)
from tokentui.text import printable


@click.group(invoke_without_command=True)
@common_options
@click.option(
    "--action", "action_prefix", help="Only events whose action starts with this (token., member., ...)."
)
@click.option(
    "--since", default=None, help="Only events since then: a duration back (24h, 7d) or a day (YYYY-MM-DD)."
)
@click.option(
    "--actor", "by_email", default=None, metavar="EMAIL", help="Only events by the user with this e-mail."
)
@click.option("--search", default="", help="Text in the event's summary.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100)
@json_option
@click.pass_context
def audit(
    ctx: click.Context,
    action_prefix: str | None,
    since: str | None,
    by_email: str | None,
    search: str,
    limit: int,
    as_json: bool,
) -> None:
    """The organization's audit log, newest first (owners and admins); `audit verify` checks its chain."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.ensure_object(Context)
    events = obj.service.audit(
        obj.actor(), action=action_prefix, search=search, limit=limit, since=since, actor_email=by_email
    )
    if as_json:
        emit_json([e.to_json() for e in events])
        return
    click.echo(
        table(
            ("at", "actor", "action", "summary"),
            [[short_time(e.at), e.actor or "system", e.action, e.summary] for e in events],
        )
    )


@audit.command("verify")
@common_options
@json_option
@pass_context
def audit_verify(obj: Context, as_json: bool) -> None:
    """Walk the whole audit log's hash chain. Exit 0 intact, 1 at the first event changed, removed or inserted.

    The JSON carries the head's hash: kept elsewhere, it shows whether the log's tail was cut.
    """
    check = obj.service.verify_audit_chain()
    if as_json:
        emit_json(check.to_json())
    else:
        click.echo(printable(check.describe()))
    sys.exit(0 if check.intact else 1)
