"""Scan files for secrets: the console's ``tokentui scan``, with the tokens found and revoking them.

A dialog asks for a file or folder (the current folder by default); the scan then reads it
in a worker thread, the screen counting files, MiB and the rate as it goes, and esc stops
it between two files (or two chunks of a large one). What was found is one row a secret:
where, its kind and last four, and the token it belongs to as far as the actor may see, by
the rule of ``tokens find`` (owners and admins any token of the organization, anyone else
their own); every other secret reads "unknown to the store". Enter on a row opens its
token's details; r revokes every active token found, after one question.

Nothing here holds a secret: the core's sightings carry its hash and last four. File names
are anyone's: shown as :func:`tokentui.core.scan.shown_path` writes them (a secret in one
redacted, control characters made visible), never read as markup.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from tokentui.console.widgets.key_footer import KeyFooter
from tokentui.console.widgets.list_table import ListTable
from tokentui.console.widgets.text_input import TextInput
from tokentui.core.scan import MIB, UNKNOWN, Scan, Sighting, shown_path, summary
from tokentui.core.vocabulary import Status
from tokentui.text import inert

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.measure import Measurement

    from tokentui.console.app import TokentuiApp
    from tokentui.core.results import TokenView
    from tokentui.core.tokens.bulk_revoke import BulkResult

# The warnings named under the table; the rest are counted (the summary counts them all).
WARNINGS_NAMED = 3
# How often the progress line is redrawn while the walk runs: it reads the tally, never waits on it.
PROGRESS_EVERY = 0.2
# Under this width the Author column goes (enter shows it): the path keeps room to be read.
WIDE = 100
COLUMNS = (
    ("Where", "where"),
    ("Kind", "kind"),
    ("Last 4", "last4"),
    ("Token", "name"),
    ("Author", "author"),
    ("Status", "status"),
)
NARROW_DROPS = frozenset({"author"})
NOTHING_ACTIVE = "No active token you can see among those found: nothing to revoke."


def _cut(text: Text) -> Text:
    """``text`` kept to one line, cut with an ellipsis where its column ends."""
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class _CutFromStart:
    """A path cut at its start when its column is too narrow: ``…config/settings.yaml:3``.

    The end of a path (the file and the line) is what tells one finding from the next, so the
    ellipsis goes first; the text is inert, as every cell's.
    """

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement(1, self.text.cell_len)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = self.text.copy()
        text.no_wrap = True
        width = options.max_width
        if text.cell_len > width > 1:
            # Characters off the start until the rest and the ellipsis fit (a wide one is two cells).
            start = max(0, len(text.plain) - width + 1)
            while text[start:].cell_len > width - 1:
                start += 1
            text = Text("…") + text[start:]
            text.no_wrap = True
        yield text


def _name_width(table_width: int) -> int:
    return max(10, table_width // 7)


def _author_width(table_width: int) -> int:
    return max(12, table_width // 5)


class ScanPathScreen(ModalScreen["str | None"]):
    """Ask which file or folder to scan; dismisses with the path (``~`` expanded), or None."""

    AUTO_FOCUS = "#scan-path"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "In the dialog: close it, scanning nothing"),
    ]

    DEFAULT_CSS = """
    ScanPathScreen .scan-path { max-width: 90; }
    ScanPathScreen #scan-path-error { color: $text-error; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog scan-path"):
            yield Label("Scan files for secrets", classes="dialog-title")
            yield Static(
                "Every file under a folder is read on this machine; a secret found is never shown, "
                "only its last four and the token it belongs to.",
                markup=False,
            )
            yield Label("File or folder (~ is your home)")
            yield TextInput(value=os.getcwd(), id="scan-path", compact=True)
            yield Static("", id="scan-path-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Scan (enter)", variant="primary", id="scan-go", compact=True)
                yield Button("Cancel (esc)", id="scan-cancel", compact=True)

    @on(Input.Submitted, "#scan-path")
    @on(Button.Pressed, "#scan-go")
    def _go(self) -> None:
        from tokentui.console.screens.find_secret import _sentence
        from tokentui.core.errors import InvalidInput
        from tokentui.core.scan import check_paths

        typed = self.query_one("#scan-path", Input).value.strip()
        error = self.query_one("#scan-path-error", Static)
        if not typed:
            error.update("Type the file or folder to scan.")
            return
        path = os.path.expanduser(typed)
        try:
            check_paths([path])
        except InvalidInput as refused:
            error.update(inert(_sentence(shown_path(str(refused)))))
            return
        self.dismiss(path)

    @on(Button.Pressed, "#scan-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ScanScreen(Screen[bool]):
    """One scan of ``path`` and what it found; dismisses with whether a token was revoked here."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Stop the scan while it runs / back to the table"),
        Binding("r", "revoke_found", "Revoke every active token found"),
    ]

    AUTO_FOCUS = "#scan-findings"

    DEFAULT_CSS = """
    ScanScreen #scan-summary { height: auto; padding: 0 1; }
    ScanScreen #scan-warnings { height: auto; max-height: 4; padding: 0 1; color: $text-warning; }
    ScanScreen #scan-outcome { height: auto; max-height: 8; padding: 0 1; }
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.scanning = Scan([path], warn=self._warned)
        self.warnings: list[tuple[str, str]] = []
        self.sightings: list[Sighting] = []
        # The tokens behind the secrets, by secret hash: as first looked up (the summary's
        # counts, as the CLI's), and as they are now (the rows, the details).
        self.found: dict[str, TokenView] = {}
        self.current: dict[str, TokenView] = {}
        self.revoked: set[str] = set()
        self.running = False
        self.changed = False
        self._started = 0.0
        self.wide: bool | None = None  # which set of columns the table has
        self.columns: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._progress_words(), id="scan-summary", markup=False)
        yield Static("", id="scan-warnings", markup=False)
        yield Static("", id="scan-outcome", markup=False)
        table = ListTable(
            id="scan-findings",
            cursor_type="row",
            zebra_stripes=True,
            flex="where",
            flex_min=12,
            caps={"name": _name_width, "author": _author_width},
        )
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.running = True
        self._started = time.monotonic()
        self._ticker = self.set_interval(PROGRESS_EVERY, self._tick)
        self.run_worker(self._scan, thread=True, group="scan", exclusive=True)

    def on_unmount(self) -> None:
        # Gone (the app quits): a walk still running ends at its next file, not at its last.
        self.scanning.stop()

    # -- the scan, in a worker thread -----------------------------------------------------

    def _warned(self, path: str, reason: str) -> None:
        # On the worker thread: a list's append is safe there, and the ticker counts them.
        self.warnings.append((path, reason))

    def _scan(self) -> None:
        """In a worker thread: walk and match, then ask the store once for every secret found."""
        from tokentui.core.errors import TokentuiError

        app = self.app
        service, actor = app.service, app.actor
        assert service is not None and actor is not None
        sightings = list(self.scanning)
        try:
            known = service.find_secret_hashes(actor, {s.secret_hash: s.kind for s in sightings})
        except TokentuiError as error:
            app.call_from_thread(self._failed, sightings, str(error))
            return
        app.call_from_thread(self._done, sightings, known)

    def _progress_words(self) -> str:
        tally = self.scanning.tally
        elapsed = max(time.monotonic() - self._started, 1e-3) if self._started else 0.0
        rate = tally.bytes / MIB / elapsed if elapsed else 0.0
        warned = f" · {len(self.warnings):,} warnings" if self.warnings else ""
        verb = "Stopping" if self.scanning.stopped else "Scanning"
        return (
            f"{verb} {shown_path(self.path)}… {tally.files:,} files · {tally.bytes / MIB:,.1f} MiB · "
            f"{rate:,.1f} MiB/s{warned}. esc stops."
        )

    def _tick(self) -> None:
        if self.running:
            self.query_one("#scan-summary", Static).update(self._progress_words())

    # -- the answer, on the UI thread -------------------------------------------------------

    def _failed(self, sightings: list[Sighting], message: str) -> None:
        self._done(sightings, {})
        self.notify(message, title="Refused", severity="error", timeout=8)

    def _done(self, sightings: list[Sighting], known: dict[str, TokenView]) -> None:
        self.running = False
        self._ticker.stop()
        if not self.is_mounted:
            return
        self.sightings = sightings
        self.found = dict(known)
        self.current = dict(known)
        self._fill()
        self._show_summary()
        self._show_warnings()

    def on_resize(self, event: events.Resize) -> None:
        if self.sightings and (event.size.width >= WIDE) != self.wide:
            self._fill()

    def _fill(self) -> None:
        """Show the sightings with the columns the width has room for, the cursor kept on its row."""
        table = self.query_one("#scan-findings", ListTable)
        row = table.cursor_row
        self.wide = self.size.width >= WIDE
        self.columns = [key for _, key in COLUMNS if self.wide or key not in NARROW_DROPS]
        table.clear(columns=True)
        for title, key in COLUMNS:
            if key in self.columns:
                table.add_column(title, key=key)
        for index, sighting in enumerate(self.sightings):
            cells = self._cells(sighting)
            table.add_row(*(cells[key] for key in self.columns), key=str(index))
        if 0 < row < table.row_count:
            table.move_cursor(row=row)

    def _where(self, path: str) -> str:
        """A path found on the walk, from the folder scanned (the summary names it)."""
        top = self.path.rstrip(os.sep) + os.sep
        return path[len(top) :] if os.path.isdir(self.path) and path.startswith(top) else path

    def _cells(self, sighting: Sighting) -> dict[str, Text | _CutFromStart]:
        token = self.current.get(sighting.secret_hash)
        return {
            "where": _CutFromStart(inert(f"{shown_path(self._where(sighting.path))}:{sighting.line}")),
            "kind": inert(sighting.kind.spec.short_label),
            "last4": inert(f"…{sighting.last4}"),
            "name": _cut(inert(token.name if token else "-")),
            "author": _cut(inert(token.author if token else "-")),
            "status": self._status(token),
        }

    def _status(self, token: TokenView | None) -> Text:
        if token is None:
            return inert(UNKNOWN)
        if token.id in self.revoked:
            return inert("revoked now")
        # A secret that still works is the one to act on.
        return inert(token.status_label, "bold" if token.status is Status.ACTIVE else "")

    def _show_summary(self) -> None:
        words = summary(self.sightings, self.found, self.revoked, self.scanning.tally)
        if self.scanning.stopped:
            words = f"Stopped before the end: {words[:1].lower()}{words[1:]}"
        words = f"Scanned {shown_path(self.path)}. {words}"
        hints = []
        if any(self.current.get(s.secret_hash) for s in self.sightings):
            hints.append("enter: a token's details")
        if self._active():
            hints.append("r revokes every active one")
        hints.append("esc: back")
        said = "; ".join(hints)
        self.query_one("#scan-summary", Static).update(inert(f"{words} {said[:1].upper()}{said[1:]}."))

    def _show_warnings(self) -> None:
        if not self.warnings:
            return
        named = [
            f"{shown_path(self._where(path))}: {reason}" for path, reason in self.warnings[:WARNINGS_NAMED]
        ]
        more = len(self.warnings) - WARNINGS_NAMED
        if more > 0:
            named.append(f"and {more:,} more")
        noun = "Warning" if len(self.warnings) == 1 else f"{len(self.warnings):,} warnings"
        self.query_one("#scan-warnings", Static).update(inert(f"{noun}: " + "; ".join(named) + "."))

    def _refresh_rows(self) -> None:
        table = self.query_one("#scan-findings", ListTable)
        for index, sighting in enumerate(self.sightings):
            cells = self._cells(sighting)
            table.update_cell(str(index), "status", cells["status"])
            if "name" in self.columns:
                table.update_cell(str(index), "name", cells["name"])
        self._show_summary()

    # -- keys -------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.running:
            # The walk sees this before its next file or chunk; what it read so far is shown.
            self.scanning.stop()
            self.query_one("#scan-summary", Static).update(self._progress_words())
            return
        self.dismiss(self.changed)

    def _active(self) -> list[TokenView]:
        """Each active token found, once (a secret found in two files is one token)."""
        return [
            token
            for token in {t.id: t for t in self.current.values()}.values()
            if token.status is Status.ACTIVE
        ]

    @on(DataTable.RowSelected, "#scan-findings")
    def _open(self, event: DataTable.RowSelected) -> None:
        from tokentui.console.screens.details import DetailsScreen
        from tokentui.console.screens.find_secret import NOT_FOUND

        sighting = self.sightings[int(str(event.row_key.value))]
        token = self.current.get(sighting.secret_hash)
        if token is None:
            self.notify(NOT_FOUND, timeout=4)
            return
        self.app.push_screen(DetailsScreen(token), lambda action: self._after_details(token, action))

    def _after_details(self, token: TokenView, action: str | None) -> None:
        from tokentui.console.screens.author import AuthorScreen
        from tokentui.console.screens.confirm import ConfirmScreen

        if action == "author":
            self.app.push_screen(AuthorScreen(token.author), self._after_author)
        elif action == "reset":
            self.notify("Reset it from the token table (R): its new secret is shown there.", timeout=5)
        elif action == "revoke":
            question = Text.assemble(
                f"Revoke the {token.kind.label.lower()} ",
                inert(repr(token.name), "bold"),
                inert(f" (…{token.last4})? It stops working at once; this cannot be undone."),
            )

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.run_worker(self._revoke([token]), group="write")

            self.app.push_screen(ConfirmScreen("Revoke token", question, "Revoke"), confirmed)

    def _after_author(self, changed: bool | None) -> None:
        if changed:
            self.changed = True
            self.run_worker(self._look_again(), group="write")

    async def _look_again(self) -> None:
        """Read the tokens found again (the author screen revoked or removed something)."""
        app = self.app
        assert app.service is not None and app.actor is not None
        wanted = {s.secret_hash: s.kind for s in self.sightings}
        known = await app.call(app.service.find_secret_hashes, app.actor, wanted)
        if known is not None:
            self.current = known
            self._refresh_rows()

    def action_revoke_found(self) -> None:
        from tokentui.console.bulk_revoke import ask_to_revoke

        if self.running:
            self.notify("The scan is still running: esc stops it.", timeout=3)
            return
        active = self._active()
        if not active:
            self.notify(NOTHING_ACTIVE, severity="warning", timeout=4)
            return
        ask_to_revoke(
            self,
            active,
            lambda: self.run_worker(self._revoke(active), group="write"),
            found=" found in files",
        )

    async def _revoke(self, tokens: list[TokenView]) -> None:
        from tokentui.console.bulk_revoke import result_lines
        from tokentui.core.access.redact import redact

        app = self.app
        assert app.service is not None and app.actor is not None
        result: BulkResult | None = await app.call(app.service.revoke_many, app.actor, [t.id for t in tokens])
        if result is None:
            return
        by_id = {token.id: token for token in result.revoked}
        self.revoked |= set(by_id)
        self.current = {hash_: by_id.get(token.id, token) for hash_, token in self.current.items()}
        if result.revoked:
            self.changed = True
        self._refresh_rows()
        # Over the table until the next revoke, line by line (a toast shows one line, and goes):
        # each refused token with its reason. A name in them may be anyone's.
        lines = [redact(line) for line in result_lines(result, tokens)]
        outcome = Text("\n").join(inert(line, "bold" if i == 0 else "") for i, line in enumerate(lines))
        self.query_one("#scan-outcome", Static).update(outcome)
        if result.refused:
            self.notify(lines[0], title="Revoke", severity="warning", timeout=6)
        else:
            self.notify(lines[0], title="Revoke", timeout=6)
