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


class NothingToUndo(StudyError):
    pass
