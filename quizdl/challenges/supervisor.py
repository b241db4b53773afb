"""The checker's supervisor: one per worker, it outlives the learner's code.

``python -m quizdl.challenges.supervisor CHANNEL_FD [--serve]`` is what the app
starts (``--serve``: a long-lived describer, whose requests and envelopes are
length-prefixed, ``quizdl.challenges.framing``, and which answers until the app
closes the channel).
It makes itself a child subreaper, forks the worker (which imports Keras) and
relays between the app and the worker over two Unix socket pairs:

    app <-> supervisor:  "ready\\n", then one request, then one envelope
    supervisor <-> worker: "ready\\n", then the request, then the worker's report

The envelope (JSON) carries the worker's report bytes, its exit status, and
whether it got as far as running anything. When the worker ends (or the app
sends SIGTERM to cancel), the supervisor kills every descendant — including
ones that left the process group with ``setsid()`` — before it answers, so
nothing the learner started outlives the check.

The supervisor never runs the learner's code and imports only the standard
library and ``quizdl.challenges.sandbox`` (a fork must come before numpy or
TensorFlow start threads). Sockets, not pipes: a pipe can be reopened through
``/proc/PID/fd`` by any process of the same user; a socket cannot.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time
import traceback
from types import FrameType

from quizdl.challenges import framing, sandbox

READY = b"ready\n"
RUNNING = b"running\n"
# A report larger than this is not a model description.
MAX_REPORT_BYTES = 16 << 20


def _read_all(sock: socket.socket, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = sock.recv(1 << 16)
        except InterruptedError:
            continue
        except OSError:
            break
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            chunks.append(chunk[: max(0, limit - (size - len(chunk)))])
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _read_ready(sock: socket.socket) -> tuple[bool, bytes]:
    """Read until the worker says ready; returns (ready, anything read after it)."""
    buffer = b""
    while READY not in buffer:
        try:
            chunk = sock.recv(1 << 12)
        except InterruptedError:
            continue
        except OSError:
            return False, buffer
        if not chunk:
            return False, buffer
        buffer += chunk
    return True, buffer.split(READY, 1)[1]


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _wait_briefly(pid: int, seconds: float = 1.0) -> int | None:
    """The worker's wait status if it exits within ``seconds`` (it exits right after
    its report), else None."""
    for _ in range(int(seconds / 0.01)):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except InterruptedError:
            continue
        if done:
            return status
        time.sleep(0.01)
    return None


def run_worker(channel: socket.socket, *, serve: bool = False) -> None:
    """In the forked child: become the worker (imports Keras); never returns."""
    try:
        from quizdl.challenges import worker

        if serve:
            worker.serve(channel.fileno())
        else:
            worker.main(channel.fileno())
    except BaseException:  # the checker itself broke: say so on stderr, exit 70
        traceback.print_exc()
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os._exit(70)


def _envelope(ready: bool, started: bool, status: int, report: bytes) -> bytes:
    return json.dumps(
        {
            "ready": ready,
            "started": started,
            "returncode": status,
            "report": report.decode("utf-8", errors="replace"),
        }
    ).encode()


def _split_running(output: bytes) -> tuple[bool, bytes]:
    started = output.startswith(RUNNING)
    return started, output[len(RUNNING) :] if started else output


def _relay_many(app: socket.socket, ours: socket.socket) -> bool:
    """A long-lived describer: relay framed requests and envelopes until the app
    closes its side (True) or the worker stops answering (False)."""
    while (request := framing.read_frame(app, MAX_REPORT_BYTES)) is not None:
        if not _send(ours, framing.frame(request)):
            return False
        output = framing.read_frame(ours, MAX_REPORT_BYTES + len(RUNNING))
        if output is None:
            return False
        started, report = _split_running(output)
        if not _send(app, framing.frame(_envelope(True, started, 0, report))):
            return True
    return True


def main(argv: list[str]) -> None:
    app = socket.socket(fileno=int(argv[1]))
    serve = argv[2:] == ["--serve"]
    sandbox.become_subreaper()
    ours, theirs = socket.socketpair()
    worker_pid = os.fork()
    if worker_pid == 0:
        app.close()  # the worker must never hold the app's channel
        ours.close()
        run_worker(theirs, serve=serve)
    theirs.close()
    alive = True

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Cancelled by the app: end the worker and whatever it started (one of
        # them may hold the worker's socket open); the code below reaps them.
        if alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker_pid, signal.SIGKILL)
        for pid in sandbox.descendants(os.getpid()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)

    ready, _rest = _read_ready(ours)
    started = False
    report = b""
    answered = False  # a long-lived describer that ends cleanly owes no last envelope
    if ready and _send(app, READY):
        if serve:
            answered = _relay_many(app, ours)
            with contextlib.suppress(OSError):
                ours.shutdown(socket.SHUT_WR)  # the worker exits at end of file
        else:
            request = _read_all(app, MAX_REPORT_BYTES)
            if request and _send(ours, request):
                with contextlib.suppress(OSError):
                    ours.shutdown(socket.SHUT_WR)
                started, report = _split_running(_read_all(ours, MAX_REPORT_BYTES + len(RUNNING)))
    # No request (a spare being retired) or the report is in: the worker is done.
    status = _wait_briefly(worker_pid)
    if status is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker_pid, signal.SIGKILL)
        _pid, status = os.waitpid(worker_pid, 0)
    alive = False
    sandbox.kill_descendants()
    if serve:
        if not answered:  # the worker died during a request: say how
            returncode = os.waitstatus_to_exitcode(status)
            _send(app, framing.frame(_envelope(ready, ready, returncode, b"")))
    else:
        _send(app, _envelope(ready, started, os.waitstatus_to_exitcode(status), report))
    with contextlib.suppress(OSError):
        app.close()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
