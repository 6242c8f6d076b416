"""``tokentui scan``: tokentui secrets in files and folders, the tokens behind them, and revoking them.

The walk and the match are the core's (:mod:`tokentui.core.scan`); the store is asked
once, for every secret found, by the rule of ``tokens find``: owners and admins learn
about any token of the organization, anyone about their own, and for everyone else a
secret reads "unknown to the store", as one no token has. Nothing here ever holds a
secret: a sighting carries its hash and last four.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from tokentui.cli.context import (
    Context,
    StatusLine,
    common_options,
    emit_json,
    json_option,
    pass_context,
    table,
)
from tokentui.core.scan import (
    DEFAULT_MAX_SIZE,
    MIB,
    UNKNOWN,
    Scan,
    Sighting,
    Tally,
    check_paths,
)
from tokentui.core.scan import shown_path as _shown
from tokentui.core.scan import summary as _summary
from tokentui.core.vocabulary import Status
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.core.results import TokenView
    from tokentui.core.tokens.bulk_revoke import Refused

HEADERS = ("where", "kind", "last4", "token", "name", "author", "status")


@click.command()
@common_options
@click.argument("paths", metavar="PATH...", nargs=-1)
@click.option("--revoke", is_flag=True, help="Revoke each active token found (as `tokens revoke` would).")
@click.option(
    "--max-size",
    "max_size_mib",
    type=click.IntRange(0, None),
    default=None,
    metavar="MIB",
    help=f"On a folder's walk, skip files larger than this (default {DEFAULT_MAX_SIZE // MIB}; 0: no limit). "
    "A file named is always read.",
)
@json_option
@pass_context
def scan(obj: Context, paths: tuple[str, ...], revoke: bool, max_size_mib: int | None, as_json: bool) -> None:
    """Find tokentui secrets in files and folders, and the tokens they belong to. Never prints one.

    Exit 1 when a secret found may still work (its token is active, or unknown to the store
    as far as you may see); with --revoke, a refused revocation is one stderr line and its exit
    code.
    """
    checked = check_paths(paths)
    actor = obj.actor()
    max_size = DEFAULT_MAX_SIZE if max_size_mib is None else (max_size_mib * MIB or None)
    line = StatusLine(sys.stderr) if sys.stderr.isatty() else None

    def warn(path: str, reason: str) -> None:
        if line is not None:
            line.clear()
        click.echo(f"tokentui: warning: {_shown(path)}: {reason}", err=True)

    def progress(tally: Tally, *, final: bool = False) -> None:
        if line is not None:
            rate = tally.bytes / MIB / line.elapsed()
            line.show(
                f"{tally.files:,} files · {tally.bytes / MIB:,.1f} MiB · {rate:,.1f} MiB/s", final=final
            )

    scanning = Scan(checked, max_size=max_size, warn=warn, progress=progress)
    sightings = list(scanning)
    if line is not None:
        progress(scanning.tally, final=True)
        line.finish()

    known = obj.service.find_secret_hashes(actor, {s.secret_hash: s.kind for s in sightings})
    revoked: set[str] = set()
    refused: list[Refused] = []
    if revoke:
        active = [t.id for t in known.values() if t.status is Status.ACTIVE]
        result = obj.service.revoke_many(actor, active)
        revoked = {t.id for t in result.revoked}
        refused = result.refused

    if as_json:
        emit_json([_finding(s, known.get(s.secret_hash), revoked if revoke else None) for s in sightings])
    else:
        _print_report(sightings, known, revoked, scanning.tally)
    for refusal in refused:
        # As ``tokens revoke`` reports one; the id is the store's, the reason the core's.
        click.echo(
            f"tokentui: error: {printable(refusal.token_id)}: {printable(_redact(refusal.reason))}", err=True
        )
    if refused:
        sys.exit(refused[0].exit_code)
    # A gate stays red while a secret found may still work: its token is active, or no token of
    # it is one this actor may see (another's, another organization's, another store's). Either
    # way the exit tells nothing the report does not: every unknown secret exits 1 alike.
    if any(t.status is Status.ACTIVE for t in known.values()) or any(
        s.secret_hash not in known for s in sightings
    ):
        sys.exit(1)


def _finding(sighting: Sighting, token: TokenView | None, revoked: set[str] | None) -> dict[str, Any]:
    """One finding as JSON; ``revoked`` only when the scan was asked to revoke."""
    finding: dict[str, Any] = {
        "path": _redact(sighting.path),
        "line": sighting.line,
        "kind": sighting.kind.value,
        "last4": sighting.last4,
        "token": token.to_json() if token else None,
        "status": token.status.value if token else "unknown",
    }
    if revoked is not None:
        finding["revoked"] = token is not None and token.id in revoked
    return finding


def _print_report(
    sightings: list[Sighting], known: dict[str, TokenView], revoked: set[str], tally: Tally
) -> None:
    rows = []
    for sighting in sightings:
        token = known.get(sighting.secret_hash)
        status = UNKNOWN
        if token is not None:
            status = token.status_label + (", revoked now" if token.id in revoked else "")
        rows.append(
            [
                f"{_shown(sighting.path)}:{sighting.line}",
                sighting.kind.label,
                f"…{sighting.last4}",
                token.id if token else "-",
                token.name if token else "-",
                token.author if token else "-",
                status,
            ]
        )
    if rows:
        click.echo(table(HEADERS, rows))
    click.echo(_summary(sightings, known, revoked, tally))


def _redact(text: str) -> str:
    from tokentui.core.access.redact import redact

    return redact(text)
