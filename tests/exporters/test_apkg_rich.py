"""Anki shows what quizdl shows: Markdown becomes HTML, media travel in the package, and the
package comes back into quizdl unchanged."""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    DeckIdLimit,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from exporters.copies import copy_of, run, stored_deck, unchanged
from helpers import write_deck

from quizdl.decks.loader import load_deck
from quizdl.decks.model import Deck, QACard
from quizdl.exporters.apkg import markdown_to_html
from quizdl.exporters.yaml_export import export_yaml
from quizdl.importers import ImportOptions, read_source
from quizdl.media import media_dir, store, stored_name

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
OGG = b"OggS" + bytes(16)


GUIDE = Path(__file__).parents[2] / "decks" / "deep-learning-guide.yaml"


@contextmanager
def in_anki(package: Path, directory: Path) -> Iterator[Collection]:
    """A new Anki collection in ``directory``, holding ``package`` as Anki imports it."""
    directory.mkdir()
    col = Collection(str(directory / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()
        )
        col.import_anki_package(request)
        yield col
    finally:
        col.close()


def exported_by_anki(col: Collection, deck_name: str, out: Path, *, everything: bool) -> Path:
    """Anki's own export of one deck (its current format); ``everything``: with
    scheduling and media."""
    deck_id = col.decks.id_for_name(deck_name)
    assert deck_id is not None
    options = ExportAnkiPackageOptions(
        with_scheduling=everything, with_deck_configs=False, with_media=everything, legacy=False
    )
    col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck_id))
    return out


def _guide_as_mine(directory: Path) -> tuple[Deck, Path]:
    """The bundled guide deck (every card kind) under the id "mine", as a YAML file."""
    mine = load_deck(GUIDE).model_copy(update={"id": "mine"})
    source = directory / "mine.yaml"
    source.write_bytes(export_yaml(mine))
    return mine, source


def _deck(image: str, sound: str) -> str:
    return f"""\
id: rich
title: Rich deck
cards:
  - id: math
    type: qa
    question: "Do you need *Lots of math* for `fit()`?"
    answer: |-
      Some:

      - the chain rule $\\frac{{dL}}{{dx}}$
        - and its **friends**
      - linear algebra

      $$\\sigma(x) = 1 / (1 + e^{{-x}})$$
  - id: plot
    type: qa
    question: Which curve?
    answer: "![sigmoid.png](media:{image})"
  - id: say
    type: qa
    question: "[🔊 word.ogg](media:{sound})"
    answer: a word
"""


@pytest.fixture
def rich(home: Path, tmp_path: Path) -> Path:
    image, sound = str(stored_name(PNG, "sigmoid.png")), str(stored_name(OGG, "word.ogg"))
    store({image: PNG, sound: OGG}, media_dir())
    deck = tmp_path / "rich.yaml"
    deck.write_text(_deck(image, sound), encoding="utf-8")
    result = run("import", str(deck))
    assert result.exit_code == 0, result.output
    out = tmp_path / "rich.apkg"
    assert run("export", "rich", "-o", str(out)).exit_code == 0
    return out


