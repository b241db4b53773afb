"""The sandbox, attacked: each property of the README's promise, with real child processes.

Hostile learner code tries to read the learner's environment, write outside its
scratch directory, leave processes behind (also with ``setsid``), signal the
supervisor, and forge a passing verdict. Real TensorFlow; cases share one
checker and run two at a time.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from quizdl.challenges import sandbox
from quizdl.challenges.runner import Checker
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Verdict

# One pytest-xdist group: the module's cases are checked on one worker only.
pytestmark = [pytest.mark.keras, pytest.mark.xdist_group("keras-sandbox")]

LANDLOCK = sandbox.landlock_abi()
needs_landlock = pytest.mark.skipif(LANDLOCK < 1, reason="Landlock is not available here")
needs_signal_scope = pytest.mark.skipif(LANDLOCK < 6, reason="needs Landlock ABI 6")

SPEC = ChallengeSpec.model_validate(
    {"input": {"shape": [4]}, "layers": [{"type": "Dense", "units": 2}]}
)
VALID = """
import keras

def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
"""
WRONG = VALID.replace("Dense(2)", "Dense(5)")
PARENT_ENVIRONMENT: dict[str, str] = {}


def _forged_report() -> str:
    """A complete, passing model description, as the worker would send it."""
    model = {
        "kind": "sequential",
        "class_name": "Sequential",
        "inputs": [{"shape": [None, 4], "dtype": "float32"}],
        "built_from_spec": False,
        "outputs": [{"shape": [None, 2], "dtype": "float32"}],
        "layers": [
            {
                "position": 1,
                "name": "dense",
                "class_name": "Dense",
                "type": "Dense",
                "attributes": {"units": 2, "activation": "linear"},
                "params": 10,
                "output_shape": [None, 2],
            }
        ],
        "params_total": 10,
        "params_trainable": 10,
    }
    return json.dumps({"model": model, "described_by": "checker"})


def cases(target: Path) -> dict[str, str]:
    forged = _forged_report()
    return {
        "environment": """
import json, os, tempfile
seen = {"env": dict(os.environ), "tmp": tempfile.gettempdir(), "cwd": os.getcwd()}
print("ENV", json.dumps(seen))
"""
        + VALID,
        "writes outside": f"""
import os
for path in [{str(target / "escaped.txt")!r}, os.path.expanduser("~/../../escaped.txt")]:
    try:
        with open(path, "w") as handle:
            handle.write("escaped")
        print("WROTE", path)
    except OSError as error:
        print("REFUSED", path, type(error).__name__)
"""
        + VALID,
        "reads the collection": f"""
import os
for path in [{str(target / "collection.sqlite3")!r}, {str(target)!r}]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read()
        print("READ", path)
    except OSError as error:
        print("REFUSED", type(error).__name__)
"""
        + VALID,
        "setsid survivors": """
import os, subprocess, sys
detached = subprocess.Popen(["sleep", "600"], start_new_session=True)
print("DETACHED", detached.pid)
# A double fork: the grandchild's parent exits at once, the grandchild calls setsid.
reader, writer = os.pipe()
if os.fork() == 0:
    os.setsid()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        os.write(writer, str(os.getpid()).encode())
        os.close(writer)
        import time
        time.sleep(600)
    os._exit(0)
os.close(writer)
print("ORPHAN", os.read(reader, 64).decode())
"""
        + VALID,
        "signals the supervisor": """
import os, signal
try:
    os.kill(os.getppid(), signal.SIGKILL)
    print("SIGNAL SENT")
except OSError as error:
    print("SIGNAL REFUSED", type(error).__name__)
"""
        + VALID,
        "forges a report on every descriptor": f"""
import os
forged = {forged.encode()!r}
for fd in range(3, 64):
    try:
        os.write(fd, forged)
    except OSError:
        pass
os._exit(0)
""",
        "forges through /proc": f"""
import os
forged = {forged.encode()!r}
opened = []
for pid in (os.getppid(), os.getppid() - 1, os.getppid() + 1):
    try:
        names = os.listdir(f"/proc/{{pid}}/fd")
    except OSError as error:
        print("LIST REFUSED", pid, type(error).__name__)
        continue
    for name in names:
        try:
            fd = os.open(f"/proc/{{pid}}/fd/{{name}}", os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, forged)
            opened.append((pid, name))
        except OSError:
            pass
print("OPENED", opened)
"""
        + WRONG,
        "fakes a saved model": """
import os
for fd in range(3, 64):
    try:
        os.write(fd, b'{"saved": true}')
    except OSError:
        pass
os._exit(0)
""",
    }


def test_a_file_beyond_the_size_limit_cannot_be_written() -> None:
    code = (
        """
try:
    with open("big.bin", "wb") as handle:
        handle.write(b"x" * (3 << 20))
    print("WROTE BIG")
except OSError as error:
    print("REFUSED", error.strerror)
"""
        + VALID
    )
    with Checker(keep_warm=False) as checker:
        verdict = checker.check(SPEC, code, timeout=30.0, file_bytes=1 << 20)
    assert "WROTE BIG" not in verdict.stdout
    assert "REFUSED File too large" in verdict.stdout, verdict.stdout + verdict.stderr[-1000:]
    assert verdict.passed


@pytest.mark.skipif(os.getuid() == 0, reason="the kernel does not limit root's processes")
def test_the_number_of_processes_is_limited() -> None:
    code = (
        """
import subprocess
started = 0
try:
    for _ in range(2000):
        subprocess.Popen(["sleep", "60"])
        started += 1
except OSError as error:
    print("LIMITED", started, error.strerror)
