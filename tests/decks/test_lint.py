"""``quizdl decks lint``: each rule fires on a deck that has the problem and
stays quiet on one that does not; the CLI speaks path:line:column, JSON and
exit codes; the bundled decks are clean modulo their commented allow-list."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizdl.decks.errors import DeckError
from quizdl.decks.lint import (
    ALLOW_FILE_NAME,
    RULES,
    LintWarning,
    lint,
    lint_paths,
    parse_allow_list,
)

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "decks"

HEADER = """\
id: {deck}
title: Test deck
cards:
"""

# A card that no rule objects to, so a deck is never empty of MCQs/others.
CLEAN_MCQ = """\
  - id: clean-mcq
    type: mcq
    question: Which activation is usual in hidden layers?
    choices: [ReLU, softmax, linear output]
    answer: 0
    explanation: ReLU keeps gradients alive for positive inputs.
"""


def deck(tmp_path: Path, cards: str, name: str = "d", deck_id: str = "d") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER.format(deck=deck_id) + cards, encoding="utf-8")
    return path


def listed(cards: str) -> str:
    """Cards written at any indent, as items of the deck's ``cards`` list."""
    return textwrap.indent(textwrap.dedent(cards), "  ")


def rules_of(warnings: list[LintWarning]) -> list[str]:
    return [warning.rule for warning in warnings]


# -- one deck that triggers each rule, one that does not ---------------------------

CASES: dict[str, tuple[str, str]] = {
    "ambiguous-blank": (
        """\
        - id: c
          type: cloze
          text: "The cross-entropy of the true class is {{-log(p)}}."
        """,
        """\
        - id: c
          type: cloze
          text: "The cross-entropy of the true class is {{-log(p)|log(1/p)}}."
        """,
    ),
    "empty-alternative": (
        """\
        - id: c
          type: cloze
          text: "Pooling halves the size: {{MaxPooling2D||MaxPool2D}}."
        """,
        """\
        - id: c
          type: cloze
          text: "Pooling halves the size: {{MaxPooling2D|MaxPool2D}}."
        """,
    ),
    "key-point-not-in-answer": (
        """\
        - id: q
          type: qa
          question: Why use an LSTM over a simple RNN?
          answer: Its cell state is updated additively, so gradients survive.
          key_points: [forget gate, cell state]
        """,
        """\
        - id: q
          type: qa
          question: Why use an LSTM over a simple RNN?
          answer: Its cell state is updated additively, so gradients survive.
          key_points: [[sum, additive], cell state]
        """,
    ),
    "key-point-too-generic": (
        """\
        - id: q
          type: qa
          question: Why is tanh better than sigmoid in hidden layers?
          answer: Its outputs are zero-centered, from -1 to 1.
          key_points: [zero-centered, "-1 to 1"]
        """,
        """\
        - id: q
          type: qa
          question: Why is tanh better than sigmoid in hidden layers?
          answer: Its outputs are zero-centered, from -1 to 1.
          key_points: [zero-centered]
        """,
    ),
    "mcq-without-explanation": (
        """\
        - id: m
          type: mcq
          question: Which loss suits integer labels with a softmax output?
          choices: [sparse categorical, mean squared error, hinge]
          answer: 0
        """,
        """\
        - id: m
          type: mcq
          question: Which loss suits integer labels with a softmax output?
          choices: [sparse categorical, mean squared error, hinge]
          answer: 0
          explanation: Integer labels need the sparse variant of cross-entropy.
        """,
    ),
    "over-word-budget": (
        f"""\
        - id: q
          type: qa
          question: What is dropout?
          answer: {" ".join(["word"] * 81)}
        """,
        """\
        - id: q
          type: qa
          question: What is dropout?
          answer: It zeroes random units during training.
        """,
    ),
    "too-many-key-points": (
        """\
        - id: q
          type: qa
          question: How does a CNN differ from an RNN?
          answer: grids sequences sharing pooling memory
          key_points: [grids, sequences, sharing, pooling, memory]
        """,
        """\
        - id: q
          type: qa
          question: How does a CNN differ from an RNN?
          answer: grids sequences sharing pooling
          key_points: [grids, sequences, sharing, pooling]
        """,
    ),
    "duplicate-card": (
        """\
        - id: a
          type: qa
          question: What does batch normalization normalise?
          answer: Each feature over the batch.
        - id: b
          type: qa
          question: What does batch normalization normalise?
          answer: The activations of each feature over the mini-batch.
        """,
        """\
        - id: a
          type: qa
          question: What does batch normalization normalise?
          answer: Each feature over the batch.
        - id: b
          type: qa
          question: What does layer normalization normalise?
          answer: All features of one example.
        """,
    ),
    "near-duplicate-card": (
        """\
        - id: a
          type: cloze
          text: "model.compile(optimizer='{{adam}}', loss='sparse_categorical_crossentropy', metrics=['accuracy'])"
        - id: b
          type: cloze
          text: "model.compile(optimizer='adam', loss='{{sparse_categorical_crossentropy}}', metrics=['accuracy'])"
        """,  # noqa: E501
        """\
        - id: a
          type: cloze
          text: "model.compile(optimizer='{{adam}}', loss='sparse_categorical_crossentropy', metrics=['accuracy'])"
        - id: b
          type: cloze
          text: "early = EarlyStopping(monitor='val_loss', patience={{3}}, restore_best_weights=True)"
        """,  # noqa: E501
    ),
}


