"""``quizdl decks lint``: authoring problems a valid deck can still have.

``decks validate`` says whether a file is a deck; this says whether its cards
are fair to a learner. Each rule below is a warning located at
``path:line:column`` through the loader's YAML nodes. Pure: no database, no
UI; the answer matcher is the one the review uses
(``quizdl.study.answer_check``), so a key point the linter passes is one the
review can find.

An allow-list accepts a warning on purpose: ``lint-allow.txt`` beside the
deck files (or files given with ``--allow``), one entry a line::

    deep-learning-guide/bp-two-layer-worked over-word-budget  # a worked derivation

``deck-id/*`` allows a rule for the whole deck (deck-level rules use ``*``).
Every entry needs a ``#`` reason.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from quizdl.decks.errors import DeckError, DeckProblem
from quizdl.decks.loader import compose, parse_deck, read_text
from quizdl.decks.model import (
    CLOZE_BLANK,
    Card,
    ChallengeCard,
    ClozeCard,
    ConceptCard,
    Deck,
    MCQCard,
    QACard,
)
from quizdl.study.answer_check import key_point_hits, words
from quizdl.study.answers.code import formula_source
from quizdl.study.answers.keras_names import SIGNATURES
from quizdl.study.answers.text import compact, number_value

ALLOW_FILE_NAME = "lint-allow.txt"

RULES: dict[str, str] = {
    "ambiguous-blank": "a blank with several natural spellings the checker cannot equate, "
    "and no alternatives",
    "empty-alternative": "a blank lists an empty alternative ({{a||b}})",
    "key-point-not-in-answer": "the card's own answer does not mention its key point",
    "key-point-too-generic": "a key point that almost any answer mentions",
    "mcq-length-cue": "the keyed answer is the longest choice in more than a third of "
    "the deck's MCQs",
    "mcq-without-explanation": "an MCQ that does not say why its answer is right",
    "duplicate-card": "two cards ask the same thing",
    "near-duplicate-card": "two cards say nearly the same thing and will interfere",
    "over-word-budget": "a card longer than one fact needs",
    "too-many-key-points": "a question that asks for more than four things at once",
}

# Minimum information: one card, one fact. Words on the side a learner recalls.
WORD_BUDGETS = {"qa": 80, "concept": 80, "mcq": 90, "cloze": 60}
MAX_KEY_POINTS = 4
# Two cards interfere when they share this share of their content words
# (Jaccard), or when a card's words are nearly all in another card of the
# same type: two clozes over one snippet look alike and blur together. A
# concept card restating a cloze's fact in another form is redundancy, not
# interference, so containment counts only within a type.
NEAR_DUPLICATE_SIMILARITY = 0.7
NEAR_DUPLICATE_CONTAINMENT = 0.9
MIN_WORDS_FOR_CONTAINMENT = 8
# Cards shorter than this many content words are too small to compare.
MIN_WORDS_TO_COMPARE = 5
PHRASE_WORDS = 3
# Answers that say nothing in particular; a key point two of them mention
# would be ticked for nearly anyone.
GENERIC_ANSWERS = (
    "1",
    "0",
    "Yes, it depends on the data and the model.",
    "It is a layer of the neural network with weights and biases.",
    "Train the model longer with more data and a smaller learning rate.",
    "The loss goes down as gradient descent updates the weights.",
    "It helps the model generalise to the test set instead of overfitting.",
    "It makes training faster and more stable.",
    "The output is a probability between 0 and 1 for each class.",
)
_MATH_FUNCTIONS = frozenset({"log", "ln", "exp", "sqrt", "tanh", "sigmoid", "softmax", "max"})
_STOP = frozenset(
    {
        *("a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be"),
        *("by", "with", "as", "at", "it", "its", "from", "into", "this", "that", "what"),
        *("which", "how", "why", "when", "does", "do", "each"),
    }
)


@dataclass(frozen=True)
class LintWarning:
    path: str
    line: int
    column: int
    deck_id: str
    card_id: str  # "*" for a warning about the whole deck
    rule: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.deck_id}/{self.card_id}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.rule}: {self.key}: {self.message}"

    def as_json(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "deck": self.deck_id,
            "card": self.card_id,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class AllowEntry:
    deck_id: str
    card_id: str
    rule: str
    reason: str
    where: str  # "file:line", for messages about the entry itself

    def allows(self, warning: LintWarning) -> bool:
        return (
            self.rule == warning.rule
            and self.deck_id == warning.deck_id
            and self.card_id in ("*", warning.card_id)
        )


@dataclass
class LintResult:
    warnings: list[LintWarning]
    allowed: list[LintWarning] = field(default_factory=list)
    unused: list[AllowEntry] = field(default_factory=list)


_ALLOW_LINE = re.compile(
    r"^(?P<deck>[^\s/]+)/(?P<card>\S+)\s+(?P<rule>[a-z-]+)\s*#\s*(?P<why>\S.*)$"
)


def parse_allow_list(text: str, name: str) -> list[AllowEntry]:
    """Entries of an allow-list file; DeckError naming each bad line."""
    entries: list[AllowEntry] = []
    problems: list[DeckProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ALLOW_LINE.match(line)
        if match is None:
            problems.append(
                DeckProblem(
                    name,
                    number,
                    1,
                    "",
                    "expected 'deck-id/card-id rule-name  # reason' (the reason is required)",
                )
            )
            continue
        if match["rule"] not in RULES:
            problems.append(
                DeckProblem(
                    name,
                    number,
                    match.start("rule") + 1,
                    "",
                    f"unknown rule {match['rule']!r}; rules: {', '.join(sorted(RULES))}",
                )
            )
            continue
        entries.append(
            AllowEntry(
                match["deck"],
                match["card"],
                match["rule"],
                match["why"].strip(),
                f"{name}:{number}",
            )
        )
    if problems:
        raise DeckError(problems)
    return entries


def apply_allow_list(warnings: Sequence[LintWarning], entries: Sequence[AllowEntry]) -> LintResult:
    kept: list[LintWarning] = []
    allowed: list[LintWarning] = []
    used: set[int] = set()
    for warning in warnings:
        hits = [index for index, entry in enumerate(entries) if entry.allows(warning)]
        if hits:
            allowed.append(warning)
            used.update(hits)
        else:
            kept.append(warning)
    unused = [entry for index, entry in enumerate(entries) if index not in used]
    return LintResult(kept, allowed, unused)


# -- locating ------------------------------------------------------------------------


@dataclass
class _Source:
    """One deck file: its text, its model and its YAML nodes, for locations."""

    path: str
    text: str
    deck: Deck
    root: yaml.Node
    line_starts: list[int]

    @classmethod
    def load(cls, path: Path) -> _Source:
        text = read_text(path)
        deck = parse_deck(text, str(path))
        root = compose(text, str(path))
        starts = [0] + [index + 1 for index, ch in enumerate(text) if ch == "\n"]
        return cls(str(path), text, deck, root, starts)

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index) - 1
        return line + 1, index - self.line_starts[line] + 1

    def mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def card_node(self, index: int) -> yaml.Node:
        cards = _get(self.root, "cards")
        assert isinstance(cards, yaml.SequenceNode)
        node: yaml.Node = cards.value[index]
        return node

    def field_at(self, index: int, name: str) -> tuple[int, int]:
        card = self.card_node(index)
        value = _get(card, name)
        return self.mark(value if value is not None else card)

    def text_at(self, index: int, name: str, needle: str) -> tuple[int, int]:
        """Where ``needle`` is written inside a card's field, else the field itself."""
        card = self.card_node(index)
        value = _get(card, name)
        if value is None:
            return self.mark(card)
        found = self.text.find(needle, value.start_mark.index, value.end_mark.index)
        return self.position(found) if found != -1 else self.mark(value)

    def item_at(self, index: int, name: str, item: int) -> tuple[int, int]:
        value = _get(self.card_node(index), name)
        if isinstance(value, yaml.SequenceNode) and item < len(value.value):
            return self.mark(value.value[item])
        return self.field_at(index, name)

    def warn(self, where: tuple[int, int], card_id: str, rule: str, message: str) -> LintWarning:
        return LintWarning(
            self.path, where[0], where[1], self.deck.id, card_id, rule, _visible(message)
        )


