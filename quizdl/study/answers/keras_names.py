"""What Keras treats as the same: layer aliases, loss aliases, call signatures.

Names are case-folded because answers are compared case-insensitively. The
tables cover the layers and arguments interview cards ask about; a name not
listed is compared as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Keras exports these pairs as the same class (keras.layers.MaxPool2D is
# keras.layers.MaxPooling2D, and so on); "ln" is how formulas write log.
NAME_ALIASES: dict[str, str] = {
    **{f"maxpool{d}d": f"maxpooling{d}d" for d in (1, 2, 3)},
    **{f"avgpool{d}d": f"averagepooling{d}d" for d in (1, 2, 3)},
    **{f"globalmaxpool{d}d": f"globalmaxpooling{d}d" for d in (1, 2, 3)},
    **{f"globalavgpool{d}d": f"globalaveragepooling{d}d" for d in (1, 2, 3)},
    **{f"convolution{d}d": f"conv{d}d" for d in (1, 2, 3)},
    **{f"convolution{d}dtranspose": f"conv{d}dtranspose" for d in (1, 2, 3)},
    **{f"separableconvolution{d}d": f"separableconv{d}d" for d in (1, 2)},
    "ln": "log",
}

# Loss and metric strings Keras resolves to the same function.
STRING_ALIASES: dict[str, str] = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
}

# Attribute chains made only of these are module paths: keras.layers.Dense,
# layers.Dense and Dense name the same thing, as np.log and log do.
NAMESPACES = frozenset(
    {
        "tf",
        "tensorflow",
        "keras",
        "layers",
        "losses",
        "metrics",
        "optimizers",
        "activations",
        "callbacks",
        "models",
        "initializers",
        "regularizers",
        "ops",
        "np",
        "numpy",
        "math",
        "torch",
    }
)


@dataclass(frozen=True)
class Signature:
    """The leading positional parameters of a layer and the defaults worth knowing.

    ``sizes`` are arguments Keras accepts as an int or a tuple of ``rank``
    ints (kernel_size=3 is (3, 3) in a 2-D layer). ``defaults`` are dropped
    when written explicitly, as source text compared after the same folding.
    """

    positional: tuple[str, ...]
    rank: int = 0
    sizes: frozenset[str] = frozenset()
    defaults: dict[str, str] = field(default_factory=dict)
    pooling: bool = False


def _conv(rank: int) -> Signature:
    return Signature(
        positional=("filters", "kernel_size", "strides"),
        rank=rank,
        sizes=frozenset({"kernel_size", "strides", "dilation_rate"}),
        defaults={
            "strides": repr((1,) * rank),
            "padding": "'valid'",
            "dilation_rate": repr((1,) * rank),
            "groups": "1",
            "activation": "none",
            "use_bias": "true",
            "data_format": "none",
        },
    )


def _pool(rank: int) -> Signature:
    return Signature(
        positional=("pool_size", "strides", "padding"),
        rank=rank,
        sizes=frozenset({"pool_size", "strides"}),
        # pool_size defaults to 2 in every rank; strides default to the pool size.
        defaults={"pool_size": repr((2,) * rank), "padding": "'valid'", "data_format": "none"},
        pooling=True,
    )


_RECURRENT = Signature(
    positional=("units",),
    defaults={"return_sequences": "false", "return_state": "false", "go_backwards": "false"},
)

SIGNATURES: dict[str, Signature] = {
    **{f"conv{d}d": _conv(d) for d in (1, 2, 3)},
    **{f"conv{d}dtranspose": _conv(d) for d in (1, 2, 3)},
    **{f"separableconv{d}d": _conv(d) for d in (1, 2)},
    "depthwiseconv2d": Signature(
        positional=("kernel_size", "strides"),
        rank=2,
        sizes=frozenset({"kernel_size", "strides"}),
        defaults={"strides": "(1, 1)", "padding": "'valid'"},
    ),
    **{f"maxpooling{d}d": _pool(d) for d in (1, 2, 3)},
    **{f"averagepooling{d}d": _pool(d) for d in (1, 2, 3)},
    **{
        f"upsampling{d}d": Signature(
            positional=("size",),
            rank=d,
            sizes=frozenset({"size"}),
            defaults={"size": repr((2,) * d)},
        )
        for d in (1, 2, 3)
    },
    "dense": Signature(
        positional=("units", "activation"),
        defaults={"activation": "none", "use_bias": "true"},
    ),
    "dropout": Signature(positional=("rate",)),
    "activation": Signature(positional=("activation",)),
    "reshape": Signature(positional=("target_shape",)),
    "embedding": Signature(positional=("input_dim", "output_dim"), defaults={"mask_zero": "false"}),
    "lstm": _RECURRENT,
    "gru": _RECURRENT,
    "simplernn": _RECURRENT,
    "multiheadattention": Signature(positional=("num_heads", "key_dim")),
    "batchnormalization": Signature(positional=("axis",), defaults={"axis": "-1"}),
    "layernormalization": Signature(positional=("axis",), defaults={"axis": "-1"}),
}
