"""The declarative ``expect`` spec of a "build this model" challenge.

A spec is plain data read from a deck file: loading one never runs code. The
checker's child process describes the learner's model and
``quizdl.challenges.grader`` compares that description with this spec.

Layer types and activations are canonicalised here, at validation time, so a
deck author may write ``MaxPool2D`` or ``ReLU`` and the grader only ever sees
one spelling (``MaxPooling2D``; ``Activation`` with ``activation: relu``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Keras exports several names for the same class; the class name the worker
# reports is the right-hand side.
LAYER_ALIASES: dict[str, str] = {
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
}

# Layers that only apply an activation; they count as ``Activation`` layers
# (and are folded into the layer before them when it has no activation).
ACTIVATION_LAYERS: dict[str, str] = {
    "ReLU": "relu",
    "Softmax": "softmax",
    "LeakyReLU": "leaky_relu",
    "ELU": "elu",
}

ACTIVATION_ALIASES: dict[str, str] = {
    "none": "linear",
    "identity": "linear",
    "leakyrelu": "leaky_relu",
}


def canonical_layer_type(name: str) -> str:
    return LAYER_ALIASES.get(name, name)


def canonical_activation(name: str) -> str:
    lowered = name.strip().lower()
    return ACTIVATION_ALIASES.get(lowered, lowered)


PositiveInt = Annotated[int, Field(gt=0)]
# A dimension in a spec: a number must match exactly; null must be left open
# (None) so the model accepts any size; "*" accepts either.
ANY_SIZE = "*"
Dimension = PositiveInt | None | Literal["*"]
IntOrPair = PositiveInt | tuple[PositiveInt, ...]
Fraction = Annotated[float, Field(ge=0.0, lt=1.0)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(_Spec):
    """One input tensor, described without its batch dimension."""

    shape: tuple[Dimension, ...] = Field(
        min_length=1,
        description='Per-sample shape; null: left open (any size); "*": open or fixed.',
    )
    dtype: Literal["float", "int", "any"] = "float"
    high: PositiveInt = Field(
        default=2,
        description="Exclusive upper bound of the integers generated to probe an int input "
        "(e.g. the vocabulary size).",
    )
    declared: bool = Field(
        default=False,
        description="The model must declare this input itself (keras.Input or input_shape); "
        "otherwise the checker builds an undeclared model for this shape.",
    )
    name: str | None = Field(
        default=None, description="For several inputs: a name to say in messages."
    )

    @property
    def keras_shape(self) -> tuple[int | None, ...]:
        """The shape to build a model for when it declares none."""
        return tuple(None if dim == ANY_SIZE else dim for dim in self.shape)  # type: ignore[misc]


class OutputSpec(_Spec):
    shape: tuple[Dimension, ...] | None = Field(
        default=None, description='Per-sample shape; null: left open; "*": open or fixed.'
    )
    same_as_input: bool = Field(default=False, description="The output shape equals the input's.")

    @model_validator(mode="after")
    def _says_something(self) -> OutputSpec:
        if self.shape is None and not self.same_as_input:
            raise ValueError("output: give a shape, same_as_input: true, or both")
        return self


class LayerSpec(_Spec):
    """One expected layer; only the attributes given are checked."""

    type: str = Field(min_length=1, description="Keras class name, e.g. Dense, Conv2D.")
    units: PositiveInt | None = None
    filters: PositiveInt | None = None
    kernel_size: IntOrPair | None = None
    pool_size: IntOrPair | None = None
    strides: IntOrPair | None = None
    padding: Literal["valid", "same", "causal"] | None = None
    activation: str | None = None
    use_bias: bool | None = None
    rate: Fraction | None = None
    return_sequences: bool | None = None
    input_dim: PositiveInt | None = None
    output_dim: PositiveInt | None = None
    mask_zero: bool | None = None
    num_heads: PositiveInt | None = None
    key_dim: PositiveInt | None = None
    value_dim: PositiveInt | None = None
    dropout: Fraction | None = None
    trainable: bool | None = Field(default=None, description="False: the layer is frozen.")

    @model_validator(mode="before")
    @classmethod
    def _canonical_names(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return data
        data = dict(data)
        layer_type = canonical_layer_type(data["type"])
        if layer_type in ACTIVATION_LAYERS:
            data.setdefault("activation", ACTIVATION_LAYERS[layer_type])
            layer_type = "Activation"
        data["type"] = layer_type
        if isinstance(data.get("activation"), str):
            data["activation"] = canonical_activation(data["activation"])
        return data

    def attributes(self) -> dict[str, object]:
        """The attributes this spec checks, in declaration order."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"type"}).items()
            if value is not None
        }

    def describe(self) -> str:
        """``Dense(units=128, activation=relu)`` — how the layer reads in a message."""
        inner = ", ".join(
            f"{name}={format_value(value)}" for name, value in self.attributes().items()
        )
        return f"{self.type}({inner})"


