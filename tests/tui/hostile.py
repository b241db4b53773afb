"""Hostile text and a collection that holds every kind of card and state.

Every field a learner's deck can fill gets markup brackets, live-looking
Textual actions, ANSI escapes, control characters, emoji, right-to-left
text, very long lines or nothing at all.
"""

from __future__ import annotations

from pathlib import Path

from quizdl.challenges.verdict import Check, Verdict, failed_verdict
from quizdl.study.service import StudyService

HOSTILE_STRINGS = [
    "[/]",
    "Weights [/] biases",
    "Notes from [/r/MachineLearning]",
    "CNN [draft]",
    "[@click=app.quit]quit[/]",
    "[link=https://example.com]link[/link]",
    "[$success]✓ passed[/]",
    "[b]bold[/b] [red]red[/red] [/b]",
    "\\[escaped\\] back\\",
    "\x1b[31mred\x1b[0m \x1b[2J\x1b[H",
    "bell\x07 null\x00 del\x7f c1\x9b",
    "emoji 🔥🧠 ZWJ 👩‍💻",
    "שלום עולם — مرحبا \u202eevil\u202c",
    "x" * 10_000,
    "line\nbreaks\r\nand\ttabs",
    "*markdown* `code` <b>html</b> $$\\frac{a}{b}$$",
]


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar; every character outside ASCII's printable
    range is written as an escape, which YAML (unlike raw C1 bytes) accepts."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def hostile_deck(deck_id: str = "hostile") -> str:
    """A YAML deck with one card of each type whose every field is hostile."""
    title = _quoted("Weights [/] biases [@click=app.quit]x[/] \x1b[31mCNN [draft]")
    cards: list[str] = []
    for index, text in enumerate(HOSTILE_STRINGS):
        quoted = _quoted(text)
        kind = index % 4
        if kind == 0:
            cards.append(
                f"  - id: qa-{index}\n    type: qa\n    tags: [{_quoted('[b]tag' + str(index))}]\n"
                f"    question: {quoted}\n    answer: {quoted}\n"
                f"    key_points: [{_quoted(text[:40] or 'x')}]"
            )
        elif kind == 1:
            cards.append(
                f"  - id: mcq-{index}\n    type: mcq\n    question: {quoted}\n"
                f"    choices: [{quoted}, {_quoted('[/]')}, {_quoted('plain')}]\n"
                f"    answer: 2\n    explanation: {quoted}"
            )
        elif kind == 2:
            blank = _quoted(f"{text[:30]} {{{{[x]}}}} and {{{{(2, 2)}}}}")
            cards.append(
                f"  - id: cloze-{index}\n    type: cloze\n    text: {blank}\n    hint: {quoted}"
            )
        else:
            cards.append(
                f"  - id: concept-{index}\n    type: concept\n"
                f"    term: {_quoted(text[:200] or 'x')}\n"
                f"    explanation: {quoted}\n    formula: {quoted}"
            )
    description = _quoted("[/] [@click=app.quit]")
    return (
        f"id: {deck_id}\ntitle: {title}\ndescription: {description}\nversion: 1\n"
        "cards:\n" + "\n".join(cards) + "\n"
    )


HOSTILE_CHALLENGES = """\
id: hostile-challenges
title: "Challenges [/] [@click=app.quit]q[/]"
cards:
  - id: tiny
    type: challenge
    title: "A [b]tiny[/b] classifier [/]"
    prompt: "Build [@click=app.quit]this[/] \\x1b[31m now"
    starter: |
      import keras
      def build_model():
          ...
    solution: |
      import keras
      from keras import layers
      def build_model():
          return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
    expect:
      input: {shape: [4]}
      layers:
        - {type: Dense, units: 3}
  - id: other
    type: challenge
    title: "[/] second"
    prompt: "[$error]x[/]"
    starter: |
      def build_model():
          ...
    solution: |
      import keras
      def build_model():
          return keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    expect:
      input: {shape: [2]}
      layers:
        - {type: Dense, units: 1}
"""


def fill_collection(service: StudyService, directory: Path) -> Path:
    """Import the hostile decks and give the collection history: answered,
    re-drilled and suspended cards. Returns the hostile deck's path."""
    deck = directory / "hostile [draft] deck.yaml"
    deck.write_text(hostile_deck(), encoding="utf-8")
    service.import_file(deck)
    challenges = directory / "challenges [draft].yaml"
    challenges.write_text(HOSTILE_CHALLENGES, encoding="utf-8")
    service.import_file(challenges)
    queue = service.queue("hostile")
    # A pass, a lapse (comes back today as a re-drill) and a suspended card.
    service.answer(queue[0].pk, 5, 3.0)
    service.answer(queue[1].pk, 1, 4.0)
    service.answer(queue[1].pk, 2, 4.0)
    service.set_suspended(queue[2].pk, True)
    # Challenges with a failed then passed check, and one given up.
    failed = failed_verdict("layers [/]", "[@click=app.quit]expected Dense[/]", 1.0)
    book = service.challenges
    book.record_attempt("hostile-challenges/tiny", "[/]", False, failed.to_dict("tiny"), 1.0)
    passed = Verdict((Check("input [/]", True, "[$success]ok[/]"),), 1.0)
    book.record_attempt("hostile-challenges/tiny", "x", True, passed.to_dict("tiny"), 1.0)
    book.give_up("hostile-challenges/other")
    return deck
