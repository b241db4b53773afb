"""Under FSRS the grade buttons say FSRS-6's day and the predicted recall on it."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Static

from quizdl.study.factory import open_study
from quizdl.study.settings import StudySettings
from quizdl.tui.app import make_app
from quizdl.tui.screens.review import ReviewScreen

from .support import fixed_clock, settle


async def test_grade_buttons_under_fsrs_show_its_days_and_the_recall_to_expect(
    tmp_path: Path, deck_path: Path
) -> None:
    study = open_study(
        database_url=f"sqlite:///{tmp_path}/fsrs.sqlite3",
        clock=fixed_clock,
        bundled=[],
        settings=StudySettings(scheduler="fsrs"),
    )
    study.import_file(deck_path)
    app = make_app(study)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, ReviewScreen)
            await pilot.press("space")  # a new card: reveal
            await settle(pilot)

            def cell(grade: int) -> str:
                return str(app.screen.query_one(f"#grade-{grade}", Static).render())

            # Below 4 a card still goes on its learning steps (minutes), as under SM-2.
            assert "1m" in cell(0) and "1m" in cell(3)
            days = []
            for grade in (3, 4, 5):
                text = cell(grade)
                assert re.search(r"recall 9\d%", text), text
                assert "ease" not in text
                if grade > 3:
                    found = re.search(r"(\d+)d", text)
                    assert found, text
                    days.append(int(found.group(1)))
            # FSRS-6 tells good from easy on a new card (SM-2 says 1d to both).
            assert days[0] < days[1]
    finally:
        study.db.close()