class ResidualFeature(_Spec):
    """The output of a layer is added to that layer's own input (a skip connection)."""

    residual: str = Field(min_length=1, description="Layer type inside the skip connection.")
    then: str | None = Field(default=None, description="Layer type the sum must go into.")

    @model_validator(mode="before")
    @classmethod
    def _canonical_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("residual", "then"):
                if isinstance(data.get(key), str):
                    data[key] = canonical_layer_type(data[key])
        return data


class SelfAttentionFeature(_Spec):
    """An attention layer whose query, key and value are the same tensor."""

    self_attention: str = Field(min_length=1, description="Attention layer type.")
    causal: bool | None = Field(
        default=None, description="True: called with use_causal_mask=True (no peeking ahead)."
    )


Feature = ResidualFeature | SelfAttentionFeature


class ScheduleSpec(_Spec):
    """A learning-rate schedule given to the optimizer (only the fields set are checked)."""

    type: str = Field(min_length=1, description="e.g. ExponentialDecay, CosineDecay.")
    initial_learning_rate: Annotated[float, Field(gt=0)] | None = None
    decay_steps: PositiveInt | None = None
    decay_rate: Annotated[float, Field(gt=0)] | None = None


class CompileSpec(_Spec):
    optimizer: str | None = Field(default=None, description="Optimizer class, e.g. Adam.")
    learning_rate: Annotated[float, Field(gt=0)] | None = None
    schedule: ScheduleSpec | None = None
    from_logits: bool | None = Field(
        default=None, description="The loss is told the model outputs logits (no softmax)."
    )
    loss: str | None = Field(default=None, description="e.g. sparse_categorical_crossentropy.")
    metrics: tuple[str, ...] = Field(default=(), description="Metrics that must be compiled in.")
    first_metric: str | None = Field(
        default=None, description="The metric that must come first (e.g. what a callback monitors)."
    )


