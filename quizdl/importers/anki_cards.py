"""Anki notes and cards to quizdl cards, and Anki scheduling to SM-2 progress.

A note type is read through its templates, not its field order: a card's
question is the fields its front template shows, its answer the fields only
the back shows (``{{type:Field}}`` on the front is the typed answer, so it
belongs to the answer). That covers Basic, reversed, optional-reverse,
type-in-the-answer and custom types alike. Cloze note types make one quizdl
cloze card per cloze number that Anki generated a card for.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from quizdl.importers.anki_collection import CardRow, Collection, Note, NoteType, Template
from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.cloze import to_blanks
from quizdl.importers.html_text import html_to_markdown
from quizdl.importers.ids import anki_card_id, is_valid_id
from quizdl.importers.source import TITLE_ONLY, ImportOptions, ImportSource, MediaFetch, MediaNotes
from quizdl.scheduling.sm2 import INITIAL_EASINESS, MIN_EASINESS, SM2State
from quizdl.study.clock import study_day
from quizdl.study.values import ImportedProgress

_REF = re.compile(r"\{\{([^{}]+)\}\}")
_SPECIAL = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}
# A field that carries quizdl's own card id (written by our .apkg export).
QUIZDL_ID_FIELD = "QuizdlId"
_PROGRESS_EVERY = 500


def _refs(template: str) -> list[tuple[str, set[str]]]:
    """Fields a template shows, in order, with their filters (``type``, ``cloze``...)."""
    found: list[tuple[str, set[str]]] = []
    for match in _REF.finditer(template):
        body = match.group(1).strip()
        if not body or body[0] in "#^/!":
            continue
        *filters, name = (part.strip() for part in body.split(":"))
        if name in _SPECIAL:
            continue
        found.append((name, set(filters)))
    return found


@lru_cache(maxsize=1024)
def _sides(template: Template) -> tuple[list[str], list[str]]:
    """The fields a card's question and answer show (never our hidden id field)."""
    front: list[str] = []
    back: list[str] = []
    for name, filters in _refs(template.qfmt):
        target = back if "type" in filters else front
        if name not in target:
            target.append(name)
    for name, _ in _refs(template.afmt):
        if name not in front and name not in back:
            back.append(name)
    return (
        [name for name in front if name != QUIZDL_ID_FIELD],
        [name for name in back if name != QUIZDL_ID_FIELD],
    )


@lru_cache(maxsize=256)
def _cloze_fields(notetype: NoteType) -> list[str]:
    names: list[str] = []
    for template in notetype.templates[:1]:
        for name, filters in _refs(template.qfmt):
            if "cloze" in filters and name not in names:
                names.append(name)
    return names or list(notetype.fields[:1])


def _field_values(notetype: NoteType, note: Note) -> dict[str, str]:
    if len(note.fields) >= len(notetype.fields):  # the usual case: nothing to pad
        return dict(zip(notetype.fields, note.fields, strict=False))
    values = list(note.fields) + [""] * (len(notetype.fields) - len(note.fields))
    return dict(zip(notetype.fields, values, strict=False))


def _render(names: list[str], values: dict[str, str], media: MediaNotes) -> str:
    if len(names) == 1:  # Basic's sides: one field each
        return html_to_markdown(values.get(names[0], ""), media)
    parts = [html_to_markdown(values.get(name, ""), media) for name in names]
    return "\n\n".join(part for part in parts if part)


_MISSING_MEDIA = re.compile(r"\[(?:image|sound|media): [^\]\n]*\]")


def _only_missing_media(text: str) -> bool:
    """A side that is nothing but ``[image: NAME]`` markers shows the learner nothing."""
    if "[" not in text:  # no marker at all: the common case, without the regex
        return not text.strip()
    return not _MISSING_MEDIA.sub("", text).strip()


# Our .apkg export leaves the quizdl deck id in the Anki deck's description (an HTML
# comment, invisible in Anki), so a deck sent to Anki and back lands in its own deck.
QUIZDL_DECK_MARK = re.compile(r"<!--\s*quizdl-deck:\s*([A-Za-z0-9][A-Za-z0-9._:@+-]{0,199})\s*-->")


def _quizdl_deck_id(collection: Collection) -> str | None:
    used = {card.deck_id for card in collection.cards}
    found = {
        match.group(1)
        for deck_id in used
        if (match := QUIZDL_DECK_MARK.search(collection.deck_descriptions.get(deck_id, "")))
    }
    return found.pop() if len(found) == 1 else None


