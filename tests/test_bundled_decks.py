"""The bundled decks: they validate, their card ids are pinned, and they cover the guide."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizdl.decks.model import ClozeCard, ConceptCard, Deck, MCQCard, QACard
from quizdl.study.answer_check import check_cloze, key_point_hits

ROOT = Path(__file__).resolve().parent.parent
DECKS_DIR = ROOT / "decks"
PINNED_IDS = Path(__file__).resolve().parent / "data" / "bundled_card_ids.txt"

GUIDE_SECTIONS = (
    "Neural Network Architecture",
    "Activation Functions",
    "CNN, RNN & Transformers",
    "Complete Keras Training Loop",
    "Interview Questions",
)
ACTIVATION_CARDS = (
    "act-relu",
    "act-sigmoid",
    "act-tanh",
    "act-softmax",
    "act-leaky-relu",
    "act-gelu",
)
GUIDE_INTERVIEW_CARDS = (
    "iq-vanishing-gradient",
    "iq-cnn-vs-rnn",
    "iq-transformer-self-attention",
    "iq-dropout",
)
MAX_BLANK_CHARS = 40
DECK_PATHS = sorted(DECKS_DIR.glob("*.yaml"))


def load_deck(path: Path) -> Deck:
    with path.open(encoding="utf-8") as handle:
        return Deck.model_validate(yaml.safe_load(handle))


def deck_by_id(deck_id: str) -> Deck:
    for path in DECK_PATHS:
        deck = load_deck(path)
        if deck.id == deck_id:
            return deck
    raise AssertionError(f"no bundled deck with id {deck_id!r}")


def test_the_two_decks_are_bundled() -> None:
    assert {path.stem for path in DECK_PATHS} >= {
        "deep-learning-guide",
        "deep-learning-interview",
    }


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_deck_validates_and_id_matches_file_name(path: Path) -> None:
    deck = load_deck(path)
    assert deck.id == path.stem


def test_card_ids_match_pinned_list() -> None:
    actual = sorted(
        f"{deck.id}/{card.id}" for deck in map(load_deck, DECK_PATHS) for card in deck.cards
    )
    pinned = [
        line.strip() for line in PINNED_IDS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert pinned == sorted(pinned), "keep bundled_card_ids.txt sorted"
    assert actual == pinned, (
        "bundled card ids changed; renaming a card loses learners' review history, "
        "so update tests/data/bundled_card_ids.txt only on purpose"
    )


def test_every_guide_card_names_a_guide_section() -> None:
    deck = deck_by_id("deep-learning-guide")
    for card in deck.cards:
        assert card.source in GUIDE_SECTIONS, f"{card.id}: source {card.source!r}"
    covered = {card.source for card in deck.cards}
    assert covered == set(GUIDE_SECTIONS)


@pytest.mark.parametrize("card_id", ACTIVATION_CARDS)
def test_each_activation_has_a_concept_card_with_formula(card_id: str) -> None:
    cards = {card.id: card for card in deck_by_id("deep-learning-guide").cards}
    card = cards[card_id]
    assert isinstance(card, ConceptCard)
    assert card.source == "Activation Functions"
    assert card.formula


@pytest.mark.parametrize("card_id", GUIDE_INTERVIEW_CARDS)
def test_each_guide_interview_question_has_a_qa_card(card_id: str) -> None:
    cards = {card.id: card for card in deck_by_id("deep-learning-guide").cards}
    card = cards[card_id]
    assert isinstance(card, QACard)
    assert card.source == "Interview Questions"
    assert card.answer.strip()
    assert 2 <= len(card.key_points) <= 4


def test_interview_deck_is_large_and_mixed() -> None:
    deck = deck_by_id("deep-learning-interview")
    cards = [card for card in deck.cards if card.type != "challenge"]
    assert len(cards) >= 80
    assert {"concept", "qa", "mcq", "cloze"} <= {card.type for card in cards}


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_mcq_cards_explain_their_answer(path: Path) -> None:
    for card in load_deck(path).cards:
        if isinstance(card, MCQCard):
            assert card.explanation.strip(), f"{card.id}: empty explanation"


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_cloze_blanks_are_short(path: Path) -> None:
    for card in load_deck(path).cards:
        if isinstance(card, ClozeCard):
            for shown in card.blanks:  # each blank's canonical answer
                assert 0 < len(shown) <= MAX_BLANK_CHARS, f"{card.id}: blank {shown!r}"


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_model_answers_mention_their_own_key_points(path: Path) -> None:
    """A learner who types the card's own answer must be credited with every key point.

    Checked with the review's own matcher, on the phrasing each key point shows.
    """
    missing = [
        f"{card.id}: {hit.key_point!r}"
        for card in load_deck(path).cards
        if isinstance(card, QACard)
        for hit in key_point_hits(card.answer, card.key_point_names)
        if not hit.mentioned
    ]
    assert not missing, "key points absent from their answers: " + "; ".join(missing)


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_qa_cards_ask_for_at_most_four_key_points(path: Path) -> None:
    """Minimum information: a card that needs five or more points is several cards."""
    crowded = [
        card.id
        for card in load_deck(path).cards
        if isinstance(card, QACard) and len(card.key_points) > 4
    ]
    assert not crowded, f"more than four key points: {crowded}"


def keyed_choice_is_longest(card: MCQCard) -> bool:
    """The single longest choice (by characters) is a right one; a tie is not longest."""
    lengths = [len(choice) for choice in card.choices]
    longest = max(lengths)
    if lengths.count(longest) > 1:
        return False
    return lengths.index(longest) in card.correct_indices


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_the_longest_choice_is_not_a_cue_to_the_answer(path: Path) -> None:
    """Test-wise learners pick the longest choice; it must be right in at most a third."""
    mcqs = [card for card in load_deck(path).cards if isinstance(card, MCQCard)]
    cued = [card.id for card in mcqs if keyed_choice_is_longest(card)]
    assert len(cued) * 3 <= len(mcqs), (
        f"the keyed answer is the longest choice in {len(cued)} of {len(mcqs)} MCQs: {cued}"
    )


@pytest.mark.parametrize("path", DECK_PATHS, ids=lambda path: path.name)
def test_right_answers_are_spread_over_the_choice_positions(path: Path) -> None:
    """The review shows choices in deck order, so a favourite position would be a cue."""
    positions = [
        card.correct_indices[0]
        for card in load_deck(path).cards
        if isinstance(card, MCQCard) and len(card.correct_indices) == 1
    ]
    if not positions:
        pytest.skip(f"{path.name} has no single-answer MCQs")
    busiest = max(positions.count(index) for index in set(positions))
    assert busiest * 5 <= len(positions) * 2, (
        f"one position holds {busiest} of {len(positions)} right answers"
    )


# Right answers written another way than the card shows them; the review
# screen checks typed blanks with check_cloze, so each must come out right.
RIGHT_BLANK_ANSWERS = [
    ("deep-learning-interview", "bp-softmax-ce-cloze", ["p − y"]),
    ("deep-learning-interview", "bp-softmax-ce-cloze", ["softmax(z) - y"]),
    ("deep-learning-interview", "bp-two-layer-w2-cloze", ["h^T", "delta2"]),
    ("deep-learning-interview", "bp-two-layer-delta1-cloze", ["W2.T"]),
    ("deep-learning-interview", "bp-gradcheck-cloze", ["2*eps"]),
    ("deep-learning-interview", "opt-minibatch-noise-cloze", ["1/sqrt(B)"]),
    ("deep-learning-interview", "cnn-output-size-cloze", ["28x28"]),
    ("deep-learning-interview", "cnn-receptive-field-cloze", ["5"]),
    ("deep-learning-interview", "cnn-same-padding-cloze", ["(K − 1)/2"]),
    ("deep-learning-interview", "cnn-1x1-params-cloze", ["16,448"]),
    ("deep-learning-interview", "norm-pre-ln-cloze", ["LN(x)"]),
    ("deep-learning-interview", "reg-label-smoothing-cloze", [".91", ".01"]),
    ("deep-learning-interview", "reg-mc-dropout-keras-cloze", ["training = True"]),
    ("deep-learning-interview", "tf-ffn-params-cloze", ["2,099,712"]),
    ("deep-learning-interview", "tf-lora-params-cloze", ["65,536"]),
    ("deep-learning-interview", "gen-reparameterization-cloze", ["mu + sigma * eps"]),
    ("deep-learning-interview", "eval-confusion-precision-cloze", ["75%"]),
    ("deep-learning-interview", "eval-perplexity-uniform-cloze", ["50,000"]),
    ("deep-learning-interview", "prac-distillation-t2-cloze", ["T^2"]),
    ("deep-learning-interview", "loss-ce-cloze", ["log(1/p)"]),
    ("deep-learning-guide", "cnn-conv2-params-cloze", ["32", "18,496"]),
    ("deep-learning-guide", "loop-build-cloze", ["Dropout", "101,770"]),
    ("deep-learning-guide", "iq-rnn-state-cloze", ["hidden state", "any length"]),
    ("deep-learning-guide", "act-gelu-cloze", ["Gaussian"]),
]


@pytest.mark.parametrize(
    ("deck_id", "card_id", "typed"),
    RIGHT_BLANK_ANSWERS,
    ids=[f"{card}:{'/'.join(typed)}" for _, card, typed in RIGHT_BLANK_ANSWERS],
)
def test_other_ways_of_writing_a_blank_are_accepted(
    deck_id: str, card_id: str, typed: list[str]
) -> None:
    card = {card.id: card for card in deck_by_id(deck_id).cards}[card_id]
    assert isinstance(card, ClozeCard)
    check = check_cloze(card, typed)
    assert [result.right for result in check.results] == [True] * len(typed)
