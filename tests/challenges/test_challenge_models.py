"""Every bundled challenge against real Keras: equivalent models pass, wrong ones fail.

All cases run once per module through one shared ``Checker`` from two threads
(the checker is thread-safe, and two cores import TensorFlow twice as fast);
each test then looks at its own verdict. The reference solutions and starters
are checked once per run, with every bundled challenge's (``bundled_verifications``,
what ``quizdl challenge verify`` checks), and their tests read those verdicts.
The other cases form one pytest-xdist group, so they are checked on one worker
only.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from keras_checks import BUNDLED

from quizdl.challenges.runner import Checker
from quizdl.challenges.verdict import Verdict
from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

pytestmark = pytest.mark.keras
GROUP = "keras-models"

DECKS = Path(__file__).resolve().parents[2] / "decks"
CARDS: dict[str, ChallengeCard] = {
    card.id: card
    for name in ("deep-learning-guide.yaml", "deep-learning-interview.yaml")
    for card in load_deck(DECKS / name).cards
    if isinstance(card, ChallengeCard)
}


@dataclass(frozen=True)
class Case:
    challenge: str
    name: str
    code: str
    # Fragments that must appear in the failed rules' lines; empty: the case passes.
    problems: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.challenge}:{self.name}"


def reference(challenge: str) -> Case:
    return Case(challenge, "reference solution", CARDS[challenge].solution)


MLP = "keras-mlp-mnist"
CNN = "keras-cnn-cifar10"
RNN = "keras-rnn-imdb"
BLOCK = "keras-transformer-block"
BATCHNORM = "keras-binary-batchnorm"
LSTM = "keras-lstm-text"

MLP_COMPILE = """
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
"""

CASES: list[Case] = [
    # ---- MLP ----
    reference(MLP),
    Case(
        MLP,
        "tf.keras, input_shape=, activation functions, optimizer and loss objects",
        """
from tensorflow import keras

