"""Leeches: the mark a card gets when it keeps lapsing, applied when it is answered.

The rule (threshold, suspend or flag) is ``scheduling.leech``; this module
writes it: ``card_states.leech`` (shown as the tag ``leech`` in Browse) and,
with the "suspend" action, the card's suspension. Undoing the answer that
made a leech takes both back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from quizdl.scheduling.leech import LeechAction, LeechRule, is_leech, lapse_makes_leech
from quizdl.store import tables

if TYPE_CHECKING:
    from quizdl.store.db import Reader, Writer

LEECH_TAG = "leech"


def mark_if_leech(connection: Connection, pk: int, lapsed: bool, rule: LeechRule) -> bool:
    """After an answer: mark the card a leech if this lapse makes it one. Returns
    whether it did."""
    if not lapsed:
        return False
    lapses = connection.scalar(
        select(tables.card_states.c.lapses).where(tables.card_states.c.card_pk == pk)
    )
    if lapses is None or not lapse_makes_leech(lapses, rule):
        return False
    connection.execute(
        update(tables.card_states).where(tables.card_states.c.card_pk == pk).values(leech=True)
    )
    if rule.action == LeechAction.SUSPEND:
        connection.execute(
            update(tables.cards).where(tables.cards.c.pk == pk).values(suspended=True)
        )
    return True


def unmark_after_undo(
    writer: Writer, pk: int, lapses_before: int, lapses_undone: int, rule: LeechRule
) -> None:
    """Undo of an answer that had taken the card from ``lapses_before`` to
    ``lapses_undone`` lapses: take back the leech action that answer caused."""
    if lapses_undone <= lapses_before or not lapse_makes_leech(lapses_undone, rule):
        return
    writer.execute(
        update(tables.card_states)
        .where(tables.card_states.c.card_pk == pk)
        .values(leech=is_leech(lapses_before, rule))
    )
    if rule.action == LeechAction.SUSPEND:
        # The card was being studied, so it was not suspended before.
        writer.execute(update(tables.cards).where(tables.cards.c.pk == pk).values(suspended=False))


def leech_count(reader: Reader) -> int:
    return (
        reader.scalar(
            select(func.count())
            .select_from(tables.card_states)
            .join(tables.cards, tables.cards.c.pk == tables.card_states.c.card_pk)
            .where(tables.card_states.c.leech.is_(True), tables.cards.c.retired.is_(False))
        )
        or 0
    )
