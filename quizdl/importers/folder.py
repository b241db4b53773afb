"""A folder of Markdown notes imported as one deck.

Question banks are often one small file per question or term (a heading and
the rest of the file as the answer). Each ``.md`` file under the folder is
read as Markdown on its own; their cards make one deck named after the folder,
and a file that holds no card is listed as skipped with its reason instead of
refusing the others. Symbolic links are not followed, and the folder is
bounded like a single file: at most ``MAX_FOLDER_FILES`` files and
``MAX_SOURCE_BYTES`` bytes in all.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

from quizdl.decks.errors import DeckError
from quizdl.decks.loader import read_text, text_digest
from quizdl.decks.model import QACard
from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.markdown import read_markdown
from quizdl.importers.refuse import MAX_SOURCE_BYTES, refuse
from quizdl.importers.source import ImportOptions, ImportSource, title_fields

MAX_FOLDER_FILES = 5_000
_SUFFIXES = (".md", ".markdown")


def _markdown_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, directories, files in os.walk(folder, followlinks=False):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if name.lower().endswith(_SUFFIXES) and not path.is_symlink():
                found.append(path)
                if len(found) > MAX_FOLDER_FILES:
                    refuse(folder, f"more than {MAX_FOLDER_FILES:,} Markdown files; import fewer")
    return found


def read_folder(folder: Path, options: ImportOptions) -> ImportSource:
    files = _markdown_files(folder)
    if not files:
        refuse(folder, "this folder holds no Markdown (.md) files to import")
    total = 0
    builder = DeckBuilder(folder, options)
    digest = hashlib.sha256()
    single = replace(options, deck_id=None, on_progress=None)
    for done, path in enumerate(files, start=1):
        if options.on_progress is not None:
            options.on_progress(done, len(files))
        relative = path.relative_to(folder).as_posix()
        try:
            total += path.stat().st_size
            if total > MAX_SOURCE_BYTES:
                refuse(folder, f"the folder holds more than {MAX_SOURCE_BYTES // 2**20} MiB")
            text = read_text(path)
            source = read_markdown(path, text, text_digest(text), single)
        except DeckError as exc:
            if total > MAX_SOURCE_BYTES:
                raise
            reason = exc.problems[0].message if exc.problems else "not readable"
            builder.skip(relative, reason)
            continue
        except OSError as exc:
            builder.skip(relative, f"cannot read: {exc.strerror or exc}")
            continue
        digest.update(f"{relative}\0{source.content_hash}\0".encode())
        for skip in source.skipped:
            builder.skip(f"{relative} {skip.where}", skip.reason)
        for card in source.deck.cards:
            if isinstance(card, QACard):
                builder.add_qa(
                    card.id,
                    card.question,
                    card.answer,
                    card.tags,
                    relative,
                    dedupe_question=True,
                )
    title = folder.resolve().name or "notes"
    deck = builder.build(title, title)
    return ImportSource(  # the folder's name stands in for a title
        deck,
        "markdown",
        folder,
        digest.hexdigest(),
        builder.skipped,
        deck_fields=title_fields(False),
        deck_id_given=builder.deck_id_given,
    )
