"""Packages exported by Anki's own library import whole; our hand-built fixtures match them."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zstandard
from importers.anki_builders import BASIC, CRT, Card, Note, Spec, modern_package
from importers.anki_real import RealNote, collection_crt, export_with_anki
from importers.conftest import LocalZone, Run

from quizdl.decks.model import ClozeCard, QACard
from quizdl.importers import ImportOptions, read_source
from quizdl.importers.protobuf import decode
from quizdl.scheduling.sm2 import SM2State

NOTES = [
    RealNote("Basic", ["What is a <b>kernel</b>?", "A small weight matrix"], guid="k1"),
    RealNote(
        "Basic (and reversed card)",
        ["ReLU", "max(0,&nbsp;x)"],
        deck="DL::RNN::LSTM",
        tags=["activations"],
        guid="r2",
    ),
    RealNote("Cloze", ["{{c1::Dropout}} zeroes {{c2::activations}}", ""], guid="c3"),
    RealNote("Basic (type in the answer)", ["Optimizer with momentum?", "Adam"], guid="t4"),
    # A review card: type 2, queue 2, due on day 30, interval 10, ease 2300, 7 reps, 1 lapse.
    RealNote("Basic", ["Reviewed?", "yes"], guid="v5", schedule=(2, 2, 30, 10, 2300, 7, 1)),
]


def _hex(guid: str, suffix: str = "") -> str:
    return "anki-" + guid.encode().hex() + suffix


def test_a_package_exported_by_anki_imports_whole(tmp_path: Path) -> None:
    path = export_with_anki(tmp_path, NOTES)
    with zipfile.ZipFile(path) as archive:
        assert {"collection.anki21b", "collection.anki2", "meta", "media"} <= set(
            archive.namelist()
        )
    source = read_source(path, ImportOptions(with_progress=True))
    assert "collection.anki21b" in source.notes[0]
    cards = {card.id: card for card in source.deck.cards}
    assert set(cards) == {
        _hex("k1"),
        _hex("r2"),
        _hex("r2", "-r"),
        _hex("c3", "-c1"),
        _hex("c3", "-c2"),
        _hex("t4"),
        _hex("v5"),
    }
    kernel, relu, reverse = cards[_hex("k1")], cards[_hex("r2")], cards[_hex("r2", "-r")]
    assert isinstance(kernel, QACard) and kernel.question == "What is a **kernel**?"
    assert isinstance(relu, QACard) and (relu.question, relu.answer) == ("ReLU", "max(0, x)")
    assert isinstance(reverse, QACard) and reverse.question == "max(0, x)"
    assert relu.tags == ("activations", "RNN::LSTM")
    cloze = cards[_hex("c3", "-c2")]
    assert isinstance(cloze, ClozeCard) and cloze.text == "Dropout zeroes {{activations}}"
    assert source.deck.title == "DL"
    assert source.progress is not None
    day_zero = datetime.fromtimestamp(collection_crt(tmp_path) + 12 * 3600).date()
    assert source.progress[_hex("v5")].state == SM2State(2.3, 6, 10, day_zero + timedelta(30))
    assert source.progress[_hex("v5")].lapses == 1
    assert _hex("k1") not in source.progress


def test_the_cli_imports_a_real_package_and_reimport_changes_nothing(
    tmp_path: Path, run: Run
) -> None:
    path = export_with_anki(tmp_path, NOTES)
    first = run("import", str(path))
    assert first.exit_code == 0, first.output
    assert "7 new" in first.stdout
    again = run("import", str(path))
    assert "0 new, 0 updated, 0 retired, 0 restored, 7 unchanged" in again.stdout


def _zstd_frame_sizes(data: bytes) -> int:
    return zstandard.get_frame_parameters(data).content_size


def test_our_modern_fixture_is_laid_out_like_a_real_export(tmp_path: Path) -> None:
    # Anki exports only the media its notes refer to.
    with_image = RealNote("Basic", ["Plot?", '<img src="k.png">'])
    real = export_with_anki(tmp_path, [with_image], {"k.png": b"\x89PNG fake"})
    ours = modern_package(
        tmp_path / "ours.apkg",
        Spec([BASIC], {1: "Default"}, [Note(1, "g", 1, ["Q", "A"])], [Card(1, 1, 1)]),
        {"k.png": b"\x89PNG fake"},
    )
    layouts = []
    for path in (real, ours):
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            collection = (
                zstandard.ZstdDecompressor()
                .decompressobj()
                .decompress(archive.read("collection.anki21b"))
            )
            media_map = decode(
                zstandard.ZstdDecompressor().decompressobj().decompress(archive.read("media"))
            )
            (entry,) = media_map[1]
            assert isinstance(entry, bytes)
            layouts.append(
                (
                    sorted(infos),
                    {info.compress_type for info in infos.values()},
                    archive.read("meta"),
                    collection[18:20],  # WAL
                    _zstd_frame_sizes(archive.read("collection.anki21b")),
                    sorted(decode(entry)),  # name, size, sha1
                    zstandard.ZstdDecompressor().decompressobj().decompress(archive.read("0")),
                )
            )
    assert layouts[0] == layouts[1]


@pytest.mark.parametrize(
    ("zone", "expected"),
    # A learning step due at 10:00 (Kiritimati, UTC+14) is 20:00 UTC the day before;
    # one due at 20:00 in Los Angeles is 04:00 UTC the day after.
    [("Pacific/Kiritimati", date(2023, 11, 16)), ("America/Los_Angeles", date(2023, 11, 16))],
)
def test_anki_due_dates_are_local_study_days(
    tmp_path: Path, local_zone: LocalZone, zone: str, expected: date
) -> None:
    local_zone(zone)
    tz = ZoneInfo(zone)
    crt = int(datetime(2023, 11, 14, 4, tzinfo=tz).timestamp())  # Anki's day 0 starts 04:00
    hour = 10 if zone.startswith("Pacific") else 20
    learning_due = int(datetime(2023, 11, 16, hour, tzinfo=tz).timestamp())
    spec = Spec(
        [BASIC],
        {1: "Default"},
        [Note(1, "rev", 1, ["Q1", "A"]), Note(2, "learn", 1, ["Q2", "A"])],
        [
            Card(1, 1, 1, type=2, queue=2, due=30, ivl=10, factor=2500, reps=3),
            Card(2, 2, 1, type=1, queue=1, due=learning_due),
        ],
        crt=crt,
    )
    progress = read_source(
        modern_package(tmp_path / "z.apkg", spec), ImportOptions(with_progress=True)
    ).progress
    assert progress is not None
    assert progress[_hex("rev")].state.due == date(2023, 12, 14)
    assert progress[_hex("learn")].state.due == expected


def test_old_scheduler_relearning_keeps_its_history(tmp_path: Path) -> None:
    """Scheduler v1 kept a lapsed review card as type 2 in the learning queue (1), due at
    a Unix time: its ease and lapses are history worth keeping."""
    due = CRT + 5 * 86_400 + 3600
    spec = Spec(
        [BASIC],
        {1: "Default"},
        [Note(1, "lapsed", 1, ["Q", "A"])],
        [Card(1, 1, 1, type=2, queue=1, due=due, ivl=1, factor=2300, reps=9, lapses=1)],
    )
    progress = read_source(
        modern_package(tmp_path / "r.apkg", spec), ImportOptions(with_progress=True)
    ).progress
    assert progress is not None
    relearning = progress[_hex("lapsed")]
    assert relearning.state == SM2State(2.3, 0, 1, date(2023, 11, 19))
    assert relearning.lapses == 1
