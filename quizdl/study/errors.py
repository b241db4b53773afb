"""Errors the study service raises for the fronts to turn into messages."""

from __future__ import annotations


class StudyError(Exception):
    """Base of errors a user can cause; the message is shown as is."""


class UnknownCard(StudyError):
    pass


class UnknownDeck(StudyError):
    pass


class ImportRefused(StudyError):
    pass


class OtherSource(ImportRefused):
    """A file would replace most of a deck that another file made: two sources that
    share a deck id (the same file name, or the same Anki deck name)."""


class NothingToUndo(StudyError):
    pass
