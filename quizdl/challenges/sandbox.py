"""Confinement of the checker's child processes, as far as the platform allows.

Used inside the child processes only (the supervisor and the worker), never by
the app. Standard library only: the supervisor imports this module before it
forks the worker, and a fork must happen before numpy or TensorFlow start
threads.

What each piece guarantees, and where:

- ``restrict_writes`` (Linux 5.13+ with Landlock enabled): the calling process
  and everything it starts can create, change or delete files only beneath the
  scratch directory (and write to ``/dev/null``), and read only the system,
  Python's own directories, the quizdl package and the scratch directory — not
  the home directory with the learner's collection. From Landlock ABI 4 on, TCP
  ``bind``/``connect`` are refused; from ABI 6 on, signals to processes outside
  the sandbox (the supervisor, the app) and abstract Unix sockets outside it are
  refused. Landlock also stops a sandboxed process from ptracing, or opening
  ``/proc/PID/fd`` or ``/proc/PID/mem`` of, any process outside its sandbox.
  We call the three Landlock system calls through ctypes: the PyPI binding
  (``landlock`` 1.0.0.dev5, a pre-release) handles files only, not network
  rules nor scoping.
- ``become_subreaper`` + ``kill_descendants`` (Linux): processes the learner's
  code starts, including ones that call ``setsid()`` and leave the process
  group, are re-parented to the supervisor when their parent dies, and the
  supervisor kills every descendant at the end of a check.
- ``limit_resources`` (POSIX): file size, core dumps, address space (where it
  can be measured) and, for an unprivileged user, the number of processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import resource
import signal
import sys
from collections.abc import Iterable
from dataclasses import dataclass

# --- Landlock -------------------------------------------------------------------

_SYS_CREATE_RULESET = 444  # the same numbers on every architecture (asm-generic table)
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36

_WRITE_FILE = 1 << 1
_READ_FILE = 1 << 2
_READ_DIR = 1 << 3
_REMOVE_DIR = 1 << 4
_REMOVE_FILE = 1 << 5
_MAKE_CHAR = 1 << 6
_MAKE_DIR = 1 << 7
_MAKE_REG = 1 << 8
_MAKE_SOCK = 1 << 9
_MAKE_FIFO = 1 << 10
_MAKE_BLOCK = 1 << 11
_MAKE_SYM = 1 << 12
_REFER = 1 << 13  # ABI 2
_TRUNCATE = 1 << 14  # ABI 3
_NET_BIND_TCP = 1 << 0  # ABI 4
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
_SCOPE_SIGNAL = 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@dataclass(frozen=True)
class Confinement:
    """What ``restrict_writes`` could enforce, for the report and the tests."""

    landlock_abi: int
    files: bool
    network: bool
    signals: bool
    reason: str = ""
    reads: bool = False


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    if libc is None:
        return 0
    version = libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(int(version), 0)


# System directories a Python process and the programs it starts read from.
SYSTEM_READABLE = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/bin",
    "/sbin",
    "/etc",
    "/opt",
    "/proc",
    "/sys",
    "/dev",
)


def readable_roots(scratch: str, package: str) -> list[str]:
    """Where the confined process may read: the system, the interpreter and its
    libraries, the quizdl package and the scratch directory — not the home
    directory, so not the learner's collection or other files."""
    roots = {*SYSTEM_READABLE, scratch, package}
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        roots.add(prefix)
    package_parent = os.path.dirname(package)
    for entry in sys.path:
        # The folder holding quizdl may be a whole checkout: only quizdl itself.
        if (
            entry
            and os.path.isdir(entry)
            and os.path.realpath(entry) != os.path.realpath(package_parent)
        ):
            roots.add(entry)
    return sorted(roots)


