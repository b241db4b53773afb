"""Grade a model description against a challenge spec, rule by rule.

Pure Python: the description comes from the worker process. Every rule is
checked and reported, so a learner sees all the problems of an attempt at once.
Messages say what was expected, what was found, and at which layer (counted the
way the learner counts them: in the order the layers run, from 1).
"""

from __future__ import annotations

import math

from quizdl.challenges.description import (
    CompileInfo,
    FitInfo,
    LayerInfo,
    ModelDescription,
    NumericInfo,
    Shape,
)
from quizdl.challenges.hints import (
    SOFTMAX_ONE_UNIT,
    missing_flatten,
    softmax_on_one_unit,
    with_hint,
)
from quizdl.challenges.spec import (
    ANY_SIZE,
    ChallengeSpec,
    CompileSpec,
    FitSpec,
    InputSpec,
    LayerSpec,
    NumericSpec,
    ParamsSpec,
    ResidualFeature,
    ScheduleSpec,
    SelfAttentionFeature,
    TrainsSpec,
    canonical_activation,
    format_shape,
    format_value,
)
from quizdl.challenges.verdict import Check

LOSS_ALIASES: dict[str, str] = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "bce": "binary_crossentropy",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
}

# "accuracy" in compile() becomes whichever accuracy fits the labels, so any of
# these satisfies a challenge asking for accuracy.
METRIC_EQUIVALENTS: dict[str, frozenset[str]] = {
    "accuracy": frozenset(
        {
            "accuracy",
            "acc",
            "sparse_categorical_accuracy",
            "categorical_accuracy",
            "binary_accuracy",
        }
    ),
    "mean_squared_error": frozenset({"mse", "mean_squared_error"}),
    "mean_absolute_error": frozenset({"mae", "mean_absolute_error"}),
    "auc": frozenset({"auc"}),
}

FLOAT_TOLERANCE = 1e-6


def grade(spec: ChallengeSpec, model: ModelDescription) -> tuple[Check, ...]:
    checks: list[Check] = [*check_inputs(spec, model), check_runs(model)]
    if spec.fit is not None:
        checks.extend(check_fit(spec.fit, model.fit))
    checks.extend(check_layers(spec, model))
    one_unit = softmax_on_one_unit(model.layers)
    if one_unit is not None:
        # Always a mistake, whatever the challenge: the output is 1.0 for every sample.
        checks.append(Check("softmax", False, f"{_layer_label(one_unit)}: {SOFTMAX_ONE_UNIT}"))
    if spec.output is not None:
        checks.append(check_output(spec, model))
    for feature in spec.features:
        if isinstance(feature, ResidualFeature):
            checks.extend(check_residual(feature, model))
        else:
            checks.append(check_self_attention(feature, model))
    if spec.compile is not None:
        checks.extend(check_compile(spec.compile, model))
    if spec.params is not None:
        checks.append(check_params(spec.params, model.params_total, "parameters"))
    if spec.trainable_params is not None:
        checks.append(
            check_params(spec.trainable_params, model.params_trainable, "trainable parameters")
        )
    if spec.trains is not None:
        checks.append(check_trains(spec.trains, model))
    return tuple(checks)


# --- helpers --------------------------------------------------------------------


def _layer_label(layer: LayerInfo) -> str:
    return f"layer {layer.position} ({layer.class_name})"


def _by_position(model: ModelDescription, position: int | None) -> str:
    if position is None:
        return "the model's output"
    for layer in model.layers:
        if layer.position == position:
            return _layer_label(layer)
    return f"layer {position}"


def _dims_match(expected: tuple[int | str | None, ...], found: Shape) -> bool:
    return len(expected) == len(found) and all(
        want in (ANY_SIZE, got) for want, got in zip(expected, found, strict=True)
    )


def _open_hint(expected: tuple[int | str | None, ...], found: Shape) -> str:
    """Why a fixed size fails where the challenge wants any size."""
    if len(expected) != len(found):
        return ""
    fixed = [
        index + 1
        for index, (want, got) in enumerate(zip(expected, found, strict=True))
        if want is None and got is not None
    ]
    if not fixed:
        return ""
    which = ", ".join(str(index) for index in fixed)
    return f" (leave dimension {which} as None so the model accepts any size)"


