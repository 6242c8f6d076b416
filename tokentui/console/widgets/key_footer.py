"""The footer, fitted to the width: `? Help`, `q Quit` and a screen's main keys always show.

Textual's footer shows every key it can and cuts the row at the right edge, which at 80
columns dropped Audit, Quit and Help. This one drops the keys a screen names as least
important first (its ``FOOTER_DROPS_FIRST``, in order) until the rest fits; the help
screen (`?`) still lists every key.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Never dropped: the way out and the way to every other key.
ESSENTIAL = frozenset({"app.quit", "app.help", "quit", "help"})
# The command palette's key, at the right edge.
PALETTE_WIDTH = 12


def key_width(key: FooterKey) -> int:
    """The cells a key takes: its key and description with their padding."""
    return len(key.key_display) + len(key.description) + 3


class KeyFooter(Footer):
    """A footer that drops the least important keys first when the screen is narrow."""

    # What the keys shown were chosen from (:meth:`_fit`); None until the screen's keys are known.
    _fitted: tuple[object, ...] | None = None

    def _fit(self) -> tuple[object, ...]:
        """What the keys shown depend on: the width and the screen's keys, each enabled or not."""
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return (self.app.size.width, self.show_command_palette, keys)

    async def recompose(self) -> None:
        """Compose the keys again, unless they are the ones shown: as the console starts, each move
        of the focus and the first layout ask for it, and each would be hundreds of refreshes."""
        try:
            fitted = self._fit()
        except NoScreen:  # the footer left its screen (closed, or the console quitting) before this ran
            return
        if self._fitted is not None and self._fitted == fitted:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        widgets: list[Widget] = list(super().compose())
        if widgets:
            self._fitted = self._fit()
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        room = self.app.size.width - PALETTE_WIDTH
        drops = [a for a in getattr(self.screen, "FOOTER_DROPS_FIRST", ()) if a not in ESSENTIAL]
        shown = list(keys)
        for action in drops:
            if sum(key_width(k) for k in shown) <= room:
                break
            shown = [k for k in shown if k.action.rsplit(".", 1)[-1] != action]
        self.styles.grid_size_columns = len(shown) + (len(widgets) - len(keys))
        for widget in widgets:
            if not isinstance(widget, FooterKey) or widget in shown or widget not in keys:
                yield widget

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)
