"""``quizdl challenge verify``: bundled challenges are sound; a broken one is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizdl.challenges.lint import spec_problems
from quizdl.challenges.spec import ChallengeSpec
from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

DECKS = Path(__file__).resolve().parents[2] / "decks"


def verify(home: Path, *paths: Path, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUIZDL_HOME": str(home)}
    env.pop("QUIZDL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "quizdl.cli", "challenge", "verify", *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.mark.keras
def test_every_bundled_challenge_verifies(home: Path) -> None:
    decks = sorted(DECKS.glob("*.yaml"))
    count = sum(isinstance(card, ChallengeCard) for path in decks for card in load_deck(path).cards)
    result = verify(home, *decks)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{count} of {count} challenges verified." in result.stdout
    assert "✗" not in result.stdout


BROKEN = """\
id: broken
title: Broken challenges
cards:
  - id: starter-passes
    type: challenge
    title: The starter is already the answer
    prompt: Build it.
    starter: |
      import keras
      model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    solution: |
      import keras
      model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    expect:
      input: {shape: [4]}
      output: {shape: [3]}
      layers: [{type: Dense, units: 2}]
"""


@pytest.mark.keras
def test_a_broken_challenge_is_named_with_every_reason(home: Path, tmp_path: Path) -> None:
    deck = tmp_path / "broken.yaml"
    deck.write_text(BROKEN, encoding="utf-8")
    result = verify(home, deck, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "✗ broken/starter-passes" in result.stdout
    assert "spec: output.shape (3,) ends in 3, but the last layer asked for is Dense(units=2)" in (
        result.stdout
    )
    assert "the solution fails" in result.stdout
    assert "0 of 1 challenges verified." in result.stdout


def test_a_deck_that_does_not_load_is_one_line_and_exit_2(home: Path, tmp_path: Path) -> None:
    deck = tmp_path / "bad.yaml"
    deck.write_text("id: [unclosed\n", encoding="utf-8")
    result = verify(home, deck, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) >= 1


def test_spec_lint_finds_contradictions_without_keras() -> None:
    spec = ChallengeSpec.model_validate(
        {
            "input": {"shape": [4]},
            "output": {"shape": [10]},
            "layers": [
                {"type": "Dense", "units": 8, "return_sequences": True},
                {"type": "Dense", "units": 5},
                {"type": "Dropout", "rate": 0.1},
            ],
            "compile": {"metrics": ["accuracy"], "first_metric": "auc"},
        }
    )
    assert spec_problems(spec) == [
        "output.shape (10,) ends in 10, but the last layer asked for is Dense(units=5)",
        "layers[1]: Dense has no return_sequences",
        "compile.first_metric 'auc' is not among compile.metrics",
    ]
    assert "tensorflow" not in sys.modules


def test_decks_validate_warns_about_a_contradicting_spec(home: Path, tmp_path: Path) -> None:
    deck = tmp_path / "broken.yaml"
    deck.write_text(BROKEN, encoding="utf-8")
    env = {**os.environ, "QUIZDL_HOME": str(home)}
    result = subprocess.run(
        [sys.executable, "-m", "quizdl.cli", "decks", "validate", str(deck)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0  # a warning, not an invalid deck
    assert (
        "warning: starter-passes: expect: output.shape (3,) ends in 3, but the last layer "
        "asked for is Dense(units=2)"
    ) in result.stderr
    assert "tensorflow" not in result.stderr.lower()