def _thousands(count: int) -> str:
    return f"{count:,}"


# --- input, output, running -----------------------------------------------------


def _declare_hint(spec: InputSpec) -> str:
    dtype = ', dtype="int32"' if spec.dtype == "int" else ""
    return f"keras.Input(shape={format_shape(spec.keras_shape)}{dtype})"


def _input_label(spec: ChallengeSpec, index: int) -> str:
    if len(spec.input_specs) == 1:
        return "input"
    named = spec.input_specs[index].name
    return f"input {index + 1}" + (f" ({named})" if named else "")


def check_inputs(spec: ChallengeSpec, model: ModelDescription) -> list[Check]:
    specs = spec.input_specs
    if len(model.inputs) != len(specs):
        wanted = " and ".join(format_shape((None, *s.shape)) for s in specs)
        count = f"{len(specs)} inputs" if len(specs) != 1 else "one input"
        return [
            Check(
                "inputs" if len(specs) != 1 else "input",
                False,
                f"expected {count} ({wanted}), found {len(model.inputs)}",
            )
        ]
    return [check_input(spec, index, input_spec, model) for index, input_spec in enumerate(specs)]


def check_input(
    spec: ChallengeSpec, index: int, expected: InputSpec, model: ModelDescription
) -> Check:
    rule = _input_label(spec, index)
    declared = (None, *expected.shape)
    found = model.inputs[index]
    if model.built_from_spec:
        if expected.declared:
            return Check(
                rule,
                False,
                "your model does not declare its input; this challenge asks you to — start "
                f"with {_declare_hint(expected)}",
            )
        return Check(
            rule,
            True,
            "your model does not declare its input, so the checker built it for "
            f"{format_shape(found.shape)}",
        )
    problems: list[str] = []
    if not _dims_match(expected.shape, found.shape[1:]):
        problems.append(
            f"expected shape {format_shape(declared)}, found {format_shape(found.shape)}"
            + _open_hint(expected.shape, found.shape[1:])
        )
    family = expected.dtype
    note = ""
    if family == "float" and not ("float" in found.dtype or "half" in found.dtype):
        problems.append(f"expected a float input, found {found.dtype}")
    elif family == "int" and "int" not in found.dtype:
        first = model.layers[0] if model.layers else None
        if first is not None and first.type == "Embedding":
            # Keras casts a float input to integers before an Embedding.
            note = ' (accepted: the Embedding casts it; dtype="int32" says it more clearly)'
        else:
            problems.append(f"expected integer token ids, found {found.dtype}")
    if problems:
        return Check(rule, False, "; ".join(problems))
    return Check(rule, True, f"declared: shape {format_shape(found.shape)}, {found.dtype}{note}")


def check_runs(model: ModelDescription) -> Check:
    if model.forward_error is not None:
        return Check(
            "runs",
            False,
            "calling the model on a generated batch failed: "
            + with_hint(model.forward_error, model.layers),
        )
    return Check("runs", True, "the model runs on a generated batch")


def check_output(spec: ChallengeSpec, model: ModelDescription) -> Check:
    assert spec.output is not None
    if len(model.outputs) != 1:
        return Check("output", False, f"expected one output, found {len(model.outputs)}")
    found = model.outputs[0].shape
    problems: list[str] = []
    if spec.output.shape is not None and not _dims_match(spec.output.shape, found[1:]):
        expected = format_shape((None, *spec.output.shape))
        problems.append(
            f"expected shape {expected}, found {format_shape(found)}"
            + _open_hint(spec.output.shape, found[1:])
        )
    if spec.output.same_as_input and model.inputs and model.inputs[0].shape != found:
        problems.append(
            f"expected the same shape as the input {format_shape(model.inputs[0].shape)}, "
            f"found {format_shape(found)}"
        )
    if problems:
        return Check("output", False, "; ".join(problems) + _output_hint(spec, model, found))
    return Check("output", True, f"shape {format_shape(found)}")


