"""Kill -9 in the middle of a session loses no answered card."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers import FixedClock
from sqlalchemy import func, select

from quizdl.store.models import CardStateRow, ReviewRow
from quizdl.study.factory import open_study

LEARNER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from quizdl.study.factory import open_study
    from quizdl.study.session import ReviewSession

    service = open_study(database_url=sys.argv[1], bundled=[],
                         clock=lambda: datetime(2026, 11, 27, 9, tzinfo=UTC))
    session = ReviewSession(service)
    while not session.finished:
        card = session.current()
        session.answer(5, 1.0)
        print("answered", card.card_id, flush=True)  # only after answer() returned
        time.sleep(0.05)
    time.sleep(60)  # still "in the session" when the kill comes
    """
)


def test_kill_9_mid_session_keeps_every_answer(tmp_path: Path, small_deck: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    setup = open_study(database_url=url, clock=FixedClock(), bundled=[])
    setup.import_file(small_deck)
    setup.db.close()

    child = subprocess.Popen(
        [sys.executable, "-c", LEARNER, url], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    answered = [child.stdout.readline().split()[1] for _ in range(3)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()

    service = open_study(database_url=url, clock=FixedClock(), bundled=[])
    with service.db.read() as session:
        logged = session.scalar(select(func.count()).select_from(ReviewRow))
        scheduled = session.scalar(
            select(func.count()).select_from(CardStateRow).where(CardStateRow.due.is_not(None))
        )
    assert logged is not None and logged >= len(answered)
    assert scheduled == logged
    for card_id in answered:
        assert service.find_card(card_id).state.repetitions == 1
    service.db.close()


HAMMER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from quizdl.study.factory import open_study

    day = [datetime(2026, 11, 27, 9, tzinfo=UTC)]
    service = open_study(database_url=sys.argv[1], bundled=[], clock=lambda: day[0])
    print("ready", flush=True)
    grade = 0
    while True:  # answer as fast as possible: most of the time is inside a transaction
        for entry in service.queue():
            outcome = service.answer(entry.pk, grade % 6, 1.0)
            print("answered", outcome.review_id, flush=True)
            grade += 1
        day[0] += timedelta(days=1)
    """
)


def test_kill_9_at_random_points_inside_transactions(tmp_path: Path) -> None:
    import random

    from collection_invariants import check_collection

    cards = "".join(
        f"  - {{id: q{i}, type: qa, question: 'Question {i}?', answer: 'a{i}'}}\n"
        for i in range(40)
    )
    deck = tmp_path / "forty.yaml"
    deck.write_text(f"id: forty\ntitle: Forty\ncards:\n{cards}", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    setup = open_study(database_url=url, clock=FixedClock(), bundled=[])
    setup.import_file(deck)
    setup.db.close()
    chance = random.Random(9)  # fixed: the same kill points on every run
    for _ in range(6):
        child = subprocess.Popen(
            [sys.executable, "-c", HAMMER, url], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        confirmed = [int(child.stdout.readline().split()[1]) for _ in range(chance.randint(1, 30))]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        service = open_study(database_url=url, clock=FixedClock(), bundled=[])
        try:
            with service.db.read() as session:
                logged = set(session.scalars(select(ReviewRow.id)))
            assert set(confirmed) <= logged  # every answer reported done is there
            check_collection(service)  # and no half-written one is
        finally:
            service.db.close()
