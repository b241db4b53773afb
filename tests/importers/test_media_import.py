"""Images and sounds come in with their cards: stored once by content, never outside media/."""

from __future__ import annotations

from pathlib import Path

import pytest
from importers.anki_builders import BASIC, REVERSED, Card, Note, Spec, legacy_package
from importers.anki_real import RealNote, export_with_anki
from importers.conftest import Run

from quizdl.decks.model import QACard
from quizdl.importers import ImportOptions, read_source
from quizdl.media import (
    MediaError,
    media_refs,
    path_of,
    store,
    stored_name,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
OGG = b"OggS" + bytes(40)


def _media_files(home: Path) -> list[str]:
    folder = home / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_image_only_cards_and_sounds_from_a_real_anki_export(
    tmp_path: Path, home: Path, run: Run
) -> None:
    notes = [
        RealNote("Basic", ["Which curve is this?", '<img src="sigmoid.png">'], guid="img"),
        RealNote("Basic (and reversed card)", ['<img src="sigmoid.png">', "sigmoid"], guid="rev"),
        RealNote("Basic", ["Say it: [sound:word.ogg]", "ok"], guid="snd"),
    ]
    path = export_with_anki(tmp_path, notes, {"sigmoid.png": PNG, "word.ogg": OGG})
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "4 new" in result.stdout
    assert "1 image(s) and 1 sound(s)" in result.stdout
    png, ogg = stored_name(PNG, "sigmoid.png"), stored_name(OGG, "word.ogg")
    assert _media_files(home) == sorted([png, ogg])  # the image twice in cards, once on disk
    assert (home / "media" / str(png)).read_bytes() == PNG
    source = read_source(path, ImportOptions())
    cards = {card.id: card for card in source.deck.cards}
    image_only = cards["anki-" + b"img".hex()]
    assert isinstance(image_only, QACard)
    assert image_only.answer == f"![sigmoid.png](media:{png})"
    reverse = cards["anki-" + b"rev".hex() + "-r"]
    assert isinstance(reverse, QACard) and reverse.answer == f"![sigmoid.png](media:{png})"
    sound = cards["anki-" + b"snd".hex()]
    assert isinstance(sound, QACard)
    assert [ref.kind for ref in media_refs(sound.question)] == ["sound"]
    again = run("import", str(path))
    assert "0 new, 0 updated, 0 retired, 0 restored, 4 unchanged" in again.stdout
    assert _media_files(home) == sorted([png, ogg])


def test_a_dry_run_stores_no_media(tmp_path: Path, home: Path, run: Run) -> None:
    spec = Spec(
        [BASIC], {1: "Default"}, [Note(1, "a", 1, ["Q?", '<img src="a.png">'])], [Card(1, 1, 1)]
    )
    path = legacy_package(tmp_path / "a.apkg", spec, {"a.png": PNG})
    result = run("import", str(path), "--dry-run")
    assert result.exit_code == 0 and "1 new" in result.stdout
    assert _media_files(home) == []


def test_hostile_media_names_never_leave_the_media_folder(
    tmp_path: Path, home: Path, run: Run
) -> None:
    names = ["../../escape.png", "/etc/evil.png", "..\\win.png", "x/../../y.png", "ok.PNG"]
    fields = "".join(f'<img src="{name}">' for name in names)
    spec = Spec([BASIC], {1: "Default"}, [Note(1, "h", 1, ["Q?", fields])], [Card(1, 1, 1)])
    media = {name: PNG + name.encode() for name in names}
    result = run("import", str(legacy_package(tmp_path / "h.apkg", spec, media)))
    assert result.exit_code == 0, result.output
    stored = _media_files(home)
    assert stored == sorted(str(stored_name(data, name)) for name, data in media.items())
    assert all(path_of(name, home / "media") for name in stored)
    assert not list(tmp_path.rglob("escape.png")) and not list(tmp_path.rglob("y.png"))
    assert not (home.parent / "escape.png").exists()


def test_store_refuses_names_that_are_not_content_addresses(tmp_path: Path) -> None:
    good = str(stored_name(PNG, "a.png"))
    for name in ("../x.png", good.replace(".png", ".exe"), "a" * 32 + ".png", good + "/"):
        with pytest.raises(MediaError):
            store({name: PNG}, tmp_path)
    assert path_of("../" + good, tmp_path) is None
    assert store({good: PNG}, tmp_path) == 1 and store({good: PNG}, tmp_path) == 0


def test_a_file_over_the_limit_is_left_out_and_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("quizdl.importers.anki_package.MAX_MEDIA_BYTES", 1000)
    spec = Spec(
        [REVERSED],
        {1: "Default"},
        [Note(1, "big", 2, ["Huge plot <img src='big.png'>", "small"])],
        [Card(1, 1, 1), Card(2, 1, 1, 1)],
    )
    path = legacy_package(tmp_path / "b.apkg", spec, {"big.png": bytes(5000)})
    source = read_source(path, ImportOptions())
    (card, _) = source.deck.cards
    assert isinstance(card, QACard)
    assert card.question == "Huge plot [image: big.png (over the 20 MiB media limit)]"
    assert source.media.files == {} and source.media.too_large == 1
    assert "over the 20 MiB media limit" in source.media.describe()


def test_the_same_image_in_two_decks_is_stored_once(tmp_path: Path, home: Path, run: Run) -> None:
    for name in ("one", "two"):
        spec = Spec(
            [BASIC],
            {1: name},
            [Note(1, name, 1, [f"{name}?", '<img src="p.png">'])],
            [Card(1, 1, 1)],
        )
        assert (
            run(
                "import", str(legacy_package(tmp_path / f"{name}.apkg", spec, {"p.png": PNG}))
            ).exit_code
            == 0
        )
    assert _media_files(home) == [stored_name(PNG, "p.png")]


def test_media_past_the_total_limit_are_left_out_and_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("quizdl.importers.source.MAX_MEDIA_TOTAL_BYTES", 150)
    fields = "".join(f'<img src="p{n}.png">' for n in range(3))
    spec = Spec([BASIC], {1: "Default"}, [Note(1, "t", 1, ["Plots?", fields])], [Card(1, 1, 1)])
    media = {f"p{n}.png": bytes([n]) * 60 for n in range(3)}
    source = read_source(legacy_package(tmp_path / "t.apkg", spec, media), ImportOptions())
    (card,) = source.deck.cards
    assert isinstance(card, QACard)
    assert len(source.media.files) == 2 and source.media.too_large == 1
    assert card.answer.endswith("[image: p2.png (the source's media exceed 0 MiB in all)]")
