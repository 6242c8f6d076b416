"""The console application: opens the store in the background and shows the token table.

The first frame is painted before the database layer is even imported: the
store is opened, migrated and (when empty) filled with demo data in a worker,
and the home screen fills in when it is ready.
"""

from __future__ import annotations

import gc
from asyncio import to_thread
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message

from tokentui.console.commands import TokentuiCommands
from tokentui.console.screens.home import HomeScreen
from tokentui.text import printable

if TYPE_CHECKING:
    from datetime import datetime

    from textual.content import Content
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from tokentui.core.results import OrgView
    from tokentui.core.service import Actor, Service

T = TypeVar("T")

# New objects the collector lets gather before a pass over the young ones. A keystroke makes
# thousands (a page of rows, their rendered lines) that live until the next: at Python's
# default they were carried into the older generations, whose full passes then fell on
# keystrokes. At this threshold most die young.
YOUNG_OBJECTS = 10_000


@dataclass(frozen=True)
class Opened:
    """What opening the store found."""

    service: Service
    actor: Actor
    organizations: tuple[OrgView, ...]
    notices: tuple[str, ...]


class StoreReady(Message):
    """The store is open and the acting user known."""


class TokentuiApp(App[int]):
    """tokentui's admin console."""

    CSS_PATH = "app.tcss"
    TITLE = "tokentui"
    COMMANDS = App.COMMANDS | {TokentuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", priority=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        db: str | None = None,
        actor: str | None = None,
        org: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self._db = db
        self._actor_email = actor
        self._org = org
        self._clock = clock
        self._gc_thresholds: tuple[int, ...] | None = None  # the collector's, while the console changes them
        self.service: Service | None = None
        self.actor: Actor | None = None
        self.organizations: tuple[OrgView, ...] = ()
        self.error: str | None = None
        self.home = HomeScreen()
        # The screen each recent key was typed on (the newest few: a burst, not a history).
        self._typed_on: deque[tuple[events.Key, Screen[Any]]] = deque(maxlen=64)

    def get_default_screen(self) -> HomeScreen:
        return self.home

    def on_mount(self) -> None:
        # No collection until the store is open: importing the database layer makes hundreds of
        # thousands of objects that all live as long as the app, and the collector's passes
        # over them (a tenth of the time to the first rows) would find nothing to free.
        gc.disable()
        self.run_worker(self._open_store(), name="open store", exclusive=True)

    def on_unmount(self) -> None:
        # What _open_store set aside from the collector may be collected again (a process
        # that runs consoles one after another, as the tests do, would otherwise keep each),
        # and the collector runs as it did before.
        gc.unfreeze()
        gc.enable()
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            self._gc_thresholds = None

    async def _open_store(self) -> None:
        from tokentui.core.errors import TokentuiError

        try:
            opened = await to_thread(self._open)
        except TokentuiError as error:
            gc.enable()
            self.error = str(error)
            # After the next refresh: exiting while the first frame is still being built races its widgets.
            self.call_after_refresh(self.exit, return_code=error.exit_code)
            return
        self.service, self.actor, self.organizations = opened.service, opened.actor, opened.organizations
        self._update_titles()
        for notice in opened.notices:
            self.notify(notice, title="tokentui", timeout=8)
        self.home.post_message(StoreReady())
        # Everything made so far (Textual, SQLAlchemy, the models) lives as long as the app:
        # set it aside from the collector, whose full passes over it would each stall a
        # keystroke on a big store's console.
        gc.freeze()
        if self._gc_thresholds is None:
            self._gc_thresholds = gc.get_threshold()
            gc.set_threshold(YOUNG_OBJECTS, *self._gc_thresholds[1:])
        gc.enable()

    def _open(self) -> Opened:
        """Open, migrate, fill an empty store with demo data, and resolve the acting user."""
        from tokentui.core.dates import utc_now
        from tokentui.core.errors import InvalidInput
        from tokentui.core.service import Service
        from tokentui.core.store import Store
        from tokentui.settings import ENV_ACTOR

        service = Service(Store(self._db), self._clock or utc_now)
        notices: list[str] = []
        if service.is_empty():
            from tokentui.core.demo import DEMO_ORG, fill_demo  # only for an empty store

            fill_demo(service)
            notices.append(
                f"The store was empty, so it now holds the demo organization {DEMO_ORG}. "
                "Run 'tokentui init' to start a real one."
            )
        email, org = self._actor_email, self._org
        if not email:
            found = service.any_admin()
            if found is None:
                raise InvalidInput(f"say who you are with --as EMAIL (or {ENV_ACTOR})")
            email, org = found[0], org or found[1]
            notices.append(f"Acting as {email}, an owner of {found[1]}. Choose another user with --as.")
        organizations = tuple(service.organizations(email))
        if org is None and len(organizations) > 1:
            org = organizations[0].name
        actor = service.actor(email, org)
        return Opened(service, actor, organizations, tuple(notices))

    def switch_org(self, name: str) -> None:
        """Act in organization ``name`` from now on."""
        self.run_worker(self._switch_org(name), name="switch org", exclusive=True)

    async def _switch_org(self, name: str) -> None:
        assert self.service is not None and self.actor is not None
        actor = await self.call(self.service.actor, self.actor.email, name)
        if actor is None:
            return
        self.actor = actor
        self._update_titles()
        self.home.post_message(StoreReady())

    def _update_titles(self) -> None:
        if self.actor is None:
            return
        role = self.actor.role.value if self.actor.role else "no organization"
        self.title = f"{self.actor.org_name or 'tokentui'} · {self.actor.email} ({role})"

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run a blocking service call off the event loop; a refusal becomes a toast and None."""
        from tokentui.core.errors import TokentuiError

        try:
            return await to_thread(function, *args, **kwargs)
        except TokentuiError as error:
            self.notify(str(error), title="Refused", severity="error", timeout=8)
            return None

    # The two ways a str reaches the screen without a widget: the header and the toasts.
    # Both carry names (the organization, an e-mail, a refusal quoting a name), so both
    # show their words as printable() writes them and never read them as markup.

    def format_title(self, title: str, sub_title: str) -> Content:
        return super().format_title(printable(title), printable(sub_title))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast, shown literally: ``markup`` is ignored, since its words may be anyone's."""
        super().notify(
            printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False
        )

    def notify_lines(
        self,
        lines: list[str],
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float = 8,
    ) -> None:
        """A toast of several lines, each shown literally: a line break inside one is escaped, so
        only these lines' own breaks break the toast (a name cannot forge a line of its own)."""
        super().notify(
            "\n".join(printable(line) for line in lines),
            title=printable(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # -- keys typed in one burst across a screen change -------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._typed_on.append((event, self.screen))
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A key that bubbled up unbound, typed on a screen that an earlier key of the same burst
        covered with a dialog (`n` and a name at once): it was meant for the dialog, so it is sent
        again, now that the dialog is on top, in the order typed."""
        typed_on = next((screen for key, screen in self._typed_on if key is event), None)
        if typed_on is not None and typed_on is not self.screen and typed_on in self.screen_stack:
            event.stop()
            self.post_message(events.Key(event.key, event.character))

    def action_help(self) -> None:
        from tokentui.console.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
