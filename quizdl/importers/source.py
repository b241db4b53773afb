"""What every importer returns: a validated Deck, the media it carries, what it left out and why."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.decks.model import Deck
from quizdl.media import (
    MAX_MEDIA_BYTES,
    MAX_MEDIA_TOTAL_BYTES,
    kind_of,
    missing_marker,
    reference,
    stored_name,
)
from quizdl.study.values import DECK_FIELDS, ImportedProgress, SourceTraits

# Called with (done, total) while a large source is converted; the CLI draws a bar.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Skip:
    """One item of the source that did not become a card."""

    where: str  # "line 12", "note 1651234 (guid 'ab:c')", "record 3"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


# Reads one media file of the source by the name its cards use: its bytes, or None
# when the source does not hold it. Raises MediaTooLarge past MAX_MEDIA_BYTES.
MediaFetch = Callable[[str], bytes | None]


class MediaTooLarge(Exception):
    pass


@dataclass
class MediaNotes:
    """Media the source refers to: files kept for the collection, and what was left out.

    With a ``fetch`` (an Anki package), each local image or sound a card refers
    to is read once, named by its content (``quizdl.media``) and kept in
    ``files`` for the import to store; the card text points at it. Without one,
    or when the file is missing or too large, the card says ``[image: NAME]``.
    """

    images: int = 0  # local image references not imported (file missing or unusable)
    sounds: int = 0  # sound references not imported
    remote_links: int = 0  # remote images kept as Markdown links
    package_files: int = 0  # media files inside an Anki package
    too_large: int = 0  # files over MAX_MEDIA_BYTES, not imported
    fetch: MediaFetch | None = field(default=None, repr=False, compare=False)
    files: dict[str, bytes] = field(default_factory=dict, repr=False)  # stored name -> bytes
    stored_images: set[str] = field(default_factory=set)  # stored names
    stored_sounds: set[str] = field(default_factory=set)
    _done: dict[str, str | None] = field(default_factory=dict, repr=False)  # original -> stored
    _why: dict[str, str] = field(default_factory=dict, repr=False)  # original -> why not kept
    _kept_bytes: int = 0

    @property
    def any(self) -> bool:
        return bool(
            self.images or self.sounds or self.remote_links or self.package_files or self.files
        )

    def _stored(self, original: str) -> str | None:
        if original in self._done:
            return self._done[original]
        name: str | None = None
        if self.fetch is None:
            why = ""
        elif kind_of(original) is None:
            why = "not an image or sound quizdl keeps"
        else:
            why = "not in the package"
            try:
                data = self.fetch(original)
            except MediaTooLarge:
                self.too_large += 1
                why = f"over the {MAX_MEDIA_BYTES // (1024 * 1024)} MiB media limit"
                data = None
            if data is not None and self._kept_bytes + len(data) > MAX_MEDIA_TOTAL_BYTES:
                self.too_large += 1
                why = f"the source's media exceed {MAX_MEDIA_TOTAL_BYTES // 2**20} MiB in all"
                data = None
            if data is not None:
                name = stored_name(data, original)
                if name is not None and name not in self.files:
                    self.files[name] = data
                    self._kept_bytes += len(data)
        self._done[original] = name
        self._why[original] = why
        return name

    def image(self, original: str, alt: str = "") -> str:
        """The Markdown for a local image: a reference to the stored file, or a marker.
        A short ``alt`` text (as our .apkg export writes) labels it instead of the name."""
        name = self._stored(original)
        if name is None or kind_of(name) != "image":
            self.images += 1
            return missing_marker(original, self._why.get(original, ""))
        self.stored_images.add(name)
        label = alt if alt.strip() and len(alt) <= 120 and "\n" not in alt else original
        return reference(name, label)

    def sound(self, original: str, label: str = "") -> str:
        name = self._stored(original)
        if name is None or kind_of(name) != "sound":
            self.sounds += 1
            return missing_marker(original, self._why.get(original, ""))
        self.stored_sounds.add(name)
        return reference(name, html.unescape(label).strip() or original)

    def describe(self) -> str:
        parts = []
        if self.stored_images or self.stored_sounds:
            parts.append(
                f"{len(self.stored_images)} image(s) and {len(self.stored_sounds)} sound(s) "
                "for quizdl's media folder"
            )
        if self.images:
            parts.append(f"{self.images} image reference(s) not imported (marked in the card)")
        if self.sounds:
            parts.append(f"{self.sounds} sound reference(s) not imported (marked in the card)")
        if self.too_large:
            parts.append(
                f"{self.too_large} file(s) over the {MAX_MEDIA_BYTES // (1024 * 1024)} MiB "
                "media limit left out"
            )
        if self.remote_links:
            parts.append(f"{self.remote_links} remote image(s) kept as links")
        unused = self.package_files - len(self.stored_images) - len(self.stored_sounds)
        if self.package_files and unused > 0:
            parts.append(f"{unused} media file(s) in the package that no card uses, not copied")
        return "; ".join(parts)


@dataclass(frozen=True)
class ImportOptions:
    deck_id: str | None = None
    keep_unanswered: bool = False
    with_progress: bool = False
    # CSV columns when the file alone is ambiguous: a 1-based index or a header name.
    front_column: str | None = None
    back_column: str | None = None
    tags_column: str | None = None
    on_progress: ProgressCallback | None = None


@dataclass
class ImportSource:
    deck: Deck
    format: str  # "anki", "csv", "markdown", "json", "yaml"
    path: Path
    content_hash: str
    skipped: list[Skip] = field(default_factory=list)
    media: MediaNotes = field(default_factory=MediaNotes)
    notes: list[str] = field(default_factory=list)  # other things worth telling the user
    progress: dict[str, ImportedProgress] | None = None
    # The deck's own fields the file gives, and whether its id was named rather
    # than made from a title (study.values.SourceTraits).
    deck_fields: frozenset[str] = DECK_FIELDS
    deck_id_given: bool = True

    @property
    def traits(self) -> SourceTraits:
        return SourceTraits(
            two_sided=self.format in ("anki", "csv"),
            deck_fields=self.deck_fields,
            deck_id_given=self.deck_id_given,
        )


TITLE_ONLY = frozenset({"title"})


def title_fields(given: bool) -> frozenset[str]:
    """A list of cards gives its deck a title at most, and none when its file's name
    stands in for it."""
    return TITLE_ONLY if given else frozenset()
