import textwrap
from pathlib import Path

import pytest

from quizdl.decks.errors import DeckError
from quizdl.decks.loader import load_deck
from quizdl.decks.model import ClozeCard, MCQCard


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "deck.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(DeckError) as info:
        load_deck(path)
    return [str(p).replace(str(path), "deck.yaml") for p in info.value.problems]


HEADER = """\
id: d
title: D
cards:
"""


def test_valid_deck_loads_every_type(small_deck: Path) -> None:
    deck = load_deck(small_deck)
    assert [card.type for card in deck.cards] == ["concept", "qa", "mcq", "cloze"]
    mcq = deck.cards[2]
    assert isinstance(mcq, MCQCard) and mcq.correct_indices == (1,)
    cloze = deck.cards[3]
    assert isinstance(cloze, ClozeCard) and cloze.blanks == ("2,2",)


def test_wrong_card_type_is_located_at_the_value(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEADER
        + """\
  - id: a
    type: quiz
    question: Q
""",
    )
    assert found == [
        "deck.yaml:5:11: cards[0].type: expected one of concept, qa, mcq, cloze, challenge, "
        "got 'quiz'"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEADER
        + """\
  - id: a
    type: qa
    question: Q
    answr: A
  - id: a
    type: mcq
    question: Q
    choices: [x, y]
    answer: 2
  - type: cloze
    id: c
    text: no blanks here
""",
    )
    assert "deck.yaml:7:5: cards[0].answr: unknown field 'answr' (did you mean 'answer'?)" in found
    assert "deck.yaml:4:5: cards[0].answer: required field is missing" in found
    assert "deck.yaml:8:9: cards[1].id: duplicate card id 'a' (first used by cards[0])" in found
    assert any(
        p.startswith("deck.yaml:15:11: cards[2].text: expected at least one blank") for p in found
    )
    assert (
        "deck.yaml:12:13: cards[1].answer: index 2 is out of range for 2 choices "
        "(indices start at 0)" in found
    )
    assert len(found) == 5


def test_mcq_answer_out_of_range(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEADER
        + """\
  - id: a
    type: mcq
    question: Q
    choices: [x, y]
    answer: 2
""",
    )
    assert found == [
        "deck.yaml:8:13: cards[0].answer: index 2 is out of range for 2 choices "
        "(indices start at 0)"
    ]


def test_empty_deck_and_missing_cards(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: d\ntitle: D\ncards: []\n") == [
        "deck.yaml:3:8: cards: a deck needs at least one card"
    ]
    assert problems(tmp_path, "") == ["deck.yaml: file is empty, expected a deck"]


def test_duplicate_mapping_keys_are_errors(tmp_path: Path) -> None:
    found = problems(tmp_path, "id: d\ntitle: D\ntitle: E\ncards: []\n")
    assert "deck.yaml:3:1: title: key 'title' appears twice in the same mapping" in found


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01binary", "deck.yaml: binary file, expected UTF-8 text"),
        (b"id: d\ntitle: \xff\n", "deck.yaml:2:8: invalid UTF-8 (byte 0xff)"),
        (b"id: [unclosed\n", "deck.yaml:2:1: YAML syntax:"),
        (
            b"!!python/object/apply:os.system ['echo pwned']\n",
            "deck.yaml:1:1: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not",
        ),
        (b"[" * 20000 + b"]" * 20000, "YAML syntax"),
        (b"id: a\n---\nid: b\n", "deck.yaml:2:1: a deck file holds one YAML document"),
        (b"id: *nope\n", "deck.yaml:1:5: YAML: unknown alias *nope"),
    ],
)
def test_hostile_input_gets_a_one_line_reason(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (found,) = problems(tmp_path, content)
    assert expected in found


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    # Pad to a 10 MB file, as a real bomb would be, with a comment.
    text += "#" + "x" * (10 * 1024 * 1024) + "\n"
    (found,) = problems(tmp_path, text)
    assert "refusing a possible YAML bomb" in found


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no such file"):
        load_deck(tmp_path / "nope.yaml")
    with pytest.raises(DeckError, match="is a directory"):
        load_deck(tmp_path)
