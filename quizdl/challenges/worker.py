"""Child process: run a learner's module, or describe a Keras model.

This is the only module of quizdl that imports TensorFlow/Keras, and it only
ever runs in a process forked by ``quizdl.challenges.supervisor``, talking to
it over a Unix socket. The protocol:

1. The worker imports Keras and warms it up, then sends ``ready``. A spare
   worker waits here until a request arrives.
2. The request (JSON) arrives; the supervisor then shuts its side for writing.
3. The worker prints a marker on stdout/stderr (output before it is start-up
   noise), applies limits and write confinement (``quizdl.challenges.sandbox``),
   sends ``running`` and does its role:
   - ``build``: run the learner's code in the scratch directory. A model made of
     Keras's own classes is saved there (``model.keras``) and the report says
     only that; a model with the learner's own classes is described here.
   - ``describe``: load a saved model with ``safe_mode`` and describe it. This
     worker never runs the learner's code, so the learner's code cannot forge
     its description; a verdict says whether it came from here
     (``described_by``).
4. It sends one JSON ``WorkerReport`` and exits at once; a builder never
   serves twice.

A describer may instead be long-lived (``serve``): it never runs the learner's
code, so one process can describe check after check, which saves importing
TensorFlow once per check. It is confined once, before its first request, to
its own scratch directory (the app copies each saved model there), answers
length-prefixed requests (``quizdl.challenges.framing``), refuses any request
but ``describe``, and clears Keras's session after each one, so no state of
one check reaches the next.

Everything about the model is read through public Keras APIs: layers' configs
and attributes, ``model.get_compile_config()``, and an eager forward pass on a
generated batch in which each layer's ``call`` is observed. Observing the calls
is what makes Sequential, functional and subclassed models look the same: the
layers are listed in the order they run, and a skip connection is recognised by
its values (the sum of a layer's input and output reaching a later layer),
whether it was written ``x + y``, ``layers.Add()`` or ``layers.add``.
"""

from __future__ import annotations

import gc
import json
import linecache
import os
import re
import socket
import sys
import traceback
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Must be set before TensorFlow is imported; the parent sets them too.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import contextlib

import numpy as np

from quizdl.challenges import framing, sandbox
from quizdl.challenges.description import (
    AttributeValue,
    CallbackInfo,
    CompileInfo,
    FitInfo,
    LayerInfo,
    ModelDescription,
    NumericInfo,
    ResidualInfo,
    SandboxInfo,
    TensorInfo,
    TrainingInfo,
    WorkerFailure,
    WorkerReport,
)
from quizdl.challenges.hints import explain_error, with_hint
from quizdl.challenges.spec import (
    ACTIVATION_LAYERS,
    ArraySpec,
    ChallengeSpec,
    InputSpec,
    LayerSpec,
    TrainsSpec,
    canonical_activation,
)

OUTPUT_MARKER = "\n\x1e--quizdl-check-begins--\x1e\n"
READY = b"ready\n"
RUNNING = b"running\n"
MODULE_NAME = "solution"
MAX_MESSAGE = 2000
# A describe request is a spec and a path: a few kilobytes.
MAX_REQUEST_BYTES = 16 << 20
# Sizes used for dimensions a model leaves open (None) when we generate data.
PROBE_BATCH = 2
PROBE_OPEN_DIM = 16
ATTRIBUTES: tuple[str, ...] = tuple(name for name in LayerSpec.model_fields if name != "type")
ATTENTION_CLASSES = frozenset({"MultiHeadAttention", "GroupedQueryAttention", "Attention"})