# Card text quoted in a message must not drive the terminal it is printed to:
# control characters and bidi overrides are shown as escapes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def _get(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                value: yaml.Node = value_node
                return value
    return None


# -- card text -----------------------------------------------------------------------


def _filled(card: ClozeCard) -> str:
    blanks = iter(card.blanks)
    return CLOZE_BLANK.sub(lambda _: next(blanks), card.text)


def _prompt(card: Card) -> str:
    """What the learner is asked; a cloze's blanks stay gaps, so siblings differ."""
    if isinstance(card, ConceptCard):
        return card.term
    if isinstance(card, ClozeCard):
        return CLOZE_BLANK.sub(" gap ", card.text)
    if isinstance(card, ChallengeCard):
        return card.title
    return card.question


def _content(card: Card) -> str:
    """The fact a card teaches: both sides, as the learner meets them."""
    if isinstance(card, QACard):
        return f"{card.question} {card.answer}"
    if isinstance(card, ConceptCard):
        return f"{card.term} {card.explanation}"
    if isinstance(card, MCQCard):
        keyed = " ".join(card.choices[index] for index in card.correct_indices)
        return f"{card.question} {keyed}"
    if isinstance(card, ClozeCard):
        return _filled(card)
    return f"{card.title} {card.prompt}"


def _recalled_words(card: Card) -> int | None:
    if isinstance(card, QACard):
        return len(card.answer.split())
    if isinstance(card, ConceptCard):
        return len(card.explanation.split())
    if isinstance(card, MCQCard):
        return len(card.question.split()) + sum(len(choice.split()) for choice in card.choices)
    if isinstance(card, ClozeCard):
        return len(card.text.split())
    return None


