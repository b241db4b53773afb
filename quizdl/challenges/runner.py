"""Run a learner's code in a child process and turn what it reports into a verdict.

Each check gets a fresh ``quizdl.challenges.worker`` process, in its own
process group and scratch directory, with stdin on /dev/null, its output
captured (the last 64 KiB of each stream), a wall-clock limit and an
address-space limit. Whatever happens in there — an exception, ``sys.exit``,
``os._exit``, a segfault, a memory bomb, an endless loop — the parent gets a
failed verdict with a plain message and the whole process group is killed and
reaped.

Importing TensorFlow takes seconds, so a ``Checker`` keeps one spare child that
has already imported it and waits for a request on a pipe; a check takes the
spare and a new one is started once the check is over. All methods are
thread-safe, so the TUI can call ``check`` from a ``@work(thread=True)`` worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path
from types import TracebackType
from typing import cast

from pydantic import ValidationError

from quizdl.challenges.description import WorkerFailure, WorkerReport
from quizdl.challenges.grader import grade
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Verdict, failed_verdict

# Kept in step with quizdl.challenges.worker, which this module must not import
# (that would load TensorFlow into the app).
OUTPUT_MARKER = b"\n\x1e--quizdl-check-begins--\x1e\n"
READY = b"ready\n"

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY = 4 << 30
OUTPUT_LIMIT = 64 << 10
# Importing TensorFlow on a busy two-core machine can take a while; this is not
# charged to the learner's time limit.
START_TIMEOUT = 120.0
# A model description is a few kilobytes; more means something else writes to the pipe.
MAX_REPORT_BYTES = 16 << 20
# After the report arrives the worker exits at once; this only guards a stuck exit.
EXIT_GRACE = 5.0

CHILD_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "",
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    # glibc reserves address space per thread arena; with an address-space
    # limit, fewer arenas leave more of it to the learner's model.
    "MALLOC_ARENA_MAX": "2",
}

SIGNAL_MEANINGS: dict[int, str] = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGABRT: "an abort",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGILL: "an illegal instruction",
    signal.SIGKILL: "being killed (SIGKILL)",
    signal.SIGXFSZ: "writing a file larger than the checker allows",
}


class _Tail:
    """Drains one output stream in a thread, keeping only its last bytes."""

    def __init__(self, stream: BufferedReader) -> None:
        self._stream = stream
        self._data = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, daemon=True, name="quizdl-check-output")
        self._thread.start()

    def _drain(self) -> None:
        try:
            while chunk := self._stream.read1(1 << 16):
                with self._lock:
                    self._data += chunk
                    # Room for the marker too, so the learner keeps a full 64 KiB.
                    excess = len(self._data) - OUTPUT_LIMIT - len(OUTPUT_MARKER)
                    if excess > 0:
                        del self._data[:excess]
        except (OSError, ValueError):
            pass  # the stream went away with the process; what we have is the output
        finally:
            self._stream.close()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def text(self, timeout: float) -> str:
        self._thread.join(timeout)
        with self._lock:
            data = bytes(self._data)
        # Output before the marker is TensorFlow's start-up noise, not the learner's.
        start = data.rfind(OUTPUT_MARKER)
        if start >= 0:
            data = data[start + len(OUTPUT_MARKER) :]
        data = data[-OUTPUT_LIMIT:]
        return data.decode("utf-8", errors="replace")


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    request_fd: int
    result_fd: int
    stdout: _Tail
    stderr: _Tail
    buffer: bytes = b""
    killed: bool = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the whole process group (the learner may have started processes) and reap it."""
        # Only once: after the group is gone its id may be reused by a stranger.
        if not self.killed:
            self.killed = True
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(EXIT_GRACE)
        for fd in (self.request_fd, self.result_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.request_fd = self.result_fd = -1
        self.stdout.join(EXIT_GRACE)
        self.stderr.join(EXIT_GRACE)


class _Timeout(Exception):
    pass


class _Oversized(Exception):
    pass


def _read_until(child: _Child, deadline: float, *, need: bytes | None) -> None:
    """Read from the result pipe until ``need`` is buffered (or EOF when None)."""
    with selectors.DefaultSelector() as selector:
        selector.register(child.result_fd, selectors.EVENT_READ)
        while need is None or need not in child.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            if not selector.select(remaining):
                continue
            chunk = os.read(child.result_fd, 1 << 16)
            if not chunk:
                return
            child.buffer += chunk
            if len(child.buffer) > MAX_REPORT_BYTES:
                raise _Oversized


def _plural(count: float, unit: str) -> str:
    return f"{count:g} {unit}" + ("" if count == 1 else "s")


def _size(memory_bytes: int) -> str:
    if memory_bytes % (1 << 30) == 0:
        return f"{memory_bytes >> 30} GiB"
    return f"{memory_bytes / (1 << 20):.0f} MiB"


class Checker:
    """Checks learners' models in fresh child processes, keeping one warm spare.

    ``memory_bytes`` is how much address space the learner's code may add on top
    of what the already imported TensorFlow runtime holds.
    """

    def __init__(self, *, keep_warm: bool = True, python: str = sys.executable) -> None:
        self._keep_warm = keep_warm
        self._python = python
        self._lock = threading.Lock()
        self._spare: _Child | None = None
        self._closed = False

    # -- lifecycle --

    def warm_up(self) -> None:
        """Start the spare child now if there is none; returns at once."""
        with self._lock:
            if self._closed:
                return
            if self._spare is not None and self._spare.alive():
                return
            if self._spare is not None:
                self._spare.kill()
            self._spare = self._spawn()

    def wait_until_warm(self, timeout: float = START_TIMEOUT) -> bool:
        """Block until the spare has imported TensorFlow (for benchmarks and tests)."""
        self.warm_up()
        with self._lock:
            spare = self._spare
            if spare is None:
                return False
            try:
                _read_until(spare, time.monotonic() + timeout, need=READY)
            except (_Timeout, _Oversized, OSError):
                return False
            return READY in spare.buffer

    @property
    def spare_pid(self) -> int | None:
        """The spare child's process id, if one is running (diagnostics and tests)."""
        with self._lock:
            if self._spare is None or not self._spare.alive():
                return None
            return self._spare.process.pid

    def close(self) -> None:
        """Kill and reap the spare; later checks start cold, without a new spare."""
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.kill()

    def __enter__(self) -> Checker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _spawn(self) -> _Child:
        request_read, request_write = os.pipe()
        result_read, result_write = os.pipe()
        package_root = str(Path(__file__).resolve().parents[2])
        environment = {**os.environ, **CHILD_ENVIRONMENT}
        environment["PYTHONPATH"] = os.pathsep.join(
            part for part in (package_root, environment.get("PYTHONPATH", "")) if part
        )
        try:
            process = subprocess.Popen(
                [
                    self._python,
                    "-X",
                    "faulthandler",
                    "-m",
                    "quizdl.challenges.worker",
                    str(request_read),
                    str(result_write),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(request_read, result_write),
                start_new_session=True,
                env=environment,
                cwd=tempfile.gettempdir(),
            )
        except BaseException:
            for fd in (request_read, request_write, result_read, result_write):
                os.close(fd)
            raise
        os.close(request_read)
        os.close(result_write)
        assert process.stdout is not None and process.stderr is not None
        return _Child(
            process=process,
            request_fd=request_write,
            result_fd=result_read,
            stdout=_Tail(cast(BufferedReader, process.stdout)),
            stderr=_Tail(cast(BufferedReader, process.stderr)),
        )

    def _take_child(self) -> _Child:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.alive():
            return spare
        if spare is not None:
            spare.kill()
        return self._spawn()

    # -- checking --

    def check(
        self,
        spec: ChallengeSpec,
        code: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_bytes: int = DEFAULT_MEMORY,
        filename: str = "solution.py",
    ) -> Verdict:
        """Run ``code`` in a fresh child and grade the model it builds against ``spec``."""
        started = time.monotonic()
        child = self._take_child()
        workdir = tempfile.mkdtemp(prefix="quizdl-check-")
        try:
            return self._run(child, spec, code, timeout, memory_bytes, filename, workdir, started)
        finally:
            child.kill()
            shutil.rmtree(workdir, ignore_errors=True)
            if self._keep_warm:
                self.warm_up()

    def _run(
        self,
        child: _Child,
        spec: ChallengeSpec,
        code: str,
        timeout: float,
        memory_bytes: int,
        filename: str,
        workdir: str,
        started: float,
    ) -> Verdict:
        def finish(rule: str, message: str) -> Verdict:
            child.kill()
            return failed_verdict(
                rule,
                message,
                time.monotonic() - started,
                stdout=child.stdout.text(EXIT_GRACE),
                stderr=child.stderr.text(EXIT_GRACE),
            )

        try:
            _read_until(child, time.monotonic() + START_TIMEOUT, need=READY)
        except (_Timeout, _Oversized):
            return finish("checker", "the checker process did not start in time; please try again")
        if READY not in child.buffer:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(EXIT_GRACE)
            return finish(
                "checker", f"the checker process could not start ({self._exit_text(child)})"
            )
        child.buffer = child.buffer.split(READY, 1)[1]

        request = {
            "code": code,
            "filename": filename,
            "spec": spec.model_dump(mode="json"),
            "memory_bytes": memory_bytes,
            "workdir": workdir,
        }
        try:
            with os.fdopen(child.request_fd, "wb", closefd=True) as pipe:
                child.request_fd = -1
                pipe.write(json.dumps(request).encode())
        except BrokenPipeError:
            return finish(
                "checker", f"the checker process stopped early ({self._exit_text(child)})"
            )

        try:
            _read_until(child, time.monotonic() + timeout, need=None)
        except _Oversized:
            return finish("model", "your code's process wrote too much to the checker's pipe")
        except _Timeout:
            return finish(
                "model",
                f"your code did not finish within {_plural(timeout, 'second')} — look for an "
                "endless loop or work that does not belong in build_model()",
            )
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(EXIT_GRACE)
        if not child.buffer:
            return finish("model", self._death_message(child, memory_bytes))
        try:
            report = WorkerReport.model_validate_json(child.buffer)
        except ValidationError:
            return finish(
                "model",
                "the checker could not read what your code's process reported (did your code "
                "write to the checker's pipe?)",
            )
        child.kill()
        stdout, stderr = child.stdout.text(EXIT_GRACE), child.stderr.text(EXIT_GRACE)
        seconds = time.monotonic() - started
        if report.failure is not None or report.model is None:
            failure = report.failure or WorkerFailure(
                kind="inspect", message="no model was reported"
            )
            message = failure.message
            if failure.kind == "memory":
                message += f" — the limit is {_size(memory_bytes)}"
            return failed_verdict("model", message, seconds, stdout=stdout, stderr=stderr)
        return Verdict(
            checks=grade(spec, report.model),
            seconds=seconds,
            model=report.model.model_dump(mode="json"),
            stdout=stdout,
            stderr=stderr,
        )

    @staticmethod
    def _exit_text(child: _Child) -> str:
        code = child.process.poll()
        if code is None:
            return "it is still running"
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exit code {code}"

    @staticmethod
    def _death_message(child: _Child, memory_bytes: int) -> str:
        code = child.process.poll()
        if code is None:
            return "your code's process stopped reporting without exiting"
        if code < 0:
            number = -code
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            meaning = SIGNAL_MEANINGS.get(number, name)
            hint = ""
            if number in (signal.SIGKILL, signal.SIGABRT):
                hint = f" (running out of memory can do this; the limit is {_size(memory_bytes)})"
            return f"your code crashed the Python process with {meaning} ({name}){hint}"
        return (
            f"your code ended the process (exit code {code}) before the model could be "
            "checked — remove any os._exit() or similar call"
        )
