"""Code and formulas compared by syntax tree.

``MaxPooling2D((2, 2))``, ``MaxPool2D(2,2)`` and ``maxpooling2d(pool_size=2)``
build the same layer, and ``−log p``, ``-ln(p)`` and ``log(1/p)`` are the same
formula. Each answer is parsed (never run) as a Python expression after a
light formula rewrite, then canonicalised: Keras aliases and module paths
resolved, positional arguments named, int sizes expanded to tuples, defaults
and keyword order dropped. Two answers with the same canonical dump match.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from quizdl.study.answers.keras_names import (
    NAME_ALIASES,
    NAMESPACES,
    SIGNATURES,
    STRING_ALIASES,
    Signature,
)
from quizdl.study.answers.text import fold

# Parsing is cheap for an answer but not for a pasted essay, and deep nesting
# makes Python's parser recurse: both are refused before parsing.
MAX_CODE_CHARS = 400
MAX_NESTING = 40

_FORMULA_SYMBOLS = str.maketrans({"^": "**", "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/"})
# Spelled-out Greek letters are the letters: "mu + sigma * eps" is μ + σ·ε.
_GREEK_NAMES = {
    "epsilon": "ε",
    "sigma": "σ",
    "alpha": "α",
    "gamma": "γ",
    "delta": "δ",
    "theta": "θ",
    "omega": "ω",
    "beta": "β",
    "eps": "ε",
    "tau": "τ",
    "eta": "η",
    "rho": "ρ",
    "phi": "φ",
    "mu": "μ",
}
_GREEK_NAME = re.compile(r"(?<![^\W\d_])(" + "|".join(_GREEK_NAMES) + r")(?![^\W\d_])")
_ROOT = re.compile(r"√\s*(\w+|\([^()]*\))")
# 28×28 and 28x28 are one size.
_DIMENSIONS = re.compile(r"(?<![\w.])(\d+)\s*x\s*(?=\d)")
# 2ε, 2(x+1) and σε are products; 1e-3 stays a number, conv2d a name.
_NUMBER_TIMES = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?=[^\W\d_(]|\()(?![e][-+]?\d)")
_GREEK_PAIR = re.compile(r"([α-ω])(?=[α-ω])")
# W₂ (NFKC: W2), W_2 and W2 are one subscript.
_SUBSCRIPT_UNDERSCORE = re.compile(r"(?<=[^\W\d_])_(?=\d+(?!\w))")
# "log p" is how people write log(p); only these function names, only a
# simple operand, so prose ("log loss") is not turned into a call by accident
# unless it is a one-word operand, which compares the same on both sides.
_IMPLICIT_CALL = re.compile(r"\b(log|ln|exp|sqrt|tanh|sigmoid)\s+([a-z_][\w.]*|\d+(?:\.\d+)?)\b")


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def _parse(source: str) -> ast.AST | None:
    """An expression, else the arguments of a call (``return_sequences=True``), else None."""
    attempts = (
        (source, "eval"),
        (f"_({source})", "eval"),
        (source, "exec"),
    )
    for text, mode in attempts:
        try:
            return ast.parse(text, mode=mode)
        except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
            continue
    return None


def _dotted(node: ast.expr) -> list[str] | None:
    """``keras.layers.Dense`` -> ["keras", "layers", "dense"], or None for other shapes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


@lru_cache(maxsize=256)
def _default_dump(source: str) -> str:
    tree = ast.parse(source, mode="eval")
    return ast.dump(_Canonical().visit(tree).body)