def build_model():
    model = keras.Sequential([
        keras.layers.Dense(128, activation=keras.activations.relu, input_shape=(784,)),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(64, activation=keras.activations.relu),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation=keras.activations.softmax),
    ])
    model.compile(optimizer=keras.optimizers.Adam(),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model
""",
    ),
    Case(
        MLP,
        "functional tf.keras with activation layers and a module-level model",
        """
import tensorflow as tf
layers = tf.keras.layers
inputs = tf.keras.Input(shape=(784,))
x = layers.Dense(128)(inputs)
x = layers.ReLU()(x)
x = layers.Dropout(0.2)(x)
x = layers.Dense(64)(x)
x = layers.Activation("relu")(x)
x = layers.Dropout(0.2)(x)
outputs = layers.Softmax()(layers.Dense(10)(x))
model = tf.keras.Model(inputs, outputs)
model.compile(optimizer=tf.keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
              metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
""",
    ),
    Case(
        MLP,
        "subclassed model",
        """
import keras
from keras import layers

class MLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden1 = layers.Dense(128, activation="relu")
        self.drop1 = layers.Dropout(0.2)
        self.hidden2 = layers.Dense(64, activation="relu")
        self.drop2 = layers.Dropout(0.2)
        self.out = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        x = self.drop1(self.hidden1(x), training=training)
        x = self.drop2(self.hidden2(x), training=training)
        return self.out(x)

def build_model():
    model = MLP()
"""
        + MLP_COMPILE,
    ),
    Case(MLP, "starter", CARDS[MLP].starter, ("layer 1: Dense", "not compiled")),
    Case(
        MLP,
        "second hidden layer too small",
        CARDS[MLP].solution.replace("Dense(64", "Dense(32"),
        (
            "layer 3 (Dense): expected units=64, found 32",
            "expected 109,386 parameters, found 104,938",
        ),
    ),
    Case(
        MLP,
        "dropout rate",
        CARDS[MLP].solution.replace("Dropout(0.2)", "Dropout(0.5)", 1),
        ("layer 2 (Dropout): expected rate=0.2, found 0.5",),
    ),
    Case(
        MLP,
        "a Dense where the second Dropout belongs",
        """
import keras
from keras import layers

def build_model():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(64, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
"""
        + MLP_COMPILE,
        (
            "layer 4 (Dense): expected Dropout, found Dense(units=32, activation=relu)",
            "expected 109,386 parameters, found 111,146",
        ),
    ),
    Case(
        MLP,
        "wrong output activation and compile settings",
        """
import keras
from keras import layers

def build_model():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(128, activation="relu"), layers.Dropout(0.2),
        layers.Dense(64, activation="relu"), layers.Dropout(0.2),
        layers.Dense(10, activation="relu"),
    ])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    return model
""",
        (
            "layer 5 (Dense): expected activation=softmax, found relu",
            "optimizer — expected Adam, found SGD",
            "loss — expected sparse_categorical_crossentropy, found categorical_crossentropy",
            "metrics — expected accuracy among the metrics, found none",
        ),
    ),
    Case(
        MLP,
        "not compiled",
        CARDS[MLP].solution.split("    model.compile")[0] + "    return model\n",
        (
            "optimizer — the model is not compiled",
            "loss — the model is not compiled",
        ),
    ),
    Case(
        MLP,
        "image input instead of flat features",
        CARDS[MLP].solution.replace(
            "keras.Input(shape=(784,)),", "keras.Input(shape=(28, 28)), layers.Flatten(),"
        ),
        (
            "input — expected shape (None, 784), found (None, 28, 28)",
            "layer 1 (Flatten) is not part of this challenge",
        ),
    ),
    # ---- CNN ----
    reference(CNN),
    Case(
        CNN,
        "the guide's code: tf.keras, input_shape=, MaxPooling2D(2, 2)",
        """
import tensorflow as tf
from tensorflow import keras

def build_model():
    return keras.Sequential([
        keras.layers.Conv2D(32, (3,3), activation="relu", input_shape=(32,32,3)),
        keras.layers.MaxPooling2D(2,2),
        keras.layers.Conv2D(64, (3,3), activation="relu"),
        keras.layers.MaxPooling2D(2,2),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax")
    ])
""",
    ),
    Case(
        CNN,
        "functional, MaxPool2D(), kernel_size=3, ReLU and Softmax layers",
        """
import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3))
x = layers.ReLU()(layers.Conv2D(filters=32, kernel_size=3)(inputs))
x = layers.MaxPool2D()(x)
x = layers.Conv2D(64, 3, activation=keras.activations.relu)(x)
x = layers.MaxPooling2D(pool_size=2)(x)
x = layers.Flatten()(x)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Softmax()(layers.Dense(10)(x))

def build_model():
    return keras.Model(inputs=inputs, outputs=outputs)
""",
    ),
    Case(
        CNN,
        "subclassed, no declared input",
        """
import keras
from keras import layers

