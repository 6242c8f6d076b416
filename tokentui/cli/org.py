"""``tokentui init`` and ``tokentui demo``: a new organization, or a believable demo one."""

from __future__ import annotations

import functools

import click

from tokentui.cli.context import Context, common_options, emit_json, json_option, pass_context
from tokentui.text import printable


@click.command()
@functools.partial(common_options, with_org=False)
@click.option("--org", "org_name", required=True, metavar="NAME", help="The new organization's name.")
@click.option("--owner", required=True, metavar="EMAIL", help="Its owner (created if new).")
@click.option("--sso", is_flag=True, help="The organization signs in with SSO.")
@json_option
@pass_context
def init(obj: Context, org_name: str, owner: str, sso: bool, as_json: bool) -> None:
    """Create an organization and its owner. Adds nothing else (no demo data)."""
    org = obj.service.init_org(org_name, owner, sso=sso)
    if as_json:
        emit_json({"organization": org.name, "owner": owner.strip().lower(), "sso": org.sso_enabled})
    else:
        click.echo(f"Created organization {printable(org.name)} owned by {printable(owner.strip().lower())}.")


@click.command()
@common_options
@click.option(
    "--tokens",
    "token_count",
    type=click.IntRange(0, 5_000_000),
    default=None,
    help="Also bulk-fill this many tokens (for scale tests).",
)
@pass_context
def demo(obj: Context, token_count: int | None) -> None:
    """Fill the store with a believable demo organization."""
    from tokentui.core.demo import fill_demo

    summary = fill_demo(obj.service, tokens=token_count)
    click.echo(summary)
