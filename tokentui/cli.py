"""The command line: every operation of the console, for people and scripts.

``tokentui`` with no command opens the console. Each command prints a table for
people or JSON with ``--json``. A refusal prints one line on standard error and
exits non-zero (see :data:`EXIT_CODES`); nothing is changed.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tokentui import __version__, settings
from tokentui.core.errors import (
    Conflict,
    InvalidInput,
    LimitReached,
    NotAllowed,
    NotFound,
    StoreError,
    TokentuiError,
)
from tokentui.core.vocabulary import Action, OrgRole, SpaceRole, Status, TokenKind
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.core.results import TokenView
    from tokentui.core.service import Actor, Service

EXIT_CODES: dict[type[TokentuiError], int] = {
    InvalidInput: 2,
    NotAllowed: 3,
    NotFound: 4,
    LimitReached: 5,
    Conflict: 6,
    StoreError: 7,
}
F = TypeVar("F", bound=Callable[..., Any])


# -- context ----------------------------------------------------------------------


class Context:
    """Options shared by every command; the service is opened on first use."""

    def __init__(self) -> None:
        self.db: str | None = None
        self.actor_email: str | None = None
        self.org: str | None = None
        self._service: Service | None = None

    @property
    def service(self) -> Service:
        """The service over the chosen store (migrated on open)."""
        if self._service is None:
            from tokentui.core.service import open_service

            self._service = open_service(self.db)
        return self._service

    def close(self) -> None:
        """Let go of the store's connections (the command is over)."""
        if self._service is not None:
            self._service.store.dispose()
            self._service = None

    def actor(self) -> Actor:
        """The acting user, from ``--as`` or ``TOKENTUI_AS``."""
        if not self.actor_email:
            raise InvalidInput(f"say who you are with --as EMAIL (or {settings.ENV_ACTOR})")
        return self.service.actor(self.actor_email, self.org)


pass_context = click.make_pass_decorator(Context, ensure=True)