def deck_layout(collection: Collection, path: Path) -> tuple[str, dict[int, str]]:
    """The deck title (common root of the used decks) and each deck's sub-deck tag."""
    used = {card.deck_id for card in collection.cards}
    names = {deck_id: collection.decks.get(deck_id, "") for deck_id in used}
    split = {
        deck_id: [part for part in name.split("::") if part] for deck_id, name in names.items()
    }
    common: list[str] = []
    parts_lists = list(split.values())
    if parts_lists:
        for index, part in enumerate(parts_lists[0]):
            if all(len(parts) > index and parts[index] == part for parts in parts_lists):
                common.append(part)
            else:
                break
    # Cards from unrelated top-level decks (or only Anki's "Default") share no useful
    # name: the file names the deck and every deck path becomes a tag.
    if not common or common == ["Default"]:
        title = path.stem
        root = 0
    else:
        title = "::".join(common)
        root = len(common)
    subdeck_tags = {deck_id: "::".join(parts[root:]) for deck_id, parts in split.items()}
    return title, subdeck_tags


_UNIX_TIME_FROM = 1_000_000_000  # a due above this is a Unix time, not a day number
_QUEUE_LEARNING = 1
_QUEUE_SUSPENDED = -1


def anki_progress(card: CardRow, created: date) -> ImportedProgress | None:
    """Anki scheduling as SM-2 state.

    Review cards keep their interval, ease (factor is per mille) and due day
    (days since ``created``, the collection's first day); SM-2 repetitions is
    at least 2 so the next success multiplies the interval by the easiness, as
    Anki would. Learning and relearning cards restart SM-2's ladder
    (repetitions 0, interval 1) on the day Anki had them due, keeping ease and
    lapses; that includes the old scheduler's relearning, a review card (type
    2) in the learning queue whose due is a Unix time. Queue -1 is suspended.
    Unix times become the learner's local study day, as everywhere in quizdl.
    """
    suspended = card.queue == _QUEUE_SUSPENDED
    easiness = (
        max(MIN_EASINESS, round(card.factor / 1000, 4)) if card.factor > 0 else INITIAL_EASINESS
    )
    try:
        if card.due > _UNIX_TIME_FROM:
            due = study_day(datetime.fromtimestamp(card.due, tz=UTC).astimezone())
        else:
            due = created + timedelta(days=card.due)
        relearning = card.type == 2 and card.queue == _QUEUE_LEARNING
        if card.type == 2 and not relearning:
            state = SM2State(easiness, max(2, card.reps - card.lapses), max(1, card.interval), due)
        elif card.type in (1, 2, 3):
            state = SM2State(easiness, 0, 1, due)
        else:
            if not suspended:
                return None
            state = SM2State()
    except (OverflowError, ValueError, OSError):
        return None
    return ImportedProgress(state, max(0, card.lapses), suspended)


def convert(
    collection: Collection,
    path: Path,
    options: ImportOptions,
    media_files: int,
    digest: str,
    fetch: MediaFetch | None = None,
) -> ImportSource:
    media = MediaNotes(package_files=media_files, fetch=fetch)
    builder = DeckBuilder(path, options)
    title, subdeck_tags = deck_layout(collection, path)
    progress: dict[str, ImportedProgress] = {}
    total = len(collection.cards)
    cards_seen: set[int] = set()
    cloze_extras = 0
    for index, card in enumerate(collection.cards, start=1):
        if options.on_progress is not None and (index % _PROGRESS_EVERY == 0 or index == total):
            options.on_progress(index, total)
        note = collection.notes.get(card.note_id)
        if note is None:
            builder.skip(f"card {card.id}", f"its note {card.note_id} is missing")
            continue
        where = f"note {note.id} (guid {note.guid!r})"
        cards_seen.add(note.id)
        notetype = collection.notetypes.get(note.notetype_id)
        if notetype is None:
            builder.skip(where, f"its note type {note.notetype_id} is missing")
            continue
        values = _field_values(notetype, note)
        tags = [*note.tags]
        subdeck = subdeck_tags.get(card.deck_id)
        if subdeck:
            tags.append(subdeck)
        base = values.get(QUIZDL_ID_FIELD, "").strip()
        added_id = (
            _add_cloze(builder, notetype, note, card, values, tags, media, where)
            if notetype.is_cloze
            else _add_basic(builder, notetype, note, card, values, tags, media, where, base)
        )
        if (
            notetype.is_cloze
            and added_id is not None
            and card.ord == 0
            and _has_extra(notetype, values)
        ):
            cloze_extras += 1
        if added_id is not None and options.with_progress:
            carried = anki_progress(card, collection.created)
            if carried is not None:
                progress[added_id] = carried
    for note_id in collection.notes.keys() - cards_seen:
        builder.skip(f"note {note_id}", "Anki generated no card for it")
    quizdl_id = _quizdl_deck_id(collection)
    deck = builder.build(title, quizdl_id or title, named=quizdl_id is not None)
    # The deck's title is the Anki deck's name.
    source = ImportSource(
        deck,
        "anki",
        path,
        digest,
        builder.skipped,
        media,
        deck_fields=TITLE_ONLY,
        deck_id_given=builder.deck_id_given,
    )
    source.progress = progress if options.with_progress else None
    if cloze_extras:
        source.notes.append(
            f"{cloze_extras} cloze note(s) have extra fields (e.g. Back Extra) that a cloze "
            "card cannot show; that text was not imported"
        )
    return source