def _output_hint(spec: ChallengeSpec, model: ModelDescription, found: Shape) -> str:
    """Why the output has the wrong shape, in the usual cases."""
    assert spec.output is not None
    expected = spec.output.shape
    dense = missing_flatten(model.layers)
    if expected is not None and len(found) - 1 > len(expected) and dense is not None:
        return (
            f" — {_layer_label(dense)} works on the last axis only, so the image axes pass "
            "straight through: add Flatten() (or GlobalAveragePooling2D()) before it"
        )
    if (
        expected is not None
        and len(found) - 1 == len(expected)
        and isinstance(expected[-1], int)
        and found[-1] != expected[-1]
        and model.layers
    ):
        last = model.layers[-1]
        return f" — the last layer, {_layer_label(last)}, gives {found[-1]} values per sample"
    return ""


# --- layers ---------------------------------------------------------------------


def _same(name: str, expected: object, found: object) -> bool:
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected == found
    if isinstance(expected, float) or isinstance(found, float):
        if not isinstance(expected, int | float) or not isinstance(found, int | float):
            return False
        return abs(float(expected) - float(found)) <= FLOAT_TOLERANCE
    if isinstance(expected, int) and isinstance(found, tuple):
        return len(found) > 0 and all(value == expected for value in found)
    if isinstance(expected, tuple) and isinstance(found, tuple):
        return tuple(expected) == found
    if isinstance(expected, str) and isinstance(found, str):
        if name == "activation":
            return canonical_activation(expected) == canonical_activation(found)
        return expected.lower() == found.lower()
    return expected == found


def _found_text(name: str, found: object) -> str:
    if name == "activation" and found == "linear":
        return "linear (no activation)"
    return format_value(found)


def attribute_problems(expected: LayerSpec, found: LayerInfo) -> list[str]:
    problems: list[str] = []
    for name, want in expected.attributes().items():
        if name not in found.attributes:
            problems.append(
                f"expected {name}={format_value(want)}, but a {found.class_name} has no {name}"
            )
            continue
        got = found.attributes[name]
        if not _same(name, want, got):
            text = _found_text(name, got)
            if name == "activation" and found.folded:
                # The learner wrote a separate activation layer; say which one we merged.
                text += f" (applied by the next layer, {found.folded[-1]})"
            if name == "activation" and got == "softmax" and found.attributes.get("units") == 1:
                text += f" ({SOFTMAX_ONE_UNIT})"
            problems.append(f"expected {name}={format_value(want)}, found {text}")
    return problems


def _compare(index: int, expected: LayerSpec, found: LayerInfo) -> Check:
    rule = f"layer {index}: {expected.describe()}"
    if expected.type != found.type:
        return Check(
            rule,
            False,
            f"{_layer_label(found)}: expected {expected.type}, found {_describe_found(found)}",
        )
    problems = attribute_problems(expected, found)
    if problems:
        return Check(rule, False, f"{_layer_label(found)}: " + "; ".join(problems))
    return Check(rule, True, f"{_layer_label(found)} matches")


def _describe_found(found: LayerInfo) -> str:
    shown = {
        k: v
        for k, v in found.attributes.items()
        if k != "use_bias" and v is not None and not (k == "trainable" and v is True)
    }
    inner = ", ".join(f"{k}={format_value(v)}" for k, v in shown.items())
    return f"{found.class_name}({inner})"


def _missing(
    index: int, expected: LayerSpec, after: LayerInfo | None, before: LayerInfo | None
) -> Check:
    if after is not None:
        where = f" after {_layer_label(after)}"
    elif before is not None:
        where = f" before {_layer_label(before)}"
    else:
        where = ""
    return Check(
        f"layer {index}: {expected.describe()}",
        False,
        f"missing: expected {expected.describe()}{where}",
    )


# Alignment costs: a layer of the right type with wrong attributes is the best
# explanation, a wrong type next, and a missing or extra layer costs the most,
# so "expected Dense, found Conv1D" is preferred to "missing Dense" + "extra Conv1D".
GAP_COST = 1.0
WRONG_TYPE_COST = 1.5
WRONG_ATTRIBUTES_COST = 0.5


def _pair_cost(expected: LayerSpec, found: LayerInfo) -> float:
    if expected.type != found.type:
        return WRONG_TYPE_COST
    attributes = expected.attributes()
    if not attributes:
        return 0.0
    wrong = len(attribute_problems(expected, found))
    return WRONG_ATTRIBUTES_COST * wrong / len(attributes)


Step = tuple[int | None, int | None]  # (expected index, found index); None on one side: a gap


