"""How an interview plan reads on screen: home's line and readiness by topic.

Topic names are deck ids and the learner's own tags, so they are user text:
clipped to the room there is and escaped before they meet our markup.
"""

from __future__ import annotations

from quizdl.study.plans import PlanStatus
from quizdl.tui.text import markup_safe, one_line


def weakest_topics(status: PlanStatus, width: int, most: int = 8) -> str:
    """'deck:rnn 12% · tag:attention 40%', weakest first: the whole topics that
    fit in ``width`` characters (the first one's name clipped if even it does not)."""
    groups = status.groups[:most]
    shown = ""
    for group in groups:
        topic = f"{one_line(group.name)} {group.mean_recall:.0%}"
        longer = f"{shown} · {topic}" if shown else topic
        if len(longer) > width:
            break
        shown = longer
    if shown or not groups:
        return shown
    recall = f" {groups[0].mean_recall:.0%}"
    return one_line(groups[0].name, max(width - len(recall), 1)) + recall


def plan_line(status: PlanStatus, width: int) -> str:
    """'Interview in 9 days — 212/250 ready · weakest: tag:rnn 12% …' (markup)."""
    days = status.days_left
    when = "tomorrow" if days == 1 else f"in {days} days" if days > 1 else "today"
    if days < 0:
        when = f"{-days} days ago"
    ready = status.overall
    head = f"Interview {when} — {ready.ready}/{ready.cards} ready"
    line = f"Interview {when} — [b]{ready.ready}/{ready.cards}[/b] ready"
    # Room left on the line once the head and " · weakest: " are drawn.
    room = width - len(head) - len(" · weakest: ")
    if status.groups and room >= 12:
        line += " · weakest: " + markup_safe(weakest_topics(status, room, most=3))
    return line


def readiness_line(status: PlanStatus, width: int) -> str:
    """The stats screen's two lines: how ready, then the weakest topics (markup)."""
    overall = status.overall
    line = (
        f"Ready for the interview: [b]{overall.ready}/{overall.cards}[/b] cards · "
        f"expected recall on the day [b]{overall.mean_recall:.0%}[/b]"
    )
    if status.groups:
        topics = weakest_topics(status, width - len("weakest: "))
        line += "\n[dim]weakest:[/dim] " + markup_safe(topics)
    return line
