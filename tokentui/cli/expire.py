"""``tokentui expire``: record newly expired tokens in the audit log (safe to run from cron)."""

from __future__ import annotations

import click

from tokentui.cli.context import Context, common_options, emit_json, json_option, pass_context


@click.command()
@common_options
@json_option
@pass_context
def expire(obj: Context, as_json: bool) -> None:
    """Record newly expired tokens in the audit log (safe to run from cron)."""
    expired = obj.service.record_expiries()
    if as_json:
        emit_json([t.to_json() for t in expired])
    else:
        click.echo(f"Recorded {len(expired)} newly expired token(s).")