def align(expected: list[LayerSpec], found: list[LayerInfo], *, extra_cost: float) -> list[Step]:
    """The cheapest in-order pairing of expected and found layers (edit distance)."""
    rows, cols = len(expected), len(found)
    cost = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        cost[i][0] = i * GAP_COST
    for j in range(1, cols + 1):
        cost[0][j] = j * extra_cost
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            cost[i][j] = min(
                cost[i - 1][j - 1] + _pair_cost(expected[i - 1], found[j - 1]),
                cost[i - 1][j] + GAP_COST,
                cost[i][j - 1] + extra_cost,
            )
    steps: list[Step] = []
    i, j = rows, cols
    while i > 0 or j > 0:
        if (
            i > 0
            and j > 0
            and math.isclose(
                cost[i][j], cost[i - 1][j - 1] + _pair_cost(expected[i - 1], found[j - 1])
            )
        ):
            steps.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i > 0 and math.isclose(cost[i][j], cost[i - 1][j] + GAP_COST):
            steps.append((i - 1, None))
            i -= 1
        else:
            steps.append((None, j - 1))
            j -= 1
    steps.reverse()
    return steps


# Layer types with an activation argument of their own: a spec's separate
# Activation layer right after one of them reads as that argument.
ACTIVATED_TYPES = frozenset(
    {
        "Dense",
        "EinsumDense",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "Conv3DTranspose",
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "SimpleRNN",
        "LSTM",
        "GRU",
    }
)


def fold_spec_activations(layers: tuple[LayerSpec, ...]) -> list[LayerSpec]:
    """``Dense(10)`` + ``Activation(softmax)`` in a spec reads as ``Dense(10, softmax)``,
    the form the worker reports a learner's layers in (unless ``literal_layers``)."""
    folded: list[LayerSpec] = []
    for layer in layers:
        previous = folded[-1] if folded else None
        if (
            layer.type == "Activation"
            and layer.activation is not None
            and previous is not None
            and previous.type in ACTIVATED_TYPES
            and previous.activation in (None, "linear")
        ):
            folded[-1] = previous.model_copy(update={"activation": layer.activation})
        else:
            folded.append(layer)
    return folded


def check_layers(spec: ChallengeSpec, model: ModelDescription) -> list[Check]:
    if not spec.layers:
        return []
    expected = list(spec.layers) if spec.literal_layers else fold_spec_activations(spec.layers)
    found = list(model.layers)
    extra_cost = 0.0 if spec.allow_extra_layers else GAP_COST
    checks: list[Check] = []
    extras: list[LayerInfo] = []
    last_found: LayerInfo | None = None
    for e_index, f_index in align(expected, found, extra_cost=extra_cost):
        if e_index is not None and f_index is not None:
            checks.append(_compare(e_index + 1, expected[e_index], found[f_index]))
            last_found = found[f_index]
        elif e_index is not None:
            before = found[0] if last_found is None and found else None
            checks.append(_missing(e_index + 1, expected[e_index], last_found, before))
        elif f_index is not None:
            extras.append(found[f_index])
            last_found = found[f_index]
    if spec.allow_extra_layers:
        return checks
    if extras:
        listed = ", ".join(_layer_label(layer) for layer in extras)
        verb, pronoun = ("is", "it") if len(extras) == 1 else ("are", "them")
        checks.append(
            Check(
                "no extra layers",
                False,
                f"{listed} {verb} not part of this challenge — remove {pronoun}",
            )
        )
    elif not found:
        checks.append(Check("no extra layers", True, "the model has no layers yet"))
    else:
        count = f"{len(found)} layer" + ("s" if len(found) != 1 else "")
        checks.append(
            Check("no extra layers", True, f"none beyond those asked for (the model has {count})")
        )
    return checks


# --- graph features -------------------------------------------------------------


