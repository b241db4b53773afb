"""Run a learner's code in child processes and turn what they report into a verdict.

A check uses two workers, each under its own supervisor
(``quizdl.challenges.supervisor``) in its own session and scratch directory:

- the *builder*, a fresh process for every check, runs the learner's code; a
  model made of Keras's own classes is saved to the builder's scratch directory;
- the *describer*, which never runs the learner's code, is handed a copy of
  that file in its own scratch directory, loads it and describes the model, on
  a socket the learner's processes never hold. Because it never runs the
  learner's code, one describer serves check after check (up to
  ``DESCRIBER_CHECKS``, with Keras's session cleared after each) where
  Landlock confines the builders (a sandboxed process cannot ptrace or open the
  memory of one outside its sandbox); elsewhere each check gets its own. It is
  retired after any answer that was not a clean description, and a check whose
  reused describer broke is described again by a fresh one.

A model with the learner's own classes cannot be loaded without their code, and
training-setup and numeric challenges must run it, so then the builder sends
the description itself. The verdict records which (``described_by``): only a
``checker`` description is beyond the reach of the learner's code.

Each child gets a minimal environment (no ``QUIZDL_*``; ``HOME`` and the temp
directory inside its scratch directory), stdin on /dev/null, captured output
(the last 64 KiB of each stream), a wall-clock limit, resource limits and, on
Linux with Landlock, writes confined to its scratch directory. When a check
ends — finished, timed out or cancelled — the supervisor kills every process
the learner started, including ones that left the process group.

Importing TensorFlow takes seconds, so a ``Checker`` keeps a spare builder and
an idle describer that have already imported it; a check takes them, and a new
spare builder is started once the check is over. All methods are thread-safe,
so the TUI can call ``check`` from a ``@work(thread=True)`` worker and
``cancel`` from its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from io import BufferedReader
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from quizdl.challenges import framing
from quizdl.challenges.description import (
    DescribedBy,
    SandboxInfo,
    WorkerFailure,
    WorkerReport,
)
from quizdl.challenges.grader import grade, grade_numeric
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import CheckCancelled, Verdict, failed_verdict

# Kept in step with quizdl.challenges.worker, which this module must not import
# (that would load TensorFlow into the app).
OUTPUT_MARKER = b"\n\x1e--quizdl-check-begins--\x1e\n"
READY = b"ready\n"
SAVED_MODEL = "model.keras"

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY = 4 << 30
# A learner's files and logs in the scratch directory; generous, but bounded.
DEFAULT_FILE_BYTES = 256 << 20
OUTPUT_LIMIT = 64 << 10
# Importing TensorFlow on a busy two-core machine can take a while; this is not
# charged to the learner's time limit.
START_TIMEOUT = 120.0
# A model description is a few kilobytes; the envelope quotes it as a string.
MAX_REPORT_BYTES = 40 << 20
# After the report arrives the supervisor exits at once; this only guards a stuck exit.
EXIT_GRACE = 5.0
SPARES = 1  # builders waiting with TensorFlow imported
# Idle long-lived describers kept: one per check that may run at once (the app
# runs one; tests and `challenge verify` run two).
IDLE_DESCRIBERS = 2
# A describer is retired after this many checks, so whatever Keras keeps
# between sessions cannot grow without bound under its fixed memory limit.
DESCRIBER_CHECKS = 25

# The only variables a child sees (besides HOME, the temp dir and PYTHONPATH,
# set per child): no QUIZDL_* (the learner's database), no credentials.
INHERITED_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "TZ")
CHILD_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "",
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
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

NOT_YOUR_CODE = "this is a problem with quizdl's checker, not with your code"


def child_environment(scratch: str) -> dict[str, str]:
    """What a child process sees: nothing of the learner's own environment but
    the basics, with ``HOME`` and the temp directory inside ``scratch``."""
    home = os.path.join(scratch, "home")
    temp = os.path.join(scratch, "tmp")
    for directory in (home, temp):
        os.makedirs(directory, exist_ok=True)
    package_root = str(Path(__file__).resolve().parents[2])
    environment = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
    environment.update(CHILD_ENVIRONMENT)
    environment.update(
        {
            "HOME": home,
            "USERPROFILE": home,
            "TMPDIR": temp,
            "TMP": temp,
            "TEMP": temp,
            "KERAS_HOME": os.path.join(home, ".keras"),
            "PYTHONPATH": package_root,
        }
    )
    return environment


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
    """A supervisor process (with its worker) and its socket, scratch dir and output."""

    process: subprocess.Popen[bytes]
    channel: socket.socket
    scratch: str
    stdout: _Tail
    stderr: _Tail
    buffer: bytes = b""
    ready: bool = False
    stopped: bool = field(default=False)
    # A long-lived describer: framed requests, many checks, fixed limits.
    serves: bool = False
    served: int = 0
    limits: tuple[int, int] | None = None  # (memory, file bytes) it was confined with
    healthy: bool = True

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """End the supervisor, which kills the worker and every process below it.

        SIGTERM first, so the supervisor can reap descendants that left the
        process group; SIGKILL to the group if it does not end in time.
        """
        if not self.stopped:
            self.stopped = True
            # A spare waits for a request on this socket: end of input tells its
            # supervisor there will be none, so it need not wait for the signal.
            with contextlib.suppress(OSError):
                self.channel.shutdown(socket.SHUT_RDWR)
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    self.process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(EXIT_GRACE)
            # Whatever is left in the group (the supervisor did not end, or was
            # killed by the learner's code where signals cannot be confined).
            # The kernel does not reuse a group id while any member lives.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(EXIT_GRACE)
        with contextlib.suppress(OSError):
            self.channel.close()
        self.stdout.join(EXIT_GRACE)
        self.stderr.join(EXIT_GRACE)

    def remove_scratch(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


class _Timeout(Exception):
    pass


class _Oversized(Exception):
    pass


def _read_until(child: _Child, deadline: float, *, need: bytes | None) -> None:
    """Read from the child's socket until ``need`` is buffered (or EOF when None)."""
    with selectors.DefaultSelector() as selector:
        selector.register(child.channel, selectors.EVENT_READ)
        while need is None or need not in child.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            if not selector.select(remaining):
                continue
            try:
                chunk = child.channel.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                return
            child.buffer += chunk
            if len(child.buffer) > MAX_REPORT_BYTES:
                raise _Oversized


