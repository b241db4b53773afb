"""Length-prefixed messages for the checker's long-lived describer.

A builder answers one request and exits, so its socket's end of file marks the
end of a message. The describer serves one check after another on the same
socket, so each request and each answer carries its length up front: eight
bytes, big-endian, then the bytes. Standard library only (the supervisor uses
it before it forks).
"""

from __future__ import annotations

import socket
import struct

_HEADER = struct.Struct(">Q")
HEADER_SIZE = _HEADER.size


def frame(data: bytes) -> bytes:
    """``data`` with its length in front."""
    return _HEADER.pack(len(data)) + data


def split_frame(buffer: bytes, limit: int) -> tuple[bytes, bytes] | None:
    """(message, rest) when ``buffer`` starts with a whole message, else None.

    Raises ``ValueError`` when the announced length exceeds ``limit``.
    """
    if len(buffer) < HEADER_SIZE:
        return None
    (size,) = _HEADER.unpack_from(buffer)
    if size > limit:
        raise ValueError(f"a message of {size} bytes is over the limit of {limit}")
    end = HEADER_SIZE + size
    if len(buffer) < end:
        return None
    return buffer[HEADER_SIZE:end], buffer[end:]


def _read_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks: list[bytes] = []
    missing = size
    while missing:
        try:
            chunk = sock.recv(min(missing, 1 << 16))
        except InterruptedError:
            continue
        except OSError:
            return None
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket, limit: int) -> bytes | None:
    """The next whole message, or None at end of file, on an error or over ``limit``."""
    header = _read_exact(sock, HEADER_SIZE)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > limit:
        return None
    return _read_exact(sock, size) if size else b""
