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
     worker never runs the learner's code, so its description — the only one a
     passing verdict for a built-in model can come from — cannot be forged by it.
4. It sends one JSON ``WorkerReport`` and exits at once; it never serves twice.

Everything about the model is read through public Keras APIs: layers' configs
and attributes, ``model.get_compile_config()``, and an eager forward pass on a
generated batch in which each layer's ``call`` is observed. Observing the calls
is what makes Sequential, functional and subclassed models look the same: the
layers are listed in the order they run, and a skip connection is recognised by
its values (the sum of a layer's input and output reaching a later layer),
whether it was written ``x + y``, ``layers.Add()`` or ``layers.add``.
"""

from __future__ import annotations

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

from quizdl.challenges import sandbox
from quizdl.challenges.description import (
    AttributeValue,
    CompileInfo,
    LayerInfo,
    ModelDescription,
    ResidualInfo,
    SandboxInfo,
    TensorInfo,
    TrainingInfo,
    WorkerFailure,
    WorkerReport,
)
from quizdl.challenges.spec import (
    ACTIVATION_LAYERS,
    ChallengeSpec,
    LayerSpec,
    TrainsSpec,
    canonical_activation,
)

OUTPUT_MARKER = "\n\x1e--quizdl-check-begins--\x1e\n"
READY = b"ready\n"
RUNNING = b"running\n"
MODULE_NAME = "solution"
MAX_MESSAGE = 2000
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
    message = f"{during} raised {detail}{where}"
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


def load_model(keras: Any, code: str, filename: str) -> Any:
    """Execute the learner's module and return the Keras model it defines."""
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
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = filename
    sys.modules[MODULE_NAME] = module
    _run_guarded(lambda: exec(compiled, module.__dict__), filename, "running your module")

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
    return CompileInfo(
        optimizer=type(optimizer).__name__,
        learning_rate=learning_rate,
        loss=losses[0] if len(losses) == 1 else (", ".join(losses) or None),
        metrics=tuple(metrics),
    )


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
    keras: Any, model: Any, spec: TrainsSpec, batch: np.ndarray[Any, Any]
) -> TrainingInfo:
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
    if isinstance(model, keras.Sequential):
        kind = "sequential"
    elif _model_inputs(model) is not None:
        kind = "functional"
    else:
        kind = "subclassed"
    integer_input = spec.input.dtype == "int"
    declared = spec.input.keras_shape

    inputs = _model_inputs(model)
    built_from_spec = inputs is None
    symbolic_outputs: list[Any] = []
    if inputs is None:
        symbolic = keras.Input(shape=declared, dtype="int32" if integer_input else "float32")
        try:
            if isinstance(model, keras.Sequential):
                model.build((None, *declared))
                inputs = _model_inputs(model)
            else:
                symbolic_outputs = list(keras.tree.flatten(model(symbolic)))
        except Exception as error:  # the learner's model rejects the input
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            raise CheckFailed(
                WorkerFailure(
                    kind="inspect",
                    message=_short(
                        "your model does not declare its input, and building it for the "
                        f"challenge's input shape {(None, *declared)} failed: {detail}"
                    ),
                )
            ) from None
        if inputs is None:
            inputs = [symbolic]
    outputs = list(model.outputs) if kind != "subclassed" else symbolic_outputs

    input_infos = tuple(
        TensorInfo(shape=_shape(tensor.shape), dtype=str(tensor.dtype)) for tensor in inputs
    )
    output_infos = tuple(
        TensorInfo(shape=_shape(tensor.shape), dtype=str(tensor.dtype)) for tensor in outputs
    )

    first_shape = input_infos[0].shape
    integer_probe = integer_input or "int" in input_infos[0].dtype
    batch = _probe_batch(first_shape, declared, integer_probe, spec.input.high, PROBE_BATCH)
    units = unit_layers(keras, model)
    recorder = _Recorder(keras)
    for layer in units:
        recorder.wrap(layer)
    forward_error: str | None = None
    model_outputs: list[np.ndarray[Any, Any]] = []
    recorder.active = True
    try:
        if len(inputs) == 1:
            model_outputs = list(recorder._arrays(model(batch)))
        else:
            forward_error = f"the model takes {len(inputs)} inputs; this challenge gives it one"
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
            info.model_copy(update={"self_attention": call.self_attention})
            for info, call in zip(raw_layers, calls, strict=True)
        ]
    layers = _fold_activations(raw_layers, calls)
    residuals = _residuals(calls, model_outputs) if calls is not None else []

    compiled = _compile_info(keras, model)  # before the probe, which may compile it itself
    training = None
    if spec.trains is not None and forward_error is None:
        train_batch = _probe_batch(
            first_shape, declared, integer_probe, spec.input.high, spec.trains.batch_size
        )
        training = _train_probe(keras, model, spec.trains, train_batch)

    return ModelDescription(
        kind=kind,
        class_name=type(model).__name__,
        inputs=input_infos,
        built_from_spec=built_from_spec,
        outputs=output_infos,
        layers=tuple(layers),
        residuals=tuple(residuals),
        params_total=int(model.count_params()),
        params_trainable=int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)),
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
        model = load_model(keras, request["code"], request["filename"])
        if save_for_describer(keras, model, request["scratch"]):
            return WorkerReport(saved=True)
        return WorkerReport(
            model=_run_guarded(
                lambda: describe(keras, model, spec), request["filename"], "checking your model"
            ),
            described_by="your process",
        )
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


def confine(request: dict[str, Any]) -> SandboxInfo:
    """Limits and write confinement, applied before anything untrusted runs."""
    scratch = request["scratch"]
    os.chdir(scratch)
    limits = sandbox.limit_resources(
        int(request["memory_bytes"]), int(request["file_bytes"]), EXTRA_PROCESSES
    )
    confinement = sandbox.restrict_writes(scratch)
    return SandboxInfo(
        landlock_abi=confinement.landlock_abi,
        writes_confined=confinement.files,
        network_confined=confinement.network,
        signals_confined=confinement.signals,
        memory_limited=limits.memory,
        processes_limited=limits.processes,
        note=confinement.reason,
    )


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
