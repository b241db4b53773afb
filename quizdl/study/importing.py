"""Putting a validated Deck into the collection: plan first, then apply in one transaction.

Cards are matched by id, so re-importing an edited deck keeps each card's
history; cards that left the deck are retired (kept, never shown), and come
back with their history if they return.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    bindparam,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from quizdl.decks.content import (
    card_from_content,
    card_to_content,
    cards_to_content,
    search_text_of,
)
from quizdl.decks.model import Deck
from quizdl.decks.yaml_nodes import gc_paused
from quizdl.exporters.sides import edited_from_sides, is_two_sided_copy
from quizdl.store import tables
from quizdl.store.bulk import chunks, insert_rows
from quizdl.store.models import CardRow, CardStateRow, DeckRow
from quizdl.study.errors import OtherSource
from quizdl.study.values import DECK_FIELDS, NO_TRAITS, ImportedProgress, ImportPlan, SourceTraits

_UPDATE_CARD = (
    update(CardRow)
    .where(CardRow.pk == bindparam("key"))
    .values(
        type=bindparam("new_type"),
        position=bindparam("new_position"),
        content=bindparam("new_content"),
        search_text=bindparam("new_search_text"),
        retired=False,
    )
)


# The state of a card never reviewed, for each card of a deck that has none yet:
# CardStateRow's own column defaults (due stays NULL), in one INSERT ... SELECT.
_STATE_DEFAULTS = [
    (column, column.default.arg)
    for column in tables.card_states.columns
    if isinstance(column.default, ScalarElementColumnDefault)
]
_NEW_STATES = insert(CardStateRow).from_select(
    ["card_pk", *(column.key for column, _ in _STATE_DEFAULTS)],
    select(CardRow.pk, *(literal(value, column.type) for column, value in _STATE_DEFAULTS)).where(
        CardRow.deck_id == bindparam("deck"),
        ~exists().where(CardStateRow.card_pk == CardRow.pk),
    ),
)


def _insert_carried_states(
    connection: Connection, deck_id: str, carried: Mapping[str, ImportedProgress]
) -> None:
    """States brought from the source (Anki's scheduling) for the new cards that have one."""
    pks: dict[str, int] = dict(
        connection.execute(
            select(CardRow.card_id, CardRow.pk).where(CardRow.deck_id == deck_id)
        ).all()
    )
    states: list[dict[str, Any]] = []
    suspended: list[int] = []
    for card_id, state in carried.items():
        pk = pks[card_id]
        states.append(
            {
                "card_pk": pk,
                "easiness": state.state.easiness,
                "repetitions": state.state.repetitions,
                "interval": state.state.interval,
                "due": state.state.due,
                "lapses": state.lapses,
            }
        )
        if state.suspended:
            suspended.append(pk)
    insert_rows(connection, tables.card_states, states)
    for batch in chunks(suspended):
        connection.execute(update(CardRow).where(CardRow.pk.in_(batch)).values(suspended=True))


@dataclass(frozen=True)
class _Existing:
    pk: int
    content: dict[str, Any]
    retired: bool
    position: int
    deck_id: str = ""


@dataclass(frozen=True)
class _Diff:
    """A deck compared with what the collection holds (computed once, used twice)."""

    plan: ImportPlan
    existing: dict[str, _Existing]
    contents: list[dict[str, Any]]  # card_to_content of each card, in deck order
    elsewhere: dict[str, _Existing]  # Anki notes already in another deck, by card id


# Ids made from an Anki note's GUID, which is unique across collections (see
# quizdl.importers.ids): the same id in another deck is the same note.
_GUID_ID_PREFIX = "anki-"


def _in_other_decks(connection: Connection, deck_id: str, ids: list[str]) -> dict[str, _Existing]:
    # No index leads with card_id, so "card_id IN (...)" read every card once per chunk
    # of ids; the GUID ids of the other decks come from one scan of the (deck_id,
    # card_id) index, and only the few ids found there are read in full.
    wanted = set(ids)
    others = select(CardRow.card_id).where(
        CardRow.deck_id != deck_id, CardRow.card_id.like(_GUID_ID_PREFIX + "%")
    )
    shared = [card_id for card_id in connection.scalars(others) if card_id in wanted]
    found: dict[str, _Existing] = {}
    for batch in chunks(shared):
        rows = connection.execute(
            select(
                CardRow.card_id,
                CardRow.deck_id,
                CardRow.pk,
                CardRow.content,
                CardRow.retired,
                CardRow.position,
            ).where(
                CardRow.card_id.in_(batch),
                CardRow.deck_id != deck_id,
                CardRow.retired.is_(False),
            )
        )
        for row in rows:
            found.setdefault(
                row.card_id, _Existing(row.pk, row.content, row.retired, row.position, row.deck_id)
            )
    return found


def _existing_cards(connection: Connection, deck_id: str) -> dict[str, _Existing]:
    rows = connection.execute(
        select(
            CardRow.card_id, CardRow.pk, CardRow.content, CardRow.retired, CardRow.position
        ).where(CardRow.deck_id == deck_id)
    )
    return {row.card_id: _Existing(row.pk, row.content, row.retired, row.position) for row in rows}


def _diff(
    session: Session, deck: Deck, source_path: str | None = None, traits: SourceTraits = NO_TRAITS
) -> _Diff:
    connection = session.connection()
    existing = _existing_cards(connection, deck.id)
    row = session.get(DeckRow, deck.id)
    deck_exists = row is not None
    contents = cards_to_content(deck.cards)
    new: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    restored: list[str] = []
    for index, (card, content) in enumerate(zip(deck.cards, contents, strict=True)):
        old = existing.get(card.id)
        if old is None:
            new.append(card.id)
            continue
        content = contents[index] = _as_stored(content, old.content, traits.two_sided)
        if old.retired:
            restored.append(card.id)
        elif old.content != content:
            updated.append(card.id)
        else:
            unchanged.append(card.id)
    in_deck = {card.id for card in deck.cards}
    retired = [
        card_id for card_id, old in existing.items() if not old.retired and card_id not in in_deck
    ]
    guid_ids = [card_id for card_id in new if card_id.startswith(_GUID_ID_PREFIX)]
    elsewhere = _in_other_decks(connection, deck.id, guid_ids) if guid_ids else {}
    elsewhere_updated: dict[str, list[str]] = {}
    elsewhere_unchanged = 0
    if elsewhere:
        new = [card_id for card_id in new if card_id not in elsewhere]
        for index, card in enumerate(deck.cards):
            other = elsewhere.get(card.id)
            if other is None:
                continue
            content = contents[index] = _keeping_tags(contents[index], other.content)
            if other.content != content:
                elsewhere_updated.setdefault(other.deck_id, []).append(card.id)
            else:
                elsewhere_unchanged += 1
    updated_ids = set(updated)
    retyped = {
        card.id: (str(old_type), str(content["type"]))
        for card, content in zip(deck.cards, contents, strict=True)
        if card.id in updated_ids
        and (old_type := existing[card.id].content.get("type")) != content["type"]
    }
    # A file without a title of its own (its name stands in) keeps the deck's.
    title = row.title if row is not None and "title" not in traits.deck_fields else deck.title
    plan = ImportPlan(
        deck.id,
        title,
        deck_exists,
        new,
        updated,
        unchanged,
        retired,
        restored,
        elsewhere_updated,
        elsewhere_unchanged,
        retyped=retyped,
    )
    other_file = _other_source(row, source_path, plan)
    if other_file is not None:
        plan = dataclasses.replace(plan, other_source=other_file)
    return _Diff(plan, existing, contents, elsewhere)


def into_its_deck(
    session: Session, deck: Deck, source_path: str | None, traits: SourceTraits
) -> Deck:
    """``deck`` with the id of the deck its file made before, when the file does not
    name its deck (a Markdown list, a CSV file or an Anki package gets an id made
    from its title or name) and a deck of the collection came from that file (the
    last one it made, if ``--deck`` made several). A list imported once with
    ``--deck theory`` and again from the import screen, where there is no
    ``--deck``, made a second deck of the same cards."""
    if traits.deck_id_given or not source_path:
        return deck
    made = session.scalar(
        select(DeckRow.id)
        .where(DeckRow.source_path == source_path)
        .order_by(DeckRow.imported_at.desc(), DeckRow.id)
        .limit(1)
    )
    if made is None or made == deck.id:
        return deck
    return deck.model_copy(update={"id": made})


def _other_source(row: DeckRow | None, source_path: str | None, plan: ImportPlan) -> str | None:
    """The deck's own file when ``source_path`` is another one that would retire more
    than half of its cards: most likely a different deck that got the same id (a
    Markdown and an Anki version of one chapter), not a new version of the file.
    A moved file with a few cards changed is not one."""
    if row is None or not row.source_path or not source_path or row.source_path == source_path:
        return None
    return row.source_path if 2 * len(plan.retired) > plan.active_before else None


def _refuse_other_source(plan: ImportPlan, source_path: str | None) -> None:
    """OtherSource when ``plan`` replaces a deck another file made (see _other_source)."""
    if plan.other_source is None:
        return
    raise OtherSource(
        f"deck {plan.deck_id!r} was imported from {plan.other_source}; {source_path} is "
        f"another file and would retire {len(plan.retired)} of its {plan.active_before} cards"
    )


def _as_stored(content: dict[str, Any], old: dict[str, Any], two_sided: bool) -> dict[str, Any]:
    """``content`` with what other formats cannot carry written as the card has it,
    so that a deck exported and imported again is unchanged:

    - a card read from a CSV file or an Anki package (``two_sided``) that is the
      stored card sent there unedited keeps its own type and fields
      (``exporters.sides``), with the file's tags. Only from those formats: in a
      YAML deck the same sides with fewer fields are the author's edit;
    - Anki packages and CSV cannot hold a space in a tag ("deep learning" leaves as
      "deep_learning"): such a tag keeps the card's spelling.
    """
    if content == old:
        return content
    if two_sided and content.get("type") in ("qa", "cloze"):
        content = _from_two_sides(content, old)
    tags, old_tags = content.get("tags"), old.get("tags")
    if tags and old_tags and tags != old_tags:
        spelled = {tag.replace(" ", "_"): tag for tag in old_tags if " " in tag}
        if spelled:
            content = {**content, "tags": [spelled.get(tag, tag) for tag in tags]}
    return content


def _from_two_sides(content: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """A card read from CSV or an Anki package, as the stored card it is a copy of
    (``exporters.sides``): unedited, the stored card; edited, the stored card with
    the edit in its own fields. The file's tags either way. A copy that no longer
    reads as its card's kind comes in as it reads."""
    try:
        stored = card_from_content(old)
    except ValidationError:
        return content  # stored by an older quizdl in a form it no longer reads
    tags = content.get("tags", [])
    if is_two_sided_copy(stored, content):
        return {**old, "tags": tags}
    edited = edited_from_sides(stored, content)
    return content if edited is None else {**card_to_content(edited), "tags": tags}


def _keeping_tags(content: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The note's text from the new source with the tags the card has where it is: the
    sub-deck tags come from where it sits in the other deck and stay true there."""
    tags = list(dict.fromkeys([*old.get("tags", []), *content.get("tags", [])]))
    return {**content, "tags": tags}


def _update_elsewhere(connection: Connection, deck: Deck, diff: _Diff) -> None:
    """Same Anki notes already in another deck: their text is updated where they are,
    keeping their place and history (Anki updates a note by GUID the same way)."""
    changed = [
        {
            "key": other.pk,
            "new_type": card.type,
            "new_position": other.position,
            "new_content": content,
            "new_search_text": search_text_of(content),
        }
        for card, content in zip(deck.cards, diff.contents, strict=True)
        if (other := diff.elsewhere.get(card.id)) is not None and other.content != content
    ]
    if changed:
        connection.execute(_UPDATE_CARD, changed)


def store_media(files: Mapping[str, bytes]) -> int:
    """Write an import's media files (content-addressed, so repeats cost nothing)."""
    from quizdl.media import store

    return store(files)


def plan_import(
    session: Session,
    deck: Deck,
    source_path: str | None = None,
    *,
    traits: SourceTraits = NO_TRAITS,
) -> ImportPlan:
    return _diff(session, deck, source_path, traits).plan


# Tens of thousands of new dicts and tuples, none in a cycle: without the pause the
# collector rescans the whole deck again and again (a fifth of a 10k-card import).
@gc_paused()
def apply_import(
    session: Session,
    deck: Deck,
    *,
    origin: str,
    source_path: str | None,
    content_hash: str | None,
    now: datetime,
    progress: Mapping[str, ImportedProgress] | None = None,
    replace: bool = True,
    traits: SourceTraits = NO_TRAITS,
) -> ImportPlan:
    """``replace=False`` refuses (OtherSource) a file that would replace most of a
    deck another file made; nothing is written then. ``traits``: what the file can
    say (``SourceTraits``): a deck's field it does not give keeps its stored value."""
    diff = _diff(session, deck, source_path, traits)
    if not replace:
        _refuse_other_source(diff.plan, source_path)
    connection = session.connection()
    _update_elsewhere(connection, deck, diff)
    row = session.get(DeckRow, deck.id)
    if row is None and len(diff.elsewhere) == len(deck.cards):
        return diff.plan  # every card is a note another deck holds: no empty deck is made
    # A new deck takes every field (a title made of the file's name included).
    given = traits.deck_fields if row is not None else DECK_FIELDS
    if row is None:
        row = DeckRow(id=deck.id)
        session.add(row)
    if "title" in given:
        row.title = deck.title
    if "description" in given:
        row.description = deck.description
    if "version" in given:
        row.version = str(deck.version)
    if "tags" in given:
        row.tags = list(deck.tags)
    row.origin = origin
    row.source_path = source_path
    row.content_hash = content_hash
    row.imported_at = now
    session.flush()

    # Bulk work goes through Core on the session's connection: the ORM's
    # per-object bookkeeping costs more than SQLite itself here.
    connection = session.connection()
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for position, (card, content) in enumerate(zip(deck.cards, diff.contents, strict=True)):
        old = diff.existing.get(card.id)
        if old is None and card.id in diff.elsewhere:
            continue
        if old is None:
            fresh.append(
                {
                    "deck_id": deck.id,
                    "card_id": card.id,
                    "type": card.type,
                    "position": position,
                    "content": content,
                    "search_text": search_text_of(content),
                    "retired": False,
                    "suspended": False,
                }
            )
        elif old.retired or old.content != content or old.position != position:
            changed.append(
                {
                    "key": old.pk,
                    "new_type": card.type,
                    "new_position": position,
                    "new_content": content,
                    "new_search_text": search_text_of(content),
                }
            )
    if changed:
        connection.execute(_UPDATE_CARD, changed)
    if fresh:
        insert_rows(connection, tables.cards, fresh)
        carried = {
            values["card_id"]: state
            for values in fresh
            if (state := (progress or {}).get(values["card_id"])) is not None
        }
        if carried:
            _insert_carried_states(connection, deck.id, carried)
        # Every other new card starts unseen: one INSERT ... SELECT makes their states in
        # the database, instead of a parameter row per card (and on PostgreSQL the
        # card_counts trigger runs once for it). Cards that have a state keep it.
        connection.execute(_NEW_STATES, {"deck": deck.id})
    for gone in chunks(diff.plan.retired):
        connection.execute(
            update(CardRow)
            .where(CardRow.deck_id == deck.id, CardRow.card_id.in_(gone))
            .values(retired=True)
        )
    return diff.plan
