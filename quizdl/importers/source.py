"""What every importer returns: a validated Deck plus what it left out and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.decks.model import Deck
from quizdl.study.values import ImportedProgress

# Called with (done, total) while a large source is converted; the CLI draws a bar.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Skip:
    """One item of the source that did not become a card."""

    where: str  # "line 12", "note 1651234 (guid 'ab:c')", "record 3"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class MediaNotes:
    """Media the source refers to or carries; quizdl shows text only."""

    images: int = 0  # local <img> references dropped from card text
    sounds: int = 0  # [sound:...] references dropped
    remote_links: int = 0  # remote images kept as Markdown links
    package_files: int = 0  # media files inside an Anki package, not copied

    @property
    def any(self) -> bool:
        return bool(self.images or self.sounds or self.remote_links or self.package_files)

    def describe(self) -> str:
        parts = []
        if self.images:
            parts.append(f"{self.images} image reference(s) not imported")
        if self.sounds:
            parts.append(f"{self.sounds} sound reference(s) not imported")
        if self.remote_links:
            parts.append(f"{self.remote_links} remote image(s) kept as links")
        if self.package_files:
            parts.append(f"{self.package_files} media file(s) in the package not copied")
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
