"""Just enough protobuf wire-format decoding for Anki's config blobs.

Schema 18 keeps note-type kind, template formats and the media map as
protobuf messages; pulling in a protobuf runtime and Anki's .proto files for
four fields is not worth it. Unknown fields are skipped, as protobuf intends.
"""

from __future__ import annotations

Fields = dict[int, list[int | bytes]]


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ProtobufError("varint too long")


def decode(data: bytes) -> Fields:
    fields: Fields = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ProtobufError("truncated field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def first_int(fields: Fields, number: int, default: int = 0) -> int:
    for value in fields.get(number, ()):
        if isinstance(value, int):
            return value
    return default


def first_text(fields: Fields, number: int, default: str = "") -> str:
    for value in fields.get(number, ()):
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
    return default
