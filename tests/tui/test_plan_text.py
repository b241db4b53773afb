"""The plan's lines on screen: whole topics in the room there is, user text literal."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from quizdl.study.plans import Pacing, PlanInfo, PlanStatus, Readiness
from quizdl.tui.plan_text import plan_line, weakest_topics

from .hostile import HOSTILE_STRINGS


def status_with(names: list[str]) -> PlanStatus:
    groups = tuple(Readiness(name, 10, 0, 0.1 * i) for i, name in enumerate(names))
    return PlanStatus(
        plan=PlanInfo(date(2026, 12, 9), 20, 2, ()),
        today=date(2026, 11, 29),
        days_left=10,
        unseen=441,
        pacing=Pacing(56, 26, {}),
        overall=Readiness("all", 441, 0, 0.0),
        groups=groups,
    )


def test_a_first_topic_too_long_for_the_line_keeps_its_percentage() -> None:
    status = status_with(["deck:deep-learning-interview", "tag:rnn"])
    assert weakest_topics(status, 30) == "deck:deep-learning-intervi… 0%"
    assert weakest_topics(status, 60) == "deck:deep-learning-interview 0% · tag:rnn 10%"
    line = plan_line(status, 76)
    assert line.startswith("Interview in 10 days — [b]0/441[/b] ready · weakest: deck:deep")


@given(
    st.lists(st.text(min_size=1) | st.sampled_from(HOSTILE_STRINGS), max_size=5),
    st.integers(20, 200),
)
def test_topics_never_exceed_their_room(names: list[str], width: int) -> None:
    shown = weakest_topics(status_with(names), width)
    assert len(shown) <= width and "\n" not in shown
