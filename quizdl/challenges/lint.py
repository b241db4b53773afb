"""Contradictions a challenge spec shows without running anything.

``quizdl challenge verify`` reports them before it runs the solution and the
starter, and deck tooling can call ``spec_problems`` without TensorFlow.
Each problem is one sentence naming the fields that disagree.
"""

from __future__ import annotations

from quizdl.challenges.spec import ChallengeSpec, LayerSpec, format_shape

_SHAPE_KEEPING = frozenset({"Dropout", "BatchNormalization", "LayerNormalization", "Activation"})


def _last_units(layers: tuple[LayerSpec, ...]) -> tuple[int, LayerSpec] | None:
    """The unit count of the last layer that sets one, if only shape-keeping layers follow."""
    for layer in reversed(layers):
        if layer.units is not None and layer.type == "Dense":
            return layer.units, layer
        if layer.type not in _SHAPE_KEEPING:
            return None
    return None


def spec_problems(spec: ChallengeSpec) -> list[str]:
    problems: list[str] = []
    if spec.output is not None and spec.output.shape and not spec.allow_extra_layers:
        last = _last_units(spec.layers)
        want = spec.output.shape[-1]
        if last is not None and isinstance(want, int) and last[0] != want:
            problems.append(
                f"output.shape {format_shape(spec.output.shape)} ends in {want}, but the last "
                f"layer asked for is {last[1].describe()}"
            )
    for index, layer in enumerate(spec.layers, start=1):
        if layer.type == "Activation" and layer.activation is None:
            problems.append(f"layers[{index}]: an Activation layer needs an activation")
        if layer.return_sequences is not None and layer.type not in (
            "SimpleRNN",
            "LSTM",
            "GRU",
        ):
            problems.append(f"layers[{index}]: {layer.type} has no return_sequences")
    compile_spec = spec.compile
    if (
        compile_spec is not None
        and compile_spec.first_metric is not None
        and compile_spec.metrics
        and compile_spec.first_metric not in compile_spec.metrics
    ):
        problems.append(
            f"compile.first_metric {compile_spec.first_metric!r} is not among compile.metrics"
        )
    if spec.params is not None and spec.params.exact == 0 and spec.layers:
        problems.append("params.exact is 0, but the spec asks for layers")
    return problems
