"""Grading a model description: every rule reported, with expected, found and where."""

from __future__ import annotations

from typing import Any

import pytest

from quizdl.challenges.description import (
    CompileInfo,
    LayerInfo,
    ModelDescription,
    ResidualInfo,
    TensorInfo,
    TrainingInfo,
)
from quizdl.challenges.grader import grade
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Check, Verdict

MLP_SPEC = ChallengeSpec.model_validate(
    {
        "input": {"shape": [784]},
        "output": {"shape": [10]},
        "layers": [
            {"type": "Dense", "units": 128, "activation": "relu"},
            {"type": "Dropout", "rate": 0.2},
            {"type": "Dense", "units": 64, "activation": "relu"},
            {"type": "Dense", "units": 10, "activation": "softmax"},
        ],
        "compile": {
            "optimizer": "Adam",
            "learning_rate": 0.001,
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
        },
        "params": {"exact": 109_386},
        "trains": {"steps": 5},
    }
)


def layer(position: int, layer_type: str, **attributes: Any) -> LayerInfo:
    return LayerInfo(
        position=position,
        name=f"l{position}",
        class_name=layer_type,
        type=layer_type,
        attributes=attributes,
    )


def mlp(**changes: Any) -> ModelDescription:
    values: dict[str, Any] = {
        "kind": "sequential",
        "class_name": "Sequential",
        "inputs": (TensorInfo(shape=(None, 784), dtype="float32"),),
        "built_from_spec": False,
        "outputs": (TensorInfo(shape=(None, 10), dtype="float32"),),
        "layers": (
            layer(1, "Dense", units=128, activation="relu"),
            layer(2, "Dropout", rate=0.2),
            layer(3, "Dense", units=64, activation="relu"),
            layer(4, "Dense", units=10, activation="softmax"),
        ),
        "params_total": 109_386,
        "params_trainable": 109_386,
        "compiled": CompileInfo(
            optimizer="Adam",
            learning_rate=0.001,
            loss="sparse_categorical_crossentropy",
            metrics=("accuracy",),
        ),
        "training": TrainingInfo(steps=5, loss_before=2.3, loss_after=1.1),
    }
    values.update(changes)
    return ModelDescription(**values)


def by_rule(checks: tuple[Check, ...]) -> dict[str, Check]:
    return {check.rule.split(":")[0]: check for check in checks}


def failures(spec: ChallengeSpec, model: ModelDescription) -> list[str]:
    return [f"{c.rule} — {c.message}" for c in grade(spec, model) if not c.passed]


def test_a_matching_model_passes_every_rule() -> None:
    checks = grade(MLP_SPEC, mlp())
    assert all(check.passed for check in checks), [c.line() for c in checks if not c.passed]
    assert [c.rule.split(":")[0] for c in checks] == [
        "input",
        "runs",
        "layer 1",
        "layer 2",
        "layer 3",
        "layer 4",
        "no extra layers",
        "output",
        "optimizer",
        "learning rate",
        "loss",
        "metrics",
        "parameters",
        "trains",
    ]


def test_every_mismatch_is_reported_at_once() -> None:
    model = mlp(
        layers=(
            layer(1, "Dense", units=128, activation="relu"),
            layer(2, "Dropout", rate=0.5),
            layer(3, "Dense", units=32, activation="linear"),
            layer(4, "Dense", units=10, activation="softmax"),
        ),
        compiled=CompileInfo(optimizer="SGD", learning_rate=0.01, loss="mse", metrics=()),
        params_total=104_938,
        training=TrainingInfo(steps=5, loss_before=2.3, loss_after=2.4),
    )
    lines = failures(MLP_SPEC, model)
    assert lines == [
        "layer 2: Dropout(rate=0.2) — layer 2 (Dropout): expected rate=0.2, found 0.5",
        "layer 3: Dense(units=64, activation=relu) — layer 3 (Dense): expected units=64, found 32; "
        "expected activation=relu, found linear (no activation)",
        "optimizer — expected Adam, found SGD",
        "learning rate — expected 0.001, found 0.01",
        "loss — expected sparse_categorical_crossentropy, found mse",
        "metrics — expected accuracy among the metrics, found none",
        "parameters — expected 109,386 parameters, found 104,938",
        "trains — the loss did not go down in 5 steps (2.300 → 2.400) — check the output "
        "activation, the loss and the learning rate",
    ]


