"""The command palette (ctrl+p): every action of the console, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tokentui.console.screens.home import HomeScreen

COLUMN_TITLES = {
    "name": "name",
    "kind": "kind",
    "author": "author",
    "created": "creation date",
    "expires": "expiry date",
    "status": "status",
    "last4": "last four characters",
    "space": "space/environment",
    "last_used": "last use",
    "access": "access",
}


def actions(home: HomeScreen) -> list[tuple[str, Callable[[], object], str]]:
    """(name, callback, help) of every console action."""
    listed: list[tuple[str, Callable[[], object], str]] = [
        ("New token", home.action_new, "Create a token (n)"),
        ("Search tokens", home.action_search, "Search by name or last four characters (/)"),
        ("Filters", home.action_filters, "Filter by kind, status, creation and expiry date (f)"),
        ("Clear filters", home.action_clear, "Show every token again (c)"),
        ("Expiring within 7 days", home.action_expiring, "Toggle the expiring-soon filter (e)"),
        ("My tokens / all tokens", home.action_mine, "Toggle between your tokens and the organization's (m)"),
        ("Token details", home.open_details, "Every field of the selected token (enter)"),
        ("Author of the selected token", home.action_author, "Role, spaces, teams, tokens; removal (a)"),
        ("Revoke the selected token", home.action_revoke, "After a confirmation (r)"),
        ("Reset the selected token", home.action_reset, "Legacy access tokens, after a confirmation (R)"),
        (
            "Rotate the selected token",
            home.action_rotate,
            "A new secret with the same settings; the old one stops now or after a grace period (t)",
        ),
        ("Scan files for secrets", home.action_scan, "Secrets in a file or folder, their tokens; revoke ($)"),
        ("Audit log", home.action_audit, "Every create, revoke, reset, expiry and removal (l)"),
        ("Switch organization", home.action_orgs, "For members of several organizations (o)"),
        ("Reverse the sort order", home.action_reverse, "Ascending or descending (S)"),
        ("Help", home.app.action_help, "Every key binding (?)"),
    ]
    for key, title in COLUMN_TITLES.items():
        listed.append((f"Sort by {title}", partial(home.sort_by, key), f"Order the table by {title}"))
    return listed


class TokentuiCommands(Provider):
    """Offers every console action in the command palette."""

    def _home(self) -> HomeScreen:
        from tokentui.console.app import TokentuiApp

        app = self.app
        assert isinstance(app, TokentuiApp)
        return app.home

    async def discover(self) -> Hits:
        for name, callback, help_text in actions(self._home()):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in actions(self._home()):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
