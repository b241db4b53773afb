"""An Anki cloze answer with a pipe stays one literal answer in quizdl, where
an unescaped "|" would separate alternatives."""

from __future__ import annotations

from quizdl.decks.model import ClozeCard
from quizdl.importers.cloze import to_blanks
from quizdl.study.answer_check import check_cloze


def test_a_pipe_in_an_anki_answer_is_escaped_and_checked_literally() -> None:
    result = to_blanks("The L1 penalty is {{c1::λ·Σ|w|}}; {{c2::a|b}} is another card.", 1)
    card = ClozeCard(type="cloze", id="c", text=result.text)
    assert card.blank_answers == (("λ·Σ|w|",),)
    (right,) = check_cloze(card, ["λ·Σ|w|"]).results
    (partial,) = check_cloze(card, ["λ·Σ"]).results
    assert right.right and not partial.right
