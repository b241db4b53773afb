"""Review: today's cards one at a time, graded 0–5 with SM-2 intervals shown.

Before the reveal the digit keys choose MCQ options; after it they grade. The
mode line under the card always says which of the two the digits do now.
Every service call runs in a thread worker; a ``busy`` flag keeps keys from
acting on a card that is being replaced.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.events import Click
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Markdown, ProgressBar, Static
from textual.worker import Worker

from quizdl.decks.model import ChallengeCard, ClozeCard, ConceptCard, MCQCard, QACard
from quizdl.scheduling.sm2 import Quality
from quizdl.study.answer_check import (
    Verdict,
    check_cloze,
    key_point_hits,
    suggest_mcq_grade,
    suggest_qa_grade,
)
from quizdl.study.errors import NothingToUndo
from quizdl.study.session import ReviewSession, SessionCounts, SessionSummary
from quizdl.study.study_more import StudyMore
from quizdl.study.values import GradeOption, StudyCard
from quizdl.tui.app import idle_collect
from quizdl.tui.deck_file import open_card_source
from quizdl.tui.render import (
    TYPE_NAMES,
    answer_markdown,
    choice_lines,
    format_seconds,
    question_markdown,
)
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import service_of
from quizdl.tui.text import markup_safe
from quizdl.tui.widgets.answer_input import AnswerInput, UndoableInput
from quizdl.tui.widgets.card_image import CardMedia
from quizdl.tui.widgets.card_scroll import CardScroll
from quizdl.tui.widgets.footer import Footer
from quizdl.tui.widgets.grade_bar import GradeBar, format_wait

# An answer left open longer than this is someone who walked away; counting
# the whole pause would distort "time spent".
MAX_ANSWER_SECONDS = 300.0
DEFAULT_GRADE = int(Quality.GOOD)
# Nobody grades a card this soon after it appears: a good moment for a full
# garbage collection, off the grade -> next card path.
IDLE_COLLECT_SECONDS = 0.4

Phase = Literal["loading", "question", "answer", "done"]


@dataclass(frozen=True)
class CardView:
    card: StudyCard
    kind: str
    counts: SessionCounts
    progress: tuple[int, int]
    preview: dict[int, GradeOption]
    # A learning card shown before its step is due (nothing else is left).
    early: timedelta | None = None
    # The card answered just before this one comes back after this long.
    previous_back_in: timedelta | None = None


@dataclass(frozen=True)
class DoneView:
    summary: SessionSummary


class ReviewScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # No description: the mode line says what digits do now, and the help
        # screen explains it once instead of listing ten keys.
        *(Binding(str(d), f"digit({d})", "", show=False) for d in range(10)),
        Binding("enter,space", "primary", "Show the answer / accept the grade", show=False),
        Binding("u", "undo", "Undo"),
        # Outside a text box only: inside one, ctrl+z undoes typing.
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("s", "suspend", "Suspend"),
        Binding("e", "edit_source", "Deck file"),
        Binding("v", "view_solution", "Solution (challenge)", show=False),
        Binding("o", "open_media", "Open image/sound", show=False),
        Binding("question_mark", "app.help", "Help"),
        Binding("escape", "leave", "Home"),
    ]

    def __init__(self, deck_id: str | None = None, more: StudyMore | None = None) -> None:
        super().__init__()
        self.deck_id = deck_id
        # Study more today (``quizdl study …``): these cards instead of today's queue.
        self.more = more
        self.session: ReviewSession | None = None
        self.view: CardView | None = None
        self.phase: Phase = "loading"
        self.busy = True
        self.chosen: list[int] = []
        self.blank_inputs: list[UndoableInput] = []
        self.suggested: int | None = None
        self.shown_at = time.monotonic()
        self._idle_gc: Timer | None = None

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-top"):
            yield Static("", id="deck-line")
            yield Static("", id="counts")
        yield ProgressBar(id="progress", show_eta=False)
        with CardScroll(id="card-scroll"):
            yield Static("", id="card-kind")
            # Links are handled below: a card's image or sound is a media: link.
            yield Markdown("", id="question", open_links=False)
            yield CardMedia(id="question-media")
            yield Markdown("", id="choices")
            yield Static("", id="feedback")
            yield Markdown("", id="answer", open_links=False)
            yield CardMedia(id="answer-media")
        with Vertical(id="answer-box"):
            yield AnswerInput(placeholder="Your answer (optional)", id="typed", compact=True)
            yield Horizontal(id="blanks")
        yield Static("Loading today's cards…", id="mode")
        yield GradeBar(id="grades")
        yield Static("", id="summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#card-scroll").can_focus = True
        self.set_display(("#grades", "#summary", "#answer", "#choices", "#answer-box"), False)
        self.start()

    def set_display(self, selectors: tuple[str, ...], shown: bool) -> None:
        for selector in selectors:
            self.query_one(selector).display = shown

    # -- loading cards (threads) -------------------------------------------------

    def _next_view(self) -> CardView | DoneView:
        session = self.session
        assert session is not None
        card = session.current()
        entry = session.current_entry
        if card is None or entry is None:
            return DoneView(session.summary())
        return CardView(
            card,
            entry.kind,
            session.counts(),
            session.progress(),
            session.grade_preview(),
            session.shown_early(),
            session.comes_back_in(),
        )

    @work(thread=True, group="review", exit_on_error=False)
    def start(self) -> None:
        service = service_of(self)
        entries = None if self.more is None else service.study_more(self.more)
        self.session = ReviewSession(service, self.deck_id, entries)
        self.app.call_from_thread(self.show, self._next_view())

    @work(thread=True, group="review", exit_on_error=False)
    def submit_grade(self, quality: int, seconds: float) -> None:
        assert self.session is not None
        outcome = self.session.answer(quality, seconds)
        if outcome.leech:
            service = service_of(self)
            rule = service.settings.leech_rule
            done = "suspended" if rule.action == "suspend" else "flagged"
            self.app.call_from_thread(
                self.notify,
                f"Leech: that card has lapsed {rule.threshold} times or more and is {done} "
                "(tag:leech in Browse): rewrite it in its deck file.",
                severity="warning",
                timeout=10,
            )
        self.app.call_from_thread(self.show, self._next_view())

    @work(thread=True, group="review", exit_on_error=False)
    def undo(self) -> None:
        assert self.session is not None
        try:
            self.session.undo()
        except NothingToUndo as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            self.app.call_from_thread(self._unbusy)
            return
        self.app.call_from_thread(self.notify, "Answer undone: the card is back.")
        self.app.call_from_thread(self.show, self._next_view())

    @work(thread=True, group="review", exit_on_error=False)
    def suspend(self) -> None:
        assert self.session is not None
        self.session.suspend_current()
        self.app.call_from_thread(
            self.notify, "Card suspended; unsuspend it from Browse (b on Home)."
        )
        self.app.call_from_thread(self.show, self._next_view())

    def _unbusy(self) -> None:
        self.busy = False

    # Keys that act on the card on screen: hidden from the footer and the
    # palette while there is none (loading, or the end-of-session summary).
    CARD_ACTIONS = frozenset({"suspend", "edit_source", "view_solution"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.CARD_ACTIONS:
            return self.phase in ("question", "answer")
        return True

    def worker_failed(self, worker: Worker[object]) -> None:
        # The notice says what failed; the keys must work again, and a
        # session that never loaded leaves only the way home.
        self.busy = False
        if self.session is None:
            self.query_one("#mode", Static).update(
                "Today's cards could not be loaded · [b]Esc[/b] back home"
            )

    # -- showing a card ------------------------------------------------------------

    def show(self, view: CardView | DoneView) -> None:
        self.busy = False
        if isinstance(view, DoneView):
            self.show_summary(view.summary)
            return
        self.view = view
        if self.phase == "done":  # an undo after the summary brings the card back
            self.set_display(("#card-scroll", "#review-top", "#progress"), True)
            self.query_one("#summary").display = False
        self.phase = "question"
        self.refresh_bindings()
        self.chosen = []
        self.suggested = None
        self.shown_at = time.monotonic()
        if self._idle_gc is not None:
            self._idle_gc.stop()
        self._idle_gc = self.set_timer(IDLE_COLLECT_SECONDS, idle_collect)
        card = view.card.card
        deck = view.card.deck_title
        self.query_one("#deck-line", Static).update(f"[b]{markup_safe(deck)}[/b]")
        counts = view.counts
        self.query_one("#counts", Static).update(
            f"[b $primary]{counts.new}[/] new · [b $warning]{counts.learning}[/] learning · "
            f"[b $success]{counts.review}[/] review"
        )
        done, total = view.progress
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        kind = {
            "new": "new card",
            "learning": "again today (its schedule stays as first graded)",
            "review": "review",
        }[view.kind]
        if view.early is not None:
            kind = f"again today, early: nothing else is left (due in {format_wait(view.early)})"
        line = f"{TYPE_NAMES[card.type]} · {kind} · {done + 1} of {total}"
        if view.previous_back_in is not None:
            line += f" · last card again in {format_wait(view.previous_back_in)}"
        self.query_one("#card-kind", Static).update(line)
        self.query_one("#question", Markdown).update(question_markdown(card))
        self.query_one("#question-media", CardMedia).show(question_markdown(card))
        self.query_one("#answer", Markdown).update("")
        self.query_one("#answer-media", CardMedia).show("")
        self.query_one("#feedback", Static).update("")
        self.set_display(("#grades", "#answer", "#feedback"), False)
        choices = self.query_one("#choices", Markdown)
        choices.display = isinstance(card, MCQCard)
        if isinstance(card, MCQCard):
            choices.update(choice_lines(card))
        self.prepare_answer_box(card)
        self.query_one("#card-scroll").scroll_home(animate=False)
        self.query_one("#mode", Static).update(self.question_hint())

    def prepare_answer_box(self, card: object) -> None:
        box = self.query_one("#answer-box")
        typed = self.query_one("#typed", AnswerInput)
        blanks = self.query_one("#blanks", Horizontal)
        blanks.remove_children()
        self.blank_inputs = []
        typed.value = ""
        typed.clear_history()
        typed.disabled = False
        if isinstance(card, ConceptCard | QACard):
            box.display = True
            typed.display = True
            blanks.display = False
            typed.focus()
        elif isinstance(card, ClozeCard):
            box.display = True
            typed.display = False
            blanks.display = True
            inputs = [
                UndoableInput(placeholder=f"blank {i + 1}", classes="blank", compact=True)
                for i in range(len(card.blanks))
            ]
            # Kept rather than queried: the previous card's inputs may still be
            # on their way out of the DOM.
            self.blank_inputs = inputs
            blanks.mount_all(inputs)
            inputs[0].focus()
        else:
            box.display = False
            self.query_one("#card-scroll").focus()

    def question_hint(self) -> str:
        assert self.view is not None
        card = self.view.card.card
        if isinstance(card, MCQCard):
            last = len(card.choices)
            if len(card.correct_indices) > 1:
                return (
                    f"[b reverse] CHOOSE [/] keys [b]1[/b]–[b]{last}[/b] toggle options "
                    f"({len(card.correct_indices)} are right) · [b]Enter[/b] checks"
                )
            return f"[b reverse] CHOOSE [/] press [b]1[/b]–[b]{last}[/b] to pick your answer"
        if isinstance(card, ClozeCard):
            return "[b reverse] FILL IN [/] type each blank · [b]Tab[/b] next · [b]Enter[/b] checks"
        if isinstance(card, ChallengeCard):
            return (
                "[b reverse] BUILD [/] [b]Enter[/b] opens the editor: a passed check grades "
                "the card · [b]v[/b] shows the solution to grade yourself"
            )
        return (
            "[b reverse] ANSWER [/] type it if you like · [b]Enter[/b] shows the answer · "
            "[b]Esc[/b] leaves the box"
        )

    # -- revealing -------------------------------------------------------------------

    def reveal(self) -> None:
        if self.phase != "question" or self.busy or self.view is None:
            return
        card = self.view.card.card
        feedback: list[str] = []
        if isinstance(card, QACard | ConceptCard):
            typed = self.query_one("#typed", AnswerInput).value
            if typed.strip():
                feedback.append(f"[dim]You wrote:[/dim] {markup_safe(typed)}")
            if isinstance(card, QACard) and card.key_points:
                hits = key_point_hits(typed, card.key_points)
                if typed.strip():
                    marks = "   ".join(
                        f"[$success]✓[/] {markup_safe(h.key_point)}"
                        if h.mentioned
                        else f"[$warning]≈[/] {markup_safe(h.key_point)} (almost)"
                        if h.almost
                        else f"[$error]✗[/] {markup_safe(h.key_point)}"
                        for h in hits
                    )
                    feedback.append(f"Key points: {marks}")
                else:
                    feedback.append(
                        "Key points: " + ", ".join(markup_safe(k) for k in card.key_point_names)
                    )
                self.suggested = suggest_qa_grade(typed, hits)
        elif isinstance(card, MCQCard):
            right = sorted(card.correct_indices)
            self.suggested = int(suggest_mcq_grade(self.chosen, right))
            self.query_one("#choices", Markdown).update(
                choice_lines(card, self.chosen, revealed=True)
            )
            numbers = ", ".join(str(i + 1) for i in right)
            if sorted(self.chosen) == right:
                feedback.append("[b $success]✓ Right.[/]")
            else:
                feedback.append(f"[b $error]✗ Not quite[/] — the right answer: [b]{numbers}[/b].")
        elif isinstance(card, ClozeCard):
            typed_blanks = [inp.value for inp in self.blank_inputs]
            checked = check_cloze(card, typed_blanks)
            self.suggested = int(checked.suggested)
            for index, result in enumerate(checked.results):
                given = markup_safe(result.typed.strip()) or "(empty)"
                expected = markup_safe(result.canonical)
                if result.verdict is Verdict.RIGHT:
                    feedback.append(f"[$success]✓[/] blank {index + 1}: {given}")
                elif result.verdict is Verdict.ALMOST:
                    feedback.append(
                        f"[$warning]≈[/] blank {index + 1}: {given} — almost: [b]{expected}[/b]"
                    )
                else:
                    feedback.append(
                        f"[$error]✗[/] blank {index + 1}: {given} — answer: [b]{expected}[/b]"
                    )
        elif isinstance(card, ChallengeCard):
            feedback.append(
                "[dim]Grade how close your own model was to this solution "
                "(a check in the editor grades it for you).[/dim]"
            )
        self.phase = "answer"
        for inp in [self.query_one("#typed", AnswerInput), *self.blank_inputs]:
            inp.disabled = True
        # What was typed is echoed in the feedback; the box itself only takes room.
        self.query_one("#answer-box").display = False
        answer = self.query_one("#answer", Markdown)
        answer.update(answer_markdown(card))
        answer.display = bool(answer_markdown(card))
        self.query_one("#answer-media", CardMedia).show(answer_markdown(card))
        feedback_widget = self.query_one("#feedback", Static)
        feedback_widget.update("\n".join(feedback))
        feedback_widget.display = bool(feedback)
        self.query_one("#card-scroll").focus()
        grades = self.query_one(GradeBar)
        grades.show(self.view.preview, self.suggested)
        grades.display = True
        default = self.suggested if self.suggested is not None else DEFAULT_GRADE
        hint = "suggested" if self.suggested is not None else "or choose"
        self.query_one("#mode", Static).update(
            f"[b reverse] GRADE [/] press [b]0[/b]–[b]5[/b] · [b]Enter[/b] = "
            f"{default} {Quality(default).label} ({hint})"
        )

    # -- keys --------------------------------------------------------------------------

    def action_digit(self, digit: int) -> None:
        if self.busy or self.view is None:
            return
        card = self.view.card.card
        if self.phase == "answer":
            if digit <= 5:
                self.grade(digit)
            return
        if self.phase == "question" and isinstance(card, MCQCard):
            index = digit - 1
            if not 0 <= index < len(card.choices):
                self.app.bell()
                return
            if len(card.correct_indices) == 1:
                self.chosen = [index]
                self.reveal()
                return
            if index in self.chosen:
                self.chosen.remove(index)
            else:
                self.chosen.append(index)
            self.query_one("#choices", Markdown).update(choice_lines(card, self.chosen))

    def action_view_solution(self) -> None:
        if (
            self.phase == "question"
            and self.view
            and isinstance(self.view.card.card, ChallengeCard)
        ):
            self.reveal()

    @work(thread=True, group="review", exit_on_error=False)
    def open_challenge(self) -> None:
        from quizdl.tui.screens.challenge import ChallengeScreen

        assert self.view is not None
        card = self.view.card
        info = service_of(self).challenges.find_challenge(f"{card.deck_id}/{card.card_id}")
        self.app.call_from_thread(
            self.app.push_screen, ChallengeScreen(info), self._challenge_closed
        )

    def _challenge_closed(self, _: None = None) -> None:
        self.busy = True
        self.settle_challenge()

    @work(thread=True, group="review", exit_on_error=False)
    def settle_challenge(self) -> None:
        """A check that passed in the editor graded the card: move on with that grade."""
        assert self.session is not None
        outcome = self.session.settle_current()
        if outcome is None:
            self.app.call_from_thread(self._unbusy)
            return
        label = Quality(outcome.quality).label
        self.app.call_from_thread(
            self.notify, f"Graded {outcome.quality} ({label}) by the checker."
        )
        self.app.call_from_thread(self.show, self._next_view())

    def action_primary(self) -> None:
        if self.phase == "question":
            if self.view and isinstance(self.view.card.card, ChallengeCard):
                if not self.busy:
                    self.open_challenge()
                return
            if self.view and isinstance(self.view.card.card, MCQCard) and not self.chosen:
                self.notify("Pick an option first (number keys).", severity="warning")
                return
            self.reveal()
        elif self.phase == "answer":
            self.grade(self.suggested if self.suggested is not None else DEFAULT_GRADE)
        elif self.phase == "done":
            self.dismiss()

    def grade(self, quality: int) -> None:
        if self.busy or self.phase != "answer":
            return
        refusal = service_of(self).answering.refusal()
        if refusal:
            self.notify(refusal, severity="warning", markup=False)
            return
        self.busy = True
        seconds = min(time.monotonic() - self.shown_at, MAX_ANSWER_SECONDS)
        self.submit_grade(quality, seconds)

    def on_click(self, event: Click) -> None:
        # The mode line is the "show answer" / "accept grade" button for mice,
        # and an MCQ option is chosen by clicking it.
        if event.widget is None:
            return
        if event.widget.id == "mode":
            self.action_primary()
            return
        index = self.clicked_choice(event.widget)
        if index is not None:
            self.action_digit(index + 1)

    def clicked_choice(self, widget: Widget) -> int | None:
        """The index of the MCQ option under the pointer: the choices are one
        Markdown list, so the option is the list item the click landed in."""
        choices = self.query_one("#choices", Markdown)
        node: DOMNode | None = widget
        while node is not None and node.parent is not None:
            listing = node.parent
            if listing.parent is choices:
                return list(listing.children).index(node)  # type: ignore[arg-type]
            node = listing
        return None

    @on(GradeBar.Graded)
    def grade_clicked(self, event: GradeBar.Graded) -> None:
        self.grade(event.quality)

    @on(AnswerInput.RevealRequested)
    def reveal_requested(self) -> None:
        self.reveal()

    @on(Input.Submitted, "#typed")
    def typed_submitted(self) -> None:
        self.reveal()

    @on(Input.Submitted, ".blank")
    def blank_submitted(self, event: Input.Submitted) -> None:
        blanks = self.blank_inputs
        empty = [inp for inp in blanks if not inp.value.strip() and inp is not event.input]
        if empty and event.input is not blanks[-1]:
            empty[0].focus()
            return
        self.reveal()

    @on(Markdown.LinkClicked)
    def link_clicked(self, event: Markdown.LinkClicked) -> None:
        """A clicked image or sound opens in the system viewer; other links in a browser."""
        if not event.href.startswith("media:"):
            self.app.open_url(event.href)
            return
        from quizdl.media import open_externally, path_of

        path = path_of(event.href.removeprefix("media:"))
        if path is None:
            self.notify("That file is not in the media folder.", severity="warning", markup=False)
            return
        problem = open_externally(path)
        if problem is not None:
            self.notify(problem, severity="warning", markup=False)

    def action_open_media(self) -> None:
        """Open the shown side's images and sounds in the system viewer/player."""
        paths = [
            *self.query_one("#question-media", CardMedia).paths(),
            *self.query_one("#answer-media", CardMedia).paths(),
        ]
        if not paths:
            self.notify("This card has no image or sound to open.", markup=False)
            return
        from quizdl.media import open_externally

        for path in paths[:4]:
            problem = open_externally(path)
            if problem is not None:
                self.notify(problem, severity="warning", markup=False)
                return
        self.notify(f"Opened {len(paths[:4])} file(s) in the system viewer.", markup=False)

    def action_undo(self) -> None:
        if self.busy or self.session is None:
            return
        self.busy = True
        self.query_one("#summary").display = False
        self.undo()

    def action_suspend(self) -> None:
        if self.busy or self.phase not in ("question", "answer"):
            return
        self.busy = True
        self.suspend()

    def action_leave(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#card-scroll").focus()
            return
        self.dismiss()

    def action_edit_source(self) -> None:
        if self.view is None or self.phase == "done":
            return
        open_card_source(self.app, self.view.card)

    # -- the end ---------------------------------------------------------------------------

    def show_summary(self, summary: SessionSummary) -> None:
        self.phase = "done"
        self.refresh_bindings()
        self.view = None
        self.set_display(
            ("#card-scroll", "#answer-box", "#grades", "#review-top", "#progress"), False
        )
        accuracy = "—" if summary.accuracy is None else f"{summary.accuracy:.0%}"
        next_due = summary.next_due.strftime("%a %d %b %Y") if summary.next_due else "nothing"
        if summary.reviewed == 0:
            title = "[b]Nothing to review here today.[/b]"
        else:
            title = "[b]Session complete.[/b] Well done."
        lines = [
            title,
            "",
            f"Cards reviewed   [b]{summary.cards}[/b] ({summary.reviewed} answers)",
            f"Accuracy         [b]{accuracy}[/b] graded 3 or better",
            f"Time             [b]{format_seconds(summary.seconds)}[/b]",
            f"Next due         [b]{next_due}[/b]",
        ]
        summary_widget = self.query_one("#summary", Static)
        summary_widget.update("\n".join(lines))
        summary_widget.display = True
        self.query_one("#mode", Static).update(
            "[b]Enter[/b] or [b]Esc[/b] back home · [b]u[/b] undo the last answer"
        )
