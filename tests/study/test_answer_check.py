"""Answer matching: forgiving about form, strict about content."""

from __future__ import annotations

import pytest

from quizdl.scheduling.sm2 import Quality
from quizdl.study.answer_check import (
    blank_matches,
    cloze_results,
    key_point_hits,
    same_word,
    suggest_cloze_grade,
    suggest_mcq_grade,
    suggest_qa_grade,
    words,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("losses", "loss"),
        ("Gradients", "gradient"),
        ("batches", "batch"),
        ("probabilities", "probability"),
        ("biases", "bias"),
        ("cases", "case"),
        ("ReLUs", "relu"),
    ],
)
def test_same_word_up_to_case_and_simple_plurals(a: str, b: str) -> None:
    assert same_word(a, b)
    assert same_word(b, a)


def test_different_words_differ() -> None:
    assert not same_word("loss", "lost")


def test_words_ignore_case_and_punctuation() -> None:
    assert words("Backward-pass, LOCAL gradients!") == ["backward", "pass", "local", "gradients"]


def test_key_points_match_case_punctuation_and_plurals() -> None:
    hits = key_point_hits(
        "The BACKWARD pass needs the local gradient; it costs Memory, and biases.",
        ["backward pass", "local gradients", "memory", "bias", "batch size"],
    )
    assert [hit.mentioned for hit in hits] == [True, True, True, True, False]


def test_key_point_words_in_any_order_and_without_stop_words() -> None:
    (hit,) = key_point_hits("rule of the chain", ["the chain rule"])
    assert hit.mentioned


def test_empty_answer_mentions_nothing() -> None:
    assert not any(hit.mentioned for hit in key_point_hits("", ["memory"]))


@pytest.mark.parametrize(
    ("typed", "expected", "ok"),
    [
        ("relu", "ReLU", True),
        ("  relu ", "relu", True),
        ('"relu"', "relu", True),
        ("'same'", '"same"', True),
        ("`Dense`", "Dense", True),
        ("x ", "x", True),
        ("sigmoid", "relu", False),
        ("", "relu", False),
        ("max  pool", "max pool", True),
    ],
)
def test_blank_matching(typed: str, expected: str, ok: bool) -> None:
    assert blank_matches(typed, expected) is ok


def test_cloze_results_one_per_blank() -> None:
    assert cloze_results(["x"], ["x", "1"]) == [True, False]


def test_suggested_grades() -> None:
    assert suggest_mcq_grade([1], [1]) == Quality.GOOD
    assert suggest_mcq_grade([0], [1]) == Quality.WRONG
    assert suggest_mcq_grade([0, 1], [1, 2]) == Quality.WRONG_FAMILIAR
    assert suggest_cloze_grade([True, True]) == Quality.GOOD
    assert suggest_cloze_grade([True, False]) == Quality.WRONG_FAMILIAR
    assert suggest_cloze_grade([False, False, True]) == Quality.WRONG
    hits = key_point_hits("memory", ["memory", "backward pass"])
    assert suggest_qa_grade("memory", hits) == Quality.HARD
    assert suggest_qa_grade("", hits) is None
    all_hits = key_point_hits("memory and backward passes", ["memory", "backward pass"])
    assert suggest_qa_grade("x", all_hits) == Quality.GOOD