class SmallCNN(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = [layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")]
        self.conv1 = layers.Conv2D(32, 3, activation="relu")
        self.conv2 = layers.Conv2D(64, 3, activation="relu")
        self.pool = layers.MaxPooling2D(2)
        self.pool2 = layers.MaxPooling2D(2)
        self.flatten = layers.Flatten()

    def call(self, x):
        x = self.pool(self.conv1(x))
        x = self.pool2(self.conv2(x))
        x = self.flatten(x)
        for layer in self.head:
            x = layer(x)
        return x

def build_model():
    return SmallCNN()
""",
    ),
    Case(
        CNN,
        "a nested Sequential feature extractor",
        """
import keras
from keras import layers

features = keras.Sequential([
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, activation="relu"),
    layers.MaxPooling2D(),
])

def build_model():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        features,
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
""",
    ),
    Case(
        CNN,
        "starter",
        CARDS[CNN].starter,
        ("layer 1: Conv2D", "output — expected shape (None, 10)"),
    ),
    Case(
        CNN,
        "5x5 kernel",
        CARDS[CNN].solution.replace("Conv2D(32, (3, 3)", "Conv2D(32, (5, 5)"),
        ("layer 1 (Conv2D): expected kernel_size=3, found (5, 5)",),
    ),
    Case(
        CNN,
        "same padding and too few filters",
        CARDS[CNN].solution.replace(
            'Conv2D(64, (3, 3), activation="relu")',
            'Conv2D(16, (3, 3), activation="relu", padding="same")',
        ),
        ("layer 3 (Conv2D): expected filters=64, found 16; expected padding=valid, found same",),
    ),
    Case(
        CNN,
        "3x3 pooling",
        CARDS[CNN].solution.replace("MaxPooling2D((2, 2))", "MaxPooling2D((3, 3))", 1),
        (
            "layer 2 (MaxPooling2D): expected pool_size=2, found (3, 3); "
            "expected strides=2, found (3, 3)",
        ),
    ),
    Case(
        CNN,
        "global pooling instead of Flatten",
        CARDS[CNN].solution.replace("layers.Flatten()", "layers.GlobalAveragePooling2D()"),
        ("layer 5 (GlobalAveragePooling2D): expected Flatten, found GlobalAveragePooling2D",),
    ),
    Case(
        CNN,
        "grayscale input",
        CARDS[CNN].solution.replace("(32, 32, 3)", "(28, 28, 1)"),
        ("input — expected shape (None, 32, 32, 3), found (None, 28, 28, 1)",),
    ),
    # ---- RNN ----
    reference(RNN),
    Case(
        RNN,
        "the guide's code: no input at all, tf.keras",
        """
import tensorflow as tf
from tensorflow import keras

rnn = keras.Sequential([
    keras.layers.Embedding(10000, 128),
    keras.layers.SimpleRNN(64, return_sequences=True),
    keras.layers.SimpleRNN(32),
    keras.layers.Dense(1, activation="sigmoid")
])

def build_model():
    return rnn
""",
    ),
    Case(
        RNN,
        "functional, int64 ids, sigmoid as a function",
        """
import keras

def build_model():
    tokens = keras.Input(shape=(None,), dtype="int64")
    x = keras.layers.Embedding(input_dim=10000, output_dim=128)(tokens)
    x = keras.layers.SimpleRNN(64, return_sequences=True)(x)
    x = keras.layers.SimpleRNN(units=32, return_sequences=False)(x)
    return keras.Model(tokens, keras.layers.Dense(1, activation=keras.activations.sigmoid)(x))
""",
    ),
    Case(RNN, "starter", CARDS[RNN].starter, ("layer 1: Embedding",)),
    Case(
        RNN,
        "last RNN returns sequences",
        CARDS[RNN].solution.replace(
            "layers.SimpleRNN(32)", "layers.SimpleRNN(32, return_sequences=True)"
        ),
        (
            "layer 3 (SimpleRNN): expected return_sequences=False, found True",
            "output — expected shape (None, 1), found (None, None, 1)",
        ),
    ),
    Case(
        RNN,
        "small embedding from a small vocabulary",
        CARDS[RNN].solution.replace("Embedding(10000, 128)", "Embedding(5000, 64)"),
        (
            "layer 1 (Embedding): expected input_dim=10000, found 5000; "
            "expected output_dim=128, found 64",
        ),
    ),
    Case(
        RNN,
        "LSTM instead of SimpleRNN",
        CARDS[RNN].solution.replace("layers.SimpleRNN(32)", "layers.LSTM(32)"),
        ("layer 3 (LSTM): expected SimpleRNN, found LSTM",),
    ),
    Case(
        RNN,
        "fixed sequence length and softmax output",
        CARDS[RNN]
        .solution.replace("shape=(None,)", "shape=(200,)")
        .replace('"sigmoid"', '"softmax"'),
        (
            "leave dimension 1 as None",
            "layer 4 (Dense): expected activation=sigmoid, found softmax",
        ),
    ),
    # ---- transformer block ----
    reference(BLOCK),
    Case(
        BLOCK,
        "tf.keras, fixed length, layers.Add(), keyword query/value",
        """
from tensorflow import keras
from tensorflow.keras import layers

def build_model():
    x = keras.Input(shape=(10, 64))
    attention = layers.MultiHeadAttention(num_heads=4, key_dim=64)(query=x, value=x)
    return keras.Model(x, layers.LayerNormalization()(layers.Add()([x, attention])))
""",
    ),
    Case(
        BLOCK,
        "layers.add with dropout, the guide's helper function",
        """
import keras
from keras.layers import MultiHeadAttention, LayerNormalization, Dropout, add

def transformer_block(x, d_model, num_heads):
    attn = MultiHeadAttention(num_heads=num_heads, key_dim=d_model)(x, x)
    attn = Dropout(0.1)(attn)
    return LayerNormalization()(add([x, attn]))

def build_model():
    inputs = keras.Input(shape=(None, 64))
    return keras.Model(inputs, transformer_block(inputs, 64, 4))
""",
    ),
    Case(
        BLOCK,
        "subclassed block",
        """
import keras
from keras import layers

class Block(keras.Model):
    def __init__(self):
        super().__init__()
        self.norm = layers.LayerNormalization()
        self.attention = layers.MultiHeadAttention(num_heads=4, key_dim=64)

    def call(self, x):
        return self.norm(x + self.attention(x, x))

model = Block()
""",
    ),
    Case(
        BLOCK,
        "a custom Layer subclass inside a functional model",
        """
import keras
from keras import layers

class TransformerBlock(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=4, key_dim=64)
        self.norm = layers.LayerNormalization()

    def call(self, x):
        return self.norm(x + self.attention(x, x))

def build_model():
    inputs = keras.Input(shape=(None, 64))
    return keras.Model(inputs, TransformerBlock()(inputs))
""",
    ),
    Case(
        BLOCK,
        "starter",
        CARDS[BLOCK].starter,
        ("expected a MultiHeadAttention, but the model has none",),
    ),
    Case(
        BLOCK,
        "no residual",
        CARDS[BLOCK].solution.replace("(inputs + attention)", "(attention)"),
        ("the output of layer 1 (MultiHeadAttention) is never added to its input",),
    ),
    Case(
        BLOCK,
        "pre-norm instead of add & norm",
        """
import keras
from keras import layers

def build_model():
    inputs = keras.Input(shape=(None, 64))
    normed = layers.LayerNormalization()(inputs)
    attention = layers.MultiHeadAttention(num_heads=4, key_dim=64)(normed, normed)
    return keras.Model(inputs, inputs + attention)
""",
        (
            "layer 2: LayerNormalization() — missing: expected LayerNormalization() after layer 2 "
            "(MultiHeadAttention)",
            "is never added to its input",
        ),
    ),
    Case(
        BLOCK,
        "eight heads",
        CARDS[BLOCK].solution.replace("num_heads=4", "num_heads=8"),
        ("layer 1 (MultiHeadAttention): expected num_heads=4, found 8",),
    ),
    Case(
        BLOCK,
        "cross-attention to a projection",
        CARDS[BLOCK].solution.replace("(inputs, inputs)", "(inputs, layers.Dense(64)(inputs))"),
        ("attends to a different tensor",),
    ),
    Case(
        BLOCK,
        "a Dense between the sum and the norm, and a narrower output",
        """
import keras
from keras import layers

def build_model():
    inputs = keras.Input(shape=(None, 64))
    attention = layers.MultiHeadAttention(num_heads=4, key_dim=64)(inputs, inputs)
    x = layers.Dense(32)(inputs + attention)
    return keras.Model(inputs, layers.LayerNormalization()(x))
""",
        (
            "expected the sum to go into LayerNormalization, found it goes into layer 2 (Dense)",
            "output — expected shape (None, any, 64), found (None, None, 32)",
        ),
    ),
    # ---- batch norm classifier ----
    reference(BATCHNORM),
    Case(
        BATCHNORM,
        "functional tf.keras, ReLU layer, optimizer/loss/metric objects",
        """
import tensorflow as tf
keras = tf.keras

def build_model():
    inputs = keras.Input(shape=(20,))
    x = keras.layers.Dense(64, use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Dropout(0.3)(x)
    outputs = keras.layers.Dense(1, activation=keras.activations.sigmoid)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy()])
    return model
