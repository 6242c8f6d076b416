"""``tokentui verify``: may this secret do this action? The answer is the exit status."""

from __future__ import annotations

import sys

import click

from tokentui.cli.context import Context, choice_of, common_options, emit_json, pass_context
from tokentui.core.vocabulary import Action


@click.command()
@common_options
@click.option("--action", required=True, type=choice_of(Action))
@click.option("--space", help="Space name or API key.")
@click.option("--env", "environment", help="Environment name.")
@click.option("--branch", help="Branch or alias name.")
@pass_context
def verify(obj: Context, action: str, space: str | None, environment: str | None, branch: str | None) -> None:
    """Check a secret (read from standard input) for ACTION. Exit 0 allowed, 1 denied."""
    secret = (
        sys.stdin.readline().strip() if not sys.stdin.isatty() else click.prompt("Secret", hide_input=True)
    )
    decision = obj.service.verify(
        secret, action, space=space, environment=environment, org=obj.org, branch=branch
    )
    emit_json({"allowed": decision.allowed, "reason": decision.reason})
    sys.exit(0 if decision.allowed else 1)