def test_an_empty_blank_is_an_empty_alternative(tmp_path: Path) -> None:
    cards = '  - id: c\n    type: cloze\n    text: "Pooling halves the size: {{ }}."\n'
    assert rules_of(lint_paths([deck(tmp_path, CLEAN_MCQ + cards)])) == ["empty-alternative"]


def test_every_rule_has_a_case() -> None:
    assert set(CASES) | {"mcq-length-cue"} == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_the_bad_deck(tmp_path: Path, rule: str) -> None:
    bad, _ = CASES[rule]
    warnings = lint_paths([deck(tmp_path, CLEAN_MCQ + listed(bad))])
    assert rules_of(warnings) == [rule], [str(w) for w in warnings]


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_quiet_on_the_good_deck(tmp_path: Path, rule: str) -> None:
    _, good = CASES[rule]
    warnings = lint_paths([deck(tmp_path, CLEAN_MCQ + listed(good))])
    assert warnings == [], [str(w) for w in warnings]


def _mcq(card_id: str, choices: list[str], answer: int) -> str:
    listed = ", ".join(json.dumps(choice) for choice in choices)
    return (
        f"  - id: {card_id}\n    type: mcq\n    question: Pick one for {card_id}.\n"
        f"    choices: [{listed}]\n    answer: {answer}\n    explanation: Because.\n"
    )


def test_length_cue_fires_when_the_longest_is_right_in_more_than_a_third(tmp_path: Path) -> None:
    cards = "".join(
        [
            _mcq("m1", ["a much longer keyed answer", "no", "nope"], 0),
            _mcq("m2", ["the longest and right one", "x", "y"], 0),
            _mcq("m3", ["short", "a longer wrong distractor", "mid one"], 0),
        ]
    )
    (warning,) = lint_paths([deck(tmp_path, cards)])
    assert (warning.rule, warning.card_id) == ("mcq-length-cue", "*")
    assert "2 of 3" in warning.message and "m1, m2" in warning.message
    assert (warning.line, warning.column) == (1, 5)  # the deck's id


def test_length_cue_is_quiet_at_a_third(tmp_path: Path) -> None:
    cards = "".join(
        [
            _mcq("m1", ["a much longer keyed answer", "no", "nope"], 0),
            _mcq("m2", ["right", "a longer wrong distractor", "y"], 0),
            _mcq("m3", ["short", "a longer wrong distractor", "mid one"], 0),
        ]
    )
    assert lint_paths([deck(tmp_path, cards)]) == []


COMPILE_SNIPPET = "model.compile(optimizer='{a}', loss='{b}', metrics=['accuracy'])"


def test_a_key_point_of_symbols_is_generic_only_when_ordinary_answers_hold_them(
    tmp_path: Path,
) -> None:
    # The review looks for a symbol-only key point's symbols; lint called every
    # one "ticked for almost any answer (what is matched: 'nothing')".
    card = """\
        - id: q
          type: qa
          question: How does a Keras functional model chain two layers?
          answer: "x -> Dense -> y, each call's output feeding the next."
          key_points: ["->", "."]
        """
    warnings = lint_paths([deck(tmp_path, CLEAN_MCQ + listed(card))])
    found = [w for w in warnings if w.rule == "key-point-too-generic"]
    assert [w.message.split(" is ticked")[0] for w in found] == ["'.'"]
    assert "(what is matched: '.')" in found[0].message


