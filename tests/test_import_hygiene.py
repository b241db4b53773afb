"""The review path must never load TensorFlow/Keras (seconds of start-up)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "quizdl",
        "quizdl.cli.main",
        "quizdl.study.service",
        "quizdl.study.session",
        "quizdl.scheduling.sm2",
        "quizdl.decks.loader",
        "quizdl.challenges.spec",
    ],
)
def test_module_does_not_import_tensorflow_or_keras(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_decks_and_scheduling_stay_headless() -> None:
    code = (
        "import sys, quizdl.decks.loader, quizdl.decks.model, quizdl.scheduling.sm2\n"
        "print(sorted(m for m in ('sqlalchemy', 'textual') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
