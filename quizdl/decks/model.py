"""The deck format: pydantic models that every deck file must satisfy.

Validation is strict on purpose (unknown keys, wrong types, duplicate ids are
errors) because a deck is the learner's data: a silently ignored typo would
lose a card. The models are frozen so a loaded deck can be shared freely.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from quizdl.challenges.spec import ChallengeSpec

CARD_TYPES: tuple[str, ...] = ("concept", "qa", "mcq", "cloze", "challenge")

# Ids end up in file names, URLs of the TUI and CLI arguments: no whitespace,
# nothing that needs quoting in a shell.
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$"),
]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
KeyPointSynonyms = Annotated[tuple[NonEmpty, ...], Field(min_length=1)]

CLOZE_BLANK = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)
# Inside a blank, "|" separates accepted answers and "\|" is a literal pipe
# (an absolute value, a shell pipe).
_ALTERNATIVE_SEPARATOR = re.compile(r"(?<!\\)\|")


def blank_alternatives(raw: str) -> tuple[str, ...]:
    """A blank's accepted answers, canonical first: ``{{a|b\\|c}}`` -> ("a", "b|c").

    Empty alternatives are dropped; a blank with nothing in it is ("",), so a
    card always has one canonical answer per blank.
    """
    parts = (part.replace("\\|", "|").strip() for part in _ALTERNATIVE_SEPARATOR.split(raw))
    return tuple(part for part in parts if part) or ("",)


def canonical_blank(raw: str) -> str:
    """What the card shows as a blank's answer: its first alternative."""
    return blank_alternatives(raw)[0]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class _CardBase(_Strict):
    id: Identifier
    tags: tuple[str, ...] = ()
    source: str | None = Field(default=None, description="The guide section this card teaches.")


class ConceptCard(_CardBase):
    type: Literal["concept"]
    term: NonEmpty
    explanation: NonEmpty = Field(description="Markdown.")
    formula: str | None = Field(
        default=None, description="Unicode, so it reads well in a terminal."
    )


class QACard(_CardBase):
    type: Literal["qa"]
    question: NonEmpty
    answer: str = Field(
        description="Markdown model answer; empty only for imported unanswered questions."
    )
    key_points: tuple[NonEmpty | KeyPointSynonyms, ...] = Field(
        default=(),
        description=(
            "Short phrases a good answer mentions. A point may be a list of synonyms; "
            "the first is the one shown."
        ),
    )

    @property
    def key_point_synonyms(self) -> tuple[tuple[str, ...], ...]:
        """Each key point as its accepted phrasings, the shown one first."""
        return tuple((point,) if isinstance(point, str) else point for point in self.key_points)

    @property
    def key_point_names(self) -> tuple[str, ...]:
        """Each key point as shown: its first phrasing."""
        return tuple(synonyms[0] for synonyms in self.key_point_synonyms)


class MCQCard(_CardBase):
    type: Literal["mcq"]
    question: NonEmpty
    choices: tuple[NonEmpty, ...] = Field(min_length=2)
    answer: int | tuple[int, ...] = Field(
        description="Index (0-based) or list of indices of the right choices."
    )
    explanation: str = ""

    @model_validator(mode="after")
    def _answer_in_range(self) -> MCQCard:
        indices = self.correct_indices
        if not indices:
            raise ValueError("answer: at least one correct choice is needed")
        for index in indices:
            if not 0 <= index < len(self.choices):
                raise ValueError(
                    f"answer: index {index} is out of range for {len(self.choices)} choices "
                    f"(indices start at 0)"
                )
        if len(set(indices)) != len(indices):
            raise ValueError("answer: an index is listed twice")
        return self

    @property
    def correct_indices(self) -> tuple[int, ...]:
        return (self.answer,) if isinstance(self.answer, int) else self.answer


class ClozeCard(_CardBase):
    type: Literal["cloze"]
    text: NonEmpty = Field(
        description=(
            "Text with blanks marked {{answer}}; several allowed. A blank may accept "
            "alternatives, {{shown|also right}}; write a literal pipe as \\|."
        )
    )
    hint: str | None = None

    @field_validator("text")
    @classmethod
    def _has_blank(cls, text: str) -> str:
        if not CLOZE_BLANK.search(text):
            raise ValueError("expected at least one blank written as {{answer}}")
        return text

    @property
    def blanks(self) -> tuple[str, ...]:
        """Each blank's canonical answer, the one the card shows."""
        return tuple(answers[0] for answers in self.blank_answers)

    @property
    def blank_answers(self) -> tuple[tuple[str, ...], ...]:
        """Each blank's accepted answers, canonical first."""
        return tuple(blank_alternatives(match) for match in CLOZE_BLANK.findall(self.text))


class ChallengeCard(_CardBase):
    type: Literal["challenge"]
    title: NonEmpty
    prompt: NonEmpty = Field(description="Markdown: what model to build.")
    starter: NonEmpty = Field(description="Python code the learner starts from.")
    solution: NonEmpty = Field(description="Reference solution; only run when asked.")
    expect: ChallengeSpec


Card = Annotated[
    ConceptCard | QACard | MCQCard | ClozeCard | ChallengeCard,
    Field(discriminator="type"),
]


class Deck(_Strict):
    id: Identifier
    title: NonEmpty
    description: str = ""
    version: int | str = 1
    tags: tuple[str, ...] = ()
    cards: tuple[Card, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_card_ids(self) -> Deck:
        seen: set[str] = set()
        for card in self.cards:
            if card.id in seen:
                raise ValueError(
                    f"duplicate card id {card.id!r}: card ids must be unique in a deck"
                )
            seen.add(card.id)
        return self