def test_missing_and_extra_layers_are_located() -> None:
    model = mlp(
        layers=(
            layer(1, "Dense", units=128, activation="relu"),
            layer(2, "Dense", units=64, activation="relu"),
            layer(3, "BatchNormalization"),
            layer(4, "Dense", units=10, activation="softmax"),
        )
    )
    checks = by_rule(grade(MLP_SPEC, model))
    assert checks["layer 2"].message == "missing: expected Dropout(rate=0.2) after layer 1 (Dense)"
    assert checks["layer 3"].passed and checks["layer 4"].passed
    assert checks["no extra layers"].message == (
        "layer 3 (BatchNormalization) is not part of this challenge — remove it"
    )


def test_a_wrong_layer_type_names_both_types() -> None:
    model = mlp(
        layers=(
            layer(1, "Dense", units=128, activation="relu"),
            layer(2, "Dropout", rate=0.2),
            layer(3, "Conv1D", filters=64, activation="relu"),
            layer(4, "Dense", units=10, activation="softmax"),
        )
    )
    check = by_rule(grade(MLP_SPEC, model))["layer 3"]
    assert not check.passed
    assert (
        check.message
        == "layer 3 (Conv1D): expected Dense, found Conv1D(filters=64, activation=relu)"
    )


def test_extra_layers_are_fine_when_the_spec_allows_them() -> None:
    spec = MLP_SPEC.model_copy(update={"allow_extra_layers": True})
    model = mlp(
        layers=(
            layer(1, "Dense", units=128, activation="relu"),
            layer(2, "Dropout", rate=0.2),
            layer(3, "BatchNormalization"),
            layer(4, "Dense", units=64, activation="relu"),
            layer(5, "Dense", units=10, activation="softmax"),
        )
    )
    checks = grade(spec, model)
    assert "no extra layers" not in by_rule(checks)
    assert by_rule(checks)["layer 3"].message == "layer 4 (Dense) matches"


@pytest.mark.parametrize(
    ("spec_value", "found", "passes"),
    [(3, (3, 3), True), ((3, 3), (3, 3), True), (3, (3, 5), False), (3, (5, 5), False)],
)
def test_an_int_size_means_the_same_on_every_axis(
    spec_value: object, found: tuple[int, ...], passes: bool
) -> None:
    spec = ChallengeSpec.model_validate(
        {"input": {"shape": [32, 32, 3]}, "layers": [{"type": "Conv2D", "kernel_size": spec_value}]}
    )
    model = mlp(
        inputs=(TensorInfo(shape=(None, 32, 32, 3), dtype="float32"),),
        layers=(layer(1, "Conv2D", kernel_size=found),),
    )
    assert by_rule(grade(spec, model))["layer 1"].passed is passes


def test_input_shape_and_dtype() -> None:
    model = mlp(inputs=(TensorInfo(shape=(None, 28, 28), dtype="int32"),))
    check = by_rule(grade(MLP_SPEC, model))["input"]
    assert check.message == (
        "expected shape (None, 784), found (None, 28, 28); expected a float input, found int32"
    )


def test_an_open_dimension_must_stay_open() -> None:
    spec = ChallengeSpec.model_validate({"input": {"shape": [None], "dtype": "int"}})
    fixed = mlp(inputs=(TensorInfo(shape=(None, 200), dtype="int32"),), layers=())
    assert by_rule(grade(spec, fixed))["input"].message == (
        "expected shape (None, None), found (None, 200) "
        "(leave dimension 1 as None so the model accepts any size)"
    )
    either = ChallengeSpec.model_validate({"input": {"shape": ["*"], "dtype": "int"}})
    assert by_rule(grade(either, fixed))["input"].passed


def test_a_float_input_is_accepted_for_tokens_when_an_embedding_casts_it() -> None:
    spec = ChallengeSpec.model_validate({"input": {"shape": [None], "dtype": "int"}})
    tokens = (TensorInfo(shape=(None, None), dtype="float32"),)
    with_embedding = mlp(inputs=tokens, layers=(layer(1, "Embedding", input_dim=10),))
    without = mlp(inputs=tokens, layers=(layer(1, "Dense", units=3),))
    assert "the Embedding casts it" in by_rule(grade(spec, with_embedding))["input"].message
    assert by_rule(grade(spec, without))["input"].message == (
        "expected integer token ids, found float32"
    )


