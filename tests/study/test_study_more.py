"""Study more today: extra new cards, review ahead, today's failed cards, a tag or deck."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import FixedClock, write_deck
from sqlalchemy import select

from quizdl.store.models import ReviewRow
from quizdl.study.errors import StudyError, UnknownDeck
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.session import ReviewSession
from quizdl.study.settings import StudySettings
from quizdl.study.study_more import StudyMore


def deck_text(deck_id: str, count: int) -> str:
    cards = "".join(
        f"  - {{id: c{i}, type: qa, tags: [{'cnn' if i % 2 else 'rnn'}], "
        f"question: 'Q{i}?', answer: 'a{i}'}}\n"
        for i in range(count)
    )
    return f"id: {deck_id}\ntitle: {deck_id.title()}\ncards:\n{cards}"


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(clock=clock, bundled=[], settings=StudySettings(new_cards_per_day=2))
    service.import_file(write_deck(tmp_path, deck_text("alpha", 8), "alpha.yaml"))
    service.import_file(write_deck(tmp_path, deck_text("beta", 4), "beta.yaml"))
    yield service
    service.db.close()


def card_ids(service: StudyService, more: StudyMore) -> list[str]:
    return [
        f"{c.deck_id}/{c.card_id}"
        for c in map(service.card, (e.pk for e in service.study_more(more)))
    ]


def test_extra_new_cards_come_after_todays_in_deck_order(study: StudyService) -> None:
    # Today's queue holds alpha c0, c1 and beta c0, c1 (2 new a deck).
    assert card_ids(study, StudyMore(new=3)) == ["alpha/c2", "alpha/c3", "alpha/c4"]
    assert card_ids(study, StudyMore(new=2, deck_id="beta")) == ["beta/c2", "beta/c3"]
    assert card_ids(study, StudyMore(new=9, tag="cnn", deck_id="alpha")) == [
        "alpha/c3",
        "alpha/c5",
        "alpha/c7",
    ]


def test_review_ahead_moves_sm2_from_today(study: StudyService, clock: FixedClock) -> None:
    first, second = (study.find_card(f"c{i}", "alpha").pk for i in (0, 1))
    study.answer(first, 5)  # due in 1 day
    clock.advance(days=1)
    study.answer(first, 5)  # due in 6 days: 2026-12-04
    study.answer(second, 5)  # due 2026-11-29
    assert card_ids(study, StudyMore(ahead_days=1)) == ["alpha/c1"]
    assert card_ids(study, StudyMore(ahead_days=7)) == ["alpha/c1", "alpha/c0"]
    clock.advance(days=1)  # 2026-11-29: second is due, first is 5 days ahead
    session = ReviewSession(study, entries=study.study_more(StudyMore(ahead_days=5)))
    assert session.counts().review == 1
    outcome = session.answer(4)
    # Reviewed early: its next interval counts from today, as an on-time review would.
    assert outcome.before.due == date(2026, 12, 4) and not outcome.redrill
    # ceil(6 × 2.7) = 17 days from 2026-11-29, not from the due day (2026-12-04).
    assert outcome.after.interval == 17 and outcome.after.due == date(2026, 12, 16)
    assert session.finished


def test_failed_today_come_again_without_moving_the_schedule(study: StudyService) -> None:
    failed = study.find_card("c0", "alpha").pk
    passed = study.find_card("c1", "alpha").pk
    first = study.answer(failed, 1)
    study.answer(passed, 5)
    assert card_ids(study, StudyMore(failed=True)) == ["alpha/c0"]
    session = ReviewSession(study, entries=study.study_more(StudyMore(failed=True)))
    again = session.answer(5)
    assert again.redrill and again.after == first.after  # SM-2 rule 7
    with study.db.read() as db:
        kinds = db.scalars(
            select(ReviewRow.kind).where(ReviewRow.card_pk == failed).order_by(ReviewRow.id)
        ).all()
    assert kinds == ["scheduled", "redrill"]


def test_a_tag_or_deck_alone_narrows_todays_queue(study: StudyService) -> None:
    assert card_ids(study, StudyMore(tag="cnn")) == ["alpha/c1", "beta/c1"]
    assert card_ids(study, StudyMore(deck_id="beta")) == ["beta/c0", "beta/c1"]
    assert card_ids(study, StudyMore(tag="nope")) == []


def test_bad_options_are_refused(study: StudyService) -> None:
    with pytest.raises(UnknownDeck, match="no deck with id 'gamma'"):
        study.study_more(StudyMore(new=1, deck_id="gamma"))
    with pytest.raises(StudyError, match="--new: expected 0 to 1000 cards"):
        StudyMore(new=-1)
    with pytest.raises(StudyError, match="--ahead: expected 0 to 365 days"):
        StudyMore(ahead_days=400)


def test_a_random_sample_draws_seen_cards_not_due_today(
    study: StudyService, clock: FixedClock
) -> None:
    seen = [study.find_card(f"c{i}", "alpha").pk for i in range(6)]
    for pk in seen:
        study.answer(pk, 5)  # due tomorrow
    clock.advance(days=1)
    for pk in seen[:4]:
        study.answer(pk, 5)  # due in 6 days; c4 and c5 are due today
    sample = study.study_more(StudyMore(sample=3, seed=11))
    assert len(sample) == 3 and all(e.more == "sample" and e.kind == "review" for e in sample)
    assert {e.pk for e in sample} <= set(seen[:4])
    # The same seed draws the same cards; asking for more than there are gives them all.
    assert study.study_more(StudyMore(sample=3, seed=11)) == sample
    assert {e.pk for e in study.study_more(StudyMore(sample=50, seed=1))} == set(seen[:4])
    assert card_ids(study, StudyMore(sample=50, tag="cnn", seed=1)) == ["alpha/c1", "alpha/c3"]
    with pytest.raises(StudyError, match="--sample: expected 0 to 1000 cards"):
        StudyMore(sample=1001)


def test_each_option_names_itself_on_its_cards(study: StudyService, clock: FixedClock) -> None:
    failed = study.find_card("c0", "alpha").pk
    study.answer(failed, 1)
    ahead = study.find_card("c1", "alpha").pk
    study.answer(ahead, 5)
    more = study.study_more(StudyMore(failed=True, ahead_days=3, new=1))
    assert [(e.pk, e.more) for e in more][:2] == [(failed, "failed"), (ahead, "ahead")]
    assert more[2].more == "new" and more[2].kind == "new"
    assert {e.more for e in study.study_more(StudyMore(tag="cnn"))} == {"tag"}
    assert {e.more for e in study.study_more(StudyMore(deck_id="beta"))} == {"deck"}


def test_every_answer_is_logged_with_its_study_more_option(
    study: StudyService, clock: FixedClock
) -> None:
    failed = study.find_card("c0", "alpha").pk
    study.answer(failed, 1)  # today's queue: no option
    session = ReviewSession(study, entries=study.study_more(StudyMore(failed=True, new=1)))
    session.answer(2)  # failed again: a same-day repeat, back on its steps
    session.answer(5)  # the extra new card
    clock.advance(hours=0.5)
    session.answer(5)  # the failed card's step repeat, still chosen by --failed
    tagged = ReviewSession(study, entries=study.study_more(StudyMore(tag="cnn")))
    tagged.answer(5)
    with study.db.read() as db:
        logged = db.execute(
            select(ReviewRow.card_pk, ReviewRow.kind, ReviewRow.study_more).order_by(ReviewRow.id)
        ).all()
    new_card = study.find_card("c2", "alpha").pk
    # Alpha's 2 new cards today are used (c0, and c2 by --new): beta's c1 is first.
    tagged_card = study.find_card("c1", "beta").pk
    assert [tuple(row) for row in logged] == [
        (failed, "scheduled", None),
        (failed, "redrill", "failed"),
        (new_card, "scheduled", "new"),
        (failed, "redrill", "failed"),
        (tagged_card, "scheduled", "tag"),
    ]