def check_residual(feature: ResidualFeature, model: ModelDescription) -> list[Check]:
    rule = f"residual around {feature.residual}"
    then_rule = f"{feature.then} after the residual" if feature.then else None
    candidates = [layer for layer in model.layers if layer.type == feature.residual]

    def failing(message: str) -> list[Check]:
        checks = [Check(rule, False, message)]
        if then_rule is not None:
            checks.append(Check(then_rule, False, "cannot be checked without the residual"))
        return checks

    if model.forward_error is not None:
        return failing("cannot be checked: the model did not run on a generated batch")
    if not candidates:
        return failing(
            f"expected a skip connection around a {feature.residual}, but the model has none"
        )
    positions = {layer.position: layer for layer in candidates}
    found = [r for r in model.residuals if r.around in positions]
    if not found:
        layer = candidates[0]
        return failing(
            f"the output of {_layer_label(layer)} is never added to its input — "
            "add them, e.g. x + attention or layers.Add()([x, attention])"
        )
    layer = positions[found[0].around]
    checks = [Check(rule, True, f"the output of {_layer_label(layer)} is added to its input")]
    if feature.then is not None and then_rule is not None:
        into_types = {r.into: _type_at(model, r.into) for r in found}
        good = [into for into, kind in into_types.items() if kind == feature.then]
        if good:
            checks.append(
                Check(then_rule, True, f"the sum goes into {_by_position(model, good[0])}")
            )
        else:
            into = found[0].into
            checks.append(
                Check(
                    then_rule,
                    False,
                    f"expected the sum to go into {feature.then}, found it goes into "
                    f"{_by_position(model, into)}",
                )
            )
    return checks


def _type_at(model: ModelDescription, position: int | None) -> str | None:
    for layer in model.layers:
        if layer.position == position:
            return layer.type
    return None


def check_self_attention(feature: SelfAttentionFeature, model: ModelDescription) -> Check:
    rule = f"self-attention in {feature.self_attention}"
    candidates = [layer for layer in model.layers if layer.type == feature.self_attention]
    if not candidates:
        return Check(rule, False, f"expected a {feature.self_attention}, but the model has none")
    if model.forward_error is not None:
        return Check(rule, False, "cannot be checked: the model did not run on a generated batch")
    for layer in candidates:
        if layer.self_attention:
            if feature.causal is not None and bool(layer.causal) != feature.causal:
                wanted = "with" if feature.causal else "without"
                return Check(
                    rule,
                    False,
                    f"{_layer_label(layer)} attends to its own input, but {wanted} a causal "
                    "mask is asked for — call it with use_causal_mask="
                    f"{feature.causal} so position t only sees positions up to t",
                )
            causal = ", causally" if layer.causal else ""
            return Check(rule, True, f"{_layer_label(layer)} attends to its own input{causal}")
    return Check(
        rule,
        False,
        f"{_layer_label(candidates[0])} attends to a different tensor — for self-attention "
        "pass the same tensor as query and value: attention(x, x)",
    )


# --- compile, parameters, training ----------------------------------------------


def _loss_name(name: str) -> str:
    lowered = name.strip().lower()
    return LOSS_ALIASES.get(lowered, lowered)


