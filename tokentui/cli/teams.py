"""``tokentui teams``: teams of members."""

from __future__ import annotations

import click

from tokentui.cli.context import Context, common_options, pass_context
from tokentui.text import printable


@click.group()
def teams() -> None:
    """Teams of members."""


@teams.command("add")
@common_options
@click.argument("name")
@click.option("--member", "members", multiple=True, metavar="EMAIL", help="A member of the team (repeat).")
@pass_context
def teams_add(obj: Context, name: str, members: tuple[str, ...]) -> None:
    """Create a team."""
    team = obj.service.add_team(obj.actor(), name, members)
    click.echo(f"Created team {printable(team)}.")
