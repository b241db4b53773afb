"""Decks, a fixed clock and helpers shared by the TUI tests."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from quizdl.study.service import StudyService

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

DECK = """\
id: test-deck
title: Test deck
version: 1
cards:
  - id: relu
    type: concept
    term: ReLU
    explanation: |
      max(0, x): passes positive values, zeroes the rest.
    formula: "ReLU(x) = max(0, x)"
  - id: backprop
    type: qa
    question: Why does training keep the activations?
    answer: The **backward pass** needs them to compute local gradients.
    key_points: [backward pass, local gradients, memory]
  - id: softmax-mcq
    type: mcq
    question: Which activation gives class probabilities?
    choices: [ReLU, Softmax, Tanh]
    answer: 1
    explanation: Softmax outputs non-negative values that sum to 1.
  - id: dense-cloze
    type: cloze
    text: "layers.Dense(10, activation={{softmax}}) has {{10}} units."
"""

CHALLENGE_DECK = """\
id: challenge-deck
title: Challenge deck
cards:
  - id: tiny-mlp
    type: challenge
    title: A tiny classifier
    prompt: |
      Build a model for 4 input features with one `Dense(3, activation="softmax")` layer.
    starter: |
      import keras
      from keras import layers


      def build_model():
          ...
    solution: |
      import keras
      from keras import layers


      def build_model():
          return keras.Sequential(
              [keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")]
          )
    expect:
      input: {shape: [4]}
      layers:
        - {type: Dense, units: 3, activation: softmax}
"""


def fixed_clock() -> datetime:
    return NOW


async def settle(pilot: Pilot[Any]) -> None:
    """Let thread workers finish and their results be drawn.

    Several rounds: a worker's result can start another worker, and a table
    filled from a thread settles its column widths on a later refresh (a
    snapshot taken one frame early differs on a busy machine).
    """
    for _ in range(5):
        # An exclusive worker replaced by a newer one (home reloading while it
        # loads) is cancelled: the newer one is waited for on the next round.
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def reviews_of(service: StudyService, card_id: str) -> list[Any]:
    return service.card_detail(service.find_card(card_id).pk).history