""",
    ),
    Case(BATCHNORM, "starter", CARDS[BATCHNORM].starter, ("expected use_bias=False, found True",)),
    Case(
        BATCHNORM,
        "normalizing after the activation",
        CARDS[BATCHNORM].solution.replace(
            'layers.BatchNormalization(),\n            layers.Activation("relu"),',
            'layers.Activation("relu"),\n            layers.BatchNormalization(),',
        ),
        (
            "layer 1 (Dense): expected activation=linear, found relu (applied by the next layer, "
            "activation)",
            "missing: expected Activation(activation=relu) after layer 3 (BatchNormalization)",
        ),
    ),
    Case(
        BATCHNORM,
        "with a bias and mean squared error",
        CARDS[BATCHNORM]
        .solution.replace("use_bias=False", "use_bias=True")
        .replace('loss="binary_crossentropy"', 'loss="mse"'),
        (
            "layer 1 (Dense): expected use_bias=False, found True",
            "loss — expected binary_crossentropy, found mse",
            "expected 1,601 parameters, found 1,665",
        ),
    ),
    # ---- LSTM ----
    reference(LSTM),
    Case(
        LSTM,
        "tf.keras Sequential built from the declared input, loss object",
        """
from tensorflow import keras

def build_model():
    model = keras.Sequential([
        keras.layers.Embedding(20000, 64, mask_zero=True),
        keras.layers.LSTM(64, return_sequences=False),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(),
                  metrics=["acc"])
    return model
""",
    ),
    Case(LSTM, "starter", CARDS[LSTM].starter, ("expected mask_zero=True, found False",)),
    Case(
        LSTM,
        "GRU with 128 units and no metrics",
        CARDS[LSTM]
        .solution.replace("layers.LSTM(64)", "layers.GRU(128)")
        .replace(', metrics=["accuracy"]', ""),
        (
            "layer 2 (GRU): expected LSTM, found GRU",
            "metrics — expected accuracy among the metrics, found none",
        ),
    ),
    Case(
        LSTM,
        "a wider LSTM",
        CARDS[LSTM].solution.replace("layers.LSTM(64)", "layers.LSTM(128)"),
        ("layer 2 (LSTM): expected units=64, found 128",),
    ),
]


def bundled_code(case: Case) -> str | None:
    """ "solution" or "starter" when the case is the card's own, else None."""
    card = CARDS[case.challenge]
    return {card.solution: "solution", card.starter: "starter"}.get(case.code)


CHECKED_HERE = [case for case in CASES if bundled_code(case) is None]


@pytest.fixture(scope="module")
def verdicts() -> Iterator[dict[str, Verdict]]:
    with Checker() as checker, ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            case.id: pool.submit(checker.check, CARDS[case.challenge].expect, case.code)
            for case in CHECKED_HERE
        }
        yield {case_id: future.result() for case_id, future in futures.items()}


def test_every_challenge_has_passing_and_failing_cases() -> None:
    for challenge in CARDS:
        cases = [case for case in CASES if case.challenge == challenge]
        assert sum(not case.problems for case in cases) >= 2, challenge
        assert sum(bool(case.problems) for case in cases) >= 3, challenge


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.id,
            marks=pytest.mark.xdist_group(GROUP if bundled_code(case) is None else BUNDLED),
        )
        for case in CASES
    ],
)
def test_case(case: Case, request: pytest.FixtureRequest) -> None:
    # Fixtures by name, so a case asks only for the checks it reads (and xdist
    # runs it in that fixture's group).
    shared = bundled_code(case)
    if shared is None:
        verdict: Verdict = request.getfixturevalue("verdicts")[case.id]
    else:
        verification = request.getfixturevalue("bundled_verifications")[case.challenge]
        verdict = getattr(verification, shared)
    report = "\n".join([*verdict.lines(), verdict.stderr[-2000:]])
    if not case.problems:
        assert verdict.passed, report
        return
    assert not verdict.passed, report
    failed = "\n".join(check.line() for check in verdict.failures)
    for problem in case.problems:
        assert problem in failed, report