class CheckFailed(Exception):
    """The learner's code did not produce a model we can describe."""

    def __init__(self, failure: WorkerFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _import_keras() -> Any:
    import keras
    import tensorflow as tf

    # Keep TensorFlow to the two cores quizdl shares with the rest of the app.
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.get_logger().setLevel("ERROR")
    return keras


def _warm_up(keras: Any) -> None:
    """Load the lazily imported parts of Keras now, while nobody is waiting."""
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.run_eagerly = True
    data = np.zeros((2, 4), "float32")
    labels = np.zeros((2,), "int32")
    model(data)
    model.train_on_batch(data, labels)
    model.test_on_batch(data, labels)
    model.get_compile_config()
    keras.backend.clear_session()


# --- running the learner's code -------------------------------------------------


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _exception_failure(error: BaseException, filename: str, during: str) -> WorkerFailure:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    line = frames[-1].lineno if frames else None
    where = f" (line {line} of {os.path.basename(filename)})" if line else ""
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    trace = "".join(traceback.format_list(frames[-3:])) if frames else ""
    message = with_hint(f"{during} raised {detail}{where}")
    if trace:
        message += "\n" + trace.rstrip()
    return WorkerFailure(kind="exception", message=_short(message), line=line)


def _run_guarded(step: Callable[[], Any], filename: str, during: str) -> Any:
    try:
        return step()
    except CheckFailed:
        raise
    except SystemExit as exit_:
        raise CheckFailed(
            WorkerFailure(
                kind="exit",
                message=f"{during} called sys.exit({exit_.code!r}); a checked module must not "
                'exit — remove the call (or move it under `if __name__ == "__main__":`)',
            )
        ) from None
    except MemoryError:
        raise CheckFailed(
            WorkerFailure(kind="memory", message=f"{during} ran out of memory (MemoryError)")
        ) from None
    except BaseException as error:  # anything the learner raises is a verdict
        raise CheckFailed(_exception_failure(error, filename, during)) from None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def exec_module(code: str, filename: str, name: str = MODULE_NAME) -> types.ModuleType:
    """Compile and run a module's code; a syntax error or exception is a CheckFailed."""
    try:
        compiled = compile(code, filename, "exec")
    except SyntaxError as error:
        line = error.lineno
        where = f"line {line}" if line else "the file"
        text = f": {error.text.strip()}" if error.text and error.text.strip() else ""
        raise CheckFailed(
            WorkerFailure(
                kind="syntax", message=f"syntax error at {where}: {error.msg}{text}", line=line
            )
        ) from None
    except ValueError as error:  # e.g. null bytes in the source
        raise CheckFailed(
            WorkerFailure(kind="syntax", message=f"cannot compile: {error}")
        ) from None

    # Registered so tracebacks can quote the learner's lines and Keras can find
    # classes defined in the module.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    _run_guarded(lambda: exec(compiled, module.__dict__), filename, "running your module")
    return module


def load_model(keras: Any, code: str, filename: str) -> Any:
    """Execute the learner's module and return the Keras model it defines."""
    module = exec_module(code, filename)
    builder = module.__dict__.get("build_model")
    if callable(builder):
        candidate = _run_guarded(builder, filename, "build_model()")
        source = "build_model() returned"
    elif "model" in module.__dict__:
        candidate = module.__dict__["model"]
        source = "the module-level `model` is"
    else:
        raise CheckFailed(
            WorkerFailure(
                kind="no_model",
                message="your file defines neither build_model() nor a module-level `model`",
            )
        )
    if candidate is None:
        hint = " — did you forget `return model`?" if source.startswith("build_model") else ""
        raise CheckFailed(WorkerFailure(kind="not_a_model", message=f"{source} None{hint}"))
    if not isinstance(candidate, keras.Model):
        what = type(candidate).__name__
        if isinstance(candidate, keras.layers.Layer):
            message = (
                f"{source} {_article(what)} {what} layer, not a model — wrap your layers in "
                "keras.Sequential([...]) or keras.Model(inputs, outputs)"
            )
        else:
            message = f"{source} {_article(what)} {what}, not a Keras model"
        raise CheckFailed(WorkerFailure(kind="not_a_model", message=message))
    return candidate


# --- describing the model -------------------------------------------------------


@dataclass
class _Call:
    """One observed layer call during the probe forward pass."""

    layer: Any
    inputs: list[np.ndarray[Any, Any]]
    output: np.ndarray[Any, Any] | None
    self_attention: bool | None = None
    causal: bool | None = None


@dataclass
class _Recorder:
    keras: Any
    calls: list[_Call] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    active: bool = False

    def _arrays(self, value: Any) -> Iterator[np.ndarray[Any, Any]]:
        if isinstance(value, list | tuple):
            for item in value:
                yield from self._arrays(item)
        elif value is not None and hasattr(value, "shape") and hasattr(value, "dtype"):
            yield np.asarray(self.keras.ops.convert_to_numpy(value))

    def wrap(self, layer: Any) -> None:
        original = layer.call

        def observed_call(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if self.active and id(layer) not in self.seen:
                self.seen.add(id(layer))
                self.calls.append(self._observe(layer, args, kwargs, result))
            return result

        # Assigning the public ``call`` on the instance is enough: Layer.__call__
        # looks it up on every call. The process exits after one check, so the
        # layer is never used unobserved again.
        layer.call = observed_call

    def _observe(
        self, layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
    ) -> _Call:
        main = args[0] if args else kwargs.get("inputs", kwargs.get("query"))
        inputs = list(self._arrays(main))
        outputs = list(self._arrays(result))
        call = _Call(layer=layer, inputs=inputs, output=outputs[0] if len(outputs) == 1 else None)
        if type(layer).__name__ in ATTENTION_CLASSES:
            call.self_attention = _is_self_attention(self, args, kwargs)
            call.causal = bool(kwargs.get("use_causal_mask", False))
        return call


def _is_self_attention(recorder: _Recorder, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    names = ("query", "value", "key")
    given = [args[i] if i < len(args) else kwargs.get(name) for i, name in enumerate(names)]
    if isinstance(given[0], list | tuple):  # keras.layers.Attention takes [query, value, key]
        given = [*given[0], None, None][:3]
    arrays = [next(recorder._arrays(value), None) for value in given]
    query, value, key = arrays
    if query is None or value is None:
        return False
    same = query.shape == value.shape and np.array_equal(query, value)
    return same and (key is None or (key.shape == value.shape and np.array_equal(key, value)))


def _is_container(keras: Any, layer: Any) -> bool:
    """Models and the learner's own layers are looked into; Keras's layers are units."""
    return isinstance(layer, keras.Model) or not type(layer).__module__.startswith("keras")


def _children(keras: Any, layer: Any) -> list[Any]:
    if isinstance(layer, keras.Model):
        return list(layer.layers)
    # A learner's own Layer keeps its sublayers as attributes (or lists/dicts of them).
    found: list[Any] = []
    for value in vars(layer).values():
        if isinstance(value, keras.layers.Layer):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(v for v in value.values() if isinstance(v, keras.layers.Layer))
        elif isinstance(value, list | tuple):
            found.extend(v for v in value if isinstance(v, keras.layers.Layer))
    return list(dict.fromkeys(found))


def unit_layers(keras: Any, model: Any) -> list[Any]:
    """The Keras layers a model is made of, looking through nested models."""
    units: list[Any] = []
    seen: set[int] = set()

    def visit(container: Any) -> None:
        for child in _children(keras, container):
            if id(child) in seen or isinstance(child, keras.layers.InputLayer):
                continue
            seen.add(id(child))
            if _is_container(keras, child) and _children(keras, child):
                visit(child)
            else:
                units.append(child)

    visit(model)
    return units


def _plain(value: Any) -> AttributeValue:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
        return tuple(value)
    return str(value)


def _activation_name(keras: Any, function: Any) -> str:
    try:
        serialized = keras.activations.serialize(function)
    except (ValueError, TypeError):
        serialized = None
    if isinstance(serialized, str):
        return canonical_activation(serialized)
    if isinstance(serialized, dict):
        config = serialized.get("config")
        if isinstance(config, dict) and isinstance(config.get("name"), str):
            return canonical_activation(config["name"])
        return str(serialized.get("class_name", "custom"))
    return canonical_activation(getattr(function, "__name__", type(function).__name__))


def _activation_layer(keras: Any, layer: Any) -> str | None:
    """The activation an activation-only layer applies, or None for other layers."""
    class_name = type(layer).__name__
    if class_name == "Activation":
        return _activation_name(keras, layer.activation)
    if class_name not in ACTIVATION_LAYERS:
        return None
    config = _config(layer)
    if class_name == "ReLU" and (
        config.get("max_value") is not None
        or config.get("negative_slope", 0.0)
        or config.get("threshold", 0.0)
    ):
        return None  # a clipped or leaky ReLU is not plain relu
    return ACTIVATION_LAYERS[class_name]


def _shape(shape: Any) -> tuple[int | None, ...]:
    return tuple(None if dim is None else int(dim) for dim in shape)


def _config(layer: Any) -> dict[str, Any]:
    try:
        config = layer.get_config()
    except Exception:
        # A learner's own layer may not support get_config; it then has no
        # attributes to compare, and the grader says which one is missing.
        return {}
    return config if isinstance(config, dict) else {}


def _layer_info(keras: Any, layer: Any, position: int) -> LayerInfo:
    config = _config(layer)
    attributes: dict[str, AttributeValue] = {
        name: _plain(config[name]) for name in ATTRIBUTES if name in config and name != "activation"
    }
    layer_type = type(layer).__name__
    activation_only = _activation_layer(keras, layer)
    if activation_only is not None:
        layer_type = "Activation"
        attributes["activation"] = activation_only
    elif callable(getattr(layer, "activation", None)):
        attributes["activation"] = _activation_name(keras, layer.activation)
    try:
        output_shape: tuple[int | None, ...] | None = _shape(layer.output.shape)
    except (AttributeError, ValueError, RuntimeError):
        output_shape = None  # subclassed models and shared layers have no single output
    return LayerInfo(
        position=position,
        name=layer.name,
        class_name=type(layer).__name__,
        type=layer_type,
        attributes=attributes,
        params=int(layer.count_params()) if layer.built else 0,
        output_shape=output_shape,
    )


def _fold_activations(layers: list[LayerInfo], calls: list[_Call] | None) -> list[LayerInfo]:
    """Merge ``Dense(10)`` + ``Softmax()`` into ``Dense(10, activation=softmax)``."""
    folded: list[LayerInfo] = []
    for index, info in enumerate(layers):
        previous = folded[-1] if folded else None
        feeds_directly = calls is None or _feeds(calls[index - 1], calls[index])
        if (
            info.type == "Activation"
            and previous is not None
            and previous.attributes.get("activation") == "linear"
            and previous.position == layers[index - 1].position
            and feeds_directly
        ):
            attributes = {**previous.attributes, "activation": info.attributes["activation"]}
            folded[-1] = previous.model_copy(
                update={"attributes": attributes, "folded": (*previous.folded, info.name)}
            )
        else:
            folded.append(info)
    return folded


def _feeds(earlier: _Call, later: _Call) -> bool:
    """Whether ``later`` was called on exactly what ``earlier`` returned."""
    if earlier.output is None or not later.inputs:
        return False
    value = later.inputs[0]
    return value.shape == earlier.output.shape and bool(np.array_equal(value, earlier.output))


def _residuals(calls: list[_Call], model_outputs: list[np.ndarray[Any, Any]]) -> list[ResidualInfo]:
    """Find layers whose output was added to their own input, and where the sum went."""
    found: list[ResidualInfo] = []
    for index, call in enumerate(calls):
        if len(call.inputs) != 1 or call.output is None:
            continue
        if call.inputs[0].shape != call.output.shape or not np.any(call.output):
            continue
        total = call.inputs[0] + call.output
        into: int | None = -1
        for later_index in range(index + 1, len(calls)):
            later = calls[later_index]
            if any(_close(value, total) for value in later.inputs):
                into = later_index + 1
                break
        else:
            if any(_close(value, total) for value in model_outputs):
                into = None
        if into != -1:
            found.append(ResidualInfo(around=index + 1, into=into))
    return found


def _close(value: np.ndarray[Any, Any], expected: np.ndarray[Any, Any]) -> bool:
    return value.shape == expected.shape and bool(
        np.allclose(value, expected, rtol=1e-4, atol=1e-5)
    )


def _probe_batch(
    shape: tuple[int | None, ...],
    declared: tuple[int | None, ...],
    integer: bool,
    high: int,
    batch: int,
) -> np.ndarray[Any, Any]:
    sizes = []
    for index, dim in enumerate(shape[1:]):
        fallback = declared[index] if len(declared) == len(shape) - 1 else None
        sizes.append(dim or fallback or PROBE_OPEN_DIM)
    generator = np.random.default_rng(0)
    if integer:
        return generator.integers(0, high, size=(batch, *sizes)).astype("int32")
    return generator.standard_normal((batch, *sizes)).astype("float32")


def _probe_batches(
    infos: tuple[TensorInfo, ...], specs: tuple[InputSpec, ...], batch: int
) -> list[np.ndarray[Any, Any]]:
    """One generated batch per model input, shaped and typed as the input is."""
    batches = []
    for index, info in enumerate(infos):
        spec = specs[index] if index < len(specs) else specs[-1]
        integer = spec.dtype == "int" or "int" in info.dtype
        batches.append(_probe_batch(info.shape, spec.keras_shape, integer, spec.high, batch))
    return batches


def _declared_input_layer(keras: Any, model: Any) -> Any | None:
    """The InputLayer of a Sequential that declares its input but has no other
    layer yet (Keras then reports no inputs at all)."""
    if not isinstance(model, keras.Sequential):
        return None
    # Sequential keeps the InputLayer it was given only in this attribute.
    layers = getattr(model, "_layers", None)
    if layers and isinstance(layers[0], keras.layers.InputLayer):
        return layers[0]
    return None


def _build_for(
    keras: Any, model: Any, specs: tuple[InputSpec, ...], shapes: tuple[tuple[int | None, ...], ...]
) -> tuple[list[Any], list[Any]]:
    if isinstance(model, keras.Sequential) and len(shapes) == 1:
        model.build((None, *shapes[0]))
        inputs = _model_inputs(model)
        if inputs is not None:
            return inputs, list(model.outputs)
    symbolic = [
        keras.Input(shape=shape, dtype="int32" if spec.dtype == "int" else "float32")
        for shape, spec in zip(shapes, specs, strict=True)
    ]
    result = model(symbolic[0] if len(symbolic) == 1 else symbolic)
    return symbolic, list(keras.tree.flatten(result))


def _build_from_spec(
    keras: Any, model: Any, specs: tuple[InputSpec, ...]
) -> tuple[list[Any], list[Any]]:
    """Build a model that declares no input for the challenge's inputs.

    Open dimensions are tried open first, then at a probe size, so a model that
    needs a fixed width (Dense on the last axis) still gets a graded verdict.
    Returns the symbolic inputs and outputs.
    """
    open_shapes = tuple(spec.keras_shape for spec in specs)
    probe_shapes = tuple(tuple(dim or PROBE_OPEN_DIM for dim in shape) for shape in open_shapes)
    attempts = [open_shapes]
    if probe_shapes != open_shapes:
        # Building fixes a model's input shape even when it fails, so try the
        # open shape on a copy; only a model that cannot take it gets the probe size.
        try:
            _build_for(keras, keras.models.clone_model(model), specs, open_shapes)
        except Exception:
            attempts = [probe_shapes]
    error: Exception | None = None
    for shapes in attempts:
        try:
            return _build_for(keras, model, specs, shapes)
        except Exception as exc:  # the learner's model rejects that input
            error = exc
    assert error is not None
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    shown = ", ".join(str((None, *spec.keras_shape)) for spec in specs)
    hint = explain_error(detail)
    raise CheckFailed(
        WorkerFailure(
            kind="inspect",
            message=_short(
                (f"{hint}. " if hint else "")
                + "your model does not declare its input, and building it for the "
                f"challenge's input shape {shown} failed: {detail}"
            ),
        )
    )


def _model_inputs(model: Any) -> list[Any] | None:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    return list(inputs) if inputs else None


def _compile_info(keras: Any, model: Any) -> CompileInfo | None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    config = model.get_compile_config() or {}
    try:
        learning_rate: float | None = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except (TypeError, ValueError, AttributeError):
        learning_rate = None  # a schedule: no single value to compare
    metrics: list[str] = []
    _collect_names(config.get("metrics"), metrics)
    losses: list[str] = []
    _collect_names(config.get("loss"), losses)
    schedule: dict[str, float | int | str] | None = None
    rate = getattr(optimizer, "_learning_rate", None)
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        schedule = {"type": type(rate).__name__}
        schedule.update(
            {
                name: value
                for name, value in rate.get_config().items()
                if isinstance(value, int | float | str) and not isinstance(value, bool)
            }
        )
    return CompileInfo(
        optimizer=type(optimizer).__name__,
        learning_rate=learning_rate,
        loss=losses[0] if len(losses) == 1 else (", ".join(losses) or None),
        metrics=tuple(metrics),
        schedule=schedule,
        from_logits=_from_logits(config.get("loss")),
    )


def _from_logits(loss: Any) -> bool | None:
    """A serialised loss's from_logits (a loss given by name has it False)."""
    if isinstance(loss, str):
        return False
    if isinstance(loss, dict) and isinstance(loss.get("config"), dict):
        value = loss["config"].get("from_logits")
        return value if isinstance(value, bool) else None
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _collect_names(value: Any, into: list[str]) -> None:
    """Names of losses/metrics in a serialised compile config (strings, objects, nests)."""
    if value is None:
        return
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, dict) and "class_name" in value:
        class_name = str(value["class_name"])
        # A serialised plain function carries its name in ``config``.
        config = value.get("config")
        if class_name == "function" and isinstance(config, str):
            into.append(config)
        elif class_name in {"LossFunctionWrapper", "MeanMetricWrapper"} and isinstance(
            config, dict
        ):
            into.append(str(config.get("name", class_name)))
        else:
            into.append(_snake(class_name))
    elif isinstance(value, dict):
        for item in value.values():
            _collect_names(item, into)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_names(item, into)
    else:
        into.append(str(getattr(value, "__name__", value)))


def _labels(spec: TrainsSpec, output_shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    generator = np.random.default_rng(1)
    if spec.labels == "classes":
        return generator.integers(0, max(output_shape[-1], 1), size=output_shape[:-1]).astype(
            "int32"
        )
    if spec.labels == "binary":
        return generator.integers(0, 2, size=output_shape).astype("float32")
    return generator.standard_normal(output_shape).astype("float32")


def _loss_value(result: Any) -> float:
    if isinstance(result, list | tuple):
        result = result[0]
    return float(np.asarray(result))


def _train_probe(
    keras: Any, model: Any, spec: TrainsSpec, batches: list[np.ndarray[Any, Any]]
) -> TrainingInfo:
    batch: Any = batches[0] if len(batches) == 1 else batches
    compiled_by_checker = getattr(model, "optimizer", None) is None
    try:
        if compiled_by_checker:
            model.compile(optimizer="adam", loss=spec.fallback_loss)
        # A handful of steps: tracing a graph or XLA would cost more than running them.
        model.run_eagerly = True
        predictions = np.asarray(keras.ops.convert_to_numpy(model(batch)))
        labels = _labels(spec, predictions.shape)
        before = _loss_value(model.test_on_batch(batch, labels))
        for _ in range(spec.steps):
            model.train_on_batch(batch, labels)
        after = _loss_value(model.test_on_batch(batch, labels))
    except (MemoryError, SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:  # a failed probe is part of the verdict
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return TrainingInfo(
            steps=spec.steps, compiled_by_checker=compiled_by_checker, error=_short(detail)
        )
    return TrainingInfo(
        steps=spec.steps,
        loss_before=before,
        loss_after=after,
        compiled_by_checker=compiled_by_checker,
    )


def describe(keras: Any, model: Any, spec: ChallengeSpec) -> ModelDescription:
    """Read everything the grader needs from a model, through public Keras APIs."""
    specs = spec.input_specs
    inputs = _model_inputs(model)
    input_layer = _declared_input_layer(keras, model) if inputs is None else None
    if isinstance(model, keras.Sequential):
        kind = "sequential"
    elif inputs is not None:
        kind = "functional"
    else:
        kind = "subclassed"

    built_from_spec = False
    outputs: list[Any] = []
    if inputs is not None:
        outputs = list(model.outputs)
    elif input_layer is not None:
        inputs = [input_layer.output]  # declared, but there is nothing after it yet
    else:
        built_from_spec = True
        inputs, outputs = _build_from_spec(keras, model, specs)

    input_infos = tuple(
        TensorInfo(shape=_shape(tensor.shape), dtype=str(tensor.dtype)) for tensor in inputs
    )
    output_infos = tuple(
        TensorInfo(shape=_shape(tensor.shape), dtype=str(tensor.dtype)) for tensor in outputs
    )

    units = unit_layers(keras, model)
    recorder = _Recorder(keras)
    for layer in units:
        recorder.wrap(layer)
    forward_error: str | None = None
    model_outputs: list[np.ndarray[Any, Any]] = []
    batches = _probe_batches(input_infos, specs, PROBE_BATCH)
    if not units:
        forward_error = "the model has no layers yet"
    elif len(inputs) != len(specs):
        forward_error = (
            f"the model takes {len(inputs)} input{'s' if len(inputs) != 1 else ''}; "
            f"this challenge gives it {len(specs)}"
        )
    else:
        recorder.active = True
        try:
            model_outputs = list(
                recorder._arrays(model(batches[0] if len(batches) == 1 else batches))
            )
        except (MemoryError, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # reported as a failed rule
            forward_error = _short("".join(traceback.format_exception_only(type(error), error)))
        finally:
            recorder.active = False

    calls: list[_Call] | None = recorder.calls if forward_error is None else None
    ordered = [call.layer for call in calls] if calls is not None else units
    raw_layers = [_layer_info(keras, layer, index + 1) for index, layer in enumerate(ordered)]
    if calls is not None:
        raw_layers = [
            info.model_copy(update={"self_attention": call.self_attention, "causal": call.causal})
            for info, call in zip(raw_layers, calls, strict=True)
        ]
    layers = raw_layers if spec.literal_layers else _fold_activations(raw_layers, calls)
    residuals = _residuals(calls, model_outputs) if calls is not None else []

    compiled = _compile_info(keras, model)  # before the probe, which may compile it itself
    training = None
    if spec.trains is not None and forward_error is None:
        train_batches = _probe_batches(input_infos, specs, spec.trains.batch_size)
        training = _train_probe(keras, model, spec.trains, train_batches)

    return ModelDescription(
        kind=kind,
        class_name=type(model).__name__,
        inputs=input_infos,
        built_from_spec=built_from_spec,
        outputs=output_infos,
        layers=tuple(layers),
        residuals=tuple(residuals),
        params_total=sum(int(np.prod(w.shape)) for w in model.weights),
        params_trainable=sum(int(np.prod(w.shape)) for w in model.trainable_weights),
        compiled=compiled,
        forward_error=forward_error,
        training=training,
    )


# --- the process ----------------------------------------------------------------

SAVED_MODEL = "model.keras"
# Processes (threads, on Linux) the learner's code may start beyond what runs now.
EXTRA_PROCESSES = 256


def _all_keras(value: Any) -> bool:
    """Whether a serialised config uses only Keras's own classes and no Lambda,
    so that a process which never ran the learner's code can load it safely."""
    if isinstance(value, dict):
        class_name = value.get("class_name")
        if isinstance(class_name, str) and not class_name.startswith("__"):
            module = value.get("module")
            if class_name == "Lambda" or not (
                isinstance(module, str) and (module == "keras" or module.startswith("keras."))
            ):
                return False
        return all(_all_keras(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_all_keras(item) for item in value)
    return True


# Positional parameters of keras.Model.fit, to read a call written positionally.
FIT_PARAMETERS = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split")


def _callback_info(callback: Any) -> CallbackInfo:
    def read(name: str) -> Any:
        value = getattr(callback, name, None)
        return value if isinstance(value, str | int | bool) or value is None else None

    patience = read("patience")
    restore = read("restore_best_weights")
    return CallbackInfo(
        class_name=type(callback).__name__,
        monitor=read("monitor") if isinstance(read("monitor"), str) else None,
        patience=patience if isinstance(patience, int) and not isinstance(patience, bool) else None,
        restore_best_weights=restore if isinstance(restore, bool) else None,
    )


def observe_fit(keras: Any, module: types.ModuleType, model: Any, spec: ChallengeSpec) -> FitInfo:
    """Run the learner's training function on a tiny generated data set, with
    ``model.fit`` observed and its epochs capped, and report what it was given."""
    assert spec.fit is not None
    fit = spec.fit
    train = module.__dict__.get(fit.function)
    if not callable(train):
        return FitInfo(
            called=False, error=f"your file defines no {fit.function}(model, x, y) function"
        )
    inputs = _model_inputs(model)
    infos = tuple(
        TensorInfo(shape=_shape(tensor.shape), dtype=str(tensor.dtype)) for tensor in inputs or []
    ) or (TensorInfo(shape=(None, *spec.first_input.keras_shape), dtype="float32"),)
    batches = _probe_batches(infos, spec.input_specs, fit.samples)
    x: Any = batches[0] if len(batches) == 1 else batches
    predictions = np.asarray(keras.ops.convert_to_numpy(model(x)))
    y = _labels(TrainsSpec(labels=fit.labels), predictions.shape)
    seen: dict[str, Any] = {}
    real_fit = model.fit

    def observed_fit(*args: Any, **kwargs: Any) -> Any:
        given = {**dict(zip(FIT_PARAMETERS, args, strict=False)), **kwargs}
        seen.update(given)
        seen["called"] = True
        run = {**given, "verbose": 0}
        run["epochs"] = min(int(given.get("epochs") or 1), fit.run_epochs)
        history = real_fit(**run)
        seen["epochs_run"] = len(getattr(history, "epoch", []) or [])
        return history

    model.fit = observed_fit
    error: str | None = None
    try:
        _run_guarded(lambda: train(model, x, y), str(module.__file__), f"{fit.function}()")
    except CheckFailed as failed:
        error = failed.failure.message
    callbacks = seen.get("callbacks") or []
    split = seen.get("validation_split")
    return FitInfo(
        called=bool(seen.get("called")),
        epochs=int(seen["epochs"]) if isinstance(seen.get("epochs"), int) else None,
        batch_size=int(seen["batch_size"]) if isinstance(seen.get("batch_size"), int) else None,
        validation_split=float(split) if isinstance(split, int | float) else None,
        validation_data=seen.get("validation_data") is not None,
        callbacks=tuple(
            _callback_info(c) for c in (callbacks if isinstance(callbacks, list | tuple) else [])
        ),
        epochs_run=int(seen.get("epochs_run", 0)),
        error=error,
    )


def _generated(argument: ArraySpec, generator: np.random.Generator) -> np.ndarray[Any, Any]:
    if argument.dtype == "int":
        return generator.integers(0, argument.high, size=argument.shape).astype("int32")
    return generator.standard_normal(argument.shape).astype("float32")


def _as_array(keras: Any, value: Any) -> np.ndarray[Any, Any]:
    if isinstance(value, list | tuple):
        value = value[0]
    return np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")


def run_numeric(keras: Any, request: dict[str, Any], spec: ChallengeSpec) -> NumericInfo:
    """The learner's function (or layer) and the reference's, on the same generated inputs."""
    assert spec.numeric is not None
    numeric = spec.numeric
    filename = request["filename"]
    module = exec_module(request["code"], filename)
    try:
        reference_module = exec_module(request.get("reference") or "", "reference.py", "reference")
    except CheckFailed as failed:
        raise CheckFailed(
            WorkerFailure(kind="checker", message=f"the reference solution failed: {failed}")
        ) from None
    theirs = module.__dict__.get(numeric.function)
    ours = reference_module.__dict__.get(numeric.function)
    if not callable(theirs):
        raise CheckFailed(
            WorkerFailure(kind="no_model", message=f"your file defines no {numeric.function}")
        )
    if not callable(ours):
        raise CheckFailed(
            WorkerFailure(kind="checker", message=f"the reference defines no {numeric.function}")
        )
    generator = np.random.default_rng(7)
    arguments = [_generated(argument, generator) for argument in numeric.arguments]
    during = f"{numeric.function}(...)"
    learner_weights: int | None = None
    reference_weights: int | None = None
    if numeric.layer:
        keras.utils.set_random_seed(0)
        layer = _run_guarded(lambda: theirs(**numeric.init), filename, f"{numeric.function}(...)")
        output = _run_guarded(lambda: layer(*arguments), filename, "calling your layer")
        keras.utils.set_random_seed(0)
        reference_layer = ours(**numeric.init)
        expected = reference_layer(*arguments)
        # Same seed, same initialisers: the same weights when the layer is built alike.
        learner_weights = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        reference_weights = sum(int(np.prod(w.shape)) for w in reference_layer.trainable_weights)
    else:
        output = _run_guarded(lambda: theirs(*arguments), filename, during)
        expected = ours(*arguments)
    try:
        got = _as_array(keras, output)
    except Exception as error:
        raise CheckFailed(
            WorkerFailure(
                kind="not_a_model",
                message=f"{during} returned {type(output).__name__}, not an array ({error})",
            )
        ) from None
    want = _as_array(keras, expected)
    same_shape = got.shape == want.shape
    difference = float(np.max(np.abs(got - want))) if same_shape and got.size else None
    close = same_shape and bool(np.allclose(got, want, rtol=numeric.rtol, atol=numeric.atol))
    return NumericInfo(
        output_shape=tuple(int(d) for d in got.shape),
        reference_shape=tuple(int(d) for d in want.shape),
        max_abs_diff=difference,
        close=close,
        trainable_weights=learner_weights,
        reference_trainable_weights=reference_weights,
    )


def save_for_describer(keras: Any, model: Any, directory: str) -> bool:
    """Save a model made only of Keras's own parts; False when it has the
    learner's own classes or functions (it is then described in this process)."""
    try:
        config = keras.saving.serialize_keras_object(model)
        compile_config = (
            model.get_compile_config() if getattr(model, "optimizer", None) is not None else None
        )
    except Exception:
        return False
    if not (_all_keras(config) and _all_keras(compile_config)):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save(os.path.join(directory, SAVED_MODEL))
    except Exception:
        return False
    return True


def run_build(keras: Any, request: dict[str, Any]) -> WorkerReport:
    """Run the learner's code; save its model for the describer, or describe it here."""
    spec = ChallengeSpec.model_validate(request["spec"])
    keras.utils.set_random_seed(0)
    try:
        if spec.numeric is not None:
            return WorkerReport(numeric=run_numeric(keras, request, spec))
        model = load_model(keras, request["code"], request["filename"])
        fit = None
        if spec.fit is not None:
            fit = observe_fit(keras, sys.modules[MODULE_NAME], model, spec)
        if save_for_describer(keras, model, request["scratch"]):
            return WorkerReport(saved=True, fit=fit)
        description = _run_guarded(
            lambda: describe(keras, model, spec), request["filename"], "checking your model"
        )
        return WorkerReport(model=description, fit=fit, described_by="your process")
    except CheckFailed as failed:
        return WorkerReport(failure=failed.failure)


def run_describe(keras: Any, request: dict[str, Any]) -> WorkerReport:
    """Load the model another process saved and describe it (no learner code here)."""
    spec = ChallengeSpec.model_validate(request["spec"])
    keras.utils.set_random_seed(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.saving.load_model(request["model_path"], safe_mode=True)
    except Exception as error:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return WorkerReport(
            failure=WorkerFailure(
                kind="load",
                message=_short(f"the checker could not load your saved model: {detail}"),
            )
        )
    try:
        return WorkerReport(
            model=_run_guarded(lambda: describe(keras, model, spec), "", "checking your model"),
            described_by="checker",
        )
    except CheckFailed as failed:
        return WorkerReport(failure=failed.failure)


def confine(request: dict[str, Any], *, long_lived: bool = False) -> SandboxInfo:
    """Limits and write confinement, applied before anything untrusted runs.

    A long-lived describer gets no cap on processes: the cap counts the user's
    processes at this moment, so it would later refuse the describer's own
    threads as other checks come and go; it never runs the learner's code,
    which is what the cap is for.
    """
    scratch = request["scratch"]
    os.chdir(scratch)
    limits = sandbox.limit_resources(
        int(request["memory_bytes"]),
        int(request["file_bytes"]),
        None if long_lived else EXTRA_PROCESSES,
    )
    package = os.path.dirname(os.path.dirname(os.path.abspath(sandbox.__file__)))
    readable = sandbox.readable_roots(scratch, package)
    model_path = request.get("model_path")
    if model_path and not _beneath(model_path, scratch):
        # A one-off describer reads the builder's saved model where it lies; the
        # long-lived one is handed a copy inside its own scratch directory.
        readable.append(os.path.dirname(model_path))
    confinement = sandbox.restrict_writes(scratch, readable=readable)
    return SandboxInfo(
        landlock_abi=confinement.landlock_abi,
        writes_confined=confinement.files,
        reads_confined=confinement.reads,
        network_confined=confinement.network,
        signals_confined=confinement.signals,
        memory_limited=limits.memory,
        processes_limited=limits.processes,
        note=confinement.reason,
    )


def _beneath(path: str, directory: str) -> bool:
    real = os.path.realpath(directory)
    return os.path.commonpath([os.path.realpath(path), real]) == real


def _read_all(channel: socket.socket) -> bytes:
    chunks = []
    while chunk := channel.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _finish(channel: socket.socket, data: bytes) -> None:
    try:
        channel.sendall(data)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        # Skip interpreter and TensorFlow teardown: slow, and nothing is left to save.
        os._exit(0)


def main(channel_fd: int) -> None:
    channel = socket.socket(fileno=channel_fd)
    keras = _import_keras()
    _warm_up(keras)
    channel.sendall(READY)
    raw = _read_all(channel)
    if not raw:  # the supervisor closed without a request: a spare being retired
        os._exit(0)
    request = json.loads(raw)
    for stream in (sys.stdout, sys.stderr):
        stream.write(OUTPUT_MARKER)
        stream.flush()
    try:
        confinement = confine(request)
    except Exception as error:  # the checker's own set-up failed, before any learner code
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        failure = WorkerFailure(kind="checker", message=_short(f"setting up the check: {detail}"))
        _finish(channel, WorkerReport(failure=failure).model_dump_json().encode())
    channel.sendall(RUNNING)
    run = run_describe if request.get("role") == "describe" else run_build
    report = run(keras, request).model_copy(update={"sandbox": confinement})
    _finish(channel, report.model_dump_json().encode())


def _describe_one(
    keras: Any, request: dict[str, Any], confinement: SandboxInfo | None
) -> tuple[bytes, SandboxInfo | None]:
    """One request of a long-lived describer: (its answer, the confinement now in force)."""
    for stream in (sys.stdout, sys.stderr):
        stream.write(OUTPUT_MARKER)
        stream.flush()
    if request.get("role") != "describe":
        failure = WorkerFailure(kind="checker", message="a describer only describes models")
        return WorkerReport(failure=failure).model_dump_json().encode(), confinement
    if confinement is None:
        try:
            confinement = confine(request, long_lived=True)
        except Exception as error:  # the checker's own set-up failed
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            failure = WorkerFailure(
                kind="checker", message=_short(f"setting up the check: {detail}")
            )
            return WorkerReport(failure=failure).model_dump_json().encode(), None
    report = run_describe(keras, request).model_copy(update={"sandbox": confinement})
    return RUNNING + report.model_dump_json().encode(), confinement


def serve(channel_fd: int) -> None:
    """A long-lived describer: answer describe requests until the socket closes."""
    channel = socket.socket(fileno=channel_fd)
    keras = _import_keras()
    _warm_up(keras)
    channel.sendall(READY)
    confinement: SandboxInfo | None = None
    while (raw := framing.read_frame(channel, MAX_REQUEST_BYTES)) is not None:
        answer, confinement = _describe_one(keras, json.loads(raw), confinement)
        if confinement is None and not answer.startswith(RUNNING):
            # Not confined: serve nothing more.
            _finish(channel, framing.frame(answer))
        channel.sendall(framing.frame(answer))
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        # The next check starts from the state a fresh describer has; done after
        # answering, so no check waits for it.
        keras.backend.clear_session()
        gc.collect()
    os._exit(0)
