"""Kept FSRS memories always equal a replay of every card's whole log.

A plan reads each seen card's memory from ``card_memories`` when the card's
log has not changed since, and replays only the rest. A kept memory that
outlived a change of its log would quietly misplace the card in the plan
and misstate readiness, so the tests drive the real answer and undo paths in
random orders (Hypothesis) and compare every read with a full replay.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from generated_log import deck_text
from helpers import FixedClock, collection_url, write_deck
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy import func, select

from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS
from quizdl.scheduling.readiness import Memory, memories
from quizdl.store import tables
from quizdl.store.models import CardRow
from quizdl.study import card_memory
from quizdl.study.card_memory import card_memories
from quizdl.study.factory import open_study
from quizdl.study.review_logs import day_logs
from quizdl.study.service import StudyService

# A learner who forgets faster than FSRS' defaults: another set of parameters,
# as a refit would bring.
FORGETFUL = (*(w / 4 for w in DEFAULT_PARAMETERS[:4]), *DEFAULT_PARAMETERS[4:])
CARDS = 6


def _replayed(service: StudyService, parameters: tuple[float, ...]) -> dict[int, Memory]:
    with service.db.read() as session:
        return memories(day_logs(session.connection()), parameters)


def _kept(
    service: StudyService, parameters: tuple[float, ...], keep: bool = True
) -> dict[int, Memory]:
    with service.db.read() as session:
        pks = set(session.scalars(select(CardRow.pk)))
        return card_memories(session, pks, parameters, service.db if keep else None)


def _same(kept: dict[int, Memory], replayed: dict[int, Memory]) -> None:
    assert kept.keys() == replayed.keys()
    for pk, memory in replayed.items():
        assert kept[pk].last_day == memory.last_day, pk
        assert kept[pk].stability == pytest.approx(memory.stability, rel=1e-9), pk


class KeptMemories(RuleBasedStateMachine):
    """Answers, undos, days passing and reads under two sets of parameters."""

    @initialize()
    def open_collection(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        folder = Path(self.directory.name)
        self.clock = FixedClock()
        self.service = open_study(
            database_url=collection_url(folder, "memory"), clock=self.clock, bundled=[]
        )
        self.service.import_file(write_deck(folder, deck_text(CARDS), "deck.yaml"))
        self.pks = sorted(self.service.card_pks([f"c{i}" for i in range(CARDS)]).values())
        self.answered: list[int] = []  # review ids, newest last

    @rule(card=st.integers(0, CARDS - 1), grade=st.integers(0, 5))
    def answer(self, card: int, grade: int) -> None:
        self.answered.append(self.service.answer(self.pks[card], grade).review_id)

    @precondition(lambda self: bool(self.answered))
    @rule()
    def undo(self) -> None:
        self.service.undo(self.answered.pop())

    @rule(days=st.integers(1, 30), hours=st.sampled_from([0, 5]))
    def later(self, days: int, hours: int) -> None:
        self.clock.advance(days=days, hours=hours)

    @rule(forgetful=st.booleans(), keep=st.booleans())
    def read(self, forgetful: bool, keep: bool) -> None:
        parameters = FORGETFUL if forgetful else DEFAULT_PARAMETERS
        _same(_kept(self.service, parameters, keep), _replayed(self.service, parameters))

    def teardown(self) -> None:
        if hasattr(self, "service"):
            self.service.db.close()
            self.directory.cleanup()


KeptMemories.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_kept_memories_equal_a_full_replay = KeptMemories.TestCase


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(database_url=collection_url(tmp_path, "memory"), clock=clock, bundled=[])
    service.import_file(write_deck(tmp_path, deck_text(CARDS), "deck.yaml"))
    yield service
    service.db.close()


def _kept_rows(service: StudyService) -> int:
    with service.db.read() as session:
        return session.scalar(select(func.count()).select_from(tables.card_memories)) or 0


def test_a_read_keeps_what_it_replayed_and_the_next_replays_only_what_changed(
    study: StudyService, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    pks = sorted(study.card_pks([f"c{i}" for i in range(CARDS)]).values())
    for pk in pks:
        study.answer(pk, 4)
    clock.advance(days=3)
    _same(_kept(study, DEFAULT_PARAMETERS), _replayed(study, DEFAULT_PARAMETERS))
    assert _kept_rows(study) == CARDS
    study.answer(pks[0], 2)
    replayed: list[set[Any]] = []
    real = card_memory.memories

    def counting(logs: dict[int, Any], parameters: tuple[float, ...]) -> dict[int, Memory]:
        replayed.append(set(logs))
        return real(logs, parameters)

    monkeypatch.setattr(card_memory, "memories", counting)
    _same(_kept(study, DEFAULT_PARAMETERS), _replayed(study, DEFAULT_PARAMETERS))
    assert replayed == [{pks[0]}]
    _kept(study, DEFAULT_PARAMETERS)
    assert replayed == [{pks[0]}]  # nothing changed: nothing replayed
    _kept(study, FORGETFUL)  # other parameters: everything again
    assert replayed[-1] == set(pks)


def test_an_undo_during_a_read_keeps_nothing_that_read_replayed(
    study: StudyService, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The read replays the card's log with its newest answer; before the read
    # stores that memory, the answer is undone and the card answered again
    # (the new answer may take the undone one's id). What the read replayed
    # must not be kept.
    pks = sorted(study.card_pks([f"c{i}" for i in range(CARDS)]).values())
    study.answer(pks[0], 4)
    clock.advance(days=2)
    newest = study.answer(pks[0], 5).review_id
    real = card_memory.memories

    def undo_meanwhile(logs: dict[int, Any], parameters: tuple[float, ...]) -> dict[int, Memory]:
        found = real(logs, parameters)
        study.undo(newest)
        study.answer(pks[0], 1)
        return found

    monkeypatch.setattr(card_memory, "memories", undo_meanwhile)
    _kept(study, DEFAULT_PARAMETERS)
    monkeypatch.setattr(card_memory, "memories", real)
    _same(_kept(study, DEFAULT_PARAMETERS), _replayed(study, DEFAULT_PARAMETERS))


@pytest.mark.skipif(
    bool(os.environ.get("QUIZDL_TEST_POSTGRES")), reason="a read-only collection is an SQLite file"
)
def test_a_read_only_collection_replays_without_keeping(
    study: StudyService, clock: FixedClock, tmp_path: Path
) -> None:
    pks = sorted(study.card_pks([f"c{i}" for i in range(CARDS)]).values())
    study.answer(pks[1], 3)
    path = study.db.path
    assert path is not None
    reader = open_study(
        database_url=f"sqlite:///{path}", clock=clock, bundled=[], read_only="another app has it"
    )
    try:
        found = _kept(reader, DEFAULT_PARAMETERS)
        assert set(found) == {pks[1]} and found[pks[1]].last_day == date(2026, 11, 27)
    finally:
        reader.db.close()
    assert _kept_rows(study) == 0
