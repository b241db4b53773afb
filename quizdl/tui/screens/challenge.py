"""One challenge: the prompt beside a Python editor; checks run in a child process.

The code autosaves (debounced, and again on leaving), so quitting loses
nothing. A check runs in a thread worker while a spinner turns; the app stays
responsive because the learner's code and Keras run in other processes. Esc
during a check cancels it (the checker kills every process the code started);
closing the app does the same.

Everything from the deck, the learner's code, the checker or an error is shown
as plain text: escaped in markup, or ``markup=False`` in notices.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import LoadingIndicator, Markdown, Static, TextArea

from quizdl import paths
from quizdl.challenges.verdict import CheckCancelled, Verdict
from quizdl.scheduling.sm2 import Quality
from quizdl.study.challenges import (
    GRADE_AFTER_FAILURES,
    GRADE_AFTER_SOLUTION,
    GRADE_FIRST_TRY,
    GRADE_GAVE_UP,
)
from quizdl.study.values import ChallengeInfo
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import app_of, service_of
from quizdl.tui.text import printable
from quizdl.tui.widgets.footer import Footer

AUTOSAVE_DELAY = 1.0
OUTPUT_LINES = 12


def python_language() -> str | None:
    """ "python" when tree-sitter can highlight it, else plain text (still editable)."""
    try:
        import tree_sitter_python  # noqa: F401
    except ImportError:
        return None
    return "python"


def verdict_content(verdict: Verdict, grade: int | None) -> Content:
    """The verdict as Content; every rule, message and output line is plain text
    (a template variable is never parsed as markup)."""
    parts: list[Content] = []
    if verdict.passed:
        parts.append(Content.from_markup("[b $success]✓ Passed[/]"))
        if grade is not None:
            parts.append(Content(f"Graded {grade} ({Quality(grade).label})."))
    else:
        count = len(verdict.failures)
        plural = "s" if count != 1 else ""
        parts.append(Content.from_markup(f"[b $error]✗ Not yet[/] — {count} rule{plural} failed"))
    for check in verdict.checks:
        mark = "[$success]✓[/]" if check.passed else "[$error]✗[/]"
        parts.append(
            Content.from_markup(
                f"{mark} [b]$rule[/b] — $message",
                rule=printable(check.rule),
                message=printable(check.message),
            )
        )
    output = (verdict.stderr or verdict.stdout).strip()
    if output and not verdict.passed:
        tail = "\n".join(output.splitlines()[-OUTPUT_LINES:])
        parts.append(
            Content.from_markup("\n[dim]Output (last lines):\n$tail[/dim]", tail=printable(tail))
        )
    if verdict.described_by == "your process":
        parts.append(
            Content.from_markup(
                "[dim]Described in the process that ran your code (your own classes, "
                "or a challenge that must run your code).[/dim]"
            )
        )
    parts.append(Content.from_markup(f"[dim]Checked in {verdict.seconds:.1f}s.[/dim]"))
    return Content("\n").join(parts)


class ChallengeScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", "Check", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True),
        Binding("ctrl+l", "solution", "Solution", priority=True),
        Binding("ctrl+g", "give_up", "Give up", priority=True),
        # Esc cancels a running check wherever focus is (priority); otherwise it
        # leaves the editor, then the screen, as everywhere else.
        Binding("escape", "cancel_check", "Cancel check", priority=True),
        Binding("escape", "leave", "Back"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, info: ChallengeInfo) -> None:
        super().__init__()
        self.info = info
        self.checking = False
        self.solution_seen = info.solution_seen
        self.saved_code: str | None = None
        self._autosave: Timer | None = None
        # Kept as an attribute: saving on unmount happens after children are removed.
        self.editor = TextArea.code_editor(
            # No soft wrap: a wrapped Python line would lose its indentation.
            "",
            language=python_language(),
            id="code",
            soft_wrap=False,
            theme="vscode_dark",
        )

    def compose(self) -> ComposeResult:
        yield Static(
            f"Challenge — {printable(self.info.title)}", classes="screen-title", markup=False
        )
        with Horizontal(id="challenge-body"):
            with VerticalScroll(id="challenge-side"):
                yield Markdown(self.info.card.prompt, id="prompt")
                yield LoadingIndicator(id="spinner")
                yield Static("", id="verdict")
                yield Markdown("", id="solution")
            yield self.editor
        yield Static("", id="challenge-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#spinner").display = False
        self.query_one("#solution").display = False
        self.query_one("#verdict").display = False
        self.sync_editor_theme()
        self.watch(self.app, "theme", self.sync_editor_theme, init=False)
        self.load()
        if app_of(self).has_checker:
            self.warm_up()
            self.status(f"[b]ctrl+r[/b] checks your code · {self.pass_grade_note()} · autosaved")
        else:
            self.status("[$warning]No checker in this app: checks are unavailable.[/]")

    def pass_grade_note(self, failed_now: bool = False) -> str:
        """What a pass would grade now (the rules of quizdl.study.challenges)."""
        if self.solution_seen:
            grade = GRADE_AFTER_SOLUTION
        elif failed_now:
            grade = GRADE_AFTER_FAILURES
        else:
            return (
                f"a pass grades {GRADE_FIRST_TRY} on the first check, "
                f"{GRADE_AFTER_FAILURES} after failed ones"
            )
        return f"a pass now grades {grade} ({Quality(grade).label})"

    def sync_editor_theme(self) -> None:
        editor = self.query_one("#code", TextArea)
        editor.theme = "vscode_dark" if self.app.current_theme.dark else "github_light"

    def status(self, markup: str) -> None:
        self.query_one("#challenge-status", Static).update(markup)

    # -- loading and saving ---------------------------------------------------

    def worker_failed(self, worker: object) -> None:
        # Whatever failed (a check, saving, the solution), the screen goes on.
        self.checking = False
        self.query_one("#spinner").display = False
        self.status("That did not work (see the notice); your code is still here.")

    def from_thread(self, callback: Callable[..., object], *args: object) -> None:
        """Run ``callback`` on the UI thread, unless the app has already closed
        (a cancelled check's thread may finish after it)."""
        with contextlib.suppress(RuntimeError):
            self.app.call_from_thread(callback, *args)

    @work(thread=True, group="challenge-load", exit_on_error=False)
    def load(self) -> None:
        code = service_of(self).challenges.last_code(self.info.key)
        self.from_thread(self.set_code, code or self.info.card.starter)

    def set_code(self, code: str) -> None:
        self.saved_code = code
        editor = self.query_one("#code", TextArea)
        editor.load_text(code)
        editor.focus()

    @work(thread=True, group="challenge-warm", exit_on_error=False)
    def warm_up(self) -> None:
        # Start the spare child (it imports TensorFlow) while the learner reads.
        app_of(self).checker().warm_up()

    @on(TextArea.Changed, "#code")
    def code_changed(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self.autosave)

    def autosave(self) -> None:
        code = self.code
        if code != self.saved_code and self.saved_code is not None:
            self.saved_code = code
            self.save_draft(code)

    @work(thread=True, group="challenge-save", exit_on_error=False)
    def save_draft(self, code: str) -> None:
        service_of(self).challenges.save_draft(self.info.key, code)

    @property
    def code(self) -> str:
        return self.editor.text

    def save_now(self) -> None:
        """Synchronous save for leaving and quitting: nothing typed is lost."""
        if self.saved_code is not None and self.code != self.saved_code:
            self.saved_code = self.code
            service_of(self).challenges.save_draft(self.info.key, self.code)

    def on_unmount(self) -> None:
        self.save_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_check":
            return self.checking
        return True

    def action_leave(self) -> None:
        if self.checking:
            self.action_cancel_check()
            return
        self.save_now()
        self.dismiss()

    # -- checking ---------------------------------------------------------------

    def action_check(self) -> None:
        if self.checking:
            return
        if not app_of(self).has_checker:
            self.notify("Checks are unavailable in this app.", severity="warning")
            return
        self.checking = True
        self.refresh_bindings()
        self.query_one("#spinner").display = True
        self.status("Checking in a separate process… you can keep editing; [b]Esc[/b] cancels.")
        self.run_check(self.code)

    @work(thread=True, group="challenge-check", exit_on_error=False)
    def run_check(self, code: str) -> None:
        try:
            card = self.info.card
            verdict = app_of(self).checker().check(card.expect, code, reference=card.solution)
        except CheckCancelled:
            self.from_thread(self.check_cancelled)
            return
        # The study layer decides the answer time (the same rule as the CLI's).
        grade = service_of(self).challenges.record_attempt(
            self.info.key, code, verdict.passed, verdict.to_dict(self.info.card_id), verdict.seconds
        )
        self.from_thread(self.show_verdict, verdict, grade)

    def action_cancel_check(self) -> None:
        if not self.checking:
            return
        self.status("Cancelling the check…")
        self.stop_checker()

    @work(thread=True, group="challenge-cancel", exit_on_error=False)
    def stop_checker(self) -> None:
        # Killing the process tree may wait a moment for it to exit: not on the UI thread.
        app_of(self).checker().cancel()

    def check_cancelled(self) -> None:
        self.checking = False
        self.refresh_bindings()
        self.query_one("#spinner").display = False
        self.status("Check cancelled; nothing was recorded. [b]ctrl+r[/b] checks again.")

    def show_verdict(self, verdict: Verdict, grade: int | None) -> None:
        self.checking = False
        self.refresh_bindings()
        self.saved_code = self.code if self.saved_code is not None else None
        self.query_one("#spinner").display = False
        widget = self.query_one("#verdict", Static)
        widget.update(verdict_content(verdict, grade))
        widget.display = True
        widget.scroll_visible(top=True)  # the headline first, also after a re-check
        if verdict.passed:
            self.status("[$success]Passed.[/] The card is graded; [b]Esc[/b] goes back.")
        else:
            note = self.pass_grade_note(failed_now=True)
            self.status(f"Fix the rules marked ✗ and check again ([b]ctrl+r[/b]) · {note}")

    # -- solution, giving up, $EDITOR ---------------------------------------------

    def action_solution(self) -> None:
        from quizdl.tui.screens.confirm import ConfirmScreen

        question = (
            "Show the reference solution?\n\nA pass after seeing it grades this card "
            f"{GRADE_AFTER_SOLUTION} ({Quality(GRADE_AFTER_SOLUTION).label}) instead of 4–5, "
            "so it comes back sooner."
        )
        self.app.push_screen(ConfirmScreen(question, yes="Show it"), self._solution_answered)

    def _solution_answered(self, show: bool | None) -> None:
        if show:
            self.reveal_solution()

    @work(thread=True, group="challenge-solution", exit_on_error=False)
    def reveal_solution(self) -> None:
        service_of(self).challenges.mark_solution_seen(self.info.key)
        self.from_thread(self.show_solution)

    def show_solution(self) -> None:
        self.solution_seen = True
        solution = self.query_one("#solution", Markdown)
        solution.update(
            "**Reference solution**\n\n```python\n" + self.info.card.solution.rstrip() + "\n```"
        )
        solution.display = True
        solution.scroll_visible()

    def action_give_up(self) -> None:
        from quizdl.tui.screens.confirm import ConfirmScreen

        question = (
            f"Give up on this challenge for now?\n\nIt is graded {GRADE_GAVE_UP} "
            f"({Quality(GRADE_GAVE_UP).label}) and comes back tomorrow."
        )
        self.app.push_screen(ConfirmScreen(question, yes="Give up"), self._give_up_answered)

    def _give_up_answered(self, give_up: bool | None) -> None:
        if give_up:
            self.give_up()

    @work(thread=True, group="challenge-solution", exit_on_error=False)
    def give_up(self) -> None:
        service_of(self).challenges.give_up(self.info.key)
        self.from_thread(self.status, "Graded 1: it comes back tomorrow.")
        self.from_thread(self.show_solution)

    def attempt_file(self) -> Path:
        return paths.attempts_dir() / f"{self.info.deck_id}--{self.info.card_id}.py"

    def action_external_editor(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify("Set $EDITOR to edit in your own editor.", severity="warning")
            return
        path = self.attempt_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.code, encoding="utf-8")
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
            text = path.read_text(encoding="utf-8")
        except SuspendNotSupported:
            self.notify(
                f"This terminal cannot hand over to $EDITOR; the file is {path}", markup=False
            )
            return
        except (OSError, UnicodeDecodeError, ValueError) as error:
            # ValueError: $EDITOR with unbalanced quotes (shlex).
            self.notify(f"$EDITOR did not work: {error}", severity="error", markup=False)
            return
        self.editor.load_text(text)
        self.autosave()
        self.notify(f"Reloaded from {path}", markup=False)
