"""``quizdl challenge verify``: bundled challenges are sound; a broken one is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from keras_checks import BUNDLED, bundled_challenges

from quizdl.challenges.lint import spec_problems
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verify import Verification


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
@pytest.mark.xdist_group(BUNDLED)
def test_every_bundled_challenge_verifies(
    bundled_verifications: dict[str, Verification],
) -> None:
    # What `quizdl challenge verify decks/*.yaml` finds (the same function,
    # checked once per run; the command's output is tested on small decks below).
    assert len(bundled_verifications) == len(bundled_challenges()) >= 25
    problems = {
        card_id: verification.problems
        for card_id, verification in bundled_verifications.items()
        if verification.problems
    }
    assert problems == {}


SOUND = """\
id: sound
title: A sound challenge
cards:
  - id: two-outputs
    type: challenge
    title: Two outputs
    prompt: Build it.
    starter: |
      import keras
      model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    solution: |
      import keras
      model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    expect:
      input: {shape: [4]}
      output: {shape: [2]}
      layers: [{type: Dense, units: 2}]
"""


@pytest.mark.keras
def test_a_sound_deck_verifies_with_exit_0(home: Path, tmp_path: Path) -> None:
    deck = tmp_path / "sound.yaml"
    deck.write_text(SOUND, encoding="utf-8")
    result = verify(home, deck, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ sound/two-outputs — solution passes (" in result.stdout
    assert "starter fails 2 rules" in result.stdout
    assert "1 of 1 challenges verified." in result.stdout
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