def _set(attribute: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            setattr(ctx.ensure_object(Context), attribute, value)
        return value

    return callback


def common_options(command: F, *, with_org: bool = True) -> F:
    """``--db``, ``--as`` and ``--org``, accepted after any command as well as before it."""
    options = [
        click.option(
            "--db",
            "db",
            metavar="URL",
            expose_value=False,
            callback=_set("db"),
            help=f"Database URL (default: SQLite in the user data directory; {settings.ENV_DATABASE_URL}).",
        ),
        click.option(
            "--as",
            "actor_email",
            metavar="EMAIL",
            expose_value=False,
            callback=_set("actor_email"),
            help=f"Act as this user ({settings.ENV_ACTOR}).",
        ),
        click.option(
            "--org",
            "org",
            metavar="NAME",
            expose_value=False,
            callback=_set("org"),
            help=f"Organization, when the user belongs to several ({settings.ENV_ORG}).",
        ),
    ]
    if not with_org:
        options = options[:2]
    for option in reversed(options):
        command = option(command)
    return command


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


# -- output -----------------------------------------------------------------------


def emit_json(value: Any) -> None:
    """JSON on standard output; ensure_ascii escapes every control character."""
    click.echo(json.dumps(value, ensure_ascii=True, indent=2))


def short_time(instant: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC, or a dash."""
    return "-" if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain, aligned text table with every cell made printable."""
    cells = [[printable(str(c)) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


TOKEN_HEADERS = ("id", "name", "kind", "author", "created", "expires", "status", "last4", "space/env")


def token_row(token: TokenView) -> list[str]:
    """One token as the table's cells."""
    where = token.space or "-"
    if token.environment:
        where += f"/{token.environment}"
    return [
        token.id,
        token.name,
        token.kind.label,
        token.author,
        short_time(token.created_at),
        short_time(token.expires_at) if token.expires_at else "never",
        token.status_label,
        token.last4,
        where,
    ]


def token_details(token: TokenView) -> str:
    """Every field of one token, one per line."""
    fields = [
        ("id", token.id),
        ("name", token.name),
        ("kind", f"{token.kind.label} ({token.kind.value})"),
        ("author", token.author),
        ("scopes", ", ".join(token.scopes)),
        ("space", token.space or "-"),
        ("environment", token.environment or "-"),
        ("branches", ", ".join(token.branches) or "all"),
        ("application", token.app_name or "-"),
        ("status", token.status_label),
        ("last four", token.last4),
        ("created", short_time(token.created_at)),
        ("expires", short_time(token.expires_at) if token.expires_at else "never"),
        ("revoked", short_time(token.revoked_at)),
        ("last used", short_time(token.last_used_at)),
    ]
    return "\n".join(f"{label:<12} {printable(value)}" for label, value in fields)


def reveal(secret: str) -> str:
    """The one-time display of a new secret."""
    return f"\nSecret (shown once; copy it now, it cannot be shown again):\n\n  {secret}\n"


# -- the group ----------------------------------------------------------------------


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(__version__, prog_name="tokentui")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """tokentui: API access tokens, administered from the terminal.

    With no command, opens the console. Every command takes --db, --as and
    --org, before or after the command name.
    """
    obj = ctx.ensure_object(Context)
    ctx.call_on_close(obj.close)
    obj.db = obj.db or os.environ.get(settings.ENV_DATABASE_URL)
    obj.actor_email = obj.actor_email or os.environ.get(settings.ENV_ACTOR)
    obj.org = obj.org or os.environ.get(settings.ENV_ORG)
    if ctx.invoked_subcommand is None:
        from tokentui.console.launch import run_console

        run_console(db=obj.db, actor=obj.actor_email, org=obj.org)


@cli.command()
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


@cli.command()
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


# -- users ----------------------------------------------------------------------------


@cli.group()
def users() -> None:
    """Members of the organization."""


@users.command("add")
@common_options
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in OrgRole]), help="Organization role."
)
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


# -- spaces ---------------------------------------------------------------------------


@cli.group()
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
@click.option("--role", required=True, type=click.Choice([r.value for r in SpaceRole]))
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


@cli.group()
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


# -- tokens ---------------------------------------------------------------------------


@cli.group()
def tokens() -> None:
    """Create, list, show, revoke and reset tokens."""


@tokens.command("create")
@common_options
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in TokenKind]),
    help="personal, oauth, delivery, management or session (authtoken).",
)
@click.option("--name", help="A name to recognise it by.")
@click.option("--space", help="The space (delivery and management tokens).")
@click.option("--env", "environment", help="The environment (delivery tokens).")
@click.option("--branch", "branches", multiple=True, help="Limit to a branch or alias (repeat).")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="content_management_read / content_management_manage (personal, oauth); read / write (management).",
)
@click.option("--app", help="The application's name (OAuth tokens).")
@click.option(
    "--expires",
    help="12h, 30d, YYYY-MM-DD (end of day, UTC) or never. Default: 30d for personal and "
    "OAuth tokens, never for management tokens.",
)
@click.option("--no-email", is_flag=True, help="No expiry reminder e-mails (management tokens).")
@json_option
@pass_context
def tokens_create(
    obj: Context,
    kind: str,
    name: str | None,
    space: str | None,
    environment: str | None,
    branches: tuple[str, ...],
    scopes: tuple[str, ...],
    app: str | None,
    expires: str | None,
    no_email: bool,
    as_json: bool,
) -> None:
    """Create a token. Its secret is printed once, here, and never again."""
    from tokentui.core.vocabulary import DEFAULT_SCOPES, TokenKind

    if not scopes:
        scopes = tuple(s.value for s in DEFAULT_SCOPES.get(TokenKind(kind), ()))
    created = obj.service.create_token(
        obj.actor(),
        kind,
        name=name,
        space=space,
        environment=environment,
        scopes=scopes,
        app=app,
        expires=expires,
        branches=branches,
        notify=not no_email,
    )
    if as_json:
        emit_json(created.to_json())
        return
    click.echo(token_details(created.token))
    click.echo(reveal(created.secret))


def _day_bound(value: str | None, what: str, *, end: bool = False) -> datetime | None:
    """The instant a day option stands for: its start, or (``end``) the start of the day after."""
    from tokentui.core.tokens.expiry import parse_day, start_of_day, start_of_next_day

    if value is None:
        return None
    day = parse_day(value, what)
    return start_of_next_day(day) if end else start_of_day(day)