class _Canonical(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.expr:
        # A bare word is how a blank writes a string: "mse" as much as 'mse'.
        name = NAME_ALIASES.get(node.id, STRING_ALIASES.get(node.id, node.id))
        return ast.Name(id=name, ctx=ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        parts = _dotted(node)
        if parts is not None and all(part in NAMESPACES for part in parts[:-1]):
            return self.visit_Name(ast.Name(id=parts[-1], ctx=ast.Load()))
        self.generic_visit(node)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str):
            return ast.Constant(value=STRING_ALIASES.get(node.value, node.value))
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        # -2 and -(2) are one constant; so are "(-2)" and "- 2".
        if (
            isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)
        ):
            return ast.Constant(value=-node.operand.value)
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        # log(1/x) is -log(x): the same cross-entropy, written the other way.
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "log"
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.BinOp)
            and isinstance(node.args[0].op, ast.Div)
            and isinstance(node.args[0].left, ast.Constant)
            and node.args[0].left.value == 1
        ):
            inner = ast.Call(func=node.func, args=[node.args[0].right], keywords=[])
            return ast.UnaryOp(op=ast.USub(), operand=inner)
        signature = SIGNATURES.get(node.func.id) if isinstance(node.func, ast.Name) else None
        if signature is not None:
            _name_arguments(node, signature)
        node.keywords.sort(key=lambda keyword: keyword.arg or "")
        return node


def _as_size(value: ast.expr, rank: int) -> ast.expr:
    """3 -> (3, 3) in a 2-D layer; [3, 3] -> (3, 3)."""
    if isinstance(value, ast.Constant) and type(value.value) is int and rank:
        return ast.Tuple(elts=[ast.Constant(value=value.value)] * rank, ctx=ast.Load())
    if isinstance(value, ast.List):
        return ast.Tuple(elts=value.elts, ctx=ast.Load())
    return value


def _name_arguments(node: ast.Call, signature: Signature) -> None:
    """Positional arguments become keywords, sizes tuples, defaults disappear."""
    if any(isinstance(arg, ast.Starred) for arg in node.args) or len(node.args) > len(
        signature.positional
    ):
        return
    keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
    if len(keywords) != len(node.keywords):  # **kwargs: leave as written
        return
    for name, value in zip(signature.positional, node.args, strict=False):
        if name in keywords:
            return  # a TypeError in Keras; compare as written
        keywords[name] = value
    for name in signature.sizes & keywords.keys():
        keywords[name] = _as_size(keywords[name], signature.rank)
    if signature.pooling:
        pool_default = ast.parse(signature.defaults["pool_size"], mode="eval").body
        pool_size = keywords.setdefault("pool_size", pool_default)
        strides = keywords.get("strides")
        if strides is not None and (
            (isinstance(strides, ast.Name) and strides.id == "none")
            or ast.dump(strides) == ast.dump(pool_size)
        ):
            del keywords["strides"]
    for name, default in signature.defaults.items():
        if name in keywords and ast.dump(keywords[name]) == _default_dump(default):
            del keywords[name]
    node.args = []
    node.keywords = [ast.keyword(arg=name, value=keywords[name]) for name in sorted(keywords)]


def formula_source(text: str) -> str:
    """Folded text with formula notation spelled as Python.

    ``−log p`` -> ``-log(p)``, ``Wᵀ`` -> ``w.t``, ``T²`` -> ``t**2``,
    ``1/√B`` -> ``1/sqrt(b)``, ``2ε`` -> ``2*ε``, ``mu`` -> ``μ``,
    ``28×28`` -> ``28*28``, ``δ_2`` -> ``δ2``. Both sides of a comparison go through it, so a
    rewrite only has to be consistent, not universally right.
    """
    text = fold(text).translate(_FORMULA_SYMBOLS)
    text = _GREEK_NAME.sub(lambda match: _GREEK_NAMES[match.group(1)], text)
    text = _ROOT.sub(r"sqrt(\1)", text)
    text = _DIMENSIONS.sub(r"\1*", text)
    text = _NUMBER_TIMES.sub(r"\1*", text)
    text = _GREEK_PAIR.sub(r"\1*", text)
    text = _SUBSCRIPT_UNDERSCORE.sub("", text)
    return _IMPLICIT_CALL.sub(r"\1(\2)", text).strip()


@lru_cache(maxsize=1024)
def code_key(text: str) -> str | None:
    """The canonical syntax tree of ``text`` as a string, or None when it is not code."""
    if len(text) > MAX_CODE_CHARS:
        return None
    source = formula_source(text)
    if not source or _nesting(source) > MAX_NESTING:
        return None
    tree = _parse(source)
    if tree is None:
        return None
    try:
        return ast.dump(_Canonical().visit(tree))
    except RecursionError:
        return None