def _read_frame(child: _Child, deadline: float) -> bytes | None:
    """The next framed message from a describer's supervisor, None at end of file."""
    with selectors.DefaultSelector() as selector:
        selector.register(child.channel, selectors.EVENT_READ)
        while True:
            try:
                whole = framing.split_frame(child.buffer, MAX_REPORT_BYTES)
            except ValueError:
                raise _Oversized from None
            if whole is not None:
                message, child.buffer = whole
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            if not selector.select(remaining):
                continue
            try:
                chunk = child.channel.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                return None
            child.buffer += chunk


def _copy_model(source: str, directory: str) -> str:
    """Copy the builder's saved model into the describer's scratch directory.

    Neither end may be a link: the source was written by the learner's code, and
    the target directory belongs to another child process.
    """
    target = os.path.join(directory, f"model-{os.urandom(8).hex()}.keras")
    reader = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        writer = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            while chunk := os.read(reader, 1 << 20):
                os.write(writer, chunk)
        finally:
            os.close(writer)
    finally:
        os.close(reader)
    return target


def _wait_ready(child: _Child, timeout: float) -> bool:
    if child.ready:
        return True
    try:
        _read_until(child, time.monotonic() + timeout, need=READY)
    except (_Timeout, _Oversized):
        return False
    if READY in child.buffer:
        child.buffer = child.buffer.split(READY, 1)[1]
        child.ready = True
    return child.ready


class _Envelope(BaseModel):
    """What a supervisor reports once its worker has ended."""

    ready: bool
    started: bool
    returncode: int
    report: str


def _plural(count: float, unit: str) -> str:
    return f"{count:g} {unit}" + ("" if count == 1 else "s")


def _size(memory_bytes: int) -> str:
    if memory_bytes % (1 << 30) == 0:
        return f"{memory_bytes >> 30} GiB"
    return f"{memory_bytes / (1 << 20):.0f} MiB"


def _exit_text(returncode: int | None) -> str:
    if returncode is None:
        return "it is still running"
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class _Run:
    """One check in progress, so ``cancel`` can find its children."""

    children: list[_Child] = field(default_factory=list)
    cancelled: bool = False
    # Children that were sent a request; the others are untouched and reusable.
    used: set[int] = field(default_factory=set)


