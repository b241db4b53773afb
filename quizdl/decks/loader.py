"""Strict, safe loading of deck files with file:line:column error locations.

YAML is composed into nodes first (``quizdl.decks.yaml_nodes``: safe, no
tags, bombs refused) so that every pydantic error can be pointed at the node
it concerns instead of guessing a line. Files that are not text (binary,
invalid UTF-8, enormous) are refused with a reason before parsing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quizdl.decks.digest import text_digest
from quizdl.decks.errors import DeckError, DeckProblem
from quizdl.decks.model import (
    CARD_TYPES,
    ChallengeCard,
    ClozeCard,
    ConceptCard,
    Deck,
    MCQCard,
    QACard,
)
from quizdl.decks.yaml_nodes import compose, gc_paused, to_data

_yaml_rs: Any
try:  # a compiled YAML parser; without it every file takes the located path
    import yaml_rs as _yaml_rs
except ImportError:  # pragma: no cover - a dependency, but the loader works without it
    _yaml_rs = None

__all__ = ["check_file", "compose", "load_deck", "parse_deck", "read_text", "text_digest"]

MAX_FILE_BYTES = 64 * 1024 * 1024

_KNOWN_FIELDS = sorted(
    set(Deck.model_fields)
    | {
        name
        for model in (ConceptCard, QACard, MCQCard, ClozeCard, ChallengeCard)
        for name in model.model_fields
    }
)


def _refused(path: Path, message: str) -> DeckError:
    return DeckError([DeckProblem(str(path), 0, 0, "", message)])


def check_file(path: Path, max_bytes: int) -> None:
    """Refuse a path that is missing, a directory or over ``max_bytes``, before reading it."""
    try:
        if not path.exists():
            raise _refused(path, "no such file")
        if path.is_dir():
            raise _refused(path, "is a directory, expected a file")
        size = path.stat().st_size
    except OSError as exc:
        raise _refused(path, f"cannot read: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise _refused(
            path,
            f"file is {size // (1024 * 1024)} MiB; the limit is {max_bytes // (1024 * 1024)} MiB",
        )


def read_text(path: Path) -> str:
    """Read a text file or raise DeckError with a one-line reason."""
    check_file(path, MAX_FILE_BYTES)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _refused(path, f"cannot read: {exc.strerror or exc}") from exc
    name = str(path)
    if b"\x00" in data[:8192]:
        raise _refused(path, "binary file, expected UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DeckError(
            [DeckProblem(name, line, column, "", f"invalid UTF-8 (byte 0x{data[exc.start]:02x})")]
        ) from exc


def load_deck(path: Path) -> Deck:
    """Load and validate one deck file; raises DeckError listing every problem."""
    return parse_deck(read_text(path), str(path))


# Plain scalars that yaml-rs reads as numbers but the YAML 1.2 core schema (and so
# the located path) reads as strings: 1_000, 0b101, +0x1F. Tags ("!x") are
# accepted by yaml-rs but refused in decks. libyaml breaks lines at NEL, U+2028
# and U+2029 (YAML 1.1), yaml-rs does not (1.2). A file with any of these (or a
# merge key "<<") takes the located path, which decides; elsewhere this is rare.
#
# Each pattern runs only when the text holds what it needs: one regex with
# lookbehinds tries every position, 85 ms over a 10,000-card file (more than
# parsing it), while a substring test is a fast C scan.
_TAG = re.compile(r"(?:^|(?<=[\s\[{,]))(?:![!<\w\s]|!$)", re.MULTILINE)
_BASE_PREFIX = re.compile(r"(?:^|(?<=[\s\[{,]))(?:[-+]?0[bB]|[-+]0[xXoO])", re.MULTILINE)
_UNDERSCORE_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d_]*_")
_MERGE_KEY = re.compile(r"<<\s*:")
_LINE_BREAKS_1_1 = ("\x85", "\u2028", "\u2029")


def _fast_path_unsafe(text: str) -> bool:
    if "!" in text and _TAG.search(text):
        return True
    if any(prefix in text for prefix in ("0b", "0B", "+0", "-0")) and _BASE_PREFIX.search(text):
        return True
    if "<<" in text and _MERGE_KEY.search(text):
        return True
    if any(mark in text for mark in _LINE_BREAKS_1_1):
        return True
    # "_" is common (key_points, x_train): only one after a digit can end such
    # a number, so the pattern is tried only over the run of digits and "_"
    # before it (its lookbehind still sees the text before the window).
    at = text.find("_")
    while at != -1:
        if at and text[at - 1].isdigit():
            start = at - 1
            while start and (text[start - 1].isdigit() or text[start - 1] == "_"):
                start -= 1
            if _UNDERSCORE_NUMBER.search(text, max(0, start - 1), at + 1):
                return True
        at = text.find("_", at + 1)
    return False


def _fast_data(text: str) -> Any | None:
    """The file's data from yaml-rs (a compiled parser, ~8x faster than building
    located nodes), or None when this file must take the located path.

    yaml-rs refuses duplicate keys, Python tags and alias "bombs" itself (an
    error here just means the located path runs and reports it with its line and
    column), and reads the same YAML 1.2 core schema: yes/no stay strings, dates
    stay strings (parse_datetime=False).
    """
    if _yaml_rs is None or _fast_path_unsafe(text):
        return None
    try:
        return _yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any parse problem is reported by the located path
        return None


def parse_deck(text: str, name: str) -> Deck:
    # A valid deck needs no locations: parse it fast and validate it in one call.
    # Only a deck that fails (or a file the fast parser must not decide) is parsed
    # again into located nodes, so every error keeps its file:line:column.
    with gc_paused():
        data = _fast_data(text)
        if isinstance(data, dict):
            try:
                return Deck.model_validate(data)
            except ValidationError:
                pass
    return _parse_located(text, name)


def _parse_located(text: str, name: str) -> Deck:
    # The whole tree (nodes, data, models) is built with the collector paused:
    # see gc_paused for why.
    with gc_paused():
        node = compose(text, name)
        converted = to_data(node, name)
        problems = converted.duplicate_keys + list(_duplicate_card_ids(node, name))
        try:
            deck = Deck.model_validate(converted.data)
        except ValidationError as exc:
            problems.extend(_locate_errors(exc, node, name, already=problems))
            raise DeckError(problems) from None
    if problems:
        raise DeckError(problems)
    return deck


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _mapping_get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if _scalar(key_node) == key:
                return key_node, value_node
    return None


def _duplicate_card_ids(root: yaml.Node, name: str) -> Iterator[DeckProblem]:
    cards = _mapping_get(root, "cards")
    if cards is None or not isinstance(cards[1], yaml.SequenceNode):
        return
    first_seen: dict[str, int] = {}
    for index, card in enumerate(cards[1].value):
        entry = _mapping_get(card, "id")
        card_id = _scalar(entry[1]) if entry else None
        if card_id is None or entry is None:
            continue
        if card_id in first_seen:
            mark = entry[1].start_mark
            yield DeckProblem(
                name,
                mark.line + 1,
                mark.column + 1,
                f"cards[{index}].id",
                f"duplicate card id {card_id!r} (first used by cards[{first_seen[card_id]}])",
            )
        else:
            first_seen[card_id] = index


def _resolve(
    root: yaml.Node, loc: Sequence[int | str]
) -> tuple[yaml.Node, yaml.Node | None, list[str | int]]:
    """Follow a pydantic error location through the YAML nodes.

    Returns the deepest value node reached, the key node naming it (when the
    last step was a mapping key), and the path elements that name real YAML
    keys/indices: pydantic adds union tags such as 'qa' or 'int' that do not
    exist in the file.
    """
    node: yaml.Node = root
    key_node: yaml.Node | None = None
    path: list[str | int] = []
    for part in loc:
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
            if 0 <= part < len(node.value):
                node, key_node = node.value[part], None
                path.append(part)
            continue
        if isinstance(part, str) and isinstance(node, yaml.MappingNode):
            entry = _mapping_get(node, part)
            if entry is not None:
                key_node, node = entry
                path.append(part)
                continue
            if part in _KNOWN_FIELDS and part not in CARD_TYPES:
                path.append(part)  # a missing field: point at the mapping that lacks it
        # Anything else is a pydantic union tag: not in the file.
    return node, key_node, path


def _field_name(path: Sequence[int | str]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _message(error: Any, node: yaml.Node) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"expected one of {', '.join(CARD_TYPES)}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return f"missing 'type': expected one of {', '.join(CARD_TYPES)}"
    if kind == "missing" and error["loc"] and error["loc"][-1] == "type":
        return f"missing: expected one of {', '.join(CARD_TYPES)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "too_short" and tuple(error["loc"]) == ("cards",):
        return "a deck needs at least one card"
    if kind == "extra_forbidden":
        field = str(error["loc"][-1])
        close = difflib.get_close_matches(field, _KNOWN_FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {field!r}{hint}"
    if kind == "string_pattern_mismatch" and error["loc"] and error["loc"][-1] == "id":
        return (
            f"ids may hold letters, digits and . _ : @ + - and must start with a letter or "
            f"digit, got {error.get('input')!r}"
        )
    if (error["loc"][-2:-1] == ("answer",) and kind.endswith("_type")) or kind == "int_parsing":
        return f"expected a choice index (0-based) or a list of them, got {error.get('input')!r}"
    message = str(error["msg"]).replace("Input should be", "expected")
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    found = _scalar(node)
    if kind.endswith("_type") and found is not None:
        message += f", got {found!r}"
    return message[:1].lower() + message[1:]


def _locate_errors(
    exc: ValidationError, root: yaml.Node, name: str, already: list[DeckProblem]
) -> list[DeckProblem]:
    reported = {(p.line, p.column, p.field) for p in already}
    by_field: dict[tuple[int, int, str], list[str]] = {}
    errors = exc.errors(include_url=False)
    card_errors = any(len(e["loc"]) > 1 and e["loc"][0] == "cards" for e in errors)
    for error in errors:
        loc = error["loc"]
        # pydantic counts only valid items for min_length: with a bad card the
        # deck "has no cards", which would only confuse.
        if error["type"] == "too_short" and tuple(loc) == ("cards",) and card_errors:
            continue
        if not loc and any("duplicate card id" in p.message for p in already):
            continue
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")
        field, _, rest = str(error.get("msg", "")).removeprefix("Value error, ").partition(": ")
        if error["type"] == "value_error" and rest and field in _KNOWN_FIELDS:
            # A cross-field check names its field ("answer: index 2 is out of
            # range"): point at that field rather than the whole card.
            loc = (*loc, field)
            error = {**error, "msg": rest}
        node, key_node, path = _resolve(root, loc)
        # An unknown field is the key's fault; a bad value is the value's.
        at = key_node if error["type"] == "extra_forbidden" and key_node is not None else node
        mark = at.start_mark
        key = (mark.line + 1, mark.column + 1, _field_name(path))
        if key in reported:
            continue
        message = _message(error, node)
        messages = by_field.setdefault(key, [])
        if message not in messages:
            messages.append(message)
    return [
        DeckProblem(name, line, column, field, " or ".join(messages))
        for (line, column, field), messages in by_field.items()
    ]