def test_markdown_becomes_the_html_anki_renders() -> None:
    html = markdown_to_html("Do you need *Lots of math* and `x_1`?\n\n- a\n  - b")
    assert "<em>Lots of math</em>" in html and "<code>x_1</code>" in html
    assert "*" not in html
    assert "<ul>\n<li>a\n<ul>\n<li>b</li>" in html
    assert markdown_to_html("costs $5 and $10, $x_1 * y$") == "costs $5 and $10, \\(x_1 * y\\)"
    assert markdown_to_html("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    # HTML shows "a  b" as "a b": the spaces a card has are kept as &nbsp; (not in code).
    assert markdown_to_html("e.g.  *a*, a   b and `x  y`") == (
        "e.g. &nbsp;<em>a</em>, a &nbsp;&nbsp;b and <code>x  y</code>"
    )


def test_spaces_and_tables_come_back_from_an_apkg_unchanged(home: Path, tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path,
        "id: spaced\ntitle: Spaced\ncards:\n"
        "  - {id: a, type: qa, question: 'Two  spaces,   three?', answer: 'e.g.  *this*'}\n"
        "  - id: b\n    type: qa\n    question: A table?\n    answer: |-\n"
        "      | Op | RPC |\n      | --- | --- |\n      | Resign | POST a\\|b |\n",
        "spaced.yaml",
    )
    again = run("import", str(copy_of(deck, "spaced", tmp_path / "spaced.apkg")), "--dry-run")
    assert unchanged(2) in again.stdout, again.output


def test_the_package_carries_its_media_and_anki_reads_it(rich: Path, tmp_path: Path) -> None:
    image, sound = str(stored_name(PNG, "sigmoid.png")), str(stored_name(OGG, "word.ogg"))
    with zipfile.ZipFile(rich) as archive:
        contents = {archive.read(name) for name in archive.namelist() if name.isdigit()}
    assert contents == {PNG, OGG}
    with in_anki(rich, tmp_path / "anki") as col:
        fields = {col.get_note(nid)["QuizdlId"]: col.get_note(nid) for nid in col.find_notes("")}
        assert "<em>Lots of math</em>" in fields["math"]["Question"]
        assert "<strong>friends</strong>" in fields["math"]["Answer"]
        assert "\\[\\sigma(x)" in fields["math"]["Answer"]
        assert fields["plot"]["Answer"] == f'<img src="{image}" alt="sigmoid.png" />'
        assert fields["say"]["Question"].endswith(f"[sound:{sound}]")
        media_folder = Path(col.media.dir())
        assert (media_folder / image).read_bytes() == PNG
        assert (media_folder / sound).read_bytes() == OGG


def test_the_package_reads_back_into_quizdl_unchanged(rich: Path) -> None:
    again = run("import", str(rich), "--dry-run")
    assert unchanged(3) in again.stdout, again.output
    source = read_source(rich, ImportOptions())
    assert source.media.files == {
        str(stored_name(PNG, "sigmoid.png")): PNG,
        str(stored_name(OGG, "word.ogg")): OGG,
    }


def test_a_deck_sent_to_anki_and_back_lands_in_its_own_deck(rich: Path, tmp_path: Path) -> None:
    """Exported, studied in Anki, exported again by Anki (its current format): the re-import
    updates the same quizdl deck, with nothing new or duplicated."""
    direct = run("import", str(rich), "--dry-run")
    assert "Would import 'rich': 0 new, 0 updated" in direct.stdout, direct.output
    with in_anki(rich, tmp_path / "anki") as col:
        back = exported_by_anki(col, "Rich deck", tmp_path / "from-anki.apkg", everything=True)
    again = run("import", str(back), "--dry-run")
    assert "collection.anki21b" in again.stdout
    assert "Would import 'rich': 0 new, 0 updated, 0 retired, 0 restored, 3 unchanged" in (
        again.stdout
    ), again.output


def test_a_markdown_list_with_pasted_nbsp_comes_back_from_an_apkg_unchanged(
    home: Path, tmp_path: Path
) -> None:
    # A question list copied from a web page: non-breaking spaces inside its lines.
    source = tmp_path / "pasted.md"
    source.write_text(
        "# Pasted\n\n**What is\xa0labeled data?**\n\n"
        "Data whose\xa0input is already tagged with the\xa0output.\n\n"
        "**Why?**\n\nTo learn\xa0a mapping.\n",
        encoding="utf-8",
    )
    again = run("import", str(copy_of(source, "pasted", tmp_path / "pasted.apkg")), "--dry-run")
    assert unchanged(2) in again.stdout, again.output


@pytest.mark.parametrize("suffix", [".apkg", ".csv"])
def test_yaml_block_text_comes_back_unchanged(home: Path, tmp_path: Path, suffix: str) -> None:
    # A "|" block ends with a newline, which an Anki field or CSV cell does not keep;
    # a real edit made outside quizdl still counts.
    deck = write_deck(
        tmp_path,
        "id: blocks\ntitle: Blocks\ncards:\n"
        "  - id: a\n    type: qa\n    question: |\n      Why normalise?\n"
        "    answer: |\n      To keep activations in range.\n"
        "  - id: b\n    type: concept\n    term: Dropout\n"
        "    explanation: |\n      Zeroes units at random.\n",
        "blocks.yaml",
    )
    out = copy_of(deck, "blocks", tmp_path / f"blocks{suffix}")
    again = run("import", str(out), "--deck", "blocks", "--dry-run")
    assert unchanged(2) in again.stdout, again.output
    if suffix == ".csv":
        out.write_text(out.read_text().replace("in range.", "in a range."))
        edited = run("import", str(out), "--deck", "blocks", "--dry-run")
        assert "0 new, 1 updated, 0 retired, 0 restored, 1 unchanged" in edited.stdout, (
            edited.output
        )


@pytest.mark.parametrize("suffix", [".apkg", ".csv"])
def test_every_card_type_comes_back_from_a_two_sided_export_as_it_was(
    home: Path, tmp_path: Path, suffix: str
) -> None:
    # CSV and Anki know a front and a back only. A learner's deck sent there and
    # imported again must keep its concepts, key points, choices and challenges,
    # not turn into plain question cards.
    mine, source = _guide_as_mine(tmp_path)
    assert {card.type for card in mine.cards} == {"concept", "qa", "mcq", "cloze", "challenge"}
    assert any(isinstance(card, QACard) and card.key_points for card in mine.cards)
    out = copy_of(source, "mine", tmp_path / f"mine{suffix}")
    again = run("import", str(out), "--deck", "mine", "--dry-run")
    assert unchanged(len(mine.cards)) in again.stdout, again.output
    if suffix == ".csv":
        # A tag added in a spreadsheet is an update, and the card keeps its type.
        concept = next(card for card in mine.cards if card.type == "concept")
        with out.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        row = next(row for row in rows if row[0] == concept.id)
        tags = rows[0].index("tags")
        row[tags] = f"{row[tags]} added".strip()
        with out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        edited = run("import", str(out), "--deck", "mine")
        assert "0 new, 1 updated" in edited.stdout, edited.output
        stored = {card.id: card for card in stored_deck("mine").cards}
        assert stored[concept.id].type == "concept"
        assert "added" in stored[concept.id].tags


def test_in_a_yaml_deck_fewer_fields_on_the_same_sides_are_the_authors_edit(
    home: Path, tmp_path: Path
) -> None:
    # The copy rule is for CSV and Anki files only: a YAML author who drops a key
    # point or a blank's other answer, or makes a concept a question, means it.
    before = (
        "id: authored\ntitle: Authored\ncards:\n"
        "  - {id: a, type: qa, question: Q?, answer: A., key_points: [A]}\n"
        "  - {id: b, type: cloze, text: 'x = {{8256|8,256}}'}\n"
        "  - {id: c, type: concept, term: Dropout, explanation: Zeroes units.}\n"
    )
    after = (
        "id: authored\ntitle: Authored\ncards:\n"
        "  - {id: a, type: qa, question: Q?, answer: A.}\n"
        "  - {id: b, type: cloze, text: 'x = {{8256}}'}\n"
        "  - {id: c, type: qa, question: Dropout, answer: Zeroes units.}\n"
    )
    deck = write_deck(tmp_path, before, "authored.yaml")
    assert run("import", str(deck)).exit_code == 0
    deck.write_text(after, encoding="utf-8")
    again = run("import", str(deck))
    assert "0 new, 3 updated" in again.stdout, again.output
    stored = {card.id: card for card in stored_deck("authored").cards}
    assert isinstance(stored["a"], QACard) and stored["a"].key_points == ()
    assert stored["c"].type == "qa"


def test_edits_made_in_a_csv_export_land_in_each_cards_own_fields(
    home: Path, tmp_path: Path
) -> None:
    # A learner edits their deck in a spreadsheet: each edited card keeps its type and
    # what the spreadsheet never showed (key points, formula, spec, other answers).
    guide, source = _guide_as_mine(tmp_path)
    out = copy_of(source, "mine", tmp_path / "mine.csv")
    with out.open(newline="", encoding="utf-8") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    edits = {
        "nn-bias-role": (2, "term add", "term give"),
        "nn-neuron": (3, "Takes a vector", "Takes a whole vector"),
        "nn-deep-meaning": (2, "trained on a GPU", "trained on GPUs"),
        "nn-guide-model-hidden-cloze": (2, "The guide's first model", "The first model"),
        "keras-mlp-mnist": (2, "No other layers.", "Add no other layers."),
    }
    for card_id, (column, old, new) in edits.items():
        assert old in rows[card_id][column], card_id
        rows[card_id][column] = rows[card_id][column].replace(old, new)
    with out.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows.values())
    again = run("import", str(out), "--deck", "mine")
    assert f"0 new, {len(edits)} updated" in again.stdout, again.output
    stored = {card.id: card for card in stored_deck("mine").cards}
    before = {card.id: card for card in guide.cards}
    for card_id, (_, old, new) in edits.items():
        card, was = stored[card_id], before[card_id]
        assert card.type == was.type, card_id
        changed = {
            name for name, value in card.model_dump().items() if value != was.model_dump()[name]
        }
        assert len(changed) == 1, (card_id, changed)
        (name,) = changed
        value = getattr(was, name)
        if isinstance(value, tuple):  # choices
            assert getattr(card, name) == tuple(v.replace(old, new) for v in value)
        else:  # the edited field as the file has it, without a YAML block's newline
            assert getattr(card, name) == value.replace(old, new).rstrip(), card_id


