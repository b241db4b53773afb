"""Hostile and broken learner code: always a failed verdict with a plain message.

Never a hang, never a crash of quizdl, and the child's whole process group is
reaped. Real TensorFlow in real child processes; cases run two at a time
through one shared checker.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from quizdl.challenges.runner import IDLE_DESCRIBERS, OUTPUT_LIMIT, SPARES, Checker
from quizdl.challenges.sandbox import descendants
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Verdict

# One pytest-xdist group: the module's cases are checked on one worker only.
pytestmark = [pytest.mark.keras, pytest.mark.xdist_group("keras-hostile")]

SPEC = ChallengeSpec.model_validate(
    {"input": {"shape": [4]}, "layers": [{"type": "Dense", "units": 2}]}
)
VALID = """
import keras

def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
"""
SMALL_MEMORY = 512 << 20


@dataclass(frozen=True)
class Hostile:
    name: str
    code: str
    message: str | None  # a fragment of the failure message; None: the check passes
    options: dict[str, Any] = field(default_factory=dict)


CASES = [
    Hostile(
        "endless loop",
        "while True:\n    pass\n",
        "did not finish within 3 seconds",
        {"timeout": 3.0},
    ),
    Hostile(
        "sleeps forever in build_model",
        "import time\n\ndef build_model():\n    time.sleep(10_000)\n",
        "did not finish within 3 seconds",
        {"timeout": 3.0},
    ),
    Hostile(
        "string memory bomb",
        'blob = b"x" * (3 << 30)\n',
        "running your module ran out of memory (MemoryError) — the limit is 512 MiB",
        {"memory_bytes": SMALL_MEMORY},
    ),
    Hostile(
        "allocation beyond the default limit",
        'blob = b"x" * (6 << 30)\n',
        "running your module ran out of memory (MemoryError) — the limit is 4 GiB",
    ),
    Hostile(
        "numpy memory bomb",
        "import numpy as np\n\ndef build_model():\n    return np.ones((1 << 31,))\n",
        "build_model() ran out of memory",
        {"memory_bytes": SMALL_MEMORY},
    ),
    Hostile(
        "growing list",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(1 << 24))\n",
        "ran out of memory",
        {"memory_bytes": SMALL_MEMORY},
    ),
    Hostile(
        "sys.exit in build_model",
        "import sys\n\ndef build_model():\n    sys.exit(0)\n",
        "build_model() called sys.exit(0); a checked module must not exit",
    ),
    Hostile("exit() at import", "exit()\n", "running your module called sys.exit(None)"),
    Hostile("os._exit", "import os\nos._exit(7)\n", "ended the process (exit code 7)"),
    Hostile(
        "segfault",
        "import ctypes\nctypes.string_at(0)\n",
        "crashed the Python process with a segmentation fault (SIGSEGV)",
    ),
    Hostile(
        "kills itself",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "being killed (SIGKILL)",
    ),
    Hostile(
        "returns None",
        "def build_model():\n    x = 1\n",
        "build_model() returned None — did you forget `return model`?",
    ),
    Hostile(
        "returns a layer",
        "import keras\n\ndef build_model():\n    return keras.layers.Dense(2)\n",
        "build_model() returned a Dense layer, not a model — wrap your layers in "
        "keras.Sequential([...]) or keras.Model(inputs, outputs)",
    ),
    Hostile(
        "returns text",
        'def build_model():\n    return "model"\n',
        "build_model() returned a str, not a Keras model",
    ),
    Hostile(
        "module-level model is a number",
        "model = 42\n",
        "the module-level `model` is an int, not a Keras model",
    ),
    Hostile(
        "defines nothing",
        "x = 1\n",
        "your file defines neither build_model() nor a module-level `model`",
    ),
    Hostile(
        "syntax error",
        "import keras\n\ndef build_model(:\n    pass\n",
        "syntax error at line 3: invalid syntax: def build_model(:",
    ),
    Hostile(
        "raises in build_model",
        "import keras\n\ndef build_model():\n    return 1 / 0\n",
        "build_model() raised ZeroDivisionError: division by zero (line 4 of solution.py)",
    ),
    Hostile(
        "name error at import",
        "import keras\nmodle = keras.Sequential()\nmodel = modle2\n",
        "running your module raised NameError: name 'modle2' is not defined",
    ),
    Hostile("reads stdin", "answer = input()\n", "EOFError"),
    Hostile(
        "endless recursion", "def build_model():\n    return build_model()\n", "RecursionError"
    ),
    Hostile(
        "model rejects the declared input",
        """
import keras

class Broken(keras.Model):
    def call(self, x):
        raise ValueError("not today")

model = Broken()
""",
        "building it for the challenge's input shape (None, 4) failed",
    ),
    Hostile(
        "floods stdout and stderr, then builds a model",
        """
import sys
for i in range(200_000):
    print("spam", i)
    if i % 10 == 0:
        sys.stderr.write(f"eggs {i}\\n")
