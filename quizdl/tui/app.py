"""The quizdl app: built by ``make_app`` from its services, started by ``run``.

The CLI and the tests construct the app the same way (``make_app``), so what
the tests drive is what learners run. Screens are imported inside the actions
that open them: start-up only pays for the home screen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

if TYPE_CHECKING:
    from quizdl.study.service import StudyService
    from quizdl.tui.checking import Checker, CheckerFactory

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


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
    ) -> None:
        super().__init__()
        self.service = service
        self._checker_factory = checker_factory
        self._checker: Checker | None = None
        self._review_on_start = review_on_start
        self.theme = DARK_THEME

    def on_mount(self) -> None:
        self.set_timer(STARTUP_SECONDS, settle_garbage_collector)
        if self._review_on_start:
            # Straight into today's cards; home is built when the review ends.
            from quizdl.tui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen(None), callback=self._open_home)
        else:
            self._open_home()

    def _open_home(self, _: object = None) -> None:
        from quizdl.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def on_unmount(self) -> None:
        if self._checker is not None:
            self._checker.close()

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
        # Every binding of the screen the palette was opened from, so each
        # action is reachable by name as well as by key.
        seen = {command.title for command in app_commands}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            action = binding.action

            async def run_binding(action: str = action, node: object = active.node) -> None:
                await self.run_action(action, node)  # type: ignore[arg-type]

            yield SystemCommand(binding.description, f"Key: {key}", run_binding)
        yield from super().get_system_commands(screen)


def make_app(
    service: StudyService,
    *,
    checker_factory: CheckerFactory | None = None,
    review_on_start: bool = False,
) -> QuizApp:
    """The app over these services; the CLI and the tests both build it here."""
    return QuizApp(service, checker_factory=checker_factory, review_on_start=review_on_start)


def run() -> None:
    """Open the learner's collection and run the app (``quizdl`` with no arguments)."""
    gc.disable()  # start-up allocates only long-lived objects; see settle_garbage_collector
    from quizdl.study.factory import open_study
    from quizdl.tui.checking import real_checker

    # The first start imports the bundled decks (a few seconds): say why the
    # terminal waits, and wipe the line once the app has closed.
    waiting = "Opening your collection…"
    print(waiting, end="\r", flush=True)
    try:
        service = open_study()
        make_app(service, checker_factory=real_checker).run()
    finally:
        print(" " * len(waiting), end="\r", flush=True)
