"""``tokentui spaces``: spaces, their environments and members' roles in them."""

from __future__ import annotations

import click

from tokentui.cli.context import (
    Context,
    choice_of,
    common_options,
    emit_json,
    json_option,
    pass_context,
    reveal,
    short_time,
    table,
)
from tokentui.core.errors import InvalidInput
from tokentui.core.vocabulary import SpaceRole
from tokentui.text import printable


@click.group()
def spaces() -> None:
    """Spaces, their environments and members' roles in them."""


def _alias(value: str) -> tuple[str, str]:
    alias, sep, target = value.partition("=")
    if not sep or not alias or not target:
        raise InvalidInput(f"--alias takes ALIAS=BRANCH, not {value!r}")
    return alias, target


@spaces.command("add")
@common_options
@click.argument("name")
@click.option(
    "--created",
    metavar="YYYY-MM-DD",
    help="Creation date (before 2020-12-16: comes with a legacy access token).",
)
@click.option(
    "--env", "environments", multiple=True, metavar="NAME", help="An environment (repeat; default: master)."
)
@click.option("--branch", "branches", multiple=True, metavar="NAME", help="A branch (repeat; default: main).")
@click.option("--alias", "aliases", multiple=True, metavar="ALIAS=BRANCH", help="A branch alias (repeat).")
@json_option
@pass_context
def spaces_add(
    obj: Context,
    name: str,
    created: str | None,
    environments: tuple[str, ...],
    branches: tuple[str, ...],
    aliases: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create a space owned by you (owners and admins)."""
    from tokentui.core.tokens.expiry import parse_day

    day = parse_day(created, "--created") if created else None
    space, legacy = obj.service.add_space(
        obj.actor(),
        name,
        created=day,
        environments=environments,
        branches=branches,
        aliases=[_alias(a) for a in aliases],
    )
    if as_json:
        emit_json({**space.to_json(), "legacyAccessToken": legacy.to_json() if legacy else None})
        return
    click.echo(f"Created space {printable(space.name)} (API key {space.api_key}).")
    if legacy:
        click.echo(f"It has a legacy access token {legacy.token.id}.")
        click.echo(reveal(legacy.secret))


@spaces.command("grant")
@common_options
@click.argument("space")
@click.argument("email")
@click.option("--role", required=True, type=choice_of(SpaceRole))
@pass_context
def spaces_grant(obj: Context, space: str, email: str, role: str) -> None:
    """Give EMAIL a role in SPACE."""
    from tokentui.core.rules import normalise_name

    obj.service.grant(obj.actor(), space, email, role)
    click.echo(f"{printable(email.strip().lower())} is now {role} in {printable(normalise_name(space))}.")


@spaces.command("list")
@common_options
@json_option
@pass_context
def spaces_list(obj: Context, as_json: bool) -> None:
    """The organization's spaces."""
    rows = obj.service.spaces(obj.actor())
    if as_json:
        emit_json([s.to_json() for s in rows])
        return
    click.echo(
        table(
            ("name", "owner", "created", "environments", "branches"),
            [
                [s.name, s.owner, short_time(s.created_at), ", ".join(s.environments), ", ".join(s.branches)]
                for s in rows
            ],
        )
    )
