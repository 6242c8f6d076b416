"""``tokentui serve``: the HTTP API (Contentful-compatible) over the same store as the console and CLI."""

from __future__ import annotations

import functools

import click

from tokentui.cli.context import Context, common_options, pass_context


@click.command()
@functools.partial(common_options, with_org=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port (0: any free port)."
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="An origin browser pages may call the API from (repeatable; default: any, as the API takes "
    "bearer tokens, never cookies).",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(0),
    default=50,
    show_default=True,
    help="Requests per second each token may make on this instance (0: no limit).",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Processes serving on the one port, each with its own rate limits (one per core: see the README).",
)
@pass_context
def serve(
    obj: Context, host: str, port: int, cors_origins: tuple[str, ...], rate_limit: int, workers: int
) -> None:
    """Serve the token API over HTTP until interrupted.

    Plain HTTP, on loopback by default: put a TLS-terminating reverse proxy in
    front of it for anything else (see the README). Requests authenticate with
    a personal, OAuth or session token's secret as a Bearer token.
    """
    try:
        from tokentui.api.server import is_loopback, run
    except ImportError as exc:
        raise click.ClickException(
            f"tokentui serve needs the web server packages ({exc.name} is missing): "
            "pip install 'tokentui[serve]'"
        ) from None
    service = obj.service
    if not is_loopback(host):
        click.echo(
            f"tokentui: warning: serving plain HTTP on {host}; secrets cross the network in the clear "
            "unless a TLS-terminating proxy is the only way in",
            err=True,
        )

    def announce(url: str) -> None:
        click.echo(f"tokentui: serving the token API on {url} (Ctrl-C to stop)", err=True)

    def report(line: str) -> None:
        click.echo(f"tokentui: warning: {line}", err=True)

    try:
        run(
            service,
            host,
            port,
            announce,
            workers=workers,
            report=report,
            cors_origins=cors_origins or ("*",),
            rate_limit=rate_limit,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        # uvicorn has already shut down gracefully and re-raised Ctrl-C: stopping is the normal end.
        pass
    # Workers stopped by Ctrl-C or SIGTERM end here too: their parent asked them to.
    click.echo("tokentui: stopped", err=True)
