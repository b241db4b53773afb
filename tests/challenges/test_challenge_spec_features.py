"""Spec features and kinder verdicts, checked with real Keras in child processes.

Declared inputs, literal Activation layers, metric order, an undeclared model
over an input of any width, several inputs, and the usual Keras mistakes
explained in a learner's terms before Keras's own text. Every ✓ line must be
true of the learner's model.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from quizdl.challenges.runner import Checker
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Verdict

# One pytest-xdist group: the module's cases are checked on one worker only.
pytestmark = [pytest.mark.keras, pytest.mark.xdist_group("keras-spec-features")]


def spec(data: dict[str, object]) -> ChallengeSpec:
    return ChallengeSpec.model_validate(data)


DECLARED = spec({"input": {"shape": [4], "declared": True}, "layers": [{"type": "Dense"}]})
LITERAL = spec(
    {
        "input": {"shape": [4]},
        "literal_layers": True,
        "layers": [
            {"type": "Dense", "units": 3, "activation": "linear"},
            {"type": "Activation", "activation": "relu"},
        ],
    }
)
EITHER = LITERAL.model_copy(update={"literal_layers": False})
METRICS = spec(
    {
        "input": {"shape": [4]},
        "compile": {"metrics": ["accuracy", "auc"], "first_metric": "auc"},
    }
)
ANY_WIDTH = spec({"input": {"shape": [None]}, "layers": [{"type": "Dense", "units": 2}]})
TWO_INPUTS = spec(
    {
        "inputs": [
            {"shape": [8], "name": "numbers"},
            {"shape": [None], "dtype": "int", "high": 50, "name": "words"},
        ],
        "output": {"shape": [1]},
        "layers": [
            {"type": "Embedding", "input_dim": 50},
            {"type": "GlobalAveragePooling1D"},
            {"type": "Concatenate"},
            {"type": "Dense", "units": 1, "activation": "sigmoid"},
        ],
    }
)
RNN = spec(
    {
        "input": {"shape": [None], "dtype": "int", "high": 100},
        "layers": [
            {"type": "Embedding"},
            {"type": "SimpleRNN", "return_sequences": True},
            {"type": "SimpleRNN"},
            {"type": "Dense", "units": 1},
        ],
    }
)
IMAGES = spec({"input": {"shape": [28, 28, 1]}, "output": {"shape": [10]}})
FLAT = spec({"input": {"shape": [784]}, "output": {"shape": [10]}})
CLASSES = spec({"input": {"shape": [4]}, "trains": {"steps": 3, "labels": "classes"}})
BINARY = spec({"input": {"shape": [4]}, "trains": {"steps": 5, "labels": "binary"}})

HEAD = "import keras\nfrom keras import layers\n\n"


@dataclass(frozen=True)
class Case:
    spec: ChallengeSpec
    code: str


CASES: dict[str, Case] = {
    "undeclared when declaring is required": Case(
        DECLARED, HEAD + "model = keras.Sequential([layers.Dense(2)])\n"
    ),
    "declared when declaring is required": Case(
        DECLARED, HEAD + "model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])\n"
    ),
    "literal: separate Activation": Case(
        LITERAL,
        HEAD + "model = keras.Sequential([keras.Input((4,)), layers.Dense(3), "
        'layers.Activation("relu")])\n',
    ),
    "literal: merged activation": Case(
        LITERAL,
        HEAD
        + 'model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu")])\n',
    ),
    "either: spec with Activation, merged model": Case(
        EITHER,
        HEAD
        + 'model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu")])\n',
    ),
    "metrics in the wrong order": Case(
        METRICS,
        HEAD
        + "def build_model():\n"
        + "    model = keras.Sequential(\n"
        + "        [keras.Input((4,)), layers.Dense(1, activation='sigmoid')])\n"
        + "    model.compile(optimizer='adam', loss='binary_crossentropy',"
        + " metrics=['accuracy', 'auc'])\n"
        + "    return model\n",
    ),
    "metrics in the right order": Case(
        METRICS,
        HEAD
        + "def build_model():\n"
        + "    model = keras.Sequential(\n"
        + "        [keras.Input((4,)), layers.Dense(1, activation='sigmoid')])\n"
        + "    model.compile(optimizer='adam', loss='binary_crossentropy',"
        + " metrics=[keras.metrics.AUC(name='auc'), 'accuracy'])\n"
        + "    return model\n",
    ),
    "undeclared Dense over any width": Case(
        ANY_WIDTH, HEAD + "model = keras.Sequential([layers.Dense(2)])\n"
    ),
    "two inputs": Case(
        TWO_INPUTS,
        HEAD
        + "numbers = keras.Input((8,))\n"
        + "words = keras.Input((None,), dtype='int32')\n"
        + "embedded = layers.GlobalAveragePooling1D()(layers.Embedding(50, 4)(words))\n"
        + "merged = layers.Concatenate()([numbers, embedded])\n"
        + "model = keras.Model([numbers, words], layers.Dense(1, activation='sigmoid')(merged))\n",
    ),
    "stacked SimpleRNN without return_sequences (functional)": Case(
        RNN,
        HEAD
        + "def build_model():\n"
        + "    tokens = keras.Input((None,), dtype='int32')\n"
        + "    x = layers.Embedding(100, 8)(tokens)\n"
        + "    x = layers.SimpleRNN(8)(x)\n"
        + "    x = layers.SimpleRNN(8)(x)\n"
        + "    return keras.Model(tokens, layers.Dense(1)(x))\n",
    ),
    "stacked SimpleRNN without return_sequences (undeclared)": Case(
        RNN,
        HEAD
        + "model = keras.Sequential([layers.Embedding(100, 8), layers.SimpleRNN(8),"
        + " layers.SimpleRNN(8), layers.Dense(1)])\n",
    ),
    "Dense after Conv2D without Flatten": Case(
        IMAGES,
        HEAD
        + "model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3),"
        + " layers.Dense(10, activation='softmax')])\n",
    ),
    "Conv2D on flat input": Case(
        FLAT,
        HEAD
        + "model = keras.Sequential([keras.Input((784,)), layers.Conv2D(4, 3), layers.Flatten(),"
        + " layers.Dense(10)])\n",
    ),
    "integer labels with categorical_crossentropy": Case(
        CLASSES,
        HEAD
        + "def build_model():\n"
        + "    model = keras.Sequential(\n"
        + "        [keras.Input((4,)), layers.Dense(3, activation='softmax')])\n"
        + "    model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        + "    return model\n",
    ),
    "softmax over one unit": Case(
        BINARY,
        HEAD
        + "def build_model():\n"
        + "    model = keras.Sequential(\n"
        + "        [keras.Input((4,)), layers.Dense(1, activation='softmax')])\n"
        + "    model.compile(optimizer='adam', loss='binary_crossentropy')\n"
        + "    return model\n",
    ),
}


@pytest.fixture(scope="module")
def verdicts() -> Iterator[dict[str, Verdict]]:
    with Checker() as checker, ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(checker.check, case.spec, case.code, timeout=60.0)
            for name, case in CASES.items()
        }
        yield {name: future.result() for name, future in futures.items()}


def rules(verdict: Verdict) -> dict[str, tuple[bool, str]]:
    return {check.rule: (check.passed, check.message) for check in verdict.checks}


def report(verdict: Verdict) -> str:
    return "\n".join([*verdict.lines(), verdict.stderr[-1000:]])


def test_a_challenge_can_require_a_declared_input(verdicts: dict[str, Verdict]) -> None:
    undeclared = rules(verdicts["undeclared when declaring is required"])["input"]
    assert undeclared[0] is False
    assert "keras.Input(shape=(4,))" in undeclared[1]
    assert verdicts["declared when declaring is required"].passed


def test_literal_layers_need_a_separate_activation(verdicts: dict[str, Verdict]) -> None:
    assert verdicts["literal: separate Activation"].passed, report(
        verdicts["literal: separate Activation"]
    )
    merged = verdicts["literal: merged activation"]
    assert not merged.passed
    assert "missing: expected Activation(activation=relu)" in report(merged)
    # Without literal_layers, the spec's own Activation layer accepts either form.
    assert verdicts["either: spec with Activation, merged model"].passed


def test_a_challenge_can_require_the_first_metric(verdicts: dict[str, Verdict]) -> None:
    wrong = rules(verdicts["metrics in the wrong order"])["first metric"]
    assert wrong[0] is False and "expected auc first, found" in wrong[1]
    assert verdicts["metrics in the right order"].passed, report(
        verdicts["metrics in the right order"]
    )


def test_an_undeclared_model_over_any_width_gets_a_graded_verdict(
    verdicts: dict[str, Verdict],
) -> None:
    verdict = verdicts["undeclared Dense over any width"]
    assert verdict.passed, report(verdict)
    assert "the checker built it for (None, 16)" in rules(verdict)["input"][1]


def test_a_model_with_two_inputs_is_checked(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["two inputs"]
    assert verdict.passed, report(verdict)
    found = rules(verdict)
    assert "input 1 (numbers)" in found and "input 2 (words)" in found


def test_stacked_rnns_are_explained_before_the_keras_text(verdicts: dict[str, Verdict]) -> None:
    for name in (
        "stacked SimpleRNN without return_sequences (functional)",
        "stacked SimpleRNN without return_sequences (undeclared)",
    ):
        text = report(verdicts[name])
        hint = text.find("give that layer return_sequences=True")
        assert hint >= 0, text
        assert hint < text.find("expected ndim=3, found ndim=2"), text


def test_dense_after_conv2d_without_flatten_is_explained(verdicts: dict[str, Verdict]) -> None:
    passed, message = rules(verdicts["Dense after Conv2D without Flatten"])["output"]
    assert not passed
    assert "add Flatten() (or GlobalAveragePooling2D()) before it" in message


def test_conv2d_on_flat_input_is_explained(verdicts: dict[str, Verdict]) -> None:
    text = report(verdicts["Conv2D on flat input"])
    assert "Conv2D works on images shaped (height, width, channels)" in text
    assert text.find("Conv2D works on") < text.find("expected min_ndim=4")


def test_integer_labels_with_categorical_crossentropy_are_explained(
    verdicts: dict[str, Verdict],
) -> None:
    passed, message = rules(verdicts["integer labels with categorical_crossentropy"])["trains"]
    assert not passed
    assert message.find("use sparse_categorical_crossentropy") < message.find("same rank")


def test_softmax_over_one_unit_is_explained(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["softmax over one unit"]
    assert not verdict.passed
    passed, message = rules(verdict)["softmax"]
    assert not passed
    assert "layer 1 (Dense): softmax over one unit always outputs 1.0" in message
