"""Export the table's view (its filters, search and sort) to a CSV or JSON file.

The rows are read and written in a worker thread as the database yields them, so a
view of any size takes the memory of a batch, and the console stays responsive while a
progress bar counts them. The file appears only once every row is in it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from tokentui.console.widgets.text_input import TextInput
from tokentui.core.listing.export import Format, default_name

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.listing.queries import TokenQuery
    from tokentui.core.results import TokenView

# Rows written between two moves of the progress bar: often enough to see it move,
# rarely enough that the UI thread is not flooded.
PROGRESS_EVERY = 200


class ExportStopped(Exception):
    """The user closed the dialog while the export ran: the partial file is removed."""


class ExportScreen(ModalScreen[None]):
    """Ask for a format and a path, then write the view there with a progress bar."""

    app: TokentuiApp

    AUTO_FOCUS = "#export-path"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel"),
        Binding("ctrl+s", "export", "Export"),
    ]

    DEFAULT_CSS = """
    ExportScreen .export { max-width: 90; }
    ExportScreen .export Label { margin-top: 1; }
    ExportScreen #export-error { color: $text-error; height: auto; }
    ExportScreen #export-progress { margin-top: 1; }
    """

    def __init__(self, query: TokenQuery) -> None:
        super().__init__()
        self.token_query = query
        self._cancelled = threading.Event()
        self._exporting = False

    def compose(self) -> ComposeResult:
        now = self.app.service.now() if self.app.service is not None else None
        name = default_name(now, Format.CSV) if now is not None else "tokens.csv"
        with Vertical(classes="dialog export"):
            yield Label("Export the view", classes="dialog-title")
            yield Static("The tokens the table shows, with its filters, search and sort.", markup=False)
            yield Label("Format")
            yield Select[str](
                [("CSV (a header row, then one row a token)", Format.CSV.value), ("JSON", Format.JSON.value)],
                id="export-format",
                allow_blank=False,
                value=Format.CSV.value,
                compact=True,
            )
            yield Label("File (relative paths are in the current folder)")
            yield TextInput(value=name, id="export-path", compact=True)
            yield Static("", id="export-error", markup=False)
            yield ProgressBar(id="export-progress", show_eta=False)
            with Horizontal(classes="buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export-go", compact=True)
                yield Button("Cancel (esc)", id="export-cancel", compact=True)

    @property
    def _format(self) -> Format:
        return Format(str(self.query_one("#export-format", Select).value))

    @property
    def _path(self) -> Input:
        return self.query_one("#export-path", Input)

    @on(Select.Changed, "#export-format")
    def _format_changed(self) -> None:
        # The file's extension follows the format the user picks, unless they named another.
        path = self._path.value
        stem, dot, extension = path.rpartition(".")
        if dot and extension.lower() in {f.value for f in Format}:
            self._path.value = f"{stem}.{self._format.value}"

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.action_close()

    def action_export(self) -> None:
        if self._exporting:
            return
        path = self._path.value.strip()
        if not path:
            self.query_one("#export-error", Static).update("Type the name of the file to write.")
            return
        self._exporting = True
        self.query_one("#export-error", Static).update("")
        self.query_one("#export-go", Button).disabled = True
        fmt = self._format
        self.run_worker(lambda: self._export(path, fmt), thread=True, group="export", exclusive=True)

    def _export(self, path: str, fmt: Format) -> None:
        """In a worker thread: count, then stream every row into the file."""
        from tokentui.core.errors import TokentuiError
        from tokentui.core.listing.export import export_file

        app = self.app
        service, actor = app.service, app.actor
        assert service is not None and actor is not None
        try:
            total = service.count_tokens(actor, self.token_query)
            app.call_from_thread(self._progress, 0, total)
            written, count = export_file(
                path, self._rows(service.iter_tokens(actor, self.token_query), total), fmt
            )
        except ExportStopped:
            return
        except TokentuiError as error:
            app.call_from_thread(self._failed, str(error))
            return
        app.call_from_thread(self._done, written, count)

    def _rows(self, rows: Iterator[TokenView], total: int) -> Iterator[TokenView]:
        for done, token in enumerate(rows, start=1):
            if self._cancelled.is_set():
                raise ExportStopped
            yield token
            if done % PROGRESS_EVERY == 0:
                self.app.call_from_thread(self._progress, done, total)

    # The three below run on the UI thread; once the dialog has closed (which sets _stop
    # first, on that same thread) it has no widgets to update.

    def _progress(self, done: int, total: int) -> None:
        if self._cancelled.is_set():
            return
        self.query_one("#export-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _failed(self, message: str) -> None:
        if self._cancelled.is_set():
            return
        self._exporting = False
        self.query_one("#export-go", Button).disabled = False
        self.query_one("#export-progress", ProgressBar).update(total=None, progress=0)
        message = message[:1].upper() + message[1:]
        self.query_one("#export-error", Static).update(message if message.endswith(".") else message + ".")

    def _done(self, written: Path, count: int) -> None:
        if self._cancelled.is_set():
            return
        self._exporting = False
        self._cancelled.set()  # done: the dialog closes
        self.app.notify(
            f"Exported {count:,} token{'' if count == 1 else 's'} to {written}", title="Export", timeout=10
        )
        self.dismiss(None)

    def action_close(self) -> None:
        # A running export sees this between two rows and removes what it wrote.
        self._cancelled.set()
        if self._exporting:
            self.app.notify("Export cancelled: no file written.", timeout=4)
        self.dismiss(None)
