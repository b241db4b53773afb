"""The usual causes of Keras's errors, said in a learner's terms.

Keras reports what went wrong at the level of tensors ("expected ndim=3,
found ndim=2"); a learner needs the modelling mistake behind it ("the
SimpleRNN before it returns only its last output"). These functions map a
Keras message (and, where known, the model's layers) to one sentence that the
verdict shows *before* the Keras text. Plain Python: used by the worker and by
the grader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quizdl.challenges.description import LayerInfo

RECURRENT = ("SimpleRNN", "LSTM", "GRU")
# Keras's default layer names are the class name in snake case, plus a number.
_NAME_TYPES: tuple[tuple[str, str], ...] = (
    ("simple_rnn", "SimpleRNN"),
    ("lstm", "LSTM"),
    ("gru", "GRU"),
    ("conv1d", "Conv1D"),
    ("conv2d", "Conv2D"),
    ("conv3d", "Conv3D"),
    ("max_pooling2d", "MaxPooling2D"),
    ("average_pooling2d", "AveragePooling2D"),
    ("max_pooling1d", "MaxPooling1D"),
    ("bidirectional", "Bidirectional"),
    ("dense", "Dense"),
)
_NDIM = re.compile(
    r"layer ['\"]?(?P<name>[\w.-]+)['\"]? is incompatible with the layer: "
    r"expected (?:min_)?ndim=(?P<want>\d+), found ndim=(?P<got>\d+)"
)
_SAME_RANK = re.compile(r"`target` and `output` must have the same (rank|shape)")
_UNDEFINED_SHAPE = re.compile(r"must be fully-defined \(no `None` dimensions\)")
_FLAT_IMAGE = {
    "Conv2D": "images shaped (height, width, channels)",
    "MaxPooling2D": "images shaped (height, width, channels)",
    "AveragePooling2D": "images shaped (height, width, channels)",
    "Conv1D": "sequences shaped (steps, features)",
    "MaxPooling1D": "sequences shaped (steps, features)",
    "Conv3D": "volumes shaped (depth, height, width, channels)",
}


def _layer_type(name: str, layers: Sequence[LayerInfo] | None) -> str | None:
    for layer in layers or ():
        if layer.name == name:
            return layer.class_name
    for prefix, layer_type in _NAME_TYPES:
        if re.fullmatch(rf"{prefix}(_\d+)?", name):
            return layer_type
    return None


def explain_error(detail: str, layers: Sequence[LayerInfo] | None = None) -> str | None:
    """The likely modelling mistake behind a Keras error message, or None."""
    found = _NDIM.search(detail)
    if found is not None:
        layer_type = _layer_type(found["name"], layers)
        want, got = int(found["want"]), int(found["got"])
        if layer_type in RECURRENT and want == 3 and got == 2:
            return (
                f"a {layer_type} layer received one vector per sequence instead of a "
                "sequence: the recurrent layer before it returns only its last output — "
                "give that layer return_sequences=True when another recurrent layer follows"
            )
        if layer_type in _FLAT_IMAGE and got < want:
            return (
                f"{layer_type} works on {_FLAT_IMAGE[layer_type]}, but it received a "
                f"{got}-D tensor (batch included) — declare the input with all its axes "
                "(e.g. keras.Input(shape=(28, 28, 1))) or add a Reshape layer first"
            )
        if layer_type == "Dense" and got > want:
            return "a Dense layer received more axes than it expects — add Flatten() first"
        return (
            f"layer {found['name']} expects {want}-D input (batch included) but received "
            f"{got}-D input — check the shape each layer passes on"
        )
    if _SAME_RANK.search(detail):
        return (
            "categorical_crossentropy expects one-hot labels, but the labels are integer "
            "class ids — use sparse_categorical_crossentropy (or one-hot encode the labels)"
        )
    if _UNDEFINED_SHAPE.search(detail):
        return (
            "a layer needs to know the size of its input's last axis to create its weights — "
            "declare the input with that size, e.g. keras.Input(shape=(784,))"
        )
    return None


def with_hint(detail: str, layers: Sequence[LayerInfo] | None = None) -> str:
    """``detail`` preceded by its explanation, when there is one."""
    hint = explain_error(detail, layers)
    return f"{hint}. Keras said: {detail}" if hint else detail


def softmax_on_one_unit(layers: Sequence[LayerInfo]) -> LayerInfo | None:
    """A layer that applies softmax over a single unit (its output is always 1)."""
    for layer in layers:
        units = layer.attributes.get("units")
        if units == 1 and layer.attributes.get("activation") == "softmax":
            return layer
    return None


SOFTMAX_ONE_UNIT = (
    "softmax over one unit always outputs 1.0, so nothing can be learned — "
    "use sigmoid for a single yes/no output, or one unit per class with softmax"
)

_SPATIAL = ("Conv1D", "Conv2D", "Conv3D", "MaxPooling1D", "MaxPooling2D", "AveragePooling2D")
_FLATTENING = (
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Reshape",
)


def missing_flatten(layers: Sequence[LayerInfo]) -> LayerInfo | None:
    """The first Dense that follows a convolution or pooling with nothing flattening between."""
    spatial = False
    for layer in layers:
        if layer.class_name in _SPATIAL:
            spatial = True
        elif layer.class_name in _FLATTENING:
            spatial = False
        elif layer.class_name == "Dense" and spatial:
            return layer
    return None