@tokens.command("list")
@common_options
@click.option("--mine", is_flag=True, help="Only your own tokens.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in TokenKind]),
)
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in Status]))
@click.option("--last4", help="The last four characters of the secret.")
@click.option("--author", metavar="EMAIL")
@click.option("--space")
@click.option(
    "--search",
    default="",
    help="Text in the name (one or two characters: the start of it), or the last four.",
)
@click.option("--created-after", metavar="DATE", help="Created on or after this day.")
@click.option("--created-before", metavar="DATE", help="Created on or before this day.")
@click.option("--expires-after", metavar="DATE", help="Expiring on or after this day.")
@click.option("--expires-before", metavar="DATE", help="Expiring on or before this day.")
@click.option(
    "--sort",
    type=click.Choice(["name", "kind", "author", "created", "expires", "status", "last4", "space"]),
    default="created",
    help="Order by this column, ties by id; by status, each status by when revoked, then by expiry.",
)
@click.option("--asc", is_flag=True, help="Ascending order (default: descending).")
@click.option("--limit", type=click.IntRange(0, sys.maxsize), default=None, help="At most this many rows.")
@json_option
@pass_context
def tokens_list(
    obj: Context,
    mine: bool,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
    last4: str | None,
    author: str | None,
    space: str | None,
    search: str,
    created_after: str | None,
    created_before: str | None,
    expires_after: str | None,
    expires_before: str | None,
    sort: str,
    asc: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """Tokens with access to the organization (admins), or your own (members). Streams with --json."""
    from itertools import islice

    from tokentui.core.listing.queries import SortKey, TokenQuery
    from tokentui.core.vocabulary import Status, TokenKind

    if last4 is not None and len(last4.strip()) != 4:
        raise InvalidInput("--last4 takes exactly four characters")
    query = TokenQuery(
        mine=mine,
        kinds=frozenset(TokenKind(k) for k in kinds),
        statuses=frozenset(Status(s) for s in statuses),
        last4=(last4 or "").strip(),
        author=author or "",
        space=space or "",
        search=search,
        created_after=_day_bound(created_after, "--created-after"),
        created_before=_day_bound(created_before, "--created-before", end=True),
        expires_after=_day_bound(expires_after, "--expires-after"),
        expires_before=_day_bound(expires_before, "--expires-before", end=True),
        sort=SortKey(sort),
        descending=not asc,
    )
    rows = obj.service.iter_tokens(obj.actor(), query)
    if limit is not None:
        rows = islice(rows, limit)
    if as_json:
        _stream_json_array(t.to_json() for t in rows)
        return
    cells = [token_row(t) for t in rows]
    click.echo(table(TOKEN_HEADERS, cells) if cells else "No tokens match.")


def _stream_json_array(items: Iterable[dict[str, Any]]) -> None:
    """A JSON array written item by item, so memory stays flat however many rows there are."""
    out = sys.stdout
    out.write("[")
    first = True
    for item in items:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(item, ensure_ascii=True))
        first = False
    out.write("\n]\n" if not first else "]\n")
    out.flush()


@tokens.command("show")
@common_options
@click.argument("token_id", metavar="ID")
@json_option
@pass_context
def tokens_show(obj: Context, token_id: str, as_json: bool) -> None:
    """One token's details (never its secret)."""
    token = obj.service.get_token(obj.actor(), token_id)
    if as_json:
        emit_json(token.to_json())
    else:
        click.echo(token_details(token))


@tokens.command("revoke")
@common_options
@click.argument("token_id", metavar="ID")
@json_option
@pass_context
def tokens_revoke(obj: Context, token_id: str, as_json: bool) -> None:
    """Revoke a token: it stops working at once."""
    token = obj.service.revoke(obj.actor(), token_id)
    if as_json:
        emit_json(token.to_json())
    else:
        click.echo(f"Revoked {token.kind.label.lower()} {printable(token.name)} (…{token.last4}).")


@tokens.command("reset")
@common_options
@click.argument("token_id", metavar="ID")
@json_option
@pass_context
def tokens_reset(obj: Context, token_id: str, as_json: bool) -> None:
    """Reset a legacy access token: a new secret, printed once; the old one stops working."""
    created = obj.service.reset(obj.actor(), token_id)
    if as_json:
        emit_json(created.to_json())
        return
    click.echo(f"Reset {printable(created.token.name)}; the old secret no longer works.")
    click.echo(token_details(created.token))
    click.echo(reveal(created.secret))


# -- verify, audit, expire ---------------------------------------------------------------


@cli.command()
@common_options
@click.option(
    "--action",
    required=True,
    type=click.Choice([a.value for a in Action]),
)
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


@cli.group(invoke_without_command=True)
@common_options
@click.option(
    "--action", "action_prefix", help="Only events whose action starts with this (token., member., ...)."
)
@click.option("--search", default="", help="Text in the event's summary.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100)
@json_option
@click.pass_context
def audit(ctx: click.Context, action_prefix: str | None, search: str, limit: int, as_json: bool) -> None:
    """The organization's audit log, newest first (owners and admins); `audit verify` checks its chain."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.ensure_object(Context)
    events = obj.service.audit(obj.actor(), action=action_prefix, search=search, limit=limit)
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


@cli.command()
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


# -- entry point ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; render every refusal as one line on standard error."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="tokentui", standalone_mode=False)
    except TokentuiError as exc:
        _fail(str(exc), EXIT_CODES.get(type(exc), 1))
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        # The reader went away (``tokentui tokens list | head``): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def _fail(message: str, code: int) -> None:
    # A refusal may quote what was typed, and someone may have typed a secret where an id or a
    # name goes: error lines end up in CI logs, so a secret is never echoed.
    from tokentui.core.access.redact import redact

    click.echo(f"tokentui: error: {printable(redact(message))}", err=True)
    sys.exit(code)


cli.add_command(__import__("tokentui.commands.serve", fromlist=["serve"]).serve)
cli.add_command(__import__("tokentui.commands.notify", fromlist=["notify"]).notify)
