"""The images and sounds a card side refers to, shown under its text.

Images are drawn with textual-image, which picks the best the terminal offers:
the Kitty graphics protocol, Sixel, or Unicode half-blocks (what tmux gets).
It learns that by querying the terminal, which only works before Textual
takes over stdin, so ``prepare_terminal_graphics`` runs before the app starts
(and only when the collection holds media: nobody else pays for the query).
Without it (say, the first images were imported from inside the app, until the
next start), an image is one line naming it. Sounds are always a line: ``o``
(the review screen's key) opens the side's media in the system viewer/player.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from quizdl.media import MediaRef, media_dir, media_refs, path_of

MAX_IMAGES_SHOWN = 4  # more would push the answer off an 80x24 screen
MAX_IMAGE_PIXELS = 40_000_000  # far above any card figure; decoding more costs seconds
_IMAGE_MODULE = "textual_image.widget"


def prepare_terminal_graphics() -> bool:
    """Let textual-image query the terminal now, before the app starts. Returns whether
    images will be drawn. Any failure just means images are named, not drawn."""
    try:
        folder = media_dir()
        if not folder.is_dir() or not any(folder.iterdir()):
            return False
        import textual_image.widget  # noqa: F401 - the import runs the terminal query
    except Exception:  # a terminal that answers oddly must not stop the app
        return False
    return True


def _image_class() -> Any:
    module = sys.modules.get(_IMAGE_MODULE)
    return None if module is None else module.Image


def _decoded(path: Path) -> Any:
    """The image decoded now, or None: the widget decodes lazily while drawing, where a
    damaged file (or a decompression bomb) would take the whole app down."""
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                return None
            opened.load()
            return opened.copy()
    except Exception:  # any decoding failure: the learner gets the name and `o`
        return None


class CardMedia(Vertical):
    """Shows one side's media; empty (and hidden) when the side has none."""

    DEFAULT_CSS = """
    CardMedia { height: auto; display: none; }
    CardMedia .card-image { width: auto; height: auto; max-height: 14; max-width: 60; }
    CardMedia .media-line { color: $text-muted; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.refs: list[MediaRef] = []

    def compose(self) -> ComposeResult:
        return iter(())

    def show(self, text: str, folder: Path | None = None) -> None:
        self.refs = media_refs(text)
        self.remove_children()
        self.display = bool(self.refs)
        if not self.refs:
            return
        image_class = _image_class()
        widgets: list[Widget] = []
        drawn = 0
        for ref in self.refs:
            path = path_of(ref.name, folder)
            if path is None:
                missing = f"⚠ {ref.kind} {ref.label} is missing from {media_dir()}"
                widgets.append(self._line(missing))
            elif ref.kind == "image" and image_class is not None and drawn < MAX_IMAGES_SHOWN:
                picture = _decoded(path)
                if picture is None:
                    widgets.append(self._line(f"🖼 {ref.label} (cannot be drawn) · o opens it"))
                else:
                    widgets.append(image_class(picture, classes="card-image"))
                    drawn += 1
            elif ref.kind == "image":
                widgets.append(self._line(f"🖼 {ref.label} · o opens it"))
            else:
                widgets.append(self._line(f"🔊 {ref.label} · o plays it"))
        self.mount_all(widgets)

    @staticmethod
    def _line(text: str) -> Static:
        # File names come from imported decks: plain Text, never markup.
        return Static(Text(text), classes="media-line")

    def paths(self, folder: Path | None = None) -> list[Path]:
        return [path for ref in self.refs if (path := path_of(ref.name, folder)) is not None]
