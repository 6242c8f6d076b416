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
    short_time,
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
@click.option(
    "--no-space-role", is_flag=True, help="Only members with no role in any space (not owners/admins)."
)
@json_option
@pass_context
def users_list(obj: Context, no_space_role: bool, as_json: bool) -> None:
    """Members with their roles, spaces, teams and tokens (owners and admins)."""
    overview = obj.service.members_overview(obj.actor(), no_space_role=no_space_role)
    if as_json:
        emit_json([o.to_json() for o in overview])
        return
    members = [o.member for o in overview]
    usage = {o.member.user_id: o for o in overview}
    click.echo(
        table(
            ("email", "role", "sso bypass", "spaces", "teams", "tokens", "last used"),
            [
                [
                    m.email,
                    m.role.value,
                    "yes" if m.sso_bypass else "no",
                    ", ".join(f"{s.space} ({s.role})" for s in m.spaces) or "-",
                    ", ".join(m.teams) or "-",
                    str(usage[m.user_id].tokens),
                    short_time(usage[m.user_id].last_used_at) if usage[m.user_id].last_used_at else "never",
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
