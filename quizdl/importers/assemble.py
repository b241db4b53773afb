"""Turning found question/answer items into a validated Deck, the same way for every format."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from quizdl.decks.model import Card, ClozeCard, Deck, QACard
from quizdl.importers.ids import content_key, slugify
from quizdl.importers.refuse import MAX_CARDS, refuse
from quizdl.importers.source import ImportOptions, Skip

# Answers people leave in question lists before writing the real one.
_PLACEHOLDERS = {"", "answer here", "todo", "tbd", "tba", "answer", "...", "…", "?", "-", "n/a"}


# "The rest of the answer is [here](…)": a pointer to an answer, not one.
_POINTER = re.compile(
    r"^(the )?(rest of the |full |complete )?(answer|solution|explanation)( is| can be found)?"
    r" (here|there|at|in|on)( the)?( link| page)?$|^(see|read( more)?|answer|details)"
    r"( it)? (here|at the link|link)$"
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP_OR_SPACE = re.compile(r"[*_`>#\s]+")


def is_placeholder(answer: str) -> bool:
    text = _LINK.sub(r"\1", answer) if "[" in answer else answer  # a link needs a "["
    text = _MARKUP_OR_SPACE.sub(" ", text).strip().rstrip(".:!").strip().casefold()
    return text in _PLACEHOLDERS or text.startswith("todo") or bool(_POINTER.match(text))


@dataclass
class DeckBuilder:
    path: Path
    options: ImportOptions
    cards: list[Card] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    unanswered_skipped: int = 0
    _ids: dict[str, str] = field(default_factory=dict)  # card id -> where it came from
    _questions: dict[str, str] = field(default_factory=dict)  # content key -> where
    # Set by build: the deck id was named (--deck, or the file's own mark of a
    # quizdl deck), not made from a title or a file name.
    deck_id_given: bool = False

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(Skip(where, reason))

    def _claim(self, card_id: str, where: str) -> bool:
        if len(self.cards) >= MAX_CARDS:
            refuse(
                self.path,
                f"more than {MAX_CARDS:,} cards (at {where}); the limit is the same for every "
                "format: split the source",
            )
        if card_id in self._ids:
            self.skip(where, f"same id as {self._ids[card_id]} ({card_id}); kept the first")
            return False
        self._ids[card_id] = where
        return True

    def add_qa(
        self,
        card_id: str,
        question: str,
        answer: str,
        tags: Sequence[str],
        where: str,
        *,
        dedupe_question: bool = False,
        question_key: str | None = None,
    ) -> bool:
        """``question_key``: the question's ``content_key`` when the caller has it already
        (it made the card id from it), so it is not computed twice."""
        question, answer = question.strip(), answer.strip()
        if not question:
            self.skip(where, "empty question")
            return False
        if is_placeholder(answer):
            if not self.options.keep_unanswered:
                self.unanswered_skipped += 1
                shown = f"placeholder answer {answer!r}" if answer else "no answer"
                self.skip(where, f"{shown} (use --keep-unanswered to import it as a question)")
                return False
            # A pointer keeps its link: the learner can still follow it.
            answer = answer if _LINK.search(answer) else ""
        key = "" if not dedupe_question else question_key or content_key(question)
        if dedupe_question and key in self._questions:
            self.skip(where, f"same question as {self._questions[key]}; kept the first")
            return False
        if not self._claim(card_id, where):
            return False
        try:
            card = QACard(type="qa", id=card_id, question=question, answer=answer, tags=_tags(tags))
        except ValidationError as exc:
            self.skip(where, _first_error(exc))
            return False
        if dedupe_question:
            self._questions[key] = where
        self.cards.append(card)
        return True

    def add_cloze(
        self, card_id: str, text: str, hint: str | None, tags: Sequence[str], where: str
    ) -> bool:
        if not self._claim(card_id, where):
            return False
        try:
            card = ClozeCard(
                type="cloze", id=card_id, text=text, hint=hint or None, tags=_tags(tags)
            )
        except ValidationError as exc:
            self.skip(where, _first_error(exc))
            return False
        self.cards.append(card)
        return True

    def build(
        self, title: str, default_id: str, *, description: str = "", named: bool = False
    ) -> Deck:
        """``named``: ``default_id`` is the id the file gives its deck."""
        if not self.cards:
            reasons = sorted({skip.reason for skip in self.skipped})[:3]
            detail = (
                f" ({len(self.skipped)} item(s) skipped: {'; '.join(reasons)})" if reasons else ""
            )
            refuse(self.path, f"no cards found{detail}")
        deck_id = self.options.deck_id or slugify(default_id)
        self.deck_id_given = self.options.deck_id is not None or named
        try:
            return Deck(
                id=deck_id,
                title=title.strip() or deck_id,
                description=description,
                cards=tuple(self.cards),
            )
        except ValidationError as exc:
            refuse(self.path, f"cannot build the deck: {_first_error(exc)}")


def _tags(tags: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = tag.strip()
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