def _content_words(text: str) -> frozenset[str]:
    return frozenset(word for word in words(text) if word not in _STOP)


# -- per-card rules ------------------------------------------------------------------


def _ambiguity(answer: str) -> str | None:
    """Why a lone blank answer has spellings the checker cannot equate, or None."""
    value = compact(answer)
    if number_value(value) is not None:
        return None  # the checker compares numbers in every spelling it knows
    try:
        tree = ast.parse(formula_source(answer), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is None:
        if len(value.split()) >= PHRASE_WORDS:
            return f"a phrase of {len(value.split())} words: word order and synonyms vary"
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            return "a formula: it can be written in several equivalent ways"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id.casefold()
            if name in _MATH_FUNCTIONS:
                return "a formula: it can be written in several equivalent ways"
            if name not in SIGNATURES and node.args and len(node.args) + len(node.keywords) > 1:
                return (
                    f"a call of {node.func.id} with several arguments: "
                    "positional and keyword forms differ"
                )
    return None


def _cloze_rules(source: _Source, index: int, card: ClozeCard) -> Iterator[LintWarning]:
    for match, answers in zip(CLOZE_BLANK.finditer(card.text), card.blank_answers, strict=True):
        raw = match.group(0)
        where = source.text_at(index, "text", raw)
        parts = [part.strip() for part in re.split(r"(?<!\\)\|", match.group(1))]
        if not all(parts):
            yield source.warn(where, card.id, "empty-alternative", f"{raw} has an empty answer")
        if len(answers) > 1:
            continue
        why = _ambiguity(answers[0])
        if why:
            yield source.warn(
                where,
                card.id,
                "ambiguous-blank",
                f"{raw} is {why}; list the other right answers as {{{{a|b}}}}",
            )


def _generic(phrasing: str) -> bool:
    found = words(phrasing)
    tokens = [word for word in found if word not in _STOP] or found
    # A key point of symbols only ("->", "[/]") has no words: the review looks for
    # its symbols, so it is generic only if ordinary answers hold them (below).
    if tokens and all(len(token.lstrip("-")) <= 1 for token in tokens):
        return True
    mentions = sum(key_point_hits(answer, [phrasing])[0].mentioned for answer in GENERIC_ANSWERS)
    return mentions >= 2


def _qa_rules(source: _Source, index: int, card: QACard) -> Iterator[LintWarning]:
    if len(card.key_points) > MAX_KEY_POINTS:
        yield source.warn(
            source.field_at(index, "key_points"),
            card.id,
            "too-many-key-points",
            f"{len(card.key_points)} key points; split the question so each asks for at most "
            f"{MAX_KEY_POINTS}",
        )
    hits = key_point_hits(card.answer, card.key_points)
    for item, (hit, synonyms) in enumerate(zip(hits, card.key_point_synonyms, strict=True)):
        where = source.item_at(index, "key_points", item)
        if card.answer.strip() and not hit.mentioned:
            yield source.warn(
                where,
                card.id,
                "key-point-not-in-answer",
                f"the card's own answer does not mention {hit.key_point!r}, so the review "
                "would mark the model answer as missing it",
            )
        for phrasing in synonyms:
            if _generic(phrasing):
                yield source.warn(
                    where,
                    card.id,
                    "key-point-too-generic",
                    f"{phrasing!r} is ticked for almost any answer (what is matched: "
                    f"{' '.join(words(phrasing)) or phrasing.strip()!r}); say what is specific",
                )


def _card_rules(source: _Source, index: int, card: Card) -> Iterator[LintWarning]:
    if isinstance(card, ClozeCard):
        yield from _cloze_rules(source, index, card)
    if isinstance(card, QACard):
        yield from _qa_rules(source, index, card)
    if isinstance(card, MCQCard) and not card.explanation.strip():
        yield source.warn(
            source.field_at(index, "question"),
            card.id,
            "mcq-without-explanation",
            "no explanation: a learner who chose wrong is not told why",
        )
    budget = WORD_BUDGETS.get(card.type)
    count = _recalled_words(card)
    if budget is not None and count is not None and count > budget:
        yield source.warn(
            source.field_at(index, "id"),
            card.id,
            "over-word-budget",
            f"{count} words (budget {budget} for a {card.type} card); split it into "
            "one fact per card",
        )


# -- deck and cross-deck rules ----------------------------------------------------


def keyed_choice_is_longest(card: MCQCard) -> bool:
    """The single longest choice (by characters) is a right one; a tie is not longest."""
    lengths = [len(choice) for choice in card.choices]
    longest = max(lengths)
    return lengths.count(longest) == 1 and lengths.index(longest) in card.correct_indices


def _length_cue(source: _Source) -> Iterator[LintWarning]:
    mcqs = [card for card in source.deck.cards if isinstance(card, MCQCard)]
    cued = [card.id for card in mcqs if keyed_choice_is_longest(card)]
    if cued and len(cued) * 3 > len(mcqs):
        id_node = _get(source.root, "id")
        yield source.warn(
            source.mark(id_node if id_node is not None else source.root),
            "*",
            "mcq-length-cue",
            f"the keyed answer is the longest choice in {len(cued)} of {len(mcqs)} MCQs "
            f"(at most a third): {', '.join(cued)}",
        )


@dataclass(frozen=True)
class _Seen:
    source: _Source
    index: int
    card: Card
    prompt: str
    content: frozenset[str]


def _closest(current: _Seen, seen: Sequence[_Seen]) -> tuple[_Seen, str] | None:
    """The earlier card ``current`` interferes with most, and how, if any does."""
    best: tuple[float, _Seen, str] | None = None
    for other in seen:
        if len(other.content) < MIN_WORDS_TO_COMPARE:
            continue
        shared = len(current.content & other.content)
        similarity = shared / len(current.content | other.content)
        if similarity >= NEAR_DUPLICATE_SIMILARITY and (best is None or similarity > best[0]):
            best = (similarity, other, f"shares {similarity:.0%} of its words with")
            continue
        smaller = min(len(current.content), len(other.content))
        if other.card.type != current.card.type or smaller < MIN_WORDS_FOR_CONTAINMENT:
            continue
        containment = shared / smaller
        if containment >= NEAR_DUPLICATE_CONTAINMENT and (best is None or containment > best[0]):
            how = (
                f"has {containment:.0%} of its words in the {other.card.type} card"
                if len(current.content) <= len(other.content)
                else f"holds {containment:.0%} of the words of the {other.card.type} card"
            )
            best = (containment, other, how)
    return None if best is None else (best[1], best[2])


def _duplicates(sources: Sequence[_Source]) -> Iterator[LintWarning]:
    seen: list[_Seen] = []
    by_prompt: dict[str, _Seen] = {}
    for source in sources:
        for index, card in enumerate(source.deck.cards):
            current = _Seen(
                source, index, card, " ".join(words(_prompt(card))), _content_words(_content(card))
            )
            where = source.field_at(index, "id")
            earlier = by_prompt.get(current.prompt) if current.prompt else None
            if earlier is not None:
                yield source.warn(
                    where,
                    card.id,
                    "duplicate-card",
                    f"asks what {earlier.source.deck.id}/{earlier.card.id} asks",
                )
            elif len(current.content) >= MIN_WORDS_TO_COMPARE:
                found = _closest(current, seen)
                if found is not None:
                    other, how = found
                    yield source.warn(
                        where,
                        card.id,
                        "near-duplicate-card",
                        f"{how} {other.source.deck.id}/{other.card.id}: merge them or make "
                        "each ask a different fact",
                    )
            by_prompt.setdefault(current.prompt, current)
            seen.append(current)


# -- entry points --------------------------------------------------------------------


def load_sources(paths: Iterable[Path]) -> list[_Source]:
    """Load every deck; DeckError with all problems of all files that are not decks."""
    sources: list[_Source] = []
    problems: list[DeckProblem] = []
    for path in paths:
        try:
            sources.append(_Source.load(path))
        except DeckError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeckError(problems)
    return sources


def lint_paths(paths: Sequence[Path]) -> list[LintWarning]:
    """Every warning for the given deck files, in file order then position."""
    sources = load_sources(paths)
    warnings: list[LintWarning] = []
    for source in sources:
        warnings.extend(_length_cue(source))
        for index, card in enumerate(source.deck.cards):
            warnings.extend(_card_rules(source, index, card))
    warnings.extend(_duplicates(sources))
    order = {source.path: number for number, source in enumerate(sources)}
    return sorted(warnings, key=lambda w: (order[w.path], w.line, w.column, w.rule))


def allow_files_for(paths: Sequence[Path]) -> list[Path]:
    """The ``lint-allow.txt`` beside each linted deck, once each."""
    found: list[Path] = []
    for path in paths:
        candidate = path.parent / ALLOW_FILE_NAME
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def load_allow_lists(files: Sequence[Path]) -> list[AllowEntry]:
    entries: list[AllowEntry] = []
    problems: list[DeckProblem] = []
    for file in files:
        try:
            entries.extend(parse_allow_list(read_text(file), str(file)))
        except DeckError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeckError(problems)
    return entries


def deck_files(paths: Sequence[Path]) -> list[Path]:
    """The deck files named: a directory stands for its ``*.yaml`` files."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return found


def lint(paths: Sequence[Path], allow_files: Sequence[Path] | None = None) -> LintResult:
    """Lint deck files or directories of them; ``allow_files`` None means the
    allow-lists beside the decks."""
    paths = deck_files(paths)
    files = allow_files_for(paths) if allow_files is None else list(allow_files)
    entries = load_allow_lists(files)
    return apply_allow_list(lint_paths(paths), entries)
