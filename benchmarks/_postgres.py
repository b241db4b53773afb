"""A throwaway PostgreSQL server for the benchmarks, from the machine's own binaries.

The cluster lives in a scratch folder, listens only on a Unix socket in it,
and is stopped (and deleted with the folder) when the block ends. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb, or PG_BIN if set."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: Path(p).parts[4])
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def why_not() -> str | None:
    """Why the PostgreSQL rows cannot run here, or None when they can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg not installed (pip install -e '.[bench]')"
    if find_binaries() is None:
        return "no PostgreSQL server binaries (initdb) found"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server"
    return None


@contextmanager
def postgres_server(directory: Path) -> Iterator[str]:
    """Start a server in ``directory``; yields an SQLAlchemy URL (psycopg driver)."""
    binaries = find_binaries()
    assert binaries is not None
    data, sockets = directory / "pgdata", directory / "pgsock"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (directory, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "bench", "-A", "trust"],
        **quiet,  # type: ignore[arg-type]
    )
    # random_page_cost 1.1: the usual setting for SSD storage (the default 4 is for
    # spinning disks and makes the planner scan whole tables instead of an index).
    options = f"-c listen_addresses='' -k {sockets} -c shared_buffers=256MB -c random_page_cost=1.1"
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start"],
        **quiet,  # type: ignore[arg-type]
    )
    try:
        subprocess.run(
            [*prefix, str(binaries / "createdb"), "-h", str(sockets), "-U", "bench", "quizdl"],
            **quiet,  # type: ignore[arg-type]
        )
        yield f"postgresql+psycopg://bench@/quizdl?host={sockets}"
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


def create_database(url: str, name: str) -> str:
    """Another empty database on the same server (a fresh collection per import)."""
    import psycopg

    host = url.split("host=", 1)[1]
    with psycopg.connect(host=host, user="bench", dbname="quizdl", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.replace("/quizdl?", f"/{name}?")
