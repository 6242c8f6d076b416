"""``tokentui findings``: the hygiene report, each finding's count and its first tokens."""

from __future__ import annotations

from itertools import islice

import click

from tokentui.cli.context import Context, common_options, emit_json, json_option, pass_context, table

# The report names this many tokens a finding; ``tokens list`` with the same options lists them all.
SHOWN = 20


@click.command("findings")
@common_options
@json_option
@pass_context
def findings(obj: Context, as_json: bool) -> None:
    """The hygiene report: for each finding (never expires, unused, ...), its count and the tokens."""
    actor = obj.actor()
    report = obj.service.findings(actor)
    listed = [
        (finding, count, list(islice(obj.service.iter_tokens(actor, finding.query), SHOWN)) if count else [])
        for finding, count in report
    ]
    if as_json:
        emit_json(
            [
                {
                    "key": f.key,
                    "label": f.label,
                    "count": count,
                    "tokens": [t.to_json() for t in tokens],
                }
                for f, count, tokens in listed
            ]
        )
        return
    click.echo(table(("finding", "count"), [[f.label, str(count)] for f, count, _ in listed]))
    for finding, count, tokens in listed:
        if not tokens:
            continue
        more = f" (the first {len(tokens)})" if count > len(tokens) else ""
        click.echo(f"\n{finding.label}: {count}{more}")
        click.echo(table(("id", "name", "author"), [[t.id, t.name, t.author] for t in tokens]))
