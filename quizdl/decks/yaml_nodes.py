"""Safe, fast YAML: text -> located nodes -> plain Python data.

PyYAML's own constructor and its YAML 1.1 resolver cost more than parsing
itself (about 1.5 s for a 10,000-card deck). Decks need only the YAML 1.2
core schema (strings, ints, floats, booleans, null, lists, mappings), so the
nodes are resolved and converted here in one pass that also:

- refuses explicit tags (``!!python/object`` and friends): a deck is data;
- reports duplicate mapping keys, which PyYAML would silently overwrite;
- counts values as if aliases were expanded, refusing "billion laughs" bombs
  without ever expanding them.

``yes``/``no``/``on``/``off`` stay strings (YAML 1.2), so a choice "no" is not
turned into ``False``.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml

from quizdl.decks.errors import DeckError, DeckProblem

# A deck of 100,000 cards has well under 3 million values; far more after
# alias expansion is a bomb, not a deck.
MAX_EXPANDED_NODES = 5_000_000

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
# Only plain scalars starting with one of these can be anything but a string.
_MAYBE_NOT_STR = frozenset("0123456789+-.~nNtTfF")


def _resolve_plain(value: str) -> str:
    if not value or value[0] not in _MAYBE_NOT_STR:
        return _NULL if not value else _STR
    if value in _NULLS:
        return _NULL
    if value in _TRUE or value in _FALSE:
        return _BOOL
    if _INT_RE.fullmatch(value):
        return _INT
    if _FLOAT_RE.fullmatch(value) or value in _SPECIAL_FLOATS:
        return _FLOAT
    return _STR


_Parser: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


def _events(text: str) -> Iterator[Any]:  # yaml.Event subclasses; the stubs type them loosely
    loader = _Parser(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large trees.

    Every node is a new container, so the collector would otherwise rescan
    the growing tree again and again: a 10,000-card deck parses three times
    faster without it. Nothing built here forms reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compose(text: str, name: str) -> yaml.Node:
    """Parse text into located nodes; DeckError for syntax errors or an empty file.

    Nodes are built here from libyaml's event stream: libyaml's own composer
    calls back into Python for every value and is slower.
    """
    anchors: dict[str, yaml.Node] = {}
    # Open collections, and for mappings the key still waiting for its value.
    open_nodes: list[yaml.Node] = []
    pending_keys: list[yaml.Node | None] = []
    root: yaml.Node | None = None
    documents = 0

    def add(node: yaml.Node, anchor: str | None) -> None:
        nonlocal root
        if anchor is not None:
            anchors[anchor] = node
        if not open_nodes:
            root = node
            return
        parent = open_nodes[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            parent.value.append((pending_keys[-1], node))
            pending_keys[-1] = None

    with gc_paused():
        try:
            for event in _events(text):
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    tag = event.tag
                    if tag is None or tag == "!":
                        tag = _resolve_plain(event.value) if event.implicit[0] else _STR
                    add(
                        yaml.ScalarNode(
                            tag, event.value, event.start_mark, event.end_mark, event.style
                        ),
                        event.anchor,
                    )
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    mapping = kind is yaml.MappingStartEvent
                    tag = event.tag if event.tag not in (None, "!") else (_MAP if mapping else _SEQ)
                    node_class = yaml.MappingNode if mapping else yaml.SequenceNode
                    node = node_class(tag, [], event.start_mark, None, event.flow_style)
                    add(node, event.anchor)
                    open_nodes.append(node)
                    pending_keys.append(None)
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    open_nodes.pop().end_mark = event.end_mark
                    pending_keys.pop()
                elif kind is yaml.AliasEvent:
                    if event.anchor not in anchors:
                        raise DeckError(
                            [
                                _at(
                                    name,
                                    event.start_mark,
                                    "",
                                    f"YAML: unknown alias *{event.anchor}",
                                )
                            ]
                        )
                    add(anchors[event.anchor], None)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        message = "a deck file holds one YAML document; found a second"
                        raise DeckError([_at(name, event.start_mark, "", message)])
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
            raise DeckError(
                [DeckProblem(name, line, column, "", f"YAML syntax: {message}")]
            ) from None
        except yaml.YAMLError as exc:
            raise DeckError([DeckProblem(name, 0, 0, "", f"YAML syntax: {exc}")]) from None
    if root is None:
        raise DeckError([DeckProblem(name, 0, 0, "", "file is empty, expected a deck")])
    return root


def _at(name: str, mark: Any, field: str, message: str) -> DeckProblem:
    """A problem at a YAML mark (0-based line/column there, 1-based here)."""
    return DeckProblem(name, mark.line + 1, mark.column + 1, field, message)


def _problem(name: str, node: yaml.Node, field: str, message: str) -> DeckProblem:
    return _at(name, node.start_mark, field, message)


@dataclass
class Converted:
    data: Any
    duplicate_keys: list[DeckProblem]


def _scalar_value(node: yaml.ScalarNode, name: str) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value in _TRUE
    if tag == _INT:
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if tag == _FLOAT:
        return _SPECIAL_FLOATS.get(value) or float(value)
    raise DeckError(
        [
            _problem(
                name, node, "", f"YAML tag {tag!r} is not allowed in deck files (decks are data)"
            )
        ]
    )


def to_data(root: yaml.Node, name: str) -> Converted:
    """Nodes -> plain data in one iterative pass (no recursion limit to hit)."""
    with gc_paused():
        return _to_data(root, name)


def _to_data(root: yaml.Node, name: str) -> Converted:
    duplicates: list[DeckProblem] = []
    done: dict[int, Any] = {}
    sizes: dict[int, int] = {}
    # Post-order walk: (node, path, children_ready).
    stack: list[tuple[yaml.Node, str, bool]] = [(root, "", False)]
    while stack:
        node, path, ready = stack.pop()
        key = id(node)
        if key in done:
            continue
        if isinstance(node, yaml.ScalarNode):
            done[key], sizes[key] = _scalar_value(node, name), 1
            continue
        if node.tag not in (_SEQ, _MAP):
            raise DeckError(
                [_problem(name, node, path, f"YAML tag {node.tag!r} is not allowed in deck files")]
            )
        if not ready:
            stack.append((node, path, True))
            if isinstance(node, yaml.SequenceNode):
                stack.extend(
                    (item, f"{path}[{i}]", False)
                    for i, item in enumerate(node.value)
                    if id(item) not in done
                )
            else:
                for key_node, value_node in node.value:
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise DeckError(
                            [_problem(name, key_node, path, "mapping keys must be plain strings")]
                        )
                    if id(value_node) not in done:
                        child = f"{path}.{key_node.value}" if path else str(key_node.value)
                        stack.append((value_node, child, False))
            continue
        size = 1
        if isinstance(node, yaml.SequenceNode):
            items = []
            for item in node.value:
                items.append(done[id(item)])
                size += sizes[id(item)]
            value: Any = items
        else:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                item_key = _scalar_value(key_node, name)
                if item_key == "<<":
                    raise DeckError(
                        [_problem(name, key_node, path, "YAML merge keys (<<) are not supported")]
                    )
                if item_key in mapping:
                    child = f"{path}.{item_key}" if path else str(item_key)
                    duplicates.append(
                        _problem(
                            name,
                            key_node,
                            child,
                            f"key {item_key!r} appears twice in the same mapping",
                        )
                    )
                mapping[item_key] = done[id(value_node)]
                size += 1 + sizes[id(value_node)]
            value = mapping
        if size > MAX_EXPANDED_NODES:
            raise DeckError(
                [
                    _problem(
                        name,
                        node,
                        path,
                        "too many values once YAML aliases are expanded "
                        f"(over {MAX_EXPANDED_NODES:,}); refusing a possible YAML bomb",
                    )
                ]
            )
        done[key], sizes[key] = value, size
    return Converted(done[id(root)], duplicates)
