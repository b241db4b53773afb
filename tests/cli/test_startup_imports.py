"""``quizdl stats`` and ``quizdl decks list`` load only what counting needs.

Every command pays its imports before printing anything: the deck parser
(pydantic, YAML), Alembic, the checker's spec and Textual took most of a
second before any query ran. Once the collection exists and is up to date,
these commands load none of them (and never TensorFlow or Keras). Nor do they
load SQLAlchemy's ORM (~80 ms of a ~320 ms command here): they read through
the Core tables.
Real processes on a temp QUIZDL_HOME.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FixedClock, run_quizdl, write_deck

from quizdl.study.factory import open_study

# Top-level packages a counting command must not load.
HEAVY = ("alembic", "pydantic", "yaml", "yaml_rs", "textual", "tensorflow", "keras")
# Our own modules it must not load: the deck models, the checker, the importers,
# the ORM classes.
OURS = (
    "quizdl.decks.model",
    "quizdl.decks.loader",
    "quizdl.challenges",
    "quizdl.importers",
    "quizdl.store.models",
)

REPORT = """
import contextlib, io, json, sys
sys.argv = ["quizdl", *sys.argv[1:]]
from quizdl.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    main()
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(home: Path, *args: str) -> list[str]:
    env = {**os.environ, "QUIZDL_HOME": str(home)}
    env.pop("QUIZDL_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", REPORT, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("command", [("stats",), ("decks", "list"), ("stats", "--json")])
def test_counting_commands_skip_the_parser_alembic_the_orm_and_keras(
    home: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # The first start creates the collection and imports the bundled decks
    # (that one needs the parser and the migrations); the learner's own deck too.
    assert run_quizdl(home, "import", str(write_deck(tmp_path))).returncode == 0
    loaded = loaded_modules(home, *command)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    heavy += sorted(m for m in loaded if m.startswith("sqlalchemy.orm"))
    ours = sorted(m for m in loaded if m.startswith(OURS))
    assert heavy == [] and ours == []


def test_a_changed_bundled_deck_is_still_synced_on_the_next_start(
    home: Path, tmp_path: Path
) -> None:
    """The start-up check hashes the bundled files without the parser; a file
    that changed must still reach the collection (then the parser loads)."""
    deck = write_deck(tmp_path)
    study = open_study(clock=FixedClock(), bundled=[deck])
    assert {d.id: d.total for d in study.deck_summaries()} == {"small": 4}
    study.db.close()
    deck.write_text(
        deck.read_text(encoding="utf-8")
        + "  - id: extra\n    type: concept\n    term: Extra\n    explanation: One more.\n",
        encoding="utf-8",
    )
    study = open_study(clock=FixedClock(), bundled=[deck])
    try:
        assert {d.id: d.total for d in study.deck_summaries()} == {"small": 5}
    finally:
        study.db.close()


# A learner's review session and an interview plan, through the study service in a
# process of its own: what the app does between launch and the last grade.
SESSION = """
import json, sys
from datetime import date, timedelta
from quizdl.study.factory import open_study
from quizdl.study.study_more import StudyMore

study = open_study()
first = study.queue()[0].pk
study.card(first)
study.grade_preview(first)
outcome = study.answer(first, 1, 4.0)
study.learning_due(first)
study.last_answer_today(first)
study.undo(outcome.review_id)
second = study.answer(first, 5, 3.0)
study.card_detail(first)
study.browse("relu")
study.set_suspended(first, True)
study.set_suspended(first, False)
study.study_more(StudyMore(new=2, ahead_days=3, failed=True))
study.set_plan(study.context.today() + timedelta(days=20))
plan = study.plan_status()
study.queue()
study.deck_summaries()
study.stats()
study.leech_count()
study.next_due_date()
study.clear_plan()
study.db.close()
print(json.dumps({"plan_cards": plan.overall.cards, "answered": second.review_id > 0,
                  "modules": sorted(sys.modules)}))
"""


def test_a_review_session_and_a_plan_never_load_the_orm(home: Path, tmp_path: Path) -> None:
    """The ORM is for writes of whole objects (imports, edits, challenge attempts):
    a review and a plan read and write through the Core tables, so launching the
    app does not pay its import (~80 ms here) before the first card."""
    assert run_quizdl(home, "import", str(write_deck(tmp_path))).returncode == 0
    env = {**os.environ, "QUIZDL_HOME": str(home)}
    env.pop("QUIZDL_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SESSION], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["plan_cards"] > 0 and report["answered"]
    loaded = report["modules"]
    assert [m for m in loaded if m.startswith(("sqlalchemy.orm", "quizdl.store.models"))] == []
