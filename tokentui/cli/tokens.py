"""``tokentui tokens``: create, list, show, revoke, reset and rotate tokens."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

import click

from tokentui.cli.context import (
    Context,
    DeferredChoice,
    choice_of,
    common_options,
    emit_json,
    json_option,
    pass_context,
    reveal,
    short_time,
    stream_json_array,
    table,
)
from tokentui.core.errors import InvalidInput
from tokentui.core.vocabulary import Status, TokenKind, default_scopes
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.core.results import TokenView

TOKEN_HEADERS = (
    "id",
    "name",
    "kind",
    "author",
    "created",
    "expires",
    "status",
    "last4",
    "space/env",
    "last used",
    "access",
)
FORMATS = ("table", "json", "csv")


def token_row(token: TokenView, now: datetime) -> list[str]:
    """One token as the table's cells."""
    from tokentui.core.dates import relative

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
        relative(token.last_used_at, now),
        token.access,
    ]


def write_csv(rows: Iterable[TokenView]) -> None:
    """A header row of the JSON fields, then one row a token, streamed (the core's mapping,
    shared with the console's export)."""
    from tokentui.core.listing.export import write_csv as write_rows

    write_rows(rows, sys.stdout)
    sys.stdout.flush()


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


def _sort_keys() -> Iterable[str]:
    # The listing's module brings the database layer: imported when a command needs the keys.
    from tokentui.core.listing.queries import SortKey

    return [key.value for key in SortKey]


@click.group()
def tokens() -> None:
    """Create, list, show, revoke, reset and rotate tokens."""


@tokens.command("create")
@common_options
@click.option(
    "--kind",
    required=True,
    type=choice_of(TokenKind),
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
    created = obj.service.create_token(
        obj.actor(),
        kind,
        name=name,
        space=space,
        environment=environment,
        scopes=scopes or default_scopes(TokenKind(kind)),
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
@click.option("--kind", "kinds", multiple=True, type=choice_of(TokenKind))
@click.option("--status", "statuses", multiple=True, type=choice_of(Status))
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
@click.option("--never-expires", is_flag=True, help="Only tokens with no expiry.")
@click.option("--never-used", is_flag=True, help="Only tokens never used.")
@click.option(
    "--unused-for",
    metavar="DURATION",
    help="Not used for this long (90d, 12w); never-used tokens count from their creation.",
)
@click.option(
    "--can-write",
    is_flag=True,
    help="Only tokens able to change content (PAT/OAuth with manage, authtokens, management with write).",
)
@click.option(
    "--sort",
    type=DeferredChoice(_sort_keys),
    default="created",
    help="Order by this column, ties by id; by status, each status by when revoked, then by expiry.",
)
@click.option("--asc", is_flag=True, help="Ascending order (default: descending).")
@click.option("--limit", type=click.IntRange(0, sys.maxsize), default=None, help="At most this many rows.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="table (default), json or csv (a header row, then one row a token; scopes space-separated).",
)
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
    never_expires: bool,
    never_used: bool,
    unused_for: str | None,
    can_write: bool,
    sort: str,
    asc: bool,
    limit: int | None,
    output_format: str | None,
    as_json: bool,
) -> None:
    """Tokens with access to the organization (admins), or your own (members). Streams with --json and csv."""
    from itertools import islice

    from tokentui.core.listing.queries import SortKey, TokenQuery
    from tokentui.core.tokens.expiry import parse_duration
    from tokentui.core.tokens.secret_format import LAST_FOUR_LENGTH

    if as_json and output_format not in (None, "json"):
        raise InvalidInput(f"--json and --format {output_format} ask for different outputs")
    output = "json" if as_json else (output_format or "table")
    if last4 is not None and len(last4.strip()) != LAST_FOUR_LENGTH:
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
        no_expiry=never_expires,
        never_used=never_used,
        unused_for=parse_duration(unused_for, "--unused-for") if unused_for is not None else None,
        can_write=can_write,
        sort=SortKey(sort),
        descending=not asc,
    )
    rows = obj.service.iter_tokens(obj.actor(), query)
    if limit is not None:
        rows = islice(rows, limit)
    if output == "json":
        stream_json_array(t.to_json() for t in rows)
        return
    if output == "csv":
        write_csv(rows)
        return
    now = obj.service.now()
    echo_table_pages(TOKEN_HEADERS, (token_row(t, now) for t in rows))