def test_a_cloze_inside_a_longer_cloze_interferes(tmp_path: Path) -> None:
    short = COMPILE_SNIPPET.format(a="{{adam}}", b="sparse_categorical_crossentropy")
    longer = "Integer labels 0-9 with a softmax output: " + COMPILE_SNIPPET.format(
        a="adam", b="{{sparse_categorical_crossentropy}}"
    )
    cards = (
        f'  - id: short\n    type: cloze\n    text: "{short}"\n'
        f'  - id: longer\n    type: cloze\n    text: "{longer}"\n'
    )
    (warning,) = lint_paths([deck(tmp_path, CLEAN_MCQ + cards)])
    assert (warning.rule, warning.card_id) == ("near-duplicate-card", "longer")
    assert "holds 100% of the words of the cloze card d/short" in warning.message


def test_a_concept_restating_a_cloze_is_redundancy_not_interference(tmp_path: Path) -> None:
    short = COMPILE_SNIPPET.format(a="{{adam}}", b="sparse_categorical_crossentropy")
    cards = (
        f'  - id: short\n    type: cloze\n    text: "{short}"\n'
        "  - id: concept\n    type: concept\n    term: compile\n"
        "    explanation: model.compile sets the optimizer such as adam, the loss such as "
        "sparse_categorical_crossentropy, and metrics such as accuracy, before fit can train.\n"
    )
    assert lint_paths([deck(tmp_path, CLEAN_MCQ + cards)]) == []


def test_duplicates_are_found_across_decks(tmp_path: Path) -> None:
    card = """\
      - id: q{n}
        type: qa
        question: What does the forget gate of an LSTM decide?
        answer: What to erase from the cell state.
    """
    first = deck(tmp_path, CLEAN_MCQ + listed(card.format(n=1)), "one", "one")
    second = deck(tmp_path, listed(card.format(n=2)), "two", "two")
    (warning,) = lint_paths([first, second])
    assert warning.rule == "duplicate-card" and warning.key == "two/q2"
    assert "one/q1" in warning.message


def test_warnings_point_at_the_line_and_column_of_the_problem(tmp_path: Path) -> None:
    path = deck(
        tmp_path,
        CLEAN_MCQ
        + listed(
            """\
            - id: q
              type: qa
              question: Why use an LSTM?
              answer: Its cell state is updated additively.
              key_points: [cell state, forget gate]
            - id: c
              type: cloze
              text: |
                Dropout scales kept units by
                {{1/(1-p)}} during training.
            """
        ),
    )
    by_rule = {warning.rule: warning for warning in lint_paths([path])}
    lines = path.read_text(encoding="utf-8").splitlines()
    for rule, needle in (("key-point-not-in-answer", "forget gate]"), ("ambiguous-blank", "{{")):
        warning = by_rule[rule]
        assert lines[warning.line - 1][warning.column - 1 :].startswith(needle), str(warning)


# -- the allow-list ---------------------------------------------------------------