def test_a_model_built_from_the_declared_input_passes_the_input_rule() -> None:
    model = mlp(built_from_spec=True, inputs=(TensorInfo(shape=(None, 784), dtype="float32"),))
    check = by_rule(grade(MLP_SPEC, model))["input"]
    assert check.passed and "the checker built it for (None, 784)" in check.message


def test_output_shape_and_same_as_input() -> None:
    spec = ChallengeSpec.model_validate(
        {"input": {"shape": ["*", 64]}, "output": {"shape": ["*", 64], "same_as_input": True}}
    )
    sequence = (TensorInfo(shape=(None, 10, 64), dtype="float32"),)
    same = mlp(inputs=sequence, outputs=sequence, layers=())
    assert by_rule(grade(spec, same))["output"].passed
    other = mlp(inputs=sequence, outputs=(TensorInfo(shape=(None, 10, 32), dtype="float32"),))
    assert by_rule(grade(spec, other))["output"].message == (
        "expected shape (None, any, 64), found (None, 10, 32); "
        "expected the same shape as the input (None, 10, 64), found (None, 10, 32)"
        " — the last layer, layer 4 (Dense), gives 32 values per sample"
    )


BLOCK_SPEC = ChallengeSpec.model_validate(
    {
        "input": {"shape": ["*", 64]},
        "features": [
            {"self_attention": "MultiHeadAttention"},
            {"residual": "MultiHeadAttention", "then": "LayerNormalization"},
        ],
    }
)


def block(**changes: Any) -> ModelDescription:
    sequence = (TensorInfo(shape=(None, None, 64), dtype="float32"),)
    values: dict[str, Any] = {
        "inputs": sequence,
        "outputs": sequence,
        "layers": (
            layer(1, "MultiHeadAttention", num_heads=4).model_copy(update={"self_attention": True}),
            layer(2, "LayerNormalization"),
        ),
        "residuals": (ResidualInfo(around=1, into=2),),
        "compiled": None,
        "training": None,
    }
    values.update(changes)
    return mlp(**values)


def test_residual_and_norm_pass() -> None:
    assert failures(BLOCK_SPEC, block()) == []


def test_a_missing_residual_says_how_to_add_it() -> None:
    lines = failures(BLOCK_SPEC, block(residuals=()))
    assert lines == [
        "residual around MultiHeadAttention — the output of layer 1 (MultiHeadAttention) is "
        "never added to its input — add them, e.g. x + attention or layers.Add()([x, attention])",
        "LayerNormalization after the residual — cannot be checked without the residual",
    ]


def test_the_sum_must_go_into_the_norm() -> None:
    model = block(
        layers=(
            layer(1, "MultiHeadAttention").model_copy(update={"self_attention": True}),
            layer(2, "Dense", units=64),
            layer(3, "LayerNormalization"),
        ),
        residuals=(ResidualInfo(around=1, into=2),),
    )
    assert failures(BLOCK_SPEC, model) == [
        "LayerNormalization after the residual — expected the sum to go into "
        "LayerNormalization, found it goes into layer 2 (Dense)"
    ]
    into_output = block(residuals=(ResidualInfo(around=1, into=None),))
    assert failures(BLOCK_SPEC, into_output)[0].endswith("found it goes into the model's output")


def test_cross_attention_is_not_self_attention() -> None:
    model = block(
        layers=(
            layer(1, "MultiHeadAttention").model_copy(update={"self_attention": False}),
            layer(2, "LayerNormalization"),
        )
    )
    assert failures(BLOCK_SPEC, model) == [
        "self-attention in MultiHeadAttention — layer 1 (MultiHeadAttention) attends to a "
        "different tensor — for self-attention pass the same tensor as query and value: "
        "attention(x, x)"
    ]


def test_no_attention_layer_at_all() -> None:
    model = block(layers=(layer(1, "Dense", units=64),), residuals=())
    lines = failures(BLOCK_SPEC, model)
    assert lines[0].endswith("expected a MultiHeadAttention, but the model has none")
    assert "expected a skip connection around a MultiHeadAttention" in lines[1]