@lru_cache(maxsize=256)
def _front_extras(notetype: NoteType) -> list[str]:
    names: list[str] = []
    for template in notetype.templates[:1]:
        for name, filters in _refs(template.qfmt):
            if "cloze" not in filters and name != QUIZDL_ID_FIELD and name not in names:
                names.append(name)
    return names


def _has_extra(notetype: NoteType, values: dict[str, str]) -> bool:
    shown = set(_cloze_fields(notetype)) | set(_front_extras(notetype)) | {QUIZDL_ID_FIELD}
    return any(value.strip() for name, value in values.items() if name not in shown)


def _add_basic(
    builder: DeckBuilder,
    notetype: NoteType,
    note: Note,
    card: CardRow,
    values: dict[str, str],
    tags: list[str],
    media: MediaNotes,
    where: str,
    quizdl_id: str,
) -> str | None:
    if card.ord >= len(notetype.templates):
        builder.skip(where, f"card template {card.ord + 1} does not exist in {notetype.name!r}")
        return None
    front, back = _sides(notetype.templates[card.ord])
    if card.ord == 0:
        suffix = ""
    elif card.ord == 1 and len(notetype.templates) == 2:
        suffix = "-r"
    else:
        suffix = f"-t{card.ord + 1}"
    base = quizdl_id if quizdl_id and is_valid_id(quizdl_id + suffix) else None
    card_id = base + suffix if base else anki_card_id(note.guid, suffix)
    label = f"{where} card {card.ord + 1}" if len(notetype.templates) > 1 else where
    question = _render(front, values, media)
    if question and _only_missing_media(question):
        builder.skip(label, f"the question is only media the package does not hold: {question}")
        return None
    answer = _render(back, values, media)
    if answer and _only_missing_media(answer) and not builder.options.keep_unanswered:
        builder.skip(label, f"the answer is only media the package does not hold: {answer}")
        return None
    if builder.add_qa(card_id, question, answer, tags, label):
        return card_id
    return None


def _add_cloze(
    builder: DeckBuilder,
    notetype: NoteType,
    note: Note,
    card: CardRow,
    values: dict[str, str],
    tags: list[str],
    media: MediaNotes,
    where: str,
) -> str | None:
    number = card.ord + 1
    text = _render(_cloze_fields(notetype), values, media)
    result = to_blanks(text, number)
    label = f"{where} cloze {number}"
    if not result.blanks:
        builder.skip(label, f"the text has no {{{{c{number}::…}}}} deletion")
        return None
    quizdl_id = values.get(QUIZDL_ID_FIELD, "").strip()
    if quizdl_id and is_valid_id(f"{quizdl_id}-c{number}"):
        card_id = quizdl_id if number == 1 else f"{quizdl_id}-c{number}"
    else:
        card_id = anki_card_id(note.guid, f"-c{number}")
    # Fields the front shows beside the cloze text (a "Hint" field) are hints too.
    front_extra = _render(_front_extras(notetype), values, media)
    hint = "; ".join([*result.hints, *([front_extra] if front_extra else [])]) or None
    if builder.add_cloze(card_id, result.text, hint, tags, label):
        return card_id
    return None