def check_compile(expected: CompileSpec, model: ModelDescription) -> list[Check]:
    compiled = model.compiled
    not_compiled = "the model is not compiled — call model.compile(...) before returning it"
    checks: list[Check] = []
    if expected.optimizer is not None:
        if compiled is None:
            checks.append(Check("optimizer", False, not_compiled))
        elif (compiled.optimizer or "").lower() == expected.optimizer.lower():
            checks.append(Check("optimizer", True, compiled.optimizer or ""))
        else:
            checks.append(
                Check(
                    "optimizer", False, f"expected {expected.optimizer}, found {compiled.optimizer}"
                )
            )
    if expected.learning_rate is not None:
        if compiled is None:
            checks.append(Check("learning rate", False, not_compiled))
        elif compiled.learning_rate is not None and math.isclose(
            compiled.learning_rate, expected.learning_rate, rel_tol=1e-5
        ):
            checks.append(Check("learning rate", True, f"{compiled.learning_rate:g}"))
        else:
            found = (
                "a schedule" if compiled.learning_rate is None else f"{compiled.learning_rate:g}"
            )
            checks.append(
                Check("learning rate", False, f"expected {expected.learning_rate:g}, found {found}")
            )
    if expected.schedule is not None:
        checks.append(_check_schedule(expected.schedule, compiled, not_compiled))
    if expected.from_logits is not None:
        if compiled is None:
            checks.append(Check("from_logits", False, not_compiled))
        elif compiled.from_logits == expected.from_logits:
            checks.append(Check("from_logits", True, str(compiled.from_logits)))
        else:
            why = (
                "the last layer outputs raw scores (logits), so the loss must be told: "
                "e.g. keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
                if expected.from_logits
                else "the model already applies softmax/sigmoid, so from_logits must be False"
            )
            checks.append(
                Check(
                    "from_logits",
                    False,
                    f"expected from_logits={expected.from_logits}, found "
                    f"{compiled.from_logits} — {why}",
                )
            )
    if expected.loss is not None:
        if compiled is None:
            checks.append(Check("loss", False, not_compiled))
        elif compiled.loss is not None and _loss_name(compiled.loss) == _loss_name(expected.loss):
            checks.append(Check("loss", True, _loss_name(compiled.loss)))
        else:
            checks.append(
                Check("loss", False, f"expected {_loss_name(expected.loss)}, found {compiled.loss}")
            )
    if expected.metrics:
        if compiled is None:
            checks.append(Check("metrics", False, not_compiled))
        else:
            found_names = {name.lower() for name in compiled.metrics}
            missing = [
                metric
                for metric in expected.metrics
                if not found_names
                & METRIC_EQUIVALENTS.get(metric.lower(), frozenset({metric.lower()}))
            ]
            shown = ", ".join(compiled.metrics) or "none"
            if missing:
                checks.append(
                    Check(
                        "metrics",
                        False,
                        f"expected {', '.join(missing)} among the metrics, found {shown}",
                    )
                )
            else:
                checks.append(Check("metrics", True, shown))
    if expected.first_metric is not None:
        if compiled is None:
            checks.append(Check("first metric", False, not_compiled))
        else:
            wanted = METRIC_EQUIVALENTS.get(
                expected.first_metric.lower(), frozenset({expected.first_metric.lower()})
            )
            first = compiled.metrics[0] if compiled.metrics else None
            if first is not None and first.lower() in wanted:
                checks.append(Check("first metric", True, first))
            else:
                order = ", ".join(compiled.metrics) or "no metrics"
                checks.append(
                    Check(
                        "first metric",
                        False,
                        f"expected {expected.first_metric} first, found {order} — "
                        "the order of metrics=[...] is the order Keras reports them",
                    )
                )
    return checks


def _check_schedule(
    expected: ScheduleSpec, compiled: CompileInfo | None, not_compiled: str
) -> Check:
    if compiled is None:
        return Check("learning-rate schedule", False, not_compiled)
    found = compiled.schedule
    if found is None:
        rate = "none" if compiled.learning_rate is None else f"{compiled.learning_rate:g}"
        return Check(
            "learning-rate schedule",
            False,
            f"expected learning_rate=keras.optimizers.schedules.{expected.type}(...), found "
            f"the constant {rate}",
        )
    problems = []
    if found.get("type") != expected.type:
        problems.append(f"expected {expected.type}, found {found.get('type')}")
    for name, want in expected.model_dump(exclude={"type"}, exclude_none=True).items():
        got = found.get(name)
        if not _same(name, want, got):
            problems.append(f"expected {name}={format_value(want)}, found {format_value(got)}")
    if problems:
        return Check("learning-rate schedule", False, "; ".join(problems))
    return Check("learning-rate schedule", True, str(found.get("type")))


def check_params(bounds: ParamsSpec, total: int, what: str) -> Check:
    if bounds.exact is not None:
        if total == bounds.exact:
            return Check(what, True, f"{_thousands(total)} {what}")
        return Check(
            what, False, f"expected {_thousands(bounds.exact)} {what}, found {_thousands(total)}"
        )
    if bounds.min is not None and total < bounds.min:
        return Check(
            what,
            False,
            f"expected at least {_thousands(bounds.min)} {what}, found {_thousands(total)}",
        )
    if bounds.max is not None and total > bounds.max:
        return Check(
            what,
            False,
            f"expected at most {_thousands(bounds.max)} {what}, found {_thousands(total)}",
        )
    return Check(what, True, f"{_thousands(total)} {what}, within bounds")