def test_edits_made_in_anki_land_in_each_cards_own_fields(home: Path, tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path,
        "id: edited\ntitle: Edited\ncards:\n"
        "  - {id: q, type: qa, question: What shifts it?, answer: The bias., key_points: [bias]}\n"
        "  - {id: c, type: concept, term: Neuron, explanation: A weighted sum., formula: y = wx}\n"
        "  - {id: z, type: cloze, text: 'It has {{8256|8,256}} weights.'}\n",
        "edited.yaml",
    )
    package = copy_of(deck, "edited", tmp_path / "edited.apkg")
    with in_anki(package, tmp_path / "anki") as col:
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            note.fields = [
                field.replace("shifts it", "moves it")
                .replace("weighted sum", "weighted total")
                .replace("It has", "The layer has")
                for field in note.fields
            ]
            col.update_note(note)
        back = exported_by_anki(col, "Edited", tmp_path / "from-anki.apkg", everything=False)
    again = run("import", str(back), "--deck", "edited")
    assert "0 new, 3 updated" in again.stdout, again.output
    stored = {card.id: card for card in stored_deck("edited").cards}
    assert stored["q"].model_dump() == {
        **QACard(
            type="qa", id="q", question="What moves it?", answer="The bias.", key_points=("bias",)
        ).model_dump()
    }
    assert stored["c"].type == "concept"
    assert stored["c"].model_dump()["explanation"] == "A weighted total."
    assert stored["c"].model_dump()["formula"] == "y = wx"
    assert stored["z"].model_dump()["text"] == "The layer has {{8256|8,256}} weights."