def restrict_writes(
    scratch: str,
    extra_writable_files: Iterable[str] = ("/dev/null",),
    readable: Iterable[str] | None = None,
) -> Confinement:
    """Confine this process and its future children to writing beneath ``scratch``
    and, when ``readable`` is given, to reading beneath those directories.

    Irreversible. Returns what was enforced; never raises for a platform that
    cannot do it (the caller reports that instead).
    """
    abi = landlock_abi()
    if abi < 1:
        return Confinement(0, False, False, False, "Landlock is not available on this system")
    libc = _libc()
    assert libc is not None
    handled = (
        _WRITE_FILE
        | _REMOVE_DIR
        | _REMOVE_FILE
        | _MAKE_CHAR
        | _MAKE_DIR
        | _MAKE_REG
        | _MAKE_SOCK
        | _MAKE_FIFO
        | _MAKE_BLOCK
        | _MAKE_SYM
    )
    if abi >= 2:
        handled |= _REFER
    if abi >= 3:
        handled |= _TRUNCATE
    reads = _READ_FILE | _READ_DIR if readable is not None else 0
    handled |= reads
    network = abi >= 4
    signals = abi >= 6
    attr = _RulesetAttr(
        handled_access_fs=handled,
        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if network else 0,
        scoped=(_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if signals else 0,
    )
    # Older kernels reject the fields they do not know: pass only what this ABI has.
    size = 24 if signals else 16 if network else 8
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        reason = os.strerror(ctypes.get_errno())
        return Confinement(abi, False, False, False, f"Landlock refused the ruleset: {reason}")
    try:
        rules = [(scratch, handled)]
        file_rights = _WRITE_FILE | (_TRUNCATE if abi >= 3 else 0) | (reads & _READ_FILE)
        rules.extend((path, file_rights) for path in extra_writable_files)
        rules.extend((path, reads) for path in readable or () if path != scratch)
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            if not os.path.isdir(path):
                # Directory rights on a file are refused: keep those that apply.
                rights &= _WRITE_FILE | _READ_FILE | _TRUNCATE
            try:
                rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
                if libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0):
                    reason = os.strerror(ctypes.get_errno())
                    return Confinement(
                        abi, False, False, False, f"Landlock rule for {path}: {reason}"
                    )
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
            return Confinement(abi, False, False, False, "cannot set no_new_privs")
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0):
            reason = os.strerror(ctypes.get_errno())
            return Confinement(abi, False, False, False, f"Landlock refused: {reason}")
    finally:
        os.close(ruleset)
    return Confinement(abi, True, network, signals, reads=bool(reads))


# --- process tree ---------------------------------------------------------------


def become_subreaper() -> bool:
    """Orphaned descendants (even ``setsid`` ones) become our children (Linux 3.4+)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = _libc()
    return libc is not None and libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _parents() -> dict[int, int]:
    """pid -> parent pid for every process we can see (Linux /proc)."""
    found: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # it ended while we looked
        # The command name may hold spaces and parentheses: split after the last ")".
        fields = stat.rsplit(b")", 1)[-1].split()
        if len(fields) > 1:
            found[int(entry)] = int(fields[1])
    return found


def descendants(root: int) -> list[int]:
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    result: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            result.append(child)
            stack.append(child)
    return result


def kill_descendants(rounds: int = 200) -> None:
    """Kill and reap every process below this one, however it detached itself.

    As a subreaper we inherit orphans, so once ``waitpid`` reports no children
    at all, nothing of the learner's is left. A fork bomb races the scan; each
    round kills what it finds and the loop goes on until no child remains.
    """
    me = os.getpid()
    for _ in range(rounds):
        for pid in descendants(me):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        try:
            while True:
                pid, _status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
        except ChildProcessError:
            return
        # Children remain (alive, or killed but not yet reaped): wait for one.
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


# --- resource limits ------------------------------------------------------------


def address_space_in_use() -> int | None:
    """Virtual memory this process maps now, where the system tells (Linux).

    ``None`` elsewhere: RSS (``getrusage``) says nothing about the address space
    TensorFlow reserves, so a limit computed from it would break every check.
    """
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _user_tasks(uid: int) -> int | None:
    """Threads of all processes of ``uid`` (what RLIMIT_NPROC counts on Linux)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    total = 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        owner = fields.get("Uid", "").split()
        if owner and int(owner[0]) == uid:
            total += int(fields.get("Threads", "1").strip() or 1)
    return total


@dataclass(frozen=True)
class Limits:
    memory: bool
    processes: bool
    file_bytes: int


def _set(kind: int, value: int) -> bool:
    try:
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        return False
    return True


def limit_resources(memory_bytes: int, file_bytes: int, extra_processes: int | None) -> Limits:
    """Cap what the learner's code may take, on top of the already loaded runtime.

    ``extra_processes=None`` leaves the number of processes alone: the cap is
    the user's task count now plus a margin, which a long-lived process that
    never runs the learner's code would outgrow as other processes come and go.
    """
    _set(resource.RLIMIT_CORE, 0)
    _set(resource.RLIMIT_FSIZE, file_bytes)
    in_use = address_space_in_use()
    memory = in_use is not None and _set(resource.RLIMIT_AS, in_use + memory_bytes)
    processes = False
    uid = os.getuid()
    # The kernel does not apply RLIMIT_NPROC to root; it counts all of the
    # user's threads, so the cap is what runs now plus a margin.
    tasks = _user_tasks(uid) if uid != 0 and extra_processes is not None else None
    if tasks is not None and extra_processes is not None:
        processes = _set(resource.RLIMIT_NPROC, tasks + extra_processes)
    return Limits(memory=memory, processes=processes, file_bytes=file_bytes)
