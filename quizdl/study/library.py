"""The learner's decks: bundled-deck sync, import, export, and the deck list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizdl.decks.content import card_from_content
from quizdl.decks.loader import parse_deck, read_text, text_digest
from quizdl.decks.model import Deck
from quizdl.store.models import CardRow, DeckRow
from quizdl.study import importing
from quizdl.study.card_rows import CARD_WITH_STATE, card_records
from quizdl.study.clock import to_utc_naive
from quizdl.study.context import StudyContext
from quizdl.study.errors import ImportRefused, UnknownDeck
from quizdl.study.values import NO_TRAITS, ImportedProgress, ImportPlan, SourceTraits


def _refuse_bundled_clash(session: Session, deck: Deck, origin: str) -> None:
    row = session.get(DeckRow, deck.id)
    if row is not None and row.origin == "bundled" and origin != "bundled":
        raise ImportRefused(
            f"deck id {deck.id!r} belongs to a bundled deck; give your deck another id"
        )


class LibraryService:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def sync_bundled(self, paths: Iterable[Path]) -> list[str]:
        """Import bundled decks whose file changed since the last start.

        Returns the ids of the decks that were (re)imported. Cheap when
        nothing changed: one hash per file and one query.
        """
        db = self.context.db
        with db.read() as session:
            known = dict(session.execute(select(DeckRow.id, DeckRow.content_hash)).all())
            hashes = set(known.values())
        synced: list[str] = []
        for path in paths:
            text = read_text(path)
            digest = text_digest(text)
            if digest in hashes:
                continue
            deck = parse_deck(text, str(path))
            with db.locked_session() as session:
                if session.scalar(select(DeckRow.id).where(DeckRow.content_hash == digest)):
                    continue  # another start imported this file while this one waited
                importing.apply_import(
                    session,
                    deck,
                    origin="bundled",
                    source_path=str(path),
                    content_hash=digest,
                    now=to_utc_naive(self.context.clock()),
                )
            synced.append(deck.id)
        return synced

    def plan_import(
        self,
        deck: Deck,
        *,
        origin: str = "imported",
        source_path: str | None = None,
        traits: SourceTraits | None = None,
    ) -> ImportPlan:
        """What importing ``deck`` would change (``source_path``: the file it comes
        from, to tell another file that shares the deck's id: ``other_source``;
        ``traits``: what the file can say, see ``SourceTraits``)."""
        traits = traits or NO_TRAITS
        with self.context.db.read() as session:
            deck = importing.into_its_deck(session, deck, source_path, traits)
            _refuse_bundled_clash(session, deck, origin)
            return importing.plan_import(session, deck, source_path, traits=traits)

    def import_deck(
        self,
        deck: Deck,
        *,
        source_path: str | None = None,
        content_hash: str | None = None,
        origin: str = "imported",
        progress: Mapping[str, ImportedProgress] | None = None,
        media: Mapping[str, bytes] | None = None,
        replace: bool = True,
        traits: SourceTraits | None = None,
    ) -> ImportPlan:
        """Apply a validated deck in one transaction; returns what changed.

        ``media`` (stored name -> bytes) is written to the media folder first, so a
        committed card never points at a file that is not there. ``replace=False``
        refuses (OtherSource) a file that would retire most of a deck another file
        made, as a command line import without --replace does."""
        if media:
            importing.store_media(media)
        traits = traits or NO_TRAITS
        with self.context.db.locked_session() as session:
            deck = importing.into_its_deck(session, deck, source_path, traits)
            _refuse_bundled_clash(session, deck, origin)
            return importing.apply_import(
                session,
                deck,
                origin=origin,
                source_path=source_path,
                content_hash=content_hash,
                now=to_utc_naive(self.context.clock()),
                progress=progress,
                replace=replace,
                traits=traits,
            )

    def import_file(self, path: Path) -> ImportPlan:
        """Validate and import a YAML deck file; DeckError when it is not valid."""
        text = read_text(path)
        deck = parse_deck(text, str(path))
        return self.import_deck(
            deck, source_path=str(path.resolve()), content_hash=text_digest(text)
        )

    def export_deck(self, deck_id: str) -> tuple[Deck, dict[str, ImportedProgress]]:
        """The deck as a Deck value (active cards, deck order) and each card's progress."""
        with self.context.db.read() as session:
            row = session.get(DeckRow, deck_id)
            if row is None:
                raise UnknownDeck(f"no deck with id {deck_id!r}")
            records = list(
                card_records(
                    session,
                    CARD_WITH_STATE.where(
                        CardRow.deck_id == deck_id, CardRow.retired.is_(False)
                    ).order_by(CardRow.position),
                )
            )
            cards = [card_from_content(record.content) for record in records]
            progress = {
                record.card_id: ImportedProgress(record.state, record.lapses, record.suspended)
                for record in records
            }
            version: int | str = int(row.version) if row.version.isdigit() else row.version
            deck = Deck(
                id=row.id,
                title=row.title,
                description=row.description,
                version=version,
                tags=tuple(row.tags),
                cards=tuple(cards),
            )
            return deck, progress
