"""Real disk faults for tests: read-only folders and files, a full disk.

As root (CI, this project's machines) a tmpfs is mounted and remounted
read-only or filled up, so the kernel itself refuses the write, as it would
for a learner on a read-only or full volume; permission bits cannot, since
root ignores them. Elsewhere, permission bits do the same job; a fault the
platform cannot produce skips its test with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _mount(*args: str) -> bool:
    result = subprocess.run(["mount", *args], capture_output=True, check=False)
    return result.returncode == 0


@contextmanager
def volume(parent: Path, size: str = "64m") -> Iterator[Path]:
    """A folder on a fresh tmpfs of ``size`` (root only)."""
    if not IS_ROOT or sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("mounting a test volume needs root on Linux")
    folder = parent / f"volume-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def make_read_only(folder: Path) -> None:
    """Make ``folder`` (a ``volume``, or any folder when not root) read-only."""
    if IS_ROOT:
        assert _mount("-o", "remount,ro", str(folder)), "remount read-only failed"
    else:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)


@contextmanager
def read_only_file(path: Path) -> Iterator[None]:
    """``path`` itself read-only while its folder stays writable."""
    if IS_ROOT:
        if not _mount("--bind", str(path), str(path)):
            pytest.skip("bind mounts are not allowed here")
        try:
            assert _mount("-o", "remount,ro,bind", str(path))
            yield
        finally:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)


def fill_up(folder: Path) -> Path:
    """Write a filler file until the volume holding ``folder`` is full."""
    filler = folder / "filler.bin"
    block = b"\0" * (1 << 16)
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError:
            pass
    return filler


@contextmanager
def fault_folder(parent: Path) -> Iterator[Path]:
    """A folder ``make_read_only`` works on: a volume as root, else a plain one."""
    if IS_ROOT:
        with volume(parent) as folder:
            yield folder
        return
    folder = parent / f"plain-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o700)
