"""The quizdl app: built by ``make_app`` from its services, started by ``run``.

The CLI and the tests construct the app the same way (``make_app``), so what
the tests drive is what learners run. Screens are imported inside the actions
that open them: start-up only pays for the home screen.
"""

from __future__ import annotations

import gc
import sqlite3
import sys
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from quizdl.tui.failures import reason_of, record_failure
from quizdl.tui.preferences import THEMES, Preferences, load_preferences, save_preferences

if TYPE_CHECKING:
    from quizdl.study.service import StudyService
    from quizdl.study.study_more import StudyMore
    from quizdl.tui.checking import Checker, CheckerFactory

DARK_THEME, LIGHT_THEME = THEMES


# By then the first screen (and with review_on_start the first card) is drawn.
STARTUP_SECONDS = 1.5


def settle_garbage_collector() -> None:
    """Called once start-up is over.

    Everything loaded by then (modules, ORM mappers, styles) lives as long as
    the app: frozen, it is out of the collector's view, so a full collection
    no longer scans it all and a grade does not now and then take 100 ms.
    ``run`` pauses the collector during start-up for the same reason.
    """
    gc.freeze()
    gc.enable()


def idle_collect() -> None:
    """A full collection while the learner reads a card, so that the
    collector's own next full run is less likely to land between a grade and
    the next card (each reviewed card leaves thousands of dead objects)."""
    gc.collect()


class QuizApp(App[None]):
    TITLE = "quizdl"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
        Binding("f1", "help", "Help", show=False),
    ]

    def __init__(
        self,
        service: StudyService,
        *,
        checker_factory: CheckerFactory | None = None,
        review_on_start: bool = False,
        housekeeping: bool = False,
        study_more: StudyMore | None = None,
    ) -> None:
        super().__init__()
        self._study_more = study_more
        self.service = service
        # The learner's own app (not a test's): back up daily, remember the theme.
        self._housekeeping = housekeeping
        self.fatal_line: str | None = None
        self._checker_factory = checker_factory
        self._checker: Checker | None = None
        self._review_on_start = review_on_start
        self._stop_housekeeping = threading.Event()
        self.theme = load_preferences().theme if housekeeping else DARK_THEME

    def on_mount(self) -> None:
        self.set_timer(STARTUP_SECONDS, settle_garbage_collector)
        if self.service.read_only:
            self.notify(
                f"Read-only: {self.service.read_only}. You can browse, but answers "
                "cannot be saved.",
                title="Collection opened read-only",
                severity="warning",
                timeout=15,
                markup=False,
            )
        if self._housekeeping and not self.service.read_only:
            self.housekeep()
        if self._checker_factory is not None:
            self.warm_checker_if_due()
        if self._review_on_start or self._study_more is not None:
            # Straight into today's cards (or the ones ``quizdl study`` chose);
            # home is built when the review ends.
            from quizdl.tui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen(None, self._study_more), callback=self._open_home)
        else:
            self._open_home()

    @work(thread=True, exit_on_error=False, group="housekeeping")
    def housekeep(self) -> None:
        """Today's backup and the daily refit, once start-up is over.

        The first refit of a day reads the whole review log (about 6 s of CPU
        at 100,000 cards); started with the app, it took the interpreter from
        the first card as well (0.93 -> 1.29 s to the first card there). Quitting
        before then skips both: the next start does them."""
        if self._stop_housekeeping.wait(STARTUP_SECONDS):
            return
        self.back_up()
        if not self._stop_housekeeping.is_set():
            self.refit_parameters()

    def back_up(self) -> None:
        """Today's backup (in the housekeeping worker's thread)."""
        from quizdl.store.backup import take_backup

        database = self.service.db.path
        if database is None:
            return
        try:
            take_backup(database, datetime.now())
        except (OSError, sqlite3.Error) as exc:
            self.call_from_thread(self.report_failure, exc, "Today's backup")

    def refit_parameters(self) -> None:
        """Readiness's FSRS parameters refitted to the learner's log (at most
        daily; in the housekeeping worker's thread)."""
        from quizdl.study.fitted import refit_if_due

        try:
            fitted = refit_if_due(self.service.db, self.service.clock())
        except Exception as exc:  # housekeeping fails into a notice, never an exit
            self.call_from_thread(self.report_failure, exc, "Fitting your memory model")
            return
        if fitted is not None:
            self.call_from_thread(self._show_refit)

    def _show_refit(self) -> None:
        from quizdl.tui.screens.home import HomeScreen

        if isinstance(self.screen, HomeScreen):
            self.screen.load()  # readiness on the plan line now uses the new fit

    @work(thread=True, exit_on_error=False, group="checker-warm")
    def warm_checker_if_due(self) -> None:
        """A challenge due today: start the checker's spares now, not at the first check."""
        from quizdl.tui.checking import challenge_due

        if challenge_due(self.service):
            self.checker().warm_up()

    def _open_home(self, _: object = None) -> None:
        from quizdl.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def on_unmount(self) -> None:
        self._stop_housekeeping.set()  # a housekeeping worker still waiting gives up
        if self._checker is not None:
            self._checker.close()

    # -- failures -------------------------------------------------------------

    def report_failure(self, error: BaseException, what: str) -> None:
        """A task failed: one line on screen, the traceback in the log."""
        log = record_failure(error, what)
        where = f" Details: {log}" if log is not None else ""
        self.notify(
            f"{reason_of(error, self.service.db.path)}{where}",
            title=f"{what} failed",
            severity="error",
            timeout=12,
            markup=False,
        )

    def _fatal_error(self) -> None:
        # An exception no handler caught still ends the app (its state is
        # unknown), but as one line and exit status 1, not a traceback.
        error = self._exception or sys.exc_info()[1]
        if error is None:
            super()._fatal_error()
            return
        log = record_failure(error, "the app")
        where = f" (details in {log})" if log is not None else ""
        self.bell()
        # Printed by ``run`` once the terminal is back: Rich would wrap it.
        self.fatal_line = f"quizdl: {reason_of(error, self.service.db.path)}{where}"
        self._close_messages_no_wait()

    # -- the challenge checker ------------------------------------------------

    @property
    def has_checker(self) -> bool:
        return self._checker_factory is not None or self._checker is not None

    def checker(self) -> Checker:
        """The app's one checker, created the first time a challenge opens."""
        if self._checker is None:
            if self._checker_factory is None:
                raise RuntimeError("this app was built without a challenge checker")
            self._checker = self._checker_factory()
        return self._checker

    # -- navigation -----------------------------------------------------------

    def action_review(self, deck_id: str | None = None) -> None:
        from quizdl.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck_id))

    def action_challenges(self) -> None:
        from quizdl.tui.screens.challenges import ChallengeListScreen

        self.push_screen(ChallengeListScreen())

    def action_stats(self) -> None:
        from quizdl.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_browse(self) -> None:
        from quizdl.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def action_import(self) -> None:
        from quizdl.tui.screens.import_deck import ImportScreen

        self.push_screen(ImportScreen())

    def action_help(self) -> None:
        from quizdl.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME
        if self._housekeeping:  # the real app, not a test: remember it for next time
            save_preferences(Preferences(theme=self.theme))

    # -- command palette --------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        app_commands = [
            SystemCommand("Review all decks", "Study every card due today", self.action_review),
            SystemCommand("Challenges", "Build-this-model exercises", self.action_challenges),
            SystemCommand("Statistics", "Reviews, forecast, retention", self.action_stats),
            SystemCommand("Browse cards", "Search every card", self.action_browse),
            SystemCommand("Import a deck", "Validate, preview and import", self.action_import),
            SystemCommand("Help", "Keys of this screen", self.action_help),
            SystemCommand("Light/dark theme", "Switch themes", self.action_toggle_theme),
        ]
        yield from app_commands
        # Every command of the screen the palette was opened from, so each is
        # reachable by name as well as by key. From the screen's own bindings,
        # not the active ones: a focused text box hides the screen's letter
        # keys (suspend, deck file…) and adds its editing keys instead.
        seen = {command.title for command in app_commands}
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            action = binding.action
            if binding.description in seen or action.startswith("app."):
                continue
            name = action.split("(", 1)[0]
            if screen.check_action(name, ()) is not True:
                continue
            seen.add(binding.description)

            async def run_binding(action: str = action) -> None:
                await self.run_action(action, screen)

            key = binding.key_display or binding.key.split(",")[0]
            yield SystemCommand(binding.description, f"Key: {key}", run_binding)
        yield from super().get_system_commands(screen)