def test_a_model_that_did_not_run_fails_the_rules_needing_a_run() -> None:
    model = block(forward_error="ValueError: bad shape")
    lines = failures(BLOCK_SPEC, model)
    assert lines[0] == "runs — calling the model on a generated batch failed: ValueError: bad shape"
    assert all("did not run" in line for line in lines[1:3])


@pytest.mark.parametrize(
    ("loss", "metrics", "passes"),
    [
        ("SparseCategoricalCrossentropy".lower(), ("acc",), False),
        ("sparse_categorical_crossentropy", ("sparse_categorical_accuracy",), True),
        ("sparse_categorical_crossentropy", ("acc", "auc"), True),
    ],
)
def test_metric_and_loss_spellings(loss: str, metrics: tuple[str, ...], passes: bool) -> None:
    compiled = CompileInfo(optimizer="Adam", learning_rate=0.001, loss=loss, metrics=metrics)
    assert (failures(MLP_SPEC, mlp(compiled=compiled)) == []) is passes


def test_loss_aliases_are_the_same_loss() -> None:
    spec = ChallengeSpec.model_validate(
        {"input": {"shape": [3]}, "compile": {"loss": "mean_squared_error"}}
    )
    compiled = CompileInfo(optimizer="Adam", learning_rate=0.1, loss="mse", metrics=())
    model = mlp(inputs=(TensorInfo(shape=(None, 3), dtype="float32"),), compiled=compiled)
    assert by_rule(grade(spec, model))["loss"].passed


def test_an_uncompiled_model_fails_each_compile_rule_plainly() -> None:
    lines = failures(MLP_SPEC, mlp(compiled=None))
    assert lines == [
        f"{rule} — the model is not compiled — call model.compile(...) before returning it"
        for rule in ("optimizer", "learning rate", "loss", "metrics")
    ]


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ({"min": 200_000}, "expected at least 200,000 parameters, found 109,386"),
        ({"max": 1_000}, "expected at most 1,000 parameters, found 109,386"),
        ({"min": 1_000, "max": 200_000}, None),
    ],
)
def test_parameter_bounds(bounds: dict[str, int], message: str | None) -> None:
    spec = MLP_SPEC.model_copy(update={"params": MLP_SPEC.params.model_validate(bounds)})  # type: ignore[union-attr]
    check = by_rule(grade(spec, mlp()))["parameters"]
    assert check.passed is (message is None)
    if message is not None:
        assert check.message == message


@pytest.mark.parametrize(
    ("training", "fragment"),
    [
        (
            TrainingInfo(steps=5, error="ValueError: logits and labels"),
            "training on a generated batch failed",
        ),
        (TrainingInfo(steps=5, loss_before=float("nan"), loss_after=1.0), "not a finite number"),
        (TrainingInfo(steps=5, loss_before=1.0, loss_after=1.0), "did not go down"),
        (
            TrainingInfo(steps=5, loss_before=1.0, loss_after=2.0, compiled_by_checker=True),
            "compiled by the checker with adam and sparse_categorical_crossentropy",
        ),
    ],
)
def test_training_probe_failures(training: TrainingInfo, fragment: str) -> None:
    check = by_rule(grade(MLP_SPEC, mlp(training=training)))["trains"]
    assert not check.passed and fragment in check.message


def test_verdict_json_shape() -> None:
    checks = grade(MLP_SPEC, mlp(params_total=1))
    verdict = Verdict(checks=checks, seconds=1.23456, model={"kind": "sequential"})
    data = verdict.to_dict("keras-mlp-mnist")
    assert {"challenge", "passed", "checks", "model", "seconds"} <= set(data)
    assert data["passed"] is False and data["seconds"] == 1.235
    assert data["checks"][0] == {
        "rule": "input",
        "passed": True,
        "message": "declared: shape (None, 784), float32",
    }
    assert verdict.lines()[0] == "✓ input — declared: shape (None, 784), float32"
    assert [c.rule for c in verdict.failures] == ["parameters"]


def test_no_checks_is_not_a_pass() -> None:
    assert not Verdict(checks=(), seconds=0.0).passed
