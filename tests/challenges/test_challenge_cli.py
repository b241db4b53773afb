"""``quizdl challenge`` as a learner runs it: a real process, a temp QUIZDL_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

DECKS = Path(__file__).resolve().parents[2] / "decks"
CARDS = {
    card.id: card
    for name in ("deep-learning-guide.yaml", "deep-learning-interview.yaml")
    for card in load_deck(DECKS / name).cards
    if isinstance(card, ChallengeCard)
}


def quizdl(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUIZDL_HOME": str(home)}
    env.pop("QUIZDL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "quizdl.cli", "challenge", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def write(path: Path, code: str) -> Path:
    path.write_text(code, encoding="utf-8")
    return path


def test_list_shows_every_bundled_challenge(home: Path) -> None:
    result = quizdl(home, "list")
    assert result.returncode == 0, result.stderr
    for card_id, card in CARDS.items():
        assert card_id in result.stdout and card.title in result.stdout
    listed = json.loads(quizdl(home, "list", "--json").stdout)
    mlp = next(item for item in listed if item["id"] == "keras-mlp-mnist")
    assert mlp == {
        "id": "keras-mlp-mnist",
        "deck": "deep-learning-guide",
        "title": CARDS["keras-mlp-mnist"].title,
        "last_passed": None,
        "due": None,
    }


def test_show_prints_the_prompt_and_writes_the_starter_once(home: Path, tmp_path: Path) -> None:
    starter = tmp_path / "cnn.py"
    result = quizdl(home, "show", "keras-cnn-cifar10", "--starter", str(starter))
    assert result.returncode == 0, result.stderr
    assert "32×32 RGB images" in result.stdout
    assert starter.read_text(encoding="utf-8") == CARDS["keras-cnn-cifar10"].starter
    starter.write_text("# my work\n", encoding="utf-8")
    refused = quizdl(home, "show", "keras-cnn-cifar10", "--starter", str(starter))
    assert refused.returncode == 2
    assert "already exists; add --force" in refused.stderr
    assert starter.read_text(encoding="utf-8") == "# my work\n"
    forced = quizdl(home, "show", "keras-cnn-cifar10", "--starter", str(starter), "--force")
    assert forced.returncode == 0
    assert starter.read_text(encoding="utf-8") == CARDS["keras-cnn-cifar10"].starter


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "no-such-challenge"), "no-such-challenge"),
        (("check", "no-such-challenge", "model.py"), "no-such-challenge"),
        (("check", "keras-cnn-cifar10", "missing.py"), "missing.py: no such file"),
        (("give-up", "act-relu"), "not a challenge"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(
    home: Path, args: tuple[str, ...], message: str
) -> None:
    result = quizdl(home, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.keras
def test_fail_then_pass_grades_4(home: Path, tmp_path: Path) -> None:
    card = CARDS["keras-cnn-cifar10"]
    failed = quizdl(home, "check", card.id, str(write(tmp_path / "starter.py", card.starter)))
    assert failed.returncode == 1, failed.stderr
    assert "✗ layer 1: Conv2D" in failed.stdout
    assert "Not yet:" in failed.stdout
    passed = quizdl(home, "check", card.id, str(write(tmp_path / "solution.py", card.solution)))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "✓ layer 7: Dense(units=10, activation=softmax)" in passed.stdout
    assert "Graded 4: passed after earlier attempts." in passed.stdout
    listed = json.loads(quizdl(home, "list", "--json").stdout)
    entry = next(item for item in listed if item["id"] == card.id)
    assert entry["last_passed"] is True and entry["due"] is not None


@pytest.mark.keras
def test_first_try_pass_as_json_grades_5(home: Path, tmp_path: Path) -> None:
    card = CARDS["keras-transformer-block"]
    result = quizdl(
        home, "check", card.id, str(write(tmp_path / "block.py", card.solution)), "--json"
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert {"challenge", "passed", "checks", "model", "seconds"} <= set(verdict)
    assert verdict["challenge"] == card.id and verdict["passed"] is True
    assert verdict["grade"] == 5
    assert all(set(check) == {"rule", "passed", "message"} for check in verdict["checks"])
    assert verdict["model"]["layers"][0]["class_name"] == "MultiHeadAttention"


@pytest.mark.keras
def test_seeing_the_solution_grades_3(home: Path, tmp_path: Path) -> None:
    card = CARDS["keras-rnn-imdb"]
    shown = quizdl(home, "show", card.id, "--solution")
    assert shown.returncode == 0 and card.solution.strip() in shown.stdout
    result = quizdl(home, "check", card.id, str(write(tmp_path / "rnn.py", card.solution)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Graded 3: passed after seeing the solution." in result.stdout


@pytest.mark.keras
def test_broken_code_fails_with_the_line_and_no_traceback(home: Path, tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.py", "import keras\n\ndef build_model(:\n    pass\n")
    result = quizdl(home, "check", "keras-mlp-mnist", str(broken))
    assert result.returncode == 1
    assert "✗ model — syntax error at line 3" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_give_up_grades_1(home: Path) -> None:
    result = quizdl(home, "give-up", "keras-lstm-text")
    assert result.returncode == 0, result.stderr
    assert "graded 1" in result.stdout
    assert "--solution" in result.stdout
