"""The findings: the hygiene report's questions with how many tokens each holds.

Enter on one closes the screen and shows the token table with that finding's query,
the same query its count came from, so the count and the rows agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tokentui.console.widgets.key_footer import KeyFooter
from tokentui.console.widgets.list_table import ListTable
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.findings import Finding


class FindingsScreen(Screen["Finding | None"]):
    """The hygiene report; dismisses with the finding chosen, or None."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "choose", "Show its tokens"),
    ]

    AUTO_FOCUS = "#findings"

    def __init__(self) -> None:
        super().__init__()
        self.findings: dict[str, Finding] = {}
        self.counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Counting…", id="findings-summary", markup=False)
        table = ListTable(id="findings", cursor_type="row", zebra_stripes=True, flex="label")
        table.add_column("Finding", key="label")
        table.add_column("Tokens", key="count")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True, group="findings")
    async def _load(self) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        report = await app.call(app.service.findings, app.actor)
        if report is None:
            self.dismiss(None)
            return
        table = self.query_one("#findings", DataTable)
        for finding, count in report:
            self.findings[finding.key] = finding
            self.counts[finding.key] = count
            table.add_row(
                inert(finding.label),
                Text(f"{count:,}", justify="right", style="" if count else "dim"),
                key=finding.key,
            )
        self.query_one("#findings-summary", Static).update(
            "Tokens you can see, by finding; enter shows a finding's tokens in the table."
        )

    @on(DataTable.RowSelected, "#findings")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.findings.get(str(event.row_key.value)))

    def action_choose(self) -> None:
        table = self.query_one("#findings", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.dismiss(self.findings.get(str(key.value)))

    def action_back(self) -> None:
        self.dismiss(None)