"""
        + VALID
    )
    with Checker(keep_warm=False) as checker:
        verdict = checker.check(SPEC, code, timeout=60.0)
    assert "LIMITED" in verdict.stdout, verdict.stdout
    assert verdict.sandbox is not None and verdict.sandbox["processes_limited"]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outside")


@pytest.fixture(scope="module")
def verdicts(target: Path) -> Iterator[dict[str, Verdict]]:
    # The app's own environment, which the child must not see.
    names = ("QUIZDL_HOME", "QUIZDL_DATABASE_URL", "QUIZDL_TEST_SECRET")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["QUIZDL_TEST_SECRET"] = "hunter2"
    (target / "collection.sqlite3").write_bytes(b"the learner's reviews")
    os.environ["QUIZDL_HOME"] = str(target)
    os.environ["QUIZDL_DATABASE_URL"] = f"sqlite:///{target}/secret.sqlite3"
    PARENT_ENVIRONMENT.update(os.environ)
    try:
        with Checker() as checker, ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                name: pool.submit(checker.check, SPEC, code, timeout=30.0)
                for name, code in cases(target).items()
            }
            yield {name: future.result() for name, future in futures.items()}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _printed(verdict: Verdict, label: str) -> str:
    found = re.search(rf"^{label} (.*)$", verdict.stdout, re.MULTILINE)
    assert found is not None, verdict.stdout + verdict.stderr[-2000:]
    return found.group(1)


def test_the_environment_is_minimal_and_home_is_scratch(verdicts: dict[str, Verdict]) -> None:
    seen = json.loads(_printed(verdicts["environment"], "ENV"))
    env, cwd = seen["env"], seen["cwd"]
    assert not [name for name in env if name.startswith("QUIZDL")]
    assert Path(env["HOME"]).parent == Path(cwd)
    assert Path(seen["tmp"]).parent == Path(cwd)
    assert Path(cwd).name.startswith("quizdl-check-")
    allowed = {
        *("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME", "USERPROFILE"),
        *("TMPDIR", "TMP", "TEMP", "KERAS_HOME", "PYTHONPATH", "PYTHONUNBUFFERED"),
        *("PYTHONDONTWRITEBYTECODE", "PYTHONNOUSERSITE", "MALLOC_ARENA_MAX"),
        *("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND"),
        "CUDA_VISIBLE_DEVICES",
    }
    # Nothing of the app's environment but the basics (TensorFlow adds a few of its own).
    assert "QUIZDL_TEST_SECRET" not in env
    assert not {name for name in env if name in PARENT_ENVIRONMENT and name not in allowed}
    assert verdicts["environment"].passed


@needs_landlock
def test_writes_outside_the_scratch_directory_are_refused(
    verdicts: dict[str, Verdict], target: Path
) -> None:
    verdict = verdicts["writes outside"]
    assert "WROTE" not in verdict.stdout
    assert verdict.stdout.count("REFUSED") == 2, verdict.stdout
    assert not (target / "escaped.txt").exists()
    assert verdict.passed  # the model itself is fine
    assert verdict.sandbox is not None and verdict.sandbox["writes_confined"]


@needs_landlock
def test_the_learners_collection_cannot_be_read(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["reads the collection"]
    assert "READ" not in verdict.stdout.replace("REFUSED", "")
    assert verdict.stdout.count("REFUSED PermissionError") == 2, verdict.stdout
    assert verdict.passed
    assert verdict.sandbox is not None and verdict.sandbox["reads_confined"]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_setsid_and_orphaned_descendants_are_killed(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["setsid survivors"]
    pids = [int(_printed(verdict, "DETACHED")), int(_printed(verdict, "ORPHAN"))]
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


@needs_signal_scope
def test_the_learners_code_cannot_signal_its_supervisor(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["signals the supervisor"]
    assert "SIGNAL REFUSED PermissionError" in verdict.stdout, verdict.stdout
    assert verdict.passed


def test_a_report_forged_on_an_inherited_descriptor_is_never_the_checkers(
    verdicts: dict[str, Verdict],
) -> None:
    # The only channel the learner's process holds leads to its own supervisor;
    # what arrives there is at best a description "from your process".
    verdict = verdicts["forges a report on every descriptor"]
    if verdict.passed:
        assert verdict.described_by == "your process"
    assert verdict.to_dict("x")["described_by"] != "checker"


@needs_landlock
def test_other_processes_channels_cannot_be_opened_through_proc(
    verdicts: dict[str, Verdict],
) -> None:
    verdict = verdicts["forges through /proc"]
    assert _printed(verdict, "OPENED") == "[]"
    # The model it built (Dense(5)) is graded by the describer, and fails.
    assert not verdict.passed
    assert verdict.described_by == "checker"
    assert any("expected units=2, found 5" in check.message for check in verdict.checks)


def test_a_faked_saved_model_is_not_a_pass(verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts["fakes a saved model"]
    assert not verdict.passed
    assert "the model your code saved is missing" in verdict.checks[0].message


def test_a_built_in_model_is_described_by_the_process_that_never_ran_the_code(
    verdicts: dict[str, Verdict],
) -> None:
    assert verdicts["environment"].described_by == "checker"


def test_a_checker_that_cannot_start_says_so(tmp_path: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    with Checker(keep_warm=False, python=str(broken)) as checker:
        verdict = checker.check(SPEC, VALID, timeout=10.0)
    assert not verdict.passed
    (check,) = verdict.checks
    assert check.rule == "checker"
    assert "not with your code" in check.message
    assert "os._exit" not in check.message
