"""Answer matching: forgiving about form, strict about content.

The issue-10 answers are checked through ``check_cloze``, the function the
review screen calls, on cards written the way the bundled decks wrote them
before they listed alternatives (the checker must not depend on the deck
author foreseeing every spelling) and on the bundled cards as they are now.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizdl.decks.loader import load_deck
from quizdl.decks.model import CLOZE_BLANK, ClozeCard, QACard, canonical_blank
from quizdl.scheduling.sm2 import Quality
from quizdl.study.answer_check import (
    Verdict,
    blank_matches,
    check_cloze,
    key_point_hits,
    same_word,
    suggest_mcq_grade,
    suggest_qa_grade,
    words,
)

DECKS = Path(__file__).resolve().parents[2] / "decks"


def cloze(text: str) -> ClozeCard:
    return ClozeCard(type="cloze", id="c", text=text)


def verdicts(text: str, *typed: str) -> list[Verdict]:
    return [result.verdict for result in check_cloze(cloze(text), list(typed)).results]


# -- words and key points ------------------------------------------------------


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


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("additively", "additive"),
        ("normalisation", "normalization"),
        ("zero-centred", "zero-centered"),
        ("regularised", "regularized"),
        ("centres", "center"),
    ],
)
def test_key_points_meet_adverbs_and_british_spellings(a: str, b: str) -> None:
    assert key_point_hits(f"it is {a}", [b])[0].mentioned
    assert key_point_hits(f"it is {b}", [a])[0].mentioned


def test_different_words_differ() -> None:
    assert not same_word("loss", "lost")


def test_words_ignore_case_and_punctuation() -> None:
    assert words("Backward-pass, LOCAL gradients!") == ["backward", "pass", "local", "gradients"]


def test_words_keep_signs_and_decimals_of_numbers() -> None:
    assert words("from −1 to 1, at most 0.25; x-1") == [
        "from",
        "-1",
        "to",
        "1",
        "at",
        "most",
        "0.25",
        "x",
        "1",
    ]


def test_key_points_match_case_punctuation_and_plurals() -> None:
    hits = key_point_hits(
        "The BACKWARD pass needs the local gradient; it costs Memory, and biases.",
        ["backward pass", "local gradients", "memory", "bias", "batch size"],
    )
    assert [hit.mentioned for hit in hits] == [True, True, True, True, False]


def test_key_point_words_in_any_order_and_without_stop_words() -> None:
    (hit,) = key_point_hits("rule of the chain", ["the chain rule"])
    assert hit.mentioned


def test_key_point_synonyms_any_one_counts_and_the_first_is_shown() -> None:
    card = QACard(
        type="qa",
        id="q",
        question="Where is GELU used?",
        answer="In transformers.",
        key_points=[["transformers", "BERT", "GPT"], "smooth"],
    )
    hits = key_point_hits("GPT uses it because it is smooth", card.key_points)
    assert [(hit.key_point, hit.mentioned) for hit in hits] == [
        ("transformers", True),
        ("smooth", True),
    ]
    (miss, _) = key_point_hits("it is smooth", card.key_points)
    assert (miss.key_point, miss.mentioned) == ("transformers", False)


def test_a_range_key_point_needs_both_ends_not_any_digit() -> None:
    (hit,) = key_point_hits("it outputs 1 when x is large", ["-1 to 1"])
    assert not hit.mentioned
    (hit,) = key_point_hits("outputs range from −1 to 1", ["-1 to 1"])
    assert hit.mentioned


def test_a_key_point_of_symbols_only_is_mentioned_when_the_symbols_are_typed() -> None:
    points = ["->", "[/]", "[", "**"]
    hits = key_point_hits("x -> y, then [ / ] and [", points)
    assert [hit.mentioned for hit in hits] == [True, True, True, False]
    assert not any(hit.mentioned for hit in key_point_hits("no symbols at all", points))


def test_a_key_point_with_a_slip_is_almost_and_suggests_hard() -> None:
    points = ["vanishing gradients", "residual connections"]
    hits = key_point_hits("the vanishing gradeints are fixed by residual conections", points)
    assert [(hit.mentioned, hit.almost) for hit in hits] == [(False, True), (False, True)]
    assert suggest_qa_grade("x", hits) == Quality.HARD
    exact = key_point_hits("vanishing gradients, residual connections", points)
    assert [(hit.mentioned, hit.almost) for hit in exact] == [(True, False), (True, False)]


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("it decreases the loss", "increases"),  # an opposite is not a slip
        ("use Conv1D", "Conv2D"),  # nor a changed digit
        ("use selu", "relu"),  # nor a short word
        ("the gradients", "radients"),  # nor a changed first letter
    ],
)
def test_what_is_not_a_slip_in_a_key_point(answer: str, point: str) -> None:
    (hit,) = key_point_hits(answer, [point])
    assert not hit.mentioned and not hit.almost


def test_empty_answer_mentions_nothing() -> None:
    assert not any(hit.mentioned for hit in key_point_hits("", ["memory"]))


# -- single blanks ------------------------------------------------------------------


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
        ("Gaussian", "normal|Gaussian", True),
        ("|x|", r"\|x\|", True),
        ("x", r"\|x\|", False),
        ("mse", "mean_squared_error", True),
        ('loss="mse"', "loss='mean_squared_error'", True),
        ("1e-3", "0.001", True),
        ("0.01", "0.001", False),
        ("128", "1,28", False),
        ("(2, 2)", "2", False),
        ("Conv1D(32, 3)", "Conv2D(32, 3)", False),
        ("Dense(10, activation=None)", "Dense(10)", True),
        ("Dense(units=10, activation='softmax')", 'Dense(10, "softmax")', True),
        ("Dense(10, 'relu')", 'Dense(10, "softmax")', False),
        ("keras.layers.Dropout(rate=0.5)", "Dropout(0.5)", True),
        ("AvgPool2D(pool_size=(3, 3), strides=1)", "AveragePooling2D(3, 1)", True),
        ("AvgPool2D(3)", "AveragePooling2D(3, 1)", False),
        ("Dense(10, activation=“softmax”)", "Dense(10, activation='softmax')", True),
        # Compounds, plurals and counts written as words.
        ("elementwise", "element-wise", True),
        ("variable-length", "variable length", True),
        ("KL-divergence", "KL divergence", True),
        ("p y", "p - y", False),
        ("LSTMs", "LSTM", True),
        ("biases", "bias", True),
        ("bia", "bias", False),
        ("four", "4", True),
        ("five", "4", False),
        ("3/4", "0.75", True),
        ("1/3", "0.333", False),  # exact values only
        ("1/0", "0", False),
        ("4x", "4", True),
        ("4×", "4", True),
        ("4x", "x", False),
        ("1e999999999", "1", False),  # refused, not computed
        # Formula notation.
        ("h^T", "hᵀ", True),
        ("h.T", "hᵀ", True),
        ("W2^T", "W₂ᵀ", True),
        ("T^2", "T²", True),
        ("T**2", "T²", True),
        ("T^3", "T²", False),
        ("1/sqrt(B)", "1/√B", True),
        ("1/sqrt B", "1/√B", True),
        ("2*eps", "2ε", True),
        ("2 ε", "2ε", True),
        ("mu + sigma * epsilon", "μ + σ·ε", True),
        ("μ + σε", "μ + σ·ε", True),
        ("μ - σε", "μ + σ·ε", False),
        ("delta_2", "δ₂", True),
        ("28x28", "28×28", True),
        ("28 x 28", "28×28", True),
        ("28x27", "28×28", False),
        ("Dense(10, activation=“relu”)", "Dense(10, activation='softmax')", False),
    ],
)
def test_blank_matching(typed: str, expected: str, ok: bool) -> None:
    assert blank_matches(typed, expected) is ok


# -- the answers issue 10 lists, through check_cloze --------------------------------
# Each card is written as the bundled deck wrote it before alternatives existed.


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("= {{8256}} parameters.", "8,256"),
        ("a vector of {{2304}} values.", "2,304"),
        ("divides them by {{255}} to bring", "255.0"),
        ("reaches about {{98}}% test accuracy", "98%"),
        ("σ(x) = 1 / (1 + e^({{-x}}))", "−x"),
        ("an input of −5 gives {{-0.05}}, where", "−0.05"),
        ("keras.layers.{{MaxPooling2D(2,2)}},", "MaxPooling2D((2, 2))"),
        ("keras.layers.{{MaxPooling2D(2,2)}},", "MaxPooling2D(2)"),
        ("keras.layers.{{MaxPooling2D(2,2)}},", "MaxPool2D(2,2)"),
        ("the loss for that example is {{-log(p)}}: 0 when p = 1", "−log p"),
        ("the loss for that example is {{-log(p)}}: 0 when p = 1", "-ln(p)"),
        ("the loss for that example is {{-log(p)}}: 0 when p = 1", "log(1/p)"),
        ("multiplied by {{1/(1-p)}} during training", "1/(1 − p)"),
    ],
)
def test_issue_answers_are_right_without_alternatives(text: str, typed: str) -> None:
    assert verdicts(text, typed) == [Verdict.RIGHT]


CONV = (
    "32 filters of size 3×3 over 32×32 RGB images:\n```python\n"
    'keras.layers.Conv2D(32, {{(3,3)}}, activation="relu", input_shape=({{32,32,3}})),\n```\n'
)


@pytest.mark.parametrize("kernel", ["(3, 3)", "3", "[3, 3]", "kernel_size=3"])
def test_a_kernel_size_is_right_as_keras_reads_it(kernel: str) -> None:
    assert verdicts(CONV, kernel, "32, 32, 3") == [Verdict.RIGHT, Verdict.RIGHT]


def test_a_kernel_size_of_another_size_is_wrong() -> None:
    assert verdicts(CONV, "5", "(32, 32, 3)") == [Verdict.WRONG, Verdict.RIGHT]


@pytest.mark.parametrize(
    ("line", "typed"),
    [
        ("keras.layers.SimpleRNN(64, {{return_sequences=True}}),", "return_sequences = True"),
        (
            'monitor="val_loss", patience=3, {{restore_best_weights=True}}',
            "restore_best_weights = True",
        ),
        ("{{validation_split=0.2}},", "validation_split = 0.2"),
        ("layer.{{trainable}} = False", "trainable"),
        ("x, x, {{use_causal_mask=True}})", "use_causal_mask = True"),
        ("keras.layers.Conv2D(64, (3,3), {{use_bias=False}}),", "use_bias = False"),
        ("keras.layers.Embedding(10000, 128, {{mask_zero=True}})", "mask_zero = True"),
    ],
)
def test_keyword_blanks_accept_spaces_around_equals(line: str, typed: str) -> None:
    assert verdicts(f"```python\n{line}\n```\n", typed) == [Verdict.RIGHT]


ARGMAX = (
    "`predict` returns class probabilities; to get class labels:\n```python\n"
    "classes = np.{{argmax}}(model.predict(x_test), axis={{1|-1}})\n```\n"
)


@pytest.mark.parametrize("axis", ["-1", "axis=-1", "axis = −1", "1"])
def test_an_alternative_is_right_even_when_the_learner_retypes_the_keyword(axis: str) -> None:
    assert verdicts(ARGMAX, "np.argmax", axis) == [Verdict.RIGHT, Verdict.RIGHT]


def test_words_with_an_alternative() -> None:
    text = "the standard {{normal|Gaussian}} distribution."
    assert verdicts(text, "gaussian") == [Verdict.RIGHT]
    assert verdicts(text, "uniform") == [Verdict.WRONG]


# Every example of the issue, on the bundled card that carries it today.
BUNDLED_EXAMPLES = [
    ("deep-learning-guide", "nn-param-count-cloze", 1, "8,256"),
    ("deep-learning-guide", "cnn-flatten-size-cloze", None, "2,304"),
    ("deep-learning-guide", "loop-scale-cloze", None, "255.0"),
    ("deep-learning-guide", "loop-expected-accuracy-cloze", None, "98%"),
    ("deep-learning-guide", "act-sigmoid-cloze", None, "−x"),
    ("deep-learning-guide", "act-leaky-relu-cloze", 0, "−0.05"),
    ("deep-learning-guide", "cnn-pool-cloze", None, "MaxPooling2D((2, 2))"),
    ("deep-learning-guide", "cnn-pool-cloze", None, "MaxPooling2D(2)"),
    ("deep-learning-guide", "cnn-pool-cloze", None, "MaxPool2D(2,2)"),
    ("deep-learning-guide", "cnn-conv-kernel-cloze", 0, "(3, 3)"),
    ("deep-learning-guide", "cnn-conv-kernel-cloze", 0, "3"),
    ("deep-learning-guide", "rnn-return-sequences-cloze", None, "return_sequences = True"),
    ("deep-learning-guide", "loop-restore-best-cloze", None, "restore_best_weights = True"),
    ("deep-learning-guide", "loop-validation-split-cloze", None, "validation_split = 0.2"),
    ("deep-learning-guide", "act-gelu-cloze", None, "Gaussian"),
    ("deep-learning-interview", "attn-causal-keras-cloze", None, "use_causal_mask = True"),
    ("deep-learning-interview", "norm-bn-no-bias-cloze", None, "use_bias = False"),
    ("deep-learning-interview", "emb-mask-zero-cloze", None, "mask_zero = True"),
    ("deep-learning-interview", "kerr-predict-argmax-cloze", 1, "axis=-1"),
    ("deep-learning-interview", "tl-trainable-cloze", 0, "include_top = False"),
    ("deep-learning-interview", "loss-ce-cloze", None, "−log p"),
    ("deep-learning-interview", "loss-ce-cloze", None, "-ln(p)"),
    ("deep-learning-interview", "loss-ce-cloze", None, "log(1/p)"),
    ("deep-learning-interview", "reg-inverted-dropout-cloze", None, "1/(1 − p)"),
]


@pytest.mark.parametrize(("deck_id", "card_id", "blank", "typed"), BUNDLED_EXAMPLES)
def test_issue_answers_on_the_bundled_cards(
    deck_id: str, card_id: str, blank: int | None, typed: str
) -> None:
    deck = load_deck(DECKS / f"{deck_id}.yaml")
    cards = {card.id: card for card in deck.cards}
    card = cards.get(card_id)
    assert isinstance(card, ClozeCard), f"{card_id} is not a cloze card in {deck_id}"
    index = 0 if blank is None else blank
    typed_blanks = list(card.blanks)
    typed_blanks[index] = typed
    results = check_cloze(card, typed_blanks).results
    assert results[index].verdict is Verdict.RIGHT, (card.text, typed)


# These two are different words, not different spellings: only the deck's
# alternative can make them right.
NEED_AN_ALTERNATIVE = {("act-gelu-cloze", "Gaussian"), ("kerr-predict-argmax-cloze", "axis=-1")}


@pytest.mark.parametrize(("deck_id", "card_id", "blank", "typed"), BUNDLED_EXAMPLES)
def test_issue_answers_on_the_bundled_cards_stripped_of_alternatives(
    deck_id: str, card_id: str, blank: int | None, typed: str
) -> None:
    card = {card.id: card for card in load_deck(DECKS / f"{deck_id}.yaml").cards}[card_id]
    assert isinstance(card, ClozeCard)
    bare = CLOZE_BLANK.sub(lambda match: "{{" + canonical_blank(match.group(1)) + "}}", card.text)
    stripped = cloze(bare)
    index = 0 if blank is None else blank
    typed_blanks = list(stripped.blanks)
    typed_blanks[index] = typed
    verdict = check_cloze(stripped, typed_blanks).results[index].verdict
    expected = Verdict.WRONG if (card_id, typed) in NEED_AN_ALTERNATIVE else Verdict.RIGHT
    assert verdict is expected, (bare, typed)


@pytest.mark.parametrize(
    ("text", "typed", "verdict"),
    [
        ("about {{98}}% accuracy", "98%", Verdict.RIGHT),  # the card's own % retyped
        ("about {{98}}% accuracy", "98", Verdict.RIGHT),
        ("a rate of {{0.5}}", "50%", Verdict.RIGHT),  # % means hundredths
        ("a rate of {{0.5}}", "0.5%", Verdict.WRONG),
        ("an accuracy of {{98%}}", "0.98", Verdict.RIGHT),
        ("an accuracy of {{98%}}", "98", Verdict.RIGHT),
        ("an accuracy of {{98%}}", "9.8%", Verdict.WRONG),
        ("masks {{15%}} of the tokens", "15 percent", Verdict.RIGHT),
        ("masks {{15%}} of the tokens", "0.15", Verdict.RIGHT),
        ("a share of {{0.25}}", "25%", Verdict.RIGHT),
        ("a share of {{0.25}}", "1/4", Verdict.RIGHT),
    ],
)
def test_percentages_mean_hundredths_unless_the_card_prints_the_sign(
    text: str, typed: str, verdict: Verdict
) -> None:
    assert verdicts(text, typed) == [verdict]


# -- near misses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "typed", "verdict"),
    [
        ("sigmoid", "sigmod", Verdict.ALMOST),
        ("sigmoid", "sigmiod", Verdict.ALMOST),  # a swap is one edit
        ("return_sequences=True", "return_sequence=True", Verdict.ALMOST),
        ("LayerNormalization", "LayerNormalisation", Verdict.ALMOST),
        ("LayerNormalization", "LayerNormalisatoin", Verdict.ALMOST),
        ("LayerNormalization", "BatchNormalization", Verdict.WRONG),
        ("relu", "selu", Verdict.WRONG),  # short answers: no typo allowance
        ("tanh", "tan", Verdict.WRONG),
        ("8256", "8265", Verdict.WRONG),  # a number with a slip is another number
        ("Conv2D", "Conv1D", Verdict.WRONG),  # the digits carry the meaning
        ("dropout", "dropuot", Verdict.ALMOST),
        ("dropout", "drop", Verdict.WRONG),
        # Opposites are a few letters apart but no typo.
        ("increases", "decreases", Verdict.WRONG),
        ("maximization", "minimization", Verdict.WRONG),
        ("overfitting", "underfitting", Verdict.WRONG),
        ("upsampling", "downsampling", Verdict.WRONG),
        ("supervised", "unsupervised", Verdict.WRONG),
        ("increases", "increasse", Verdict.ALMOST),
    ],
)
def test_near_misses(expected: str, typed: str, verdict: Verdict) -> None:
    assert verdicts(f"{{{{{expected}}}}}", typed) == [verdict]


def test_almost_shows_the_canonical_answer_not_the_alternative() -> None:
    card = cloze("{{LayerNormalization|LayerNorm}}")
    (result,) = check_cloze(card, ["LayerNormalisation"]).results
    assert (result.verdict, result.canonical) == (Verdict.ALMOST, "LayerNormalization")


# -- suggested grades ---------------------------------------------------------------


def test_suggested_cloze_grades() -> None:
    two = "{{sigmoid}} and {{softmax}}"
    assert check_cloze(cloze(two), ["sigmoid", "softmax"]).suggested == Quality.GOOD
    assert check_cloze(cloze(two), ["sigmod", "softmax"]).suggested == Quality.HARD
    assert check_cloze(cloze(two), ["sigmoid", "relu"]).suggested == Quality.WRONG_FAMILIAR
    assert check_cloze(cloze(two), ["sigmod", "relu"]).suggested == Quality.WRONG
    assert check_cloze(cloze(two), ["", ""]).suggested == Quality.WRONG
    assert check_cloze(cloze(two), ["sigmoid"]).suggested == Quality.WRONG_FAMILIAR


def test_suggested_grades() -> None:
    assert suggest_mcq_grade([1], [1]) == Quality.GOOD
    assert suggest_mcq_grade([0], [1]) == Quality.WRONG
    assert suggest_mcq_grade([0, 1], [1, 2]) == Quality.WRONG_FAMILIAR
    hits = key_point_hits("memory", ["memory", "backward pass"])
    assert suggest_qa_grade("memory", hits) == Quality.HARD
    assert suggest_qa_grade("", hits) is None
    all_hits = key_point_hits("memory and backward passes", ["memory", "backward pass"])
    assert suggest_qa_grade("x", all_hits) == Quality.GOOD