class ParamsSpec(_Spec):
    exact: Annotated[int, Field(ge=0)] | None = None
    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ParamsSpec:
        if self.exact is not None and (self.min is not None or self.max is not None):
            raise ValueError("params: give either exact or min/max, not both")
        if self.exact is None and self.min is None and self.max is None:
            raise ValueError("params: give exact, min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("params: min is larger than max")
        return self


class TrainsSpec(_Spec):
    """A few optimisation steps on one generated batch must lower the loss."""

    steps: Annotated[int, Field(ge=1, le=200)] = 10
    batch_size: Annotated[int, Field(ge=1, le=256)] = 16
    labels: Literal["classes", "binary", "real"] = Field(
        default="classes",
        description="classes: integer class ids (sparse); binary: 0/1; real: Gaussian values.",
    )
    loss: str | None = Field(
        default=None, description="Loss used if the learner did not compile the model."
    )

    @property
    def fallback_loss(self) -> str:
        if self.loss is not None:
            return self.loss
        return {
            "classes": "sparse_categorical_crossentropy",
            "binary": "binary_crossentropy",
            "real": "mean_squared_error",
        }[self.labels]


class EarlyStoppingSpec(_Spec):
    """What the learner's EarlyStopping callback must be given (only what is set)."""

    monitor: str | None = None
    patience: Annotated[int, Field(ge=0)] | None = None
    restore_best_weights: bool | None = None


class FitSpec(_Spec):
    """A training-setup challenge: the learner's ``train(model, x, y)`` calls
    ``model.fit``; the checker runs it on a tiny generated data set, observes
    what ``fit`` was given, and runs at most ``run_epochs`` epochs."""

    function: str = Field(default="train", min_length=1)
    samples: Annotated[int, Field(ge=8, le=512)] = 64
    labels: Literal["classes", "binary", "real"] = "classes"
    run_epochs: Annotated[int, Field(ge=1, le=5)] = 2
    epochs: PositiveInt | None = None
    batch_size: PositiveInt | None = None
    validation_split: Fraction | None = None
    early_stopping: EarlyStoppingSpec | None = None


class ArraySpec(_Spec):
    """One generated argument for a numeric check (batch dimension included)."""

    shape: tuple[PositiveInt, ...] = Field(min_length=1)
    dtype: Literal["float", "int"] = "float"
    high: PositiveInt = Field(default=10, description="Exclusive bound for int arrays.")


class NumericSpec(_Spec):
    """A function or Layer the learner writes, compared numerically with the
    card's reference solution on generated inputs."""

    function: str = Field(min_length=1, description="Name of the function or Layer class.")
    layer: bool = Field(default=False, description="True: a Layer class, built with init.")
    init: dict[str, int | float | bool | str] = Field(default_factory=dict)
    arguments: tuple[ArraySpec, ...] = Field(min_length=1)
    rtol: Annotated[float, Field(ge=0)] = 1e-4
    atol: Annotated[float, Field(ge=0)] = 1e-5


class ChallengeSpec(_Spec):
    input: InputSpec | None = Field(default=None, description="The model's one input.")
    inputs: tuple[InputSpec, ...] = Field(
        default=(), description="Several inputs, in the order the model takes them."
    )
    output: OutputSpec | None = None
    layers: tuple[LayerSpec, ...] = Field(default=(), description="Expected layers, in order.")
    allow_extra_layers: bool = Field(
        default=False, description="True: the layers above must appear in order among others."
    )
    literal_layers: bool = Field(
        default=False,
        description="True: layers are compared as written, so an Activation layer must be a "
        "separate layer; false (default): Dense(activation=relu) and Dense + Activation(relu) "
        "are the same.",
    )
    features: tuple[Feature, ...] = ()
    compile: CompileSpec | None = Field(default=None, description="Only when the challenge asks.")
    params: ParamsSpec | None = None
    trainable_params: ParamsSpec | None = Field(
        default=None, description="Parameters that training may change (frozen ones excluded)."
    )
    trains: TrainsSpec | None = None
    fit: FitSpec | None = Field(default=None, description="A training-setup challenge.")
    numeric: NumericSpec | None = Field(
        default=None, description="A function or layer checked against the reference solution."
    )

    @model_validator(mode="after")
    def _one_way_to_give_inputs(self) -> ChallengeSpec:
        if self.input is not None and self.inputs:
            raise ValueError("give either input (one) or inputs (several), not both")
        if self.numeric is None and self.input is None and not self.inputs:
            raise ValueError("give input (one) or inputs (several)")
        if self.numeric is not None and (self.input is not None or self.inputs or self.layers):
            raise ValueError("a numeric challenge has no model: no input, inputs or layers")
        return self

    @property
    def input_specs(self) -> tuple[InputSpec, ...]:
        return (self.input,) if self.input is not None else self.inputs

    @property
    def first_input(self) -> InputSpec:
        return self.input_specs[0]


def format_value(value: object) -> str:
    """Render an attribute value the way a learner would write it in Keras."""
    if isinstance(value, tuple | list):
        return "(" + ", ".join(format_value(item) for item in value) + ")"
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def format_shape(shape: tuple[int | str | None, ...] | list[int | str | None]) -> str:
    """``(None, 784)``: the way Keras prints shapes, batch dimension included by the caller."""
    inner = ", ".join(
        "None" if dim is None else "any" if dim == ANY_SIZE else str(dim) for dim in shape
    )
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
