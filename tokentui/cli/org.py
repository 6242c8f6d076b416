"""``tokentui init`` and ``tokentui demo``: a new organization, or a believable demo one."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from typing import TextIO

import click

from tokentui.cli.context import Context, StatusLine, common_options, emit_json, json_option, pass_context
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

    # On a terminal a bulk fill shows how far it is; piped or redirected it stays quiet.
    progress = RowProgress(sys.stderr) if token_count and sys.stderr.isatty() else None
    summary = fill_demo(obj.service, tokens=token_count, progress=progress)
    if progress is not None:
        progress.finish()
    click.echo(summary)


class RowProgress:
    """One line on stderr, rewritten in place: rows written, the rate, and the time left."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._line = StatusLine(stream, clock)

    def __call__(self, done: int, total: int) -> None:
        rate = done / self._line.elapsed()
        left = (total - done) / rate if rate else 0.0
        self._line.show(
            f"{done:,} of {total:,} rows · {rate:,.0f} rows/s · {_duration(left)} left", final=done >= total
        )

    def finish(self) -> None:
        """End the line, so the summary starts on its own."""
        self._line.finish()


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}m {whole % 60:02d}s" if whole >= 60 else f"{whole}s"