def test_allow_list_entries_silence_exactly_their_warning(tmp_path: Path) -> None:
    bad, _ = CASES["ambiguous-blank"]
    path = deck(tmp_path, CLEAN_MCQ + listed(bad))
    (tmp_path / ALLOW_FILE_NAME).write_text(
        "# comments and blank lines are fine\n\n"
        "d/c ambiguous-blank  # the formula is the point\n"
        "d/other mcq-length-cue  # stale: no such warning\n",
        encoding="utf-8",
    )
    result = lint([path])
    assert result.warnings == []
    assert [w.rule for w in result.allowed] == ["ambiguous-blank"]
    assert [entry.card_id for entry in result.unused] == ["other"]
    assert lint([path], allow_files=[]).warnings == result.allowed


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("d/c ambiguous-blank", "the reason is required"),
        ("d/c no-such-rule  # why", "unknown rule 'no-such-rule'"),
        ("just words here", "expected 'deck-id/card-id rule-name"),
    ],
)
def test_a_bad_allow_list_line_is_an_error_naming_it(line: str, complaint: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_allow_list(f"# header\n{line}\n", "allow.txt")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("allow.txt", 2)
    assert complaint in problem.message


# -- the command ----------------------------------------------------------------


def quizdl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quizdl.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_exit_codes_and_output(tmp_path: Path) -> None:
    bad, good = CASES["mcq-without-explanation"]
    bad_path = deck(tmp_path, CLEAN_MCQ + listed(bad), "bad", "bad")
    good_path = deck(tmp_path, CLEAN_MCQ + listed(good), "good", "good")

    result = quizdl("decks", "lint", str(bad_path))
    assert result.returncode == 1
    location, rule, key, _ = result.stdout.split(": ", 3)
    _, line, column = location.rsplit(":", 2)
    assert (rule, key) == ("mcq-without-explanation", "bad/m")
    lines = bad_path.read_text(encoding="utf-8").splitlines()
    assert lines[int(line) - 1][int(column) - 1 :].startswith("Which loss suits")

    assert quizdl("decks", "lint", str(good_path)).returncode == 0

    as_json = quizdl("decks", "lint", "--json", str(bad_path))
    assert as_json.returncode == 1
    (warning,) = json.loads(as_json.stdout)["warnings"]
    assert warning["rule"] == "mcq-without-explanation" and warning["card"] == "m"
    assert (warning["line"], warning["column"]) == (int(line), int(column))


def test_cli_bad_input_exits_2_with_a_located_message_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: t\ncards:\n  - id: c\n    type: quiz\n", encoding="utf-8")
    for args in ([str(broken)], [str(tmp_path / "missing.yaml")]):
        result = quizdl("decks", "lint", *args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert args[0] in result.stderr
    bad_allow = tmp_path / "allow.txt"
    bad_allow.write_text("x/y ambiguous-blank\n", encoding="utf-8")
    _, good = CASES["mcq-without-explanation"]
    good_path = deck(tmp_path, CLEAN_MCQ + listed(good), "good", "good")
    result = quizdl("decks", "lint", "--allow", str(bad_allow), str(good_path))
    assert result.returncode == 2 and f"{bad_allow}:1:1" in result.stderr


def test_lint_stays_headless() -> None:
    code = (
        "import sys, quizdl.decks.lint\n"
        "print(sorted(m for m in ('sqlalchemy', 'textual', 'tensorflow', 'keras')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# -- the bundled decks ----------------------------------------------------------


def test_bundled_decks_lint_clean_modulo_the_commented_allow_list() -> None:
    result = lint([BUNDLED])
    assert not result.warnings, "\n".join(str(w) for w in result.warnings)
    stale = [f"{e.where} {e.deck_id}/{e.card_id} {e.rule}" for e in result.unused]
    assert not stale, f"allow-list entries that match nothing: {stale}"


def test_bundled_decks_lint_from_the_command_line() -> None:
    result = quizdl("decks", "lint", str(BUNDLED))
    assert result.returncode == 0, result.stdout + result.stderr


HOSTILE_TEXTS = [
    "[@click=app.quit]",
    "[/]",
    "\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "🤖" * 20,
    "x" * 10_000,
    "(" * 3_000,
    "{{" + "(" * 500 + "}}",
    "{{\\||}}",
    "{{ | }}",
]


@pytest.mark.parametrize("hostile", HOSTILE_TEXTS)
def test_hostile_card_text_is_linted_without_crashing(tmp_path: Path, hostile: str) -> None:
    import yaml

    data = {
        "id": "hostile",
        "title": hostile,
        "cards": [
            {"id": "c", "type": "cloze", "text": f"{hostile} {{{{{hostile[:50]}}}}} {hostile}"},
            {
                "id": "q",
                "type": "qa",
                "question": hostile,
                "answer": hostile,
                "key_points": [hostile, [hostile[:10] or "x", "y"]],
            },
            {"id": "m", "type": "mcq", "question": hostile, "choices": [hostile, "b"], "answer": 0},
        ],
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    warnings = lint_paths([path])
    assert not any("\x1b" in str(w) or "\u202e" in str(w) for w in warnings)
    assert {warning.key for warning in warnings} <= {
        "hostile/c",
        "hostile/q",
        "hostile/m",
        "hostile/*",
    }
    for warning in warnings:
        assert warning.line >= 1 and warning.column >= 1


def test_card_text_in_a_warning_cannot_drive_the_terminal(tmp_path: Path) -> None:
    cards = '  - id: c\n    type: cloze\n    text: "Dropout scales by {{1/(1-p)\\u202e\\e}}."\n'
    (warning,) = lint_paths([deck(tmp_path, CLEAN_MCQ + cards)])
    assert warning.rule == "ambiguous-blank"
    assert "\u202e" not in str(warning) and "\x1b" not in str(warning)
    assert "{{1/(1-p)\\u202e\\x1b}}" in warning.message
