"""The challenge spec is plain, strict, frozen data; loading it never runs code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from quizdl.challenges.spec import (
    ChallengeSpec,
    LayerSpec,
    ResidualFeature,
    SelfAttentionFeature,
    format_shape,
)
from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

DECKS = Path(__file__).resolve().parents[2] / "decks"
GUIDE_CHALLENGES = {
    "keras-mlp-mnist": "Neural Network Architecture",
    "keras-cnn-cifar10": "CNN, RNN & Transformers",
    "keras-rnn-imdb": "CNN, RNN & Transformers",
    "keras-transformer-block": "CNN, RNN & Transformers",
}
INTERVIEW_CHALLENGES = {"keras-binary-batchnorm", "keras-lstm-text"}


def _challenges(deck_file: str) -> dict[str, ChallengeCard]:
    deck = load_deck(DECKS / deck_file)
    return {card.id: card for card in deck.cards if isinstance(card, ChallengeCard)}


def test_guide_deck_ends_with_the_four_guide_challenges() -> None:
    deck = load_deck(DECKS / "deep-learning-guide.yaml")
    assert [card.id for card in deck.cards[-4:]] == list(GUIDE_CHALLENGES)
    for card_id, source in GUIDE_CHALLENGES.items():
        card = _challenges("deep-learning-guide.yaml")[card_id]
        assert card.source == source
        assert "build_model" in card.starter and "build_model" in card.solution
        assert card.title and card.prompt and card.tags


def test_interview_deck_has_our_own_challenges() -> None:
    assert set(_challenges("deep-learning-interview.yaml")) >= INTERVIEW_CHALLENGES


def test_minimal_spec_needs_only_an_input() -> None:
    spec = ChallengeSpec.model_validate({"input": {"shape": [784]}})
    assert spec.input.dtype == "float"
    assert spec.layers == () and spec.compile is None and spec.trains is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"input": {"shape": [784]}, "layer": []}, "layer"),  # typo of layers
        ({"input": {"shape": [784], "dtype": "double"}}, "dtype"),
        ({"input": {"shape": []}}, "shape"),
        ({"input": {"shape": [0]}}, "shape"),
        ({"input": {"shape": [784]}, "layers": [{"type": "Dense", "unit": 3}]}, "unit"),
        ({"input": {"shape": [784]}, "layers": [{"type": "Dropout", "rate": 1.5}]}, "rate"),
        ({"input": {"shape": [784]}, "params": {"exact": 10, "max": 20}}, "params"),
        ({"input": {"shape": [784]}, "params": {}}, "params"),
        ({"input": {"shape": [784]}, "params": {"min": 20, "max": 10}}, "params"),
        ({"input": {"shape": [784]}, "output": {}}, "output"),
        ({"input": {"shape": [784]}, "features": [{"residual": "Dense", "typo": 1}]}, "features"),
        ({"input": {"shape": [784]}, "trains": {"steps": 0}}, "steps"),
        ({"layers": []}, "input"),
    ],
)
def test_invalid_specs_are_rejected_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ChallengeSpec.model_validate(data)
    assert field in str(error.value)


def test_spec_is_frozen() -> None:
    spec = ChallengeSpec.model_validate({"input": {"shape": [784]}})
    with pytest.raises(ValidationError):
        spec.input = spec.input  # type: ignore[misc]


@pytest.mark.parametrize(
    ("written", "layer_type", "activation"),
    [
        ({"type": "MaxPool2D"}, "MaxPooling2D", None),
        ({"type": "Convolution2D"}, "Conv2D", None),
        ({"type": "ReLU"}, "Activation", "relu"),
        ({"type": "Softmax"}, "Activation", "softmax"),
        ({"type": "Dense", "activation": "ReLU"}, "Dense", "relu"),
        ({"type": "Dense", "activation": "None"}, "Dense", "linear"),
    ],
)
def test_layer_names_are_canonical(
    written: dict[str, str], layer_type: str, activation: str | None
) -> None:
    layer = LayerSpec.model_validate(written)
    assert layer.type == layer_type
    assert layer.activation == activation


def test_layer_describes_only_checked_attributes_in_order() -> None:
    layer = LayerSpec.model_validate(
        {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"}
    )
    assert layer.attributes() == {"filters": 32, "kernel_size": (3, 3), "activation": "relu"}
    assert layer.describe() == "Conv2D(filters=32, kernel_size=(3, 3), activation=relu)"


def test_features_are_told_apart_by_their_keys() -> None:
    spec = ChallengeSpec.model_validate(
        {
            "input": {"shape": ["*", 64]},
            "features": [
                {"self_attention": "MultiHeadAttention"},
                {"residual": "MultiHeadAttention", "then": "LayerNormalization"},
            ],
        }
    )
    assert isinstance(spec.features[0], SelfAttentionFeature)
    assert isinstance(spec.features[1], ResidualFeature)
    assert spec.input.keras_shape == (None, 64)


def test_shapes_read_like_keras() -> None:
    assert format_shape((None, 784)) == "(None, 784)"
    assert format_shape((None,)) == "(None,)"
    assert format_shape((None, "*", 64)) == "(None, any, 64)"


def test_loading_decks_and_the_checker_api_never_imports_tensorflow() -> None:
    code = (
        "import sys\n"
        "import quizdl.challenges.spec, quizdl.challenges.grader, quizdl.challenges.runner\n"
        "import quizdl.cli.challenge, quizdl.decks.loader\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
