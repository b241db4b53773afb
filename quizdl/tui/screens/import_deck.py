"""Import: pick a file, validate it, preview what changes, confirm.

Any format ``quizdl.importers`` reads (YAML decks, Anki packages, CSV,
Markdown, JSON). Nothing is stored until the learner confirms; a deck with
errors is shown with each problem's location and is never imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, Input, Static

from quizdl.study.values import ImportPlan
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import service_of
from quizdl.tui.text import markup_safe, one_line
from quizdl.tui.widgets.footer import Footer
from quizdl.tui.widgets.path_suggester import PathSuggester

LISTED_IDS = 8
CLI_FLAG = "--keep-unanswered"
SCREEN_OPTION = "the “Keep questions” box"
# A listed prompt is clipped to one line of what the result area leaves after its
# scroll bar (kept free: a long report gets one) and the list's indent.
LIST_INDENT = len("        · ")
PROMPT_WIDTH = 100  # at most, however wide the screen


@dataclass(frozen=True)
class Preview:
    source: object  # quizdl.importers.ImportSource, kept opaque to stay import-light
    plan: ImportPlan
    notes: list[str]
    prompts: dict[str, str]  # card id -> what the learner will see first


def card_list(ids: list[str], prompts: dict[str, str], width: int = PROMPT_WIDTH) -> str:
    """The first few cards by their prompt (an id says nothing to a learner), each
    on one line of ``width`` cells."""
    lines = [
        f"\n        · {markup_safe(one_line(prompts.get(card_id) or card_id, width))}"
        for card_id in ids[:LISTED_IDS]
    ]
    if len(ids) > LISTED_IDS:
        lines.append(f"\n        … and {len(ids) - LISTED_IDS} more")
    return "".join(lines)


def plan_markup(
    plan: ImportPlan, notes: list[str], prompts: dict[str, str], width: int = PROMPT_WIDTH
) -> str:
    """The preview; ``width``: the cells a listed card's prompt may take."""
    verb = "Update" if plan.deck_exists else "Create"
    lines = [f"[b]{verb} deck {markup_safe(plan.deck_title)}[/b] ({markup_safe(plan.deck_id)})", ""]
    if plan.other_source is not None:
        # The command line refuses this without --replace; here the preview is the
        # question, so it says first, before the card lists, what a confirm does.
        warning = (
            f"Deck {plan.deck_id!r} was imported from {plan.other_source}. This is another "
            f"file: importing it retires {len(plan.retired)} of the deck's "
            f"{plan.active_before} cards (they keep their history and come back if that "
            "file is imported again)."
        )
        lines[1:1] = [f"[b $warning]⚠[/] {markup_safe(warning)}"]
    if plan.retyped:
        # From CSV or Anki, a copy that no longer reads as its kind: say so before
        # the confirm turns a challenge or a multiple-choice card into a question.
        kinds = ", ".join(sorted({f"{old} → {new}" for old, new in plan.retyped.values()}))
        warning = f"{len(plan.retyped)} updated card(s) change kind ({markup_safe(kinds)}):"
        lines.insert(
            2 if plan.other_source is not None else 1,
            f"[b $warning]⚠[/] {warning}{card_list(list(plan.retyped), prompts, width)}",
        )
    for label, ids, colour in (
        ("new", plan.new, "$success"),
        ("updated", plan.updated, "$warning"),
        ("retired", plan.retired, "$error"),
        ("restored", plan.restored, "$success"),
    ):
        detail = card_list(ids, prompts, width)
        lines.append(f"[{colour}]{len(ids):>5}[/] {label}{detail}")
    lines.append(f"[dim]{len(plan.unchanged):>5} unchanged[/dim]")
    lines.extend(f"[dim]{markup_safe(note)}[/dim]" for note in notes)
    lines.append("")
    if plan.changes:
        lines.append("[b]ctrl+s[/b] imports it · review history is kept by card id")
    else:
        lines.append("Nothing would change.")
    return "\n".join(lines)


class ImportScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Import", priority=True),
        Binding("tab", "complete", "Complete path", show=False, priority=True),
        Binding("escape", "app.pop_screen", "Home"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preview: Preview | None = None

    def compose(self) -> ComposeResult:
        yield Static("Import a deck", classes="screen-title")
        yield Static(
            "A YAML deck, an Anki package (.apkg/.colpkg), CSV, Markdown or JSON. "
            "[b]Tab[/b] or [b]→[/b] completes the path, [b]Enter[/b] validates.",
            id="import-help",
        )
        yield Input(placeholder="Path to a deck file", id="path", suggester=PathSuggester())
        yield Checkbox(
            "Keep questions that have no answer yet (Markdown lists, exercises)",
            id="keep-unanswered",
            compact=True,
        )
        with VerticalScroll(id="import-result"):
            yield Static("", id="import-report")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#path").focus()

    def action_complete(self) -> None:
        path = self.query_one("#path", Input)
        if self.focused is path and path.cursor_at_end:
            path.action_cursor_right()  # at the end of the text this takes the suggestion
        else:
            self.focus_next()

    @on(Input.Changed, "#path")
    def path_changed(self) -> None:
        self.preview = None

    @on(Input.Submitted, "#path")
    def validate(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if not raw:
            return
        self.report("Reading and validating…")
        self.read(Path(raw).expanduser(), self.query_one("#keep-unanswered", Checkbox).value)

    @on(Checkbox.Changed, "#keep-unanswered")
    def keep_unanswered_changed(self) -> None:
        # The preview shows what a confirm would store: read the file again.
        raw = self.query_one("#path", Input).value.strip()
        if raw:
            self.preview = None
            self.report("Reading and validating…")
            self.read(Path(raw).expanduser(), self.query_one("#keep-unanswered", Checkbox).value)

    def report(self, markup: str) -> None:
        self.query_one("#import-report", Static).update(markup)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def read(self, path: Path, keep_unanswered: bool) -> None:
        from quizdl.decks.content import prompt_of
        from quizdl.decks.errors import DeckError
        from quizdl.importers import ImportOptions, read_source
        from quizdl.study.errors import StudyError

        try:
            source = read_source(path, ImportOptions(keep_unanswered=keep_unanswered))
            plan = service_of(self).plan_import(
                source.deck, source_path=str(path.resolve()), traits=source.traits
            )
        except DeckError as exc:
            problems = "\n".join(f"[$error]✗[/] {markup_safe(str(p))}" for p in exc.problems)
            count = len(exc.problems)
            self.app.call_from_thread(
                self.report,
                f"[b $error]Not importable[/] — {count} problem{'s' if count != 1 else ''}; "
                f"nothing was stored.\n\n{problems}",
            )
            return
        except StudyError as exc:
            self.app.call_from_thread(self.report, f"[b $error]Refused:[/] {markup_safe(str(exc))}")
            return
        # The importers speak the CLI's language; here the flag is a checkbox.
        notes = [str(skip).replace(CLI_FLAG, SCREEN_OPTION) for skip in source.skipped[:LISTED_IDS]]
        if len(source.skipped) > LISTED_IDS:
            notes.append(f"… and {len(source.skipped) - LISTED_IDS} more skipped")
        if source.media.any:
            notes.append(source.media.describe())
        notes.extend(note.replace(CLI_FLAG, SCREEN_OPTION) for note in source.notes)
        prompts = {card.id: prompt_of(card.model_dump(mode="json")) for card in source.deck.cards}
        # Retired cards are not in the file: their prompts come from the collection
        # (an id such as q-894fd832bb19c84e says nothing about what goes).
        for card_id in plan.retired[:LISTED_IDS]:
            try:
                stored = service_of(self).find_card(card_id, plan.deck_id)
            except StudyError:
                continue  # gone meanwhile: the id is shown
            prompts[card_id] = prompt_of(stored.card.model_dump(mode="json"))
        preview = Preview(source, plan, notes, prompts)
        self.app.call_from_thread(self.show_preview, preview)

    def show_preview(self, preview: Preview) -> None:
        self.preview = preview
        area = self.query_one("#import-result", VerticalScroll)
        room = area.content_region.width - area.styles.scrollbar_size_vertical - LIST_INDENT
        width = min(max(room, 20), PROMPT_WIDTH)
        self.report(plan_markup(preview.plan, preview.notes, preview.prompts, width))

    def on_resize(self) -> None:
        if self.preview is not None:
            self.show_preview(self.preview)  # each prompt stays on one line

    def action_confirm(self) -> None:
        if self.preview is None:
            self.notify("Validate a file first (Enter in the path box).", severity="warning")
            return
        if not self.preview.plan.changes:
            self.notify("Nothing to import: the deck is up to date.")
            return
        self.apply(self.preview)
        self.preview = None

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def apply(self, preview: Preview) -> None:
        from quizdl.importers import ImportSource

        source = preview.source
        assert isinstance(source, ImportSource)
        plan = service_of(self).import_deck(
            source.deck,
            source_path=str(source.path.resolve()),
            content_hash=source.content_hash,
            progress=source.progress,
            media=source.media.files,
            traits=source.traits,
        )
        message = (
            f"Imported {plan.deck_title}: {len(plan.new)} new, {len(plan.updated)} updated, "
            f"{len(plan.retired)} retired, {len(plan.restored)} restored."
        )
        self.app.call_from_thread(self.report, f"[b $success]✓[/] {markup_safe(message)}")
        self.app.call_from_thread(self.notify, message, title="Imported", markup=False)
