"""One challenge: the prompt beside a Python editor; checks run in a child process.

The code autosaves (debounced, and again on leaving), so quitting loses
nothing. A check runs in a thread worker while a spinner turns; the app stays
responsive because the learner's code and Keras run in another process.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import LoadingIndicator, Markdown, Static, TextArea

from quizdl import paths
from quizdl.challenges.verdict import Verdict
from quizdl.scheduling.sm2 import Quality
from quizdl.study.challenges import (
    GRADE_AFTER_FAILURES,
    GRADE_AFTER_SOLUTION,
    GRADE_FIRST_TRY,
    GRADE_GAVE_UP,
)
from quizdl.study.values import ChallengeInfo
from quizdl.tui.services import app_of, service_of
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


def verdict_markup(verdict: Verdict, grade: int | None) -> str:
    lines = []
    if verdict.passed:
        lines.append("[b $success]✓ Passed[/]")
        if grade is not None:
            lines.append(f"Graded {grade} ({Quality(grade).label}).")
    else:
        count = len(verdict.failures)
        lines.append(f"[b $error]✗ Not yet[/] — {count} rule{'s' if count != 1 else ''} failed")
    for check in verdict.checks:
        mark = "[$success]✓[/]" if check.passed else "[$error]✗[/]"
        lines.append(f"{mark} [b]{escape(check.rule)}[/b] — {escape(check.message)}")
    output = (verdict.stderr or verdict.stdout).strip()
    if output and not verdict.passed:
        tail = "\n".join(output.splitlines()[-OUTPUT_LINES:])
        lines.append(f"\n[dim]Output (last lines):\n{escape(tail)}[/dim]")
    lines.append(f"[dim]Checked in {verdict.seconds:.1f}s.[/dim]")
    return "\n".join(lines)


class ChallengeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", "Check", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True),
        Binding("ctrl+l", "solution", "Solution", priority=True),
        Binding("ctrl+g", "give_up", "Give up", priority=True),
        Binding("escape", "leave", "Back"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, info: ChallengeInfo) -> None:
        super().__init__()
        self.info = info
        self.checking = False
        self.solution_seen = info.solution_seen
        self.opened_at = time.monotonic()
        self.saved_code: str | None = None
        self._autosave: Timer | None = None
        # Kept as an attribute: saving on unmount happens after children are removed.
        self.editor = TextArea.code_editor(
            "", language=python_language(), id="code", soft_wrap=True, theme="vscode_dark"
        )

    def compose(self) -> ComposeResult:
        yield Static(f"Challenge — {escape(self.info.title)}", classes="screen-title")
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

    @work(thread=True, group="challenge-load")
    def load(self) -> None:
        code = service_of(self).challenges.last_code(self.info.card_id)
        self.app.call_from_thread(self.set_code, code or self.info.card.starter)

    def set_code(self, code: str) -> None:
        self.saved_code = code
        editor = self.query_one("#code", TextArea)
        editor.load_text(code)
        editor.focus()

    @work(thread=True, group="challenge-warm")
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

    @work(thread=True, group="challenge-save")
    def save_draft(self, code: str) -> None:
        service_of(self).challenges.save_draft(self.info.card_id, code)

    @property
    def code(self) -> str:
        return self.editor.text

    def save_now(self) -> None:
        """Synchronous save for leaving and quitting: nothing typed is lost."""
        if self.saved_code is not None and self.code != self.saved_code:
            self.saved_code = self.code
            service_of(self).challenges.save_draft(self.info.card_id, self.code)

    def on_unmount(self) -> None:
        self.save_now()

    def action_leave(self) -> None:
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
        self.query_one("#spinner").display = True
        self.status("Checking in a separate process… you can keep editing.")
        self.run_check(self.code)

    @work(thread=True, group="challenge-check")
    def run_check(self, code: str) -> None:
        verdict = app_of(self).checker().check(self.info.card.expect, code)
        seconds = time.monotonic() - self.opened_at
        grade = service_of(self).challenges.record_attempt(
            self.info.card_id, code, verdict.passed, verdict.to_dict(self.info.card_id), seconds
        )
        self.app.call_from_thread(self.show_verdict, verdict, grade)

    def show_verdict(self, verdict: Verdict, grade: int | None) -> None:
        self.checking = False
        self.saved_code = self.code if self.saved_code is not None else None
        self.query_one("#spinner").display = False
        widget = self.query_one("#verdict", Static)
        widget.update(verdict_markup(verdict, grade))
        widget.display = True
        widget.scroll_visible()
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

    @work(thread=True, group="challenge-solution")
    def reveal_solution(self) -> None:
        service_of(self).challenges.mark_solution_seen(self.info.card_id)
        self.app.call_from_thread(self.show_solution)

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

    @work(thread=True, group="challenge-solution")
    def give_up(self) -> None:
        service_of(self).challenges.give_up(self.info.card_id)
        self.app.call_from_thread(self.status, "Graded 1: it comes back tomorrow.")
        self.app.call_from_thread(self.show_solution)

    def attempt_file(self) -> Path:
        return paths.attempts_dir() / f"{self.info.deck_id}--{self.info.card_id}.py"

    def action_external_editor(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify("Set $EDITOR to edit in your own editor.", severity="warning")
            return
        path = self.attempt_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.code, encoding="utf-8")
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
        except SuspendNotSupported:
            self.notify(f"This terminal cannot hand over to $EDITOR; the file is {path}")
            return
        self.editor.load_text(path.read_text(encoding="utf-8"))
        self.autosave()
        self.notify(f"Reloaded from {path}")