def make_app(
    service: StudyService,
    *,
    checker_factory: CheckerFactory | None = None,
    review_on_start: bool = False,
    housekeeping: bool = False,
    study_more: StudyMore | None = None,
) -> QuizApp:
    """The app over these services; the CLI and the tests both build it here."""
    return QuizApp(
        service,
        checker_factory=checker_factory,
        review_on_start=review_on_start,
        housekeeping=housekeeping,
        study_more=study_more,
    )


def run(study_more: StudyMore | None = None) -> int:
    """Open the learner's collection and run the app (``quizdl`` with no arguments).

    Returns the exit status: non-zero when the app ended on an error.
    """
    gc.disable()  # start-up allocates only long-lived objects; see settle_garbage_collector
    from quizdl import paths
    from quizdl.store.db import sqlite_path
    from quizdl.store.lock import CollectionLock
    from quizdl.study.factory import open_study
    from quizdl.tui.checking import real_checker

    database = sqlite_path(paths.database_url())
    lock = CollectionLock(database) if database is not None else None
    holder = lock.acquire() if lock is not None else None
    shared = (
        None if holder is None else f"another quizdl ({holder.describe()}) has this collection open"
    )
    # The first start imports the bundled decks (a few seconds): say why the
    # terminal waits, and wipe the line once the app has closed.
    waiting = "Opening your collection…"
    print(waiting, end="\r", flush=True)
    try:
        service = open_study(read_only=shared)
        app = make_app(
            service, checker_factory=real_checker, housekeeping=True, study_more=study_more
        )
        # Card images: the terminal's graphics support can only be asked before run().
        from quizdl.tui.widgets.card_image import prepare_terminal_graphics

        prepare_terminal_graphics()
        app.run()
        if app.fatal_line:
            print(app.fatal_line, file=sys.stderr)
    finally:
        print(" " * len(waiting), end="\r", flush=True)
        if lock is not None:
            lock.release()
    return app.return_code or 0