def test_a_copy_that_no_longer_reads_as_its_kind_is_named_when_it_changes_kind(
    home: Path, tmp_path: Path
) -> None:
    deck = write_deck(
        tmp_path,
        "id: picks\ntitle: Picks\ncards:\n"
        "  - {id: m, type: mcq, question: Which?, choices: [one, two], answer: 1}\n",
        "picks.yaml",
    )
    out = copy_of(deck, "picks", tmp_path / "picks.csv")
    out.write_text(out.read_text(encoding="utf-8").replace("a) one\nb) two", "one or two"))
    dry = run("import", str(out), "--deck", "picks", "--dry-run")
    assert "note: 1 card(s) change kind: m (mcq → qa); their copy here no longer reads" in (
        dry.stdout
    ), dry.output
    as_json = run("import", str(out), "--deck", "picks", "--dry-run", "--json")
    assert json.loads(as_json.stdout)["retyped"] == {"m": ["mcq", "qa"]}


@pytest.mark.parametrize("suffix", [".apkg", ".csv"])
def test_a_deck_keeps_its_title_description_and_tags_through_a_two_sided_export(
    home: Path, tmp_path: Path, suffix: str
) -> None:
    # A CSV file has no deck title (its name stands in) and neither format has the
    # deck's description or tags: importing the copy must not replace them.
    deck = write_deck(
        tmp_path,
        "id: titled\ntitle: Deep [b]learning[/b] basics\ndescription: Mine.\n"
        "tags: [core]\ncards:\n  - {id: a, type: qa, question: Q?, answer: A.}\n",
        "titled.yaml",
    )
    out = copy_of(deck, "titled", tmp_path / f"copy{suffix}")
    again = run("import", str(out), "--deck", "titled")
    assert "0 new, 0 updated" in again.stdout, again.output
    stored = stored_deck("titled")
    assert (stored.title, stored.description, stored.tags) == (
        "Deep [b]learning[/b] basics",
        "Mine.",
        ("core",),
    )


def test_a_csv_deck_line_still_names_the_deck(home: Path, tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path,
        "id: named\ntitle: Old name\ncards:\n  - {id: a, type: qa, question: Q?, answer: A.}\n",
        "named.yaml",
    )
    out = copy_of(deck, "named", tmp_path / "named.csv")
    out.write_text("#deck:New name\n" + out.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("import", str(out), "--deck", "named").exit_code == 0
    assert stored_deck("named").title == "New name"
