"""The second-round challenges: each starter fails for the reason its prompt sets.

A fix-this-model starter must be told what is still wrong, a training setup
what fit() was given, a numeric challenge how far it is from the reference.
Real Keras: the starters' verdicts are the ones ``bundled_verifications`` (what
``quizdl challenge verify`` runs) got, so no starter is checked twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from keras_checks import BUNDLED

from quizdl.challenges.verify import Verification
from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

pytestmark = [pytest.mark.keras, pytest.mark.xdist_group(BUNDLED)]

DECK = Path(__file__).resolve().parents[2] / "decks" / "keras-challenges.yaml"
CARDS = {card.id: card for card in load_deck(DECK).cards if isinstance(card, ChallengeCard)}

# card -> (the rule the starter fails, a fragment of what it is told)
EXPECTED: dict[str, tuple[str, str]] = {
    "train-early-stopping": ("EarlyStopping", "expected callbacks=[keras.callbacks.EarlyStopping"),
    "batchnorm-dropout-order": ("layer 1: Dense(units=64, activation=linear, use_bias=False)", ""),
    "two-input-model": ("inputs", "expected 2 inputs"),
    "residual-conv-block": ("residual around Conv2D", "is never added to its input"),
    "dense-autoencoder": ("loss", "expected binary_crossentropy, found mse"),
    "bottleneck-1x1": ("parameters", "expected 70,016 parameters"),
    "global-average-pooling-head": ("layer 2: GlobalAveragePooling2D()", "found Flatten"),
    "transfer-frozen-base": ("trainable parameters", "expected 330 trainable parameters"),
    "embedding-bilstm": ("layer 2: Bidirectional()", "found LSTM"),
    "gru-classifier": ("layer 2: GRU(units=64)", "found SimpleRNN"),
    "masking-mask-zero": ("layer 1: Embedding(input_dim=1000, output_dim=16, mask_zero=True)", ""),
    "causal-attention-block": ("self-attention in MultiHeadAttention", "use_causal_mask=True"),
    "positional-encoding-layer": ("values", "differ from the reference"),
    "scaled-dot-product-attention": ("values", "differ from the reference"),
    "custom-huber-loss": ("values", "differ from the reference"),
    "learning-rate-schedule": (
        "learning-rate schedule",
        "expected learning_rate=keras.optimizers.schedules.ExponentialDecay",
    ),
    "fix-from-logits": ("from_logits", "the last layer outputs raw scores (logits)"),
    "fix-missing-flatten": ("output", "add Flatten() (or GlobalAveragePooling2D()) before it"),
    "fix-stacked-lstm": ("model", "give that layer return_sequences=True"),
}


def test_the_untouched_mlp_starter_gets_only_true_lines(
    bundled_verifications: dict[str, Verification],
) -> None:
    verdict = bundled_verifications["keras-mlp-mnist"].starter
    found = {check.rule: (check.passed, check.message) for check in verdict.checks}
    report = "\n".join([*verdict.lines(), verdict.stderr[-1000:]])
    assert found["input"] == (True, "declared: shape (None, 784), float32"), report
    assert found["no extra layers"] == (True, "the model has no layers yet"), report
    assert not found["runs"][0]
    assert "does not declare" not in report
    assert "exactly the" not in report
    assert not verdict.passed


def test_every_new_challenge_has_an_expectation() -> None:
    assert set(EXPECTED) == set(CARDS)
    assert len(CARDS) >= 18
    for card in CARDS.values():
        assert "**Interview point:**" in card.prompt, card.id


@pytest.mark.parametrize("card_id", sorted(EXPECTED))
def test_the_starter_fails_for_the_stated_reason(
    card_id: str, bundled_verifications: dict[str, Verification]
) -> None:
    verdict = bundled_verifications[card_id].starter
    rule, fragment = EXPECTED[card_id]
    failed = {check.rule: check.message for check in verdict.failures}
    report = "\n".join([*verdict.lines(), verdict.stderr[-1000:]])
    assert not verdict.passed, report
    assert rule in failed, report
    assert fragment in failed[rule], report
