"""A one-line text input whose editing keys act in the order they were typed.

Textual's ``Input`` inserts a typed character in its own key handler, but runs the
action of one of its bindings (backspace is ``delete_left``, the arrows move the
cursor) only once the key has gone up to the app, after any keys queued behind it.
Keys that arrive together (fast typing, a paste of keystrokes, a slow SSH link) are
then applied out of order: "login", five backspaces and "zap" made "log", not "zap".
Here the input's own bindings act in its key handler, in turn with the characters.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextInput(Input):
    """An ``Input`` that applies its keys in the order they came."""

    def handles(self, event: events.Key) -> bool:
        """Whether this input acts on ``event`` itself: a character, or one of its own keys."""
        return bool(event.is_printable and event.character) or event.key in self._bindings.key_to_bindings

    async def _on_key(self, event: events.Key) -> None:
        bindings = self._bindings.key_to_bindings.get(event.key)
        if not bindings:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        self._restart_blink()
        await self.run_action(bindings[0].action)