@dataclass
class _Limits:
    timeout: float
    memory_bytes: int
    file_bytes: int


def _describer_limits(limits: _Limits) -> tuple[int, int]:
    """(memory, file bytes) a describer is confined with.

    The builder has already held the model within the learner's limits; the
    describer, which never runs their code, keeps at least the defaults, so
    one describer can serve checks whose limits differ.
    """
    return max(limits.memory_bytes, DEFAULT_MEMORY), max(limits.file_bytes, DEFAULT_FILE_BYTES)


class Checker:
    """Checks learners' models in fresh child processes, keeping warm spares.

    ``memory_bytes`` is how much address space the learner's code may add on top
    of what the already imported TensorFlow runtime holds.
    """

    def __init__(self, *, keep_warm: bool = True, python: str = sys.executable) -> None:
        self._keep_warm = keep_warm
        self._python = python
        self._lock = threading.Lock()
        self._spares: list[_Child] = []
        self._describers: list[_Child] = []  # idle, oldest first
        self._run_table: dict[int, _Run] = {}
        self._closed = False

    # -- lifecycle --

    def warm_up(self) -> None:
        """Start a spare builder and a describer now if they are missing; returns at once."""
        dead: list[_Child] = []
        with self._lock:
            if self._closed:
                return
            dead = [child for child in self._spares + self._describers if not child.alive()]
            self._spares = [child for child in self._spares if child.alive()]
            self._describers = [child for child in self._describers if child.alive()]
            while len(self._spares) < SPARES:
                self._spares.append(self._spawn())
            busy = any(child.serves for run in self._run_table.values() for child in run.children)
            if not self._describers and not busy:
                self._describers.append(self._spawn(serve=True))
        for child in dead:
            child.kill()
            child.remove_scratch()

    def wait_until_warm(self, timeout: float = START_TIMEOUT) -> bool:
        """Block until the spare builder and the idle describers have imported
        TensorFlow (for benchmarks and tests)."""
        self.warm_up()
        with self._lock:
            waiting = self._spares + self._describers
            if len(self._spares) < SPARES or not self._describers:
                return False
        deadline = time.monotonic() + timeout
        return all(_wait_ready(child, deadline - time.monotonic()) for child in waiting)

    @property
    def spare_pids(self) -> tuple[int, ...]:
        """The spare builders' and then the idle describers' supervisor process ids
        (diagnostics and tests)."""
        with self._lock:
            waiting = self._spares + self._describers
            return tuple(child.process.pid for child in waiting if child.alive())

    def cancel(self) -> None:
        """Stop every running check; each ``check`` call raises ``CheckCancelled``."""
        with self._lock:
            runs = list(self._run_table.values())
            for run in runs:
                run.cancelled = True
            children = [child for run in runs for child in run.children]
        for child in children:
            child.kill()

    def close(self) -> None:
        """Cancel running checks and kill the spares; later checks start cold."""
        with self._lock:
            self._closed = True
            spares, self._spares = self._spares + self._describers, []
            self._describers = []
        self.cancel()
        for spare in spares:
            spare.kill()
            spare.remove_scratch()

    def __enter__(self) -> Checker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _spawn(self, *, serve: bool = False) -> _Child:
        scratch = tempfile.mkdtemp(prefix="quizdl-check-")
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [
                    self._python,
                    "-X",
                    "faulthandler",
                    "-m",
                    "quizdl.challenges.supervisor",
                    str(theirs.fileno()),
                    *(["--serve"] if serve else []),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
                env=child_environment(scratch),
                cwd=scratch,
            )
        except BaseException:
            ours.close()
            theirs.close()
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        theirs.close()
        assert process.stdout is not None and process.stderr is not None
        return _Child(
            process=process,
            channel=ours,
            scratch=scratch,
            stdout=_Tail(cast(BufferedReader, process.stdout)),
            stderr=_Tail(cast(BufferedReader, process.stderr)),
            serves=serve,
        )

    def _take_describer(self, run: _Run, limits: _Limits, *, fresh: bool = False) -> _Child:
        """An idle describer confined with at least these limits (or not yet
        confined), else a new one."""
        memory, files = _describer_limits(limits)
        with self._lock:
            if run.cancelled:
                raise CheckCancelled
            child = None
            for candidate in [] if fresh else list(self._describers):
                if not candidate.alive() or (
                    candidate.limits is not None
                    and (candidate.limits[0] < memory or candidate.limits[1] < files)
                ):
                    continue
                self._describers.remove(candidate)
                child = candidate
                break
            if child is None:
                child = self._spawn(serve=True)
            run.children.append(child)
            return child

    def _return_describer(self, run: _Run, child: _Child) -> bool:
        """Keep a describer that answered cleanly (or was not needed) for later checks."""
        if (
            run.cancelled
            or child.stopped
            or not child.healthy
            or child.served >= DESCRIBER_CHECKS
            or not child.alive()
        ):
            return False
        evicted = None
        with self._lock:
            if self._closed:
                return False
            if len(self._describers) >= IDLE_DESCRIBERS:
                evicted = self._describers.pop(0)
            self._describers.append(child)
        if evicted is not None:
            evicted.kill()
            evicted.remove_scratch()
        return True

    def _take_child(self, run: _Run) -> _Child:
        with self._lock:
            if run.cancelled:
                raise CheckCancelled
            child = None
            while self._spares:
                candidate = self._spares.pop(0)
                if candidate.alive():
                    child = candidate
                    break
                candidate.kill()
                candidate.remove_scratch()
            if child is None:
                child = self._spawn()
            run.children.append(child)
            return child

    # -- checking --

    def check(
        self,
        spec: ChallengeSpec,
        code: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_bytes: int = DEFAULT_MEMORY,
        file_bytes: int = DEFAULT_FILE_BYTES,
        filename: str = "solution.py",
        reference: str = "",
    ) -> Verdict:
        """Run ``code`` in fresh children and grade the model it builds against ``spec``.

        Raises ``CheckCancelled`` when ``cancel`` or ``close`` stopped it.
        """
        started = time.monotonic()
        run = _Run()
        with self._lock:
            self._run_table[id(run)] = run
        limits = _Limits(timeout, memory_bytes, file_bytes)
        try:
            builder = self._take_child(run)
            describer = self._take_describer(run, limits)
            verdict = self._run(
                run, builder, describer, spec, code, filename, reference, limits, started
            )
            if run.cancelled:
                raise CheckCancelled
            return verdict
        finally:
            with self._lock:
                self._run_table.pop(id(run), None)
            for child in run.children:
                kept = (
                    self._return_describer(run, child)
                    if child.serves
                    else self._give_back(run, child)
                )
                if not kept:
                    child.kill()
                    child.remove_scratch()
            if self._keep_warm and not run.cancelled:
                self.warm_up()

    def _give_back(self, run: _Run, child: _Child) -> bool:
        """Return a child that never got a request (a describer the check did not
        need: the code failed first, or a numeric challenge) to the spares."""
        if run.cancelled or id(child) in run.used or child.stopped or not child.alive():
            return False
        with self._lock:
            if self._closed or len(self._spares) >= SPARES:
                return False
            self._spares.append(child)
        return True

    def _exchange(
        self, run: _Run, child: _Child, request: dict[str, Any], timeout: float
    ) -> _Envelope | str:
        """Send one request; the supervisor's envelope, or why there is none."""
        run.used.add(id(child))
        if not _wait_ready(child, START_TIMEOUT):
            if run.cancelled:
                raise CheckCancelled
            child.kill()
            return (
                f"the checker process could not start ({_exit_text(child.process.poll())}); "
                + NOT_YOUR_CODE
            )
        try:
            child.channel.sendall(json.dumps(request).encode())
            child.channel.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it ended: its envelope says why
        try:
            _read_until(child, time.monotonic() + timeout, need=None)
        except _Oversized:
            child.kill()
            return "oversized"
        except _Timeout:
            child.kill()
            return "timeout"
        if run.cancelled:
            raise CheckCancelled
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(EXIT_GRACE)
        try:
            return _Envelope.model_validate_json(child.buffer)
        except ValidationError:
            return (
                "the check was interrupted: the checker's supervisor process ended "
                f"({_exit_text(child.process.poll())})"
            )

    def _describe(
        self, run: _Run, describer: _Child, saved: str, common: dict[str, Any], limits: _Limits
    ) -> _Envelope | str:
        """Have a long-lived describer describe the saved model; its envelope, or why
        there is none ("timeout", "oversized" or a sentence)."""
        run.used.add(id(describer))
        if not _wait_ready(describer, START_TIMEOUT):
            if run.cancelled:
                raise CheckCancelled
            describer.kill()
            return (
                f"the checker process could not start ({_exit_text(describer.process.poll())}); "
                + NOT_YOUR_CODE
            )
        try:
            copy = _copy_model(saved, describer.scratch)
        except OSError as error:
            return f"the checker could not copy the model your code saved ({error.strerror})"
        if describer.limits is None:  # it is confined once, at its first request
            describer.limits = _describer_limits(limits)
        describer.served += 1
        describer.healthy = False  # until it answers cleanly
        memory, files = describer.limits
        request = {
            **common,
            "memory_bytes": memory,
            "file_bytes": files,
            "role": "describe",
            "model_path": copy,
            "scratch": describer.scratch,
        }
        try:
            # If it ended, its envelope (or its silence) says why.
            with contextlib.suppress(OSError):
                describer.channel.sendall(framing.frame(json.dumps(request).encode()))
            try:
                message = _read_frame(describer, time.monotonic() + limits.timeout)
            except _Oversized:
                describer.kill()
                return "oversized"
            except _Timeout:
                describer.kill()
                return "timeout"
        finally:
            with contextlib.suppress(OSError):
                os.unlink(copy)
        if run.cancelled:
            raise CheckCancelled
        envelope = None
        if message is not None:
            with contextlib.suppress(ValidationError):
                envelope = _Envelope.model_validate_json(message)
        if envelope is None:
            describer.kill()
            return (
                "the check was interrupted: the checker's supervisor process ended "
                f"({_exit_text(describer.process.poll())})"
            )
        describer.healthy = envelope.returncode == 0 and envelope.started
        return envelope

    def _run(
        self,
        run: _Run,
        builder: _Child,
        describer: _Child,
        spec: ChallengeSpec,
        code: str,
        filename: str,
        reference: str,
        limits: _Limits,
        started: float,
    ) -> Verdict:
        def output() -> tuple[str, str]:
            return builder.stdout.text(EXIT_GRACE), builder.stderr.text(EXIT_GRACE)

        def failed(rule: str, message: str) -> Verdict:
            builder.kill()
            stdout, stderr = output()
            return failed_verdict(
                rule, message, time.monotonic() - started, stdout=stdout, stderr=stderr
            )

        common = {
            "spec": spec.model_dump(mode="json"),
            "memory_bytes": limits.memory_bytes,
            "file_bytes": limits.file_bytes,
        }
        envelope = self._exchange(
            run,
            builder,
            {
                **common,
                "role": "build",
                "code": code,
                "filename": filename,
                "reference": reference,
                "scratch": builder.scratch,
            },
            limits.timeout,
        )
        if envelope == "timeout":
            return failed(
                "model",
                f"your code did not finish within {_plural(limits.timeout, 'second')} — look for "
                "an endless loop or work that does not belong in build_model()",
            )
        if envelope == "oversized":
            return failed("model", "your code's process wrote too much to the checker's channel")
        if isinstance(envelope, str):
            return failed("checker", envelope)
        report = self._report(envelope, limits.memory_bytes, whose="your code's")
        builder.kill()
        if isinstance(report, tuple):
            return failed(*report)
        if report.failure is not None:
            return failed(*self._failure_text(report.failure, limits.memory_bytes))
        # Whatever the builder claims, a description it sent itself comes from
        # the process that ran the learner's code.
        described_by: DescribedBy = "your process"
        sandbox = report.sandbox
        fit = report.fit
        if report.numeric is not None and spec.numeric is not None:
            stdout, stderr = output()
            return Verdict(
                checks=grade_numeric(spec.numeric, report.numeric),
                seconds=time.monotonic() - started,
                model=None,
                stdout=stdout,
                stderr=stderr,
                described_by=described_by,
                sandbox=sandbox.model_dump(mode="json") if sandbox is not None else None,
            )
        if report.saved:
            saved = os.path.join(builder.scratch, SAVED_MODEL)
            if os.path.islink(saved) or not os.path.isfile(saved):
                return failed("model", "the model your code saved is missing")
            reused = describer.served > 0
            described = self._describe(run, describer, saved, common, limits)
            if reused and not describer.healthy and described not in ("timeout", "oversized"):
                # A describer that served earlier checks must not cost this one its
                # verdict: a fresh describer tries again.
                describer.kill()
                describer = self._take_describer(run, limits, fresh=True)
                described = self._describe(run, describer, saved, common, limits)
            if described == "timeout":
                return failed(
                    "model",
                    f"checking your model took longer than {_plural(limits.timeout, 'second')}",
                )
            if isinstance(described, str):
                return failed("checker", described)
            report = self._report(described, limits.memory_bytes, whose="the checker's")
            if isinstance(report, tuple):
                describer.healthy = False
                return failed(*report)
            if report.failure is not None:
                describer.healthy = False
                return failed(*self._failure_text(report.failure, limits.memory_bytes))
            if report.sandbox is None or not report.sandbox.writes_confined:
                # Without Landlock a builder could ptrace or open /proc/PID/mem of
                # a describer that outlives its check and so reach later checks'
                # verdicts: there every check gets a describer of its own.
                describer.healthy = False
            described_by = "checker"
        if report.model is None:
            return failed("checker", "no model was reported; " + NOT_YOUR_CODE)
        model = report.model if fit is None else report.model.model_copy(update={"fit": fit})
        stdout, stderr = output()
        return Verdict(
            checks=grade(spec, model),
            seconds=time.monotonic() - started,
            model=model.model_dump(mode="json"),
            stdout=stdout,
            stderr=stderr,
            described_by=described_by,
            sandbox=sandbox.model_dump(mode="json") if sandbox is not None else None,
        )

    @staticmethod
    def _failure_text(failure: WorkerFailure, memory_bytes: int) -> tuple[str, str]:
        if failure.kind == "checker":
            return (
                "checker",
                f"the checker could not run your code: {failure.message}; {NOT_YOUR_CODE}",
            )
        message = failure.message
        if failure.kind == "memory":
            message += f" — the limit is {_size(memory_bytes)}"
        return "model", message

    @staticmethod
    def _report(
        envelope: _Envelope, memory_bytes: int, *, whose: str
    ) -> WorkerReport | tuple[str, str]:
        """The worker's report, or (rule, message) saying why there is none."""
        if not envelope.ready:
            return (
                "checker",
                f"the checker process could not start ({_exit_text(envelope.returncode)}); "
                + NOT_YOUR_CODE,
            )
        if not envelope.started:
            try:
                early = WorkerReport.model_validate_json(envelope.report)
            except ValidationError:
                return (
                    "checker",
                    f"the checker process stopped before running anything "
                    f"({_exit_text(envelope.returncode)}); " + NOT_YOUR_CODE,
                )
            if early.failure is not None:
                return Checker._failure_text(early.failure, memory_bytes)
            return "checker", "the checker process reported nothing; " + NOT_YOUR_CODE
        if not envelope.report:
            return "model", _death_message(envelope.returncode, memory_bytes, whose)
        try:
            return WorkerReport.model_validate_json(envelope.report)
        except ValidationError:
            return (
                "model",
                "the checker could not read what your code's process reported (did your "
                "code write to the checker's channel?)",
            )


def _death_message(returncode: int, memory_bytes: int, whose: str) -> str:
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        meaning = SIGNAL_MEANINGS.get(number, name)
        hint = ""
        if number in (signal.SIGKILL, signal.SIGABRT):
            hint = f" (running out of memory can do this; the limit is {_size(memory_bytes)})"
        if whose == "your code's":
            return f"your code crashed the Python process with {meaning} ({name}){hint}"
        return f"checking your model crashed the checker's process with {meaning} ({name}){hint}"
    return (
        f"your code ended the process (exit code {returncode}) before the model could be "
        "checked — remove any os._exit() or similar call"
    )


__all__ = [
    "DEFAULT_FILE_BYTES",
    "DEFAULT_MEMORY",
    "DEFAULT_TIMEOUT",
    "DESCRIBER_CHECKS",
    "IDLE_DESCRIBERS",
    "OUTPUT_LIMIT",
    "SPARES",
    "CheckCancelled",
    "Checker",
    "SandboxInfo",
    "child_environment",
]
