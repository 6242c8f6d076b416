"""``tokentui users``: members of the organization."""

from __future__ import annotations

import click

from tokentui.cli.context import (
    Context,
    choice_of,
    common_options,
    emit_json,
    json_option,
    pass_context,
    table,
)
from tokentui.core.vocabulary import OrgRole
from tokentui.text import printable


@click.group()
def users() -> None:
    """Members of the organization."""


@users.command("add")
@common_options
@click.argument("email")
@click.option("--role", required=True, type=choice_of(OrgRole), help="Organization role.")
@click.option("--sso-bypass", is_flag=True, help="May sign in without SSO (and so create authtokens).")
@click.option("--name", default="", help="Display name.")
@json_option
@pass_context
def users_add(obj: Context, email: str, role: str, sso_bypass: bool, name: str, as_json: bool) -> None:
    """Add EMAIL to the organization (owners and admins)."""
    member = obj.service.add_member(obj.actor(), email, role, sso_bypass=sso_bypass, name=name)
    if as_json:
        emit_json(member.to_json())
    else:
        click.echo(f"Added {printable(member.email)} as {member.role.value}.")


@users.command("remove")
@common_options
@click.argument("email")
@json_option
@pass_context
def users_remove(obj: Context, email: str, as_json: bool) -> None:
    """Remove EMAIL from the organization: their personal tokens lose access to it."""
    removed = obj.service.remove_member(obj.actor(), email)
    if as_json:
        emit_json({"email": removed.email, "tokensCutOff": removed.tokens_cut_off})
    else:
        click.echo(
            f"Removed {printable(removed.email)}; {removed.tokens_cut_off} of their active tokens "
            "no longer reach this organization."
        )


@users.command("list")
@common_options
@json_option
@pass_context
def users_list(obj: Context, as_json: bool) -> None:
    """Members of the organization with their roles, spaces and teams (owners and admins)."""
    members = obj.service.members(obj.actor())
    if as_json:
        emit_json([m.to_json() for m in members])
        return
    click.echo(
        table(
            ("email", "role", "sso bypass", "spaces", "teams"),
            [
                [
                    m.email,
                    m.role.value,
                    "yes" if m.sso_bypass else "no",
                    ", ".join(f"{s.space} ({s.role})" for s in m.spaces) or "-",
                    ", ".join(m.teams) or "-",
                ]
                for m in members
            ],
        )
    )


@users.command("show")
@common_options
@click.argument("email")
@json_option
@pass_context
def users_show(obj: Context, email: str, as_json: bool) -> None:
    """One member: role, spaces, teams (owners and admins; any member may see themselves)."""
    member = obj.service.member(obj.actor(), email)
    if as_json:
        emit_json(member.to_json())
        return
    click.echo(
        f"{printable(member.email)}  {member.role.value}" + ("  (SSO bypass)" if member.sso_bypass else "")
    )
    for access in member.spaces:
        click.echo(f"  space {printable(access.space)}: {access.role}")
    for team in member.teams:
        click.echo(f"  team  {printable(team)}")
