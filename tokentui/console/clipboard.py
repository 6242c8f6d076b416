"""Copying a secret: OSC 52 through the terminal (works over SSH), and the local clipboard where one exists."""

from __future__ import annotations

import base64
import os
import sys
from dataclasses import dataclass

from textual.app import App


def osc52(text: str) -> str:
    """The OSC 52 sequence that asks the terminal to put ``text`` on its clipboard."""
    return f"\x1b]52;c;{base64.b64encode(text.encode()).decode('ascii')}\a"


@dataclass(frozen=True)
class CopyResult:
    """Which ways of copying were used."""

    terminal: bool
    local: bool
    local_reason: str = ""

    def describe(self) -> str:
        """One sentence for the user."""
        said = "Sent to your terminal's clipboard (OSC 52; some terminals need it enabled)"
        if self.local:
            return said + " and copied to this machine's clipboard."
        return said + f". {self.local_reason}"


def local_clipboard_reason() -> str | None:
    """Why there is no local clipboard to use, or None when there is one."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return "No local clipboard: this is an SSH session, so the clipboard is your terminal's."
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "No local clipboard: no graphical session on this machine."
    return None


def copy(app: App[object], text: str) -> CopyResult:
    """Copy ``text`` with OSC 52 and, where a local clipboard exists, with pyperclip."""
    app.copy_to_clipboard(text)
    reason = local_clipboard_reason()
    if reason is not None:
        return CopyResult(terminal=True, local=False, local_reason=reason)
    import pyperclip

    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return CopyResult(terminal=True, local=False, local_reason="No local clipboard tool was found.")
    return CopyResult(terminal=True, local=True)


def forget(app: App[object]) -> None:
    """Drop the app's own copy of the last copied text (Textual keeps it for pasting)."""
    # Textual stores what was copied for in-app paste; a secret must not outlive its reveal.
    app._clipboard = ""
