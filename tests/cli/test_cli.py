"""The CLI as a user runs it: a real process, a temp QUIZDL_HOME."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import run_quizdl, write_deck

from quizdl.decks.loader import load_deck

run = run_quizdl


def test_import_then_list_and_stats_as_json(home: Path, small_deck: Path) -> None:
    result = run(home, "import", str(small_deck))
    assert result.returncode == 0, result.stderr
    assert "4 new" in result.stdout
    listing = json.loads(run(home, "decks", "list", "--json").stdout)
    small = next(d for d in listing if d["id"] == "small")
    assert small == {"id": "small", "title": "Small deck", "total": 4, "new": 4, "due": 0}
    stats = json.loads(run(home, "stats", "--json").stdout)
    assert stats["reviews_today"] == 0 and stats["streak"] == 0
    assert any(d["id"] == "small" and d["new"] == 4 for d in stats["decks"])


def test_bundled_decks_are_listed_on_a_fresh_home(home: Path) -> None:
    listing = json.loads(run(home, "decks", "list", "--json").stdout)
    assert "deep-learning-guide" in {d["id"] for d in listing}


def test_validate_prints_located_problems_and_exit_codes(home: Path, tmp_path: Path) -> None:
    good = write_deck(tmp_path)
    bad = write_deck(tmp_path, "id: x\ntitle: X\ncards:\n  - id: a\n    type: quiz\n", "bad.yaml")
    assert run(home, "decks", "validate", str(good)).returncode == 0
    result = run(home, "decks", "validate", str(good), str(bad))
    assert result.returncode == 1
    assert result.stdout.strip() == (
        f"{bad}:5:11: cards[0].type: expected one of concept, qa, mcq, cloze, challenge, got 'quiz'"
    )


def test_bad_import_is_refused_whole(home: Path, tmp_path: Path, small_deck: Path) -> None:
    text = small_deck.read_text(encoding="utf-8") + "  - id: relu\n    type: qa\n    question: Q\n"
    bad = write_deck(tmp_path, text, "dup.yaml")
    result = run(home, "import", str(bad))
    assert result.returncode == 2
    assert "duplicate card id 'relu'" in result.stderr
    assert "Traceback" not in result.stderr
    listing = json.loads(run(home, "decks", "list", "--json").stdout)
    assert "small" not in {d["id"] for d in listing}


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d / "missing.yaml",
        lambda d: d,
        lambda d: (d / "bin.yaml", (d / "bin.yaml").write_bytes(b"\x00\x01\x02"))[0],
        lambda d: (d / "u.yaml", (d / "u.yaml").write_bytes(b"id: \xc3\x28\n"))[0],
        lambda d: (d / "deep.yaml", (d / "deep.yaml").write_text("[" * 100000))[0],
    ],
    ids=["missing", "directory", "binary", "invalid-utf8", "deep-nesting"],
)
def test_hostile_files_get_one_line_and_exit_2(home: Path, tmp_path: Path, make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    result = run(home, "import", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr


def test_schema_is_json_schema_with_every_card_type(home: Path) -> None:
    schema = json.loads(run(home, "decks", "schema").stdout)
    assert schema["title"] == "quizdl deck"
    text = json.dumps(schema)
    for kind in ("concept", "qa", "mcq", "cloze", "challenge"):
        assert f'"const": "{kind}"' in text


def test_exported_schema_accepts_the_bundled_decks(home: Path) -> None:
    import jsonschema

    schema = json.loads(run(home, "decks", "schema").stdout)
    import yaml

    for path in sorted(Path(__file__).parents[2].joinpath("decks").glob("*.yaml")):
        load_deck(path)
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_plan_set_show_json_and_clear(home: Path, small_deck: Path) -> None:
    assert run(home, "import", str(small_deck)).returncode == 0
    shown = run(home, "plan")
    assert shown.returncode == 0 and "No interview plan" in shown.stdout
    assert json.loads(run(home, "plan", "--json").stdout) is None
    # The real clock: a date safely ahead of whatever day the test runs on.
    day = date.today() + timedelta(days=30)
    result = run(
        home, "plan", "--interview", day.isoformat(), "--deck", "small", "--minutes-per-day", "15"
    )
    assert result.returncode == 0, result.stderr
    assert "Ready: 0/4 cards" in result.stdout and "(small, 15 min a day)" in result.stdout
    status = json.loads(run(home, "plan", "--json").stdout)
    assert status["interview_day"] == day.isoformat() and status["decks"] == ["small"]
    assert status["cards"] == 4 and status["unseen"] == 4 and status["readiness"]["ready"] == 0
    assert {g["name"] for g in status["groups"]} >= {"deck:small"}
    cleared = run(home, "plan", "--clear")
    assert cleared.returncode == 0 and "Plan cleared." in cleared.stdout
    assert json.loads(run(home, "plan", "--json").stdout) is None


# An interview day the plan accepts whatever day the suite runs on.
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interview", "next week"], "--interview: expected a date as YYYY-MM-DD"),
        (["--interview", "2000-01-01"], "the interview day must be after today"),
        (["--interview", SOON, "--deck", "nope"], "no deck with id 'nope'"),
        (["--interview", SOON, "--minutes-per-day", "0"], "minutes per day must be more than 0"),
        (["--interview", SOON, "--minutes-per-day", "1e300"], "at most 1440, got 1e+300"),
        (["--interview", "9999-12-31"], "at most 3650 days away"),
        (["--clear", "--interview", SOON], "--clear cannot be combined"),
        (["--deck", "small"], "--deck and --minutes-per-day need --interview DATE"),
    ],
)
def test_plan_refuses_bad_input_in_one_line(home: Path, args: list[str], message: str) -> None:
    result = run(home, "plan", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(run(home, "plan", "--json").stdout) is None


def test_study_more_lists_the_chosen_cards_and_refuses_bad_options(
    home: Path, small_deck: Path
) -> None:
    assert run(home, "import", str(small_deck)).returncode == 0
    listed = run(home, "study", "--deck", "small", "--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [
        "small/relu",
        "small/dropout",
        "small/softmax-output",
        "small/pool",
    ]
    nothing = run(home, "study", "--failed", "--deck", "small", "--list")
    assert nothing.returncode == 0 and "Nothing to study" in nothing.stdout
    for args, message in [
        ([], "choose what to study"),
        (["--new", "-3"], "--new: expected 0 to 1000 cards"),
        (["--ahead", "3", "--deck", "nope"], "no deck with id 'nope'"),
        (["--ahead", "soon"], "Invalid value for '--ahead'"),
    ]:
        result = run(home, "study", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
