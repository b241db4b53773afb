"""Fixtures for the checker's tests that run real Keras.

Every bundled challenge's solution and starter is checked once per test run:
``bundled_verifications`` runs what ``quizdl challenge verify`` runs, and every
test that asks about a bundled solution or starter reads its verdict from
there. Those tests carry ``xdist_group(BUNDLED)`` (``keras_checks``), so
pytest-xdist sends them to one worker and the checks are not repeated on the
other.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from keras_checks import bundled_challenges

from quizdl.challenges.runner import Checker
from quizdl.challenges.verify import Verification, verify_challenges


@pytest.fixture(scope="session")
def bundled_verifications() -> Iterator[dict[str, Verification]]:
    """Each bundled challenge's verification, by card id."""
    challenges = bundled_challenges()
    with Checker() as checker:
        verifications = {
            verification.key.split("/", 1)[1]: verification
            for verification in verify_challenges(checker, challenges)
        }
    assert len(verifications) == len(challenges), "two bundled challenges share an id"
    yield verifications
