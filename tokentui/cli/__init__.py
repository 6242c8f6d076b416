"""The command line: every operation of the console, for people and scripts.

``tokentui`` with no command opens the console. Each command prints a table for
people or JSON with ``--json``. A refusal prints one line on standard error and
exits with the code its error class carries (``TokentuiError.exit_code``);
nothing is changed.

The group and the entry point are here; :mod:`tokentui.cli.context` holds what
every command shares, and each noun has its module of commands. Only this
module imports the noun modules, and they import only the context: no circle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from tokentui import __version__, settings
from tokentui.cli import (
    audit,
    expire,
    findings,
    notify,
    org,
    scan,
    serve,
    spaces,
    teams,
    tokens,
    users,
    verify,
)
from tokentui.cli.context import Context, common_options
from tokentui.core.errors import TokentuiError
from tokentui.text import printable


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
        # The console's one entry module; Textual is loaded only here.
        from tokentui.console.launch import run_console

        run_console(db=obj.db, actor=obj.actor_email, org=obj.org)


for command in (
    org.init,
    org.demo,
    users.users,
    spaces.spaces,
    teams.teams,
    tokens.tokens,
    verify.verify,
    audit.audit,
    findings.findings,
    scan.scan,
    expire.expire,
    serve.serve,
    notify.notify,
):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; render every refusal as one line on standard error."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="tokentui", standalone_mode=False)
    except TokentuiError as exc:
        _fail(str(exc), exc.exit_code)
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