# Rows whose widths fix the table's columns; later rows are cut to fit, so the
# listing holds one page at a time whatever the store's size.
TABLE_PAGE = 500


def echo_table_pages(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Print a table page by page: the first page sets the widths, longer later cells end in "…".

    A result that fits in one page prints exactly as :func:`table` would.
    """
    size = TABLE_PAGE
    pending = iter(rows)
    first = list(islice(pending, size))
    if not first:
        click.echo("No tokens match.")
        return
    click.echo(table(headers, first))
    cells = [[printable(str(c)) for c in row] for row in first]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    del first, cells
    while batch := list(islice(pending, size)):
        lines = ("  ".join(_fit(printable(str(c)), w) for c, w in zip(r, widths, strict=True)) for r in batch)
        click.echo("\n".join(line.rstrip() for line in lines))


def _fit(cell: str, width: int) -> str:
    """``cell`` padded to ``width``, or cut to it with an ellipsis."""
    return cell.ljust(width) if len(cell) <= width else cell[: width - 1] + "…"


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
@click.argument("token_ids", metavar="ID...", nargs=-1, required=True)
@json_option
@pass_context
def tokens_revoke(obj: Context, token_ids: tuple[str, ...], as_json: bool) -> None:
    """Revoke tokens: they stop working at once. ``-`` reads one id a line from standard input."""
    if token_ids == ("-",):
        token_ids = tuple(sys.stdin.read().splitlines())
    elif len(token_ids) == 1:
        token = obj.service.revoke(obj.actor(), token_ids[0])
        if as_json:
            emit_json(token.to_json())
        else:
            click.echo(f"Revoked {token.kind.label.lower()} {printable(token.name)} (…{token.last4}).")
        return
    from tokentui.core.access.redact import redact

    result = obj.service.revoke_many(obj.actor(), token_ids)
    if as_json:
        emit_json(
            {
                "revoked": [t.to_json() for t in result.revoked],
                "refused": [{"id": redact(r.token_id), "reason": redact(r.reason)} for r in result.refused],
            }
        )
    else:
        for token in result.revoked:
            click.echo(f"Revoked {token.kind.label.lower()} {printable(token.name)} (…{token.last4}).")
    for refused in result.refused:
        # An id may be a pasted secret: a refusal line never echoes one.
        click.echo(
            f"tokentui: error: {printable(redact(refused.token_id))}: {printable(redact(refused.reason))}",
            err=True,
        )
    if result.refused:
        sys.exit(result.exit_code)


@tokens.command("find")
@common_options
@json_option
@pass_context
def tokens_find(obj: Context, as_json: bool) -> None:
    """The token a leaked secret belongs to (the whole secret on standard input; never echoed)."""
    secret = sys.stdin.read().strip()
    if not secret:
        raise InvalidInput("paste the whole secret on standard input")
    token = obj.service.find_secret(obj.actor(), secret)
    if as_json:
        emit_json(token.to_json())
    else:
        click.echo(token_details(token))


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


@tokens.command("rotate")
@common_options
@click.argument("token_id", metavar="ID")
@click.option(
    "--grace",
    metavar="DURATION",
    help="Keep the old secret working this long beside the new one (12h, 3d; at most 7 days). "
    "Default: it stops at once.",
)
@json_option
@pass_context
def tokens_rotate(obj: Context, token_id: str, grace: str | None, as_json: bool) -> None:
    """Replace a token by a new one with the same settings and lifetime; the new secret is printed once."""
    from tokentui.core.dates import minute_utc

    rotated = obj.service.rotate(obj.actor(), token_id, grace)
    if as_json:
        emit_json(rotated.to_json())
        return
    old = rotated.old
    when = "at once" if rotated.at_once else f"at {minute_utc(rotated.old_stops_at)}"
    click.echo(f"Rotated {printable(old.name)}; the old secret (…{old.last4}) stops working {when}.")
    click.echo(token_details(rotated.created.token))
    click.echo(reveal(rotated.created.secret))
