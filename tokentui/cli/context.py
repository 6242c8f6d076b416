"""What every command shares: the context, the common options, the choices, the output helpers."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from tokentui import settings
from tokentui.core.errors import InvalidInput
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.core.service import Actor, Service

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


# -- choices ----------------------------------------------------------------------


def choice_of(enum: type[StrEnum]) -> click.Choice[str]:
    """The values of one of the core's enums, in its order, as a click choice."""
    return click.Choice([member.value for member in enum])


class DeferredChoice(click.Choice):  # unsubscripted: click before 8.2 has no generic Choice
    """A choice whose values are asked of the core the first time click needs them.

    For an enum in a module that imports the database layer: building the choice
    when the CLI is imported would load it for ``tokentui --help`` too.
    """

    def __init__(self, values: Callable[[], Iterable[str]]) -> None:
        self._values = values
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        """The values, fetched once."""
        if self._choices is None:
            self._choices = tuple(self._values())
        return self._choices

    @choices.setter
    def choices(self, values: Iterable[str]) -> None:
        self._choices = tuple(values)


# -- output -----------------------------------------------------------------------


def emit_json(value: Any) -> None:
    """JSON on standard output; ensure_ascii escapes every control character."""
    click.echo(json.dumps(value, ensure_ascii=True, indent=2))


def stream_json_array(items: Iterable[dict[str, Any]]) -> None:
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


def short_time(instant: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC, or a dash."""
    from tokentui.core.dates import minute

    return "-" if instant is None else minute(instant)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain, aligned text table with every cell made printable."""
    cells = [[printable(str(c)) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def reveal(secret: str) -> str:
    """The one-time display of a new secret."""
    return f"\nSecret (shown once; copy it now, it cannot be shown again):\n\n  {secret}\n"


class StatusLine:
    """One line of progress on a terminal's standard error, rewritten in place.

    Made only when standard error is a terminal, so a pipe or a log file stays quiet.
    Writes at most every ``interval`` seconds (a caller may report far more often),
    unless told the line is final; :meth:`clear` wipes it so a warning prints on a
    clean line, and the next :meth:`show` brings it back.
    """

    def __init__(
        self, stream: TextIO, clock: Callable[[], float] = time.monotonic, interval: float = 0.1
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._interval = interval
        self.started = clock()
        self._written_at: float | None = None
        self._shown = False

    def elapsed(self) -> float:
        """Seconds since the line was made (never zero, for rates)."""
        return max(self._clock() - self.started, 1e-9)

    def show(self, text: str, *, final: bool = False) -> None:
        """Put ``text`` on the line (at once when ``final``, else if the interval has passed)."""
        now = self._clock()
        if not final and self._written_at is not None and now - self._written_at < self._interval:
            return
        self._written_at = now
        self._stream.write(f"\r{text}\x1b[K")
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Wipe the line, so other output starts at the left margin."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
            self._written_at = None

    def finish(self) -> None:
        """End the line, so what follows starts on its own."""
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()
            self._shown = False
