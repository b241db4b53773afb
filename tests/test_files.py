"""Files quizdl writes for the learner: whole or not at all, readable like any other."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_deck

from quizdl.files import write_whole
from quizdl.media import store, stored_name
from quizdl.study.factory import open_study


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_exported_deck_and_stored_media_get_the_usual_permissions(
    home: Path, tmp_path: Path, umask_022: None
) -> None:
    from quizdl.cli.main import cli

    service = open_study(bundled=[])
    service.import_file(write_deck(tmp_path))
    service.db.close()
    for fmt in ("yaml", "apkg"):
        out = tmp_path / f"shared.{fmt}"
        result = CliRunner().invoke(cli, ["export", "small", "-o", str(out)])
        assert result.exit_code == 0
        # Meant to be shared: 0644 under umask 022, not mkstemp's owner-only 0600.
        assert mode(out) == 0o644
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    name = stored_name(image, "figure.png")
    assert store({name: image}, tmp_path / "media") == 1
    assert mode(tmp_path / "media" / name) == 0o644  # a viewer run as another user reads it


def test_a_failed_write_leaves_the_old_file_and_no_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "deck.yaml"
    target.write_bytes(b"old")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt  # the learner's ctrl+c between the write and the rename

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", interrupted)
        with pytest.raises(KeyboardInterrupt):
            write_whole(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml"]
    write_whole(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml"]