"""
        + VALID,
        None,
    ),
    Hostile(
        "leaves a thread running",
        """
import threading, time

def spin():
    while True:
        time.sleep(0.01)

threading.Thread(target=spin).start()
"""
        + VALID,
        None,
    ),
    Hostile(
        "writes in its working directory",
        """
import os
print("cwd", os.getcwd())
with open("scratch.txt", "w") as handle:
    handle.write("hello")
"""
        + VALID,
        None,
    ),
    Hostile(
        "starts a grandchild process",
        """
import subprocess
child = subprocess.Popen(["sleep", "600"])
print("grandchild", child.pid)
"""
        + VALID,
        None,
    ),
]


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    with Checker() as shared:
        yield shared


@pytest.fixture(scope="module")
def verdicts(checker: Checker) -> dict[str, Verdict]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            case.name: pool.submit(checker.check, SPEC, case.code, **case.options) for case in CASES
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_code_gets_a_plain_verdict(case: Hostile, verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts[case.name]
    report = "\n".join([*verdict.lines(), verdict.stderr[-1500:]])
    if case.message is None:
        assert verdict.passed, report
        return
    assert not verdict.passed
    assert len(verdict.checks) == 1, report
    assert case.message in verdict.checks[0].message, report


def test_timeouts_are_enforced_promptly(verdicts: dict[str, Verdict]) -> None:
    # Three seconds of the learner's time plus, at worst, a cold start: two
    # children (builder and describer) import TensorFlow at once, and on a
    # busy two-core machine that alone has taken over 20 s.
    assert verdicts["endless loop"].seconds < 45


def test_output_keeps_only_the_last_64_kib(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["floods stdout and stderr, then builds a model"]
    assert len(verdict.stdout.encode()) <= OUTPUT_LIMIT
    assert verdict.stdout.endswith("spam 199999\n")
    assert verdict.stderr.rstrip().endswith("eggs 199990")
    assert "ready" not in verdict.stdout


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie is dead, waiting for init to reap it


def test_the_working_directory_is_fresh_and_removed(verdicts: dict[str, Verdict]) -> None:
    printed = re.search(r"cwd (\S+)", verdicts["writes in its working directory"].stdout)
    assert printed is not None
    workdir = Path(printed.group(1))
    assert workdir.name.startswith("quizdl-check-")
    assert Path.cwd() != workdir
    assert not workdir.exists()


def test_grandchildren_are_killed_with_the_child(verdicts: dict[str, Verdict]) -> None:
    printed = re.search(r"grandchild (\d+)", verdicts["starts a grandchild process"].stdout)
    assert printed is not None
    pid = int(printed.group(1))
    deadline = time.monotonic() + 5
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)


def test_a_warm_check_is_fast_and_close_reaps_the_spare(
    checker: Checker, verdicts: dict[str, Verdict]
) -> None:
    assert checker.wait_until_warm()
    started = time.monotonic()
    verdict = checker.check(SPEC, VALID)
    assert verdict.passed
    assert time.monotonic() - started < 2.0  # the benchmark holds the real 0.5 s budget
    assert checker.wait_until_warm()
    spares = checker.spare_pids
    # A spare builder, and the idle describers (one per check that ran at once).
    assert SPARES + 1 <= len(spares) <= SPARES + IDLE_DESCRIBERS
    assert all(_running(pid) for pid in spares)
    closing = time.monotonic()
    checker.close()
    # Quitting the app waits for this: the idle spares end at once.
    assert time.monotonic() - closing < 3.0
    assert checker.spare_pids == ()
    assert not any(_running(pid) for pid in spares)


def test_builders_serve_once_and_the_describer_serves_every_check() -> None:
    with Checker() as fresh:
        assert fresh.wait_until_warm()
        builder, describer = fresh.spare_pids
        verdict = fresh.check(SPEC, "def build_model(:\n")
        assert not verdict.passed
        # The builder ran the code and is gone; the describer never got a request.
        assert describer in fresh.spare_pids
        assert not _running(builder)
        builders = set()
        models = []
        for _ in range(2):
            assert fresh.wait_until_warm()
            builders.add(fresh.spare_pids[0])
            verdict = fresh.check(SPEC, VALID)
            assert verdict.passed and verdict.described_by == "checker"
            models.append(verdict.model)
        # Each check had a builder of its own, now gone; one describer (which
        # never runs the learner's code) described both, and kept nothing of
        # the first model: the second description is the same.
        assert len(builders) == 2 and not any(_running(pid) for pid in builders)
        assert fresh.spare_pids[-1] == describer and _running(describer)
        assert models[0] == models[1]
        # A describer that dies between checks costs the next check nothing: a
        # fresh one describes the model, and the dead one is not kept.
        for pid in descendants(describer):
            os.kill(pid, signal.SIGKILL)
        verdict = fresh.check(SPEC, VALID)
        assert verdict.passed and verdict.described_by == "checker", verdict.lines()
        assert verdict.model == models[0]
        assert describer not in fresh.spare_pids
