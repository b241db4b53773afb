"""Study more today (Anki's "custom study"): cards beyond today's queue.

Each option picks cards; answering them goes through the same ``answer``
as any review, so SM-2 moves exactly as it would for that card:

- ``new``: the next unseen cards past the daily limit, in deck order. Their
  first answer is a normal first review (they count as introduced today).
- ``ahead``: cards due in the next N days, soonest first. Answering one
  early reviews it today: SM-2's next interval is counted from today.
- ``failed``: cards graded below 3 today. They were answered today, so
  these answers are same-day repeats (rule 7): logged, schedule unchanged.
- ``sample``: N cards drawn at random from those already seen and not due
  today. Like ``ahead``, an answer reviews the card early (interval counted
  from today); a card already answered today is a same-day repeat instead.
- ``tag`` / ``deck``: only cards with that tag / in that deck; alone, they
  narrow today's queue (answered as those cards would be anyway).

Every answer is logged with the option that chose its card (``QueueEntry.more``
becomes ``reviews.study_more``): the first of failed, ahead, sample, new that
picked it, or tag/deck when they only narrow today's queue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from quizdl.decks.content import normalise
from quizdl.scheduling.sm2 import PASSING
from quizdl.store import tables
from quizdl.store.db import Database
from quizdl.study.errors import StudyError, UnknownDeck
from quizdl.study.values import QueueEntry, StudyMoreKind

if TYPE_CHECKING:
    from quizdl.store.db import Reader

# Enough for any day's study; keeps a typo such as --new 100000 from
# building a session of the whole collection.
MOST_CARDS = 1000


@dataclass(frozen=True)
class StudyMore:
    new: int = 0
    ahead_days: int = 0
    failed: bool = False
    tag: str | None = None
    deck_id: str | None = None
    sample: int = 0
    # Seeds the random sample (tests); None draws a fresh one each time.
    seed: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.new <= MOST_CARDS:
            raise StudyError(f"--new: expected 0 to {MOST_CARDS} cards, got {self.new}")
        if not 0 <= self.ahead_days <= 365:
            raise StudyError(f"--ahead: expected 0 to 365 days, got {self.ahead_days}")
        if not 0 <= self.sample <= MOST_CARDS:
            raise StudyError(f"--sample: expected 0 to {MOST_CARDS} cards, got {self.sample}")

    @property
    def picks(self) -> bool:
        """Whether it chooses extra cards (rather than only narrowing today's queue)."""
        return bool(self.new or self.ahead_days or self.failed or self.sample)

    @property
    def narrows(self) -> StudyMoreKind:
        """What an answer is logged as when the option only narrows today's queue."""
        return "tag" if self.tag else "deck"


def _filtered(query: Select[Any], more: StudyMore) -> Select[Any]:
    query = query.where(*tables.ACTIVE_CARD)
    if more.deck_id is not None:
        query = query.where(tables.cards.c.deck_id == more.deck_id)
    if more.tag:
        # A first cut in SQL; the exact tag is checked on the content below.
        query = query.where(
            tables.cards.c.search_text.contains(normalise(more.tag), autoescape=True)
        )
    return query


def _has_tag(reader: Reader, pks: list[int], tag: str | None) -> list[int]:
    if not tag or not pks:
        return pks
    tagged = {
        pk
        for pk, content in reader.execute(
            select(tables.cards.c.pk, tables.cards.c.content).where(tables.cards.c.pk.in_(pks))
        )
        if tag in content.get("tags", ())
    }
    return [pk for pk in pks if pk in tagged]


def require_deck(reader: Reader, deck_id: str) -> None:
    """UnknownDeck unless the collection has a deck ``deck_id``."""
    if reader.scalar(select(tables.decks.c.id).where(tables.decks.c.id == deck_id)) is None:
        raise UnknownDeck(f"no deck with id {deck_id!r}")


def study_more(
    reader: Reader, today: date, more: StudyMore, todays_queue: list[QueueEntry]
) -> list[QueueEntry]:
    """The cards ``more`` asks for, without repeats, in the order to study them."""
    if more.deck_id is not None:
        require_deck(reader, more.deck_id)
    with_state = select(tables.cards.c.pk).join(
        tables.card_states, tables.card_states.c.card_pk == tables.cards.c.pk
    )
    entries: list[QueueEntry] = []
    if not more.picks:
        pks = [e.pk for e in todays_queue]
        if more.deck_id is not None:
            in_deck = set(reader.scalars(_filtered(select(tables.cards.c.pk), more)))
            pks = [pk for pk in pks if pk in in_deck]
        keep = set(_has_tag(reader, pks, more.tag))
        return [replace(e, more=more.narrows) for e in todays_queue if e.pk in keep]
    if more.failed:
        failed = _filtered(
            select(tables.reviews.c.card_pk)
            .join(tables.cards, tables.cards.c.pk == tables.reviews.c.card_pk)
            .where(tables.reviews.c.study_day == today, tables.reviews.c.quality < PASSING)
            .group_by(tables.reviews.c.card_pk)
            .order_by(tables.reviews.c.card_pk),
            more,
        )
        pks = _has_tag(reader, list(reader.scalars(failed)), more.tag)
        entries += [QueueEntry(pk, "review", more="failed") for pk in pks]
    if more.ahead_days:
        ahead = _filtered(
            with_state.where(
                tables.card_states.c.due > today,
                tables.card_states.c.due <= today + timedelta(days=more.ahead_days),
            ).order_by(tables.card_states.c.due, tables.cards.c.deck_id, tables.cards.c.position),
            more,
        )
        pks = _has_tag(reader, list(reader.scalars(ahead.limit(MOST_CARDS))), more.tag)
        entries += [QueueEntry(pk, "review", more="ahead") for pk in pks]
    if more.sample:
        # Seen cards not due today (those are in today's queue already), in a
        # stable order so that a seed always draws the same sample.
        seen_cards = _filtered(
            with_state.where(tables.card_states.c.due > today).order_by(tables.cards.c.pk),
            more,
        )
        queued = {e.pk for e in todays_queue}
        pool = _has_tag(reader, list(reader.scalars(seen_cards)), more.tag)
        pool = [pk for pk in pool if pk not in queued]
        drawn = random.Random(more.seed).sample(pool, min(more.sample, len(pool)))
        entries += [QueueEntry(pk, "review", more="sample") for pk in drawn]
    if more.new:
        unseen = _filtered(
            with_state.join(tables.decks, tables.decks.c.id == tables.cards.c.deck_id)
            .where(tables.card_states.c.due.is_(None))
            .order_by(tables.decks.c.title, tables.cards.c.position),
            more,
        )
        queued = {e.pk for e in todays_queue}
        candidates = [pk for pk in reader.scalars(unseen) if pk not in queued]
        pks = _has_tag(reader, candidates, more.tag)[: more.new]
        entries += [QueueEntry(pk, "new", more="new") for pk in pks]
    seen: set[int] = set()
    unique = []
    for entry in entries:
        if entry.pk not in seen:
            seen.add(entry.pk)
            unique.append(entry)
    return unique


def study_more_choices(db: Database) -> tuple[list[tuple[str, str]], list[str]]:
    """The decks (id, title) and the tags a study-more choice can narrow to."""
    with db.reading() as connection:
        decks = [
            (deck_id, title)
            for deck_id, title in connection.execute(
                select(tables.decks.c.id, tables.decks.c.title).order_by(
                    tables.decks.c.title, tables.decks.c.id
                )
            )
        ]
        tags: set[str] = set()
        contents = select(tables.cards.c.content).where(*tables.ACTIVE_CARD)
        for content in connection.scalars(contents):
            tags.update(tag for tag in content.get("tags", ()) if isinstance(tag, str))
    return decks, sorted(tags, key=lambda tag: (tag.casefold(), tag))
