"""The plain description of a learner's model that the worker sends back.

The child process (which has Keras) fills these values in; the parent (which
must not import Keras) validates them and grades them. Keeping the format in
one typed module makes the pipe between the two a checked contract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Shape = tuple[int | None, ...]
AttributeValue = int | float | bool | str | tuple[int, ...] | None


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TensorInfo(_Value):
    shape: Shape = Field(description="Including the batch dimension, as Keras prints it.")
    dtype: str


class LayerInfo(_Value):
    position: int = Field(description="1-based, in call order, as the learner would count them.")
    name: str
    class_name: str
    type: str = Field(description="Canonical type: activation-only layers become Activation.")
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    params: int = 0
    output_shape: Shape | None = None
    folded: tuple[str, ...] = Field(
        default=(), description="Names of activation layers merged into this one."
    )
    self_attention: bool | None = Field(
        default=None, description="For attention layers: query, key and value are one tensor."
    )
    causal: bool | None = Field(
        default=None, description="For attention layers: called with use_causal_mask=True."
    )


class ResidualInfo(_Value):
    """A layer whose output was added to its own input, and where that sum went."""

    around: int = Field(description="Position of the layer inside the skip connection.")
    into: int | None = Field(
        description="Position of the layer fed with the sum; None: model output."
    )


class CompileInfo(_Value):
    optimizer: str | None
    learning_rate: float | None
    loss: str | None
    metrics: tuple[str, ...]
    schedule: dict[str, float | int | str] | None = None
    from_logits: bool | None = None


class TrainingInfo(_Value):
    steps: int
    loss_before: float | None = None
    loss_after: float | None = None
    compiled_by_checker: bool = False
    error: str | None = None


class CallbackInfo(_Value):
    class_name: str
    monitor: str | None = None
    patience: int | None = None
    restore_best_weights: bool | None = None


class FitInfo(_Value):
    """What the learner's training function passed to ``model.fit``."""

    called: bool
    epochs: int | None = None
    batch_size: int | None = None
    validation_split: float | None = None
    validation_data: bool = False
    callbacks: tuple[CallbackInfo, ...] = ()
    epochs_run: int = 0
    error: str | None = None


class NumericInfo(_Value):
    """The learner's function or layer next to the reference, on the same inputs."""

    output_shape: Shape | None = None
    reference_shape: Shape | None = None
    max_abs_diff: float | None = None
    close: bool = False
    trainable_weights: int | None = None
    reference_trainable_weights: int | None = None


class ModelDescription(_Value):
    kind: Literal["sequential", "functional", "subclassed"]
    class_name: str
    inputs: tuple[TensorInfo, ...]
    built_from_spec: bool = Field(
        description="The model declared no input, so the checker built it from the challenge's."
    )
    outputs: tuple[TensorInfo, ...]
    layers: tuple[LayerInfo, ...]
    residuals: tuple[ResidualInfo, ...] = ()
    params_total: int
    params_trainable: int
    compiled: CompileInfo | None = None
    forward_error: str | None = Field(
        default=None, description="Running the model on a generated batch failed with this."
    )
    training: TrainingInfo | None = None
    fit: FitInfo | None = None


FailureKind = Literal[
    "syntax",  # the file does not parse
    "exception",  # importing the file or calling build_model() raised
    "exit",  # the code called sys.exit() / raised SystemExit
    "no_model",  # neither build_model() nor a module-level model
    "not_a_model",  # build_model() returned something else
    "memory",  # MemoryError while running the learner's code
    "inspect",  # the model exists but could not be described
    "load",  # the checker could not load the model the learner's process saved
    "checker",  # the checker itself could not run (not the learner's fault)
]


class WorkerFailure(_Value):
    kind: FailureKind
    message: str
    line: int | None = None


class SandboxInfo(_Value):
    """What confinement the worker could apply on this system."""

    landlock_abi: int = 0
    writes_confined: bool = False
    reads_confined: bool = False
    network_confined: bool = False
    signals_confined: bool = False
    memory_limited: bool = False
    processes_limited: bool = False
    note: str = ""


DescribedBy = Literal["checker", "your process"]


class WorkerReport(_Value):
    """One of ``model``, ``saved`` and ``failure`` is set.

    ``saved``: the learner's process saved the model to its scratch directory
    for a separate process, which never ran the learner's code, to describe.
    """

    model: ModelDescription | None = None
    described_by: DescribedBy | None = None
    saved: bool = False
    fit: FitInfo | None = None
    numeric: NumericInfo | None = None
    failure: WorkerFailure | None = None
    sandbox: SandboxInfo | None = None