def check_trains(expected: TrainsSpec, model: ModelDescription) -> Check:
    training = model.training
    if training is None:
        return Check(
            "trains", False, "cannot be checked: the model did not run on a generated batch"
        )
    how = (
        f" (compiled by the checker with adam and {expected.fallback_loss})"
        if training.compiled_by_checker
        else ""
    )
    if training.error is not None:
        return Check(
            "trains",
            False,
            f"training on a generated batch failed{how}: {with_hint(training.error, model.layers)}",
        )
    before, after = training.loss_before, training.loss_after
    if before is None or after is None or not (math.isfinite(before) and math.isfinite(after)):
        return Check("trains", False, f"the loss is not a finite number ({before} → {after}){how}")
    if after < before:
        return Check(
            "trains",
            True,
            f"the loss fell from {before:.3f} to {after:.3f} in {training.steps} steps{how}",
        )
    advice = "check the output activation, the loss and the learning rate"
    if softmax_on_one_unit(model.layers) is not None:
        advice = SOFTMAX_ONE_UNIT
    return Check(
        "trains",
        False,
        f"the loss did not go down in {training.steps} steps ({before:.3f} → {after:.3f}){how} — "
        + advice,
    )


# --- training setup and numeric challenges --------------------------------------


def _fit_value(name: str, want: object, got: object) -> Check:
    rule = f"fit: {name}"
    if got is None:
        return Check(
            rule, False, f"expected {name}={format_value(want)}, but fit() was not given it"
        )
    if _same(name, want, got):
        return Check(rule, True, format_value(got))
    return Check(rule, False, f"expected {name}={format_value(want)}, found {format_value(got)}")


def check_fit(expected: FitSpec, found: FitInfo | None) -> list[Check]:
    """What the learner's training function passed to model.fit, against the spec."""
    if found is None or not found.called:
        why = (
            found.error
            if found is not None and found.error
            else (f"{expected.function}() never called model.fit(...)")
        )
        return [Check("fit", False, why)]
    checks = [
        Check("fit", False, f"model.fit(...) failed: {with_hint(found.error)}")
        if found.error
        else Check("fit", True, f"model.fit(...) ran ({found.epochs_run} epochs on generated data)")
    ]
    for name in ("epochs", "batch_size", "validation_split"):
        want = getattr(expected, name)
        if want is not None:
            checks.append(_fit_value(name, want, getattr(found, name)))
    if expected.early_stopping is not None:
        stopping = [c for c in found.callbacks if c.class_name == "EarlyStopping"]
        if not stopping:
            given = ", ".join(c.class_name for c in found.callbacks) or "no callbacks"
            checks.append(
                Check(
                    "EarlyStopping",
                    False,
                    f"expected callbacks=[keras.callbacks.EarlyStopping(...)], found {given}",
                )
            )
        else:
            callback = stopping[0]
            wanted = expected.early_stopping.model_dump(exclude_none=True)
            problems = [
                f"expected {name}={format_value(want)}, found "
                f"{format_value(getattr(callback, name))}"
                for name, want in wanted.items()
                if not _same(name, want, getattr(callback, name))
            ]
            shown = ", ".join(f"{n}={format_value(getattr(callback, n))}" for n in wanted)
            checks.append(
                Check("EarlyStopping", not problems, "; ".join(problems) or shown or "given")
            )
    return checks


def grade_numeric(expected: NumericSpec, found: NumericInfo) -> tuple[Check, ...]:
    """A learner's function or layer against the reference, on the same inputs."""
    shape = format_shape(found.output_shape or ())
    want_shape = format_shape(found.reference_shape or ())
    checks = [
        Check("output shape", True, shape)
        if found.output_shape == found.reference_shape
        else Check("output shape", False, f"expected {want_shape}, found {shape}")
    ]
    if found.output_shape == found.reference_shape:
        difference = found.max_abs_diff if found.max_abs_diff is not None else 0.0
        tolerance = f"rtol={expected.rtol:g}, atol={expected.atol:g}"
        checks.append(
            Check("values", True, f"match the reference (largest difference {difference:.2g})")
            if found.close
            else Check(
                "values",
                False,
                f"differ from the reference by up to {difference:.3g} ({tolerance})",
            )
        )
    if expected.layer:
        mine, theirs = found.trainable_weights, found.reference_trainable_weights
        checks.append(
            Check("trainable weights", True, f"{mine:,}")
            if mine == theirs
            else Check("trainable weights", False, f"expected {theirs:,}, found {mine:,}")
        )
    return tuple(checks)
