"""When something fails inside the app: one line for the learner, the whole
traceback in a log file in the data directory for whoever fixes it.

A background task that raises must not end the app (Textual's default): the
screen stays usable and a notice says what failed and where the details are.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path

from quizdl import paths
from quizdl.decks.errors import DeckError
from quizdl.store.faults import CollectionError, explain
from quizdl.study.errors import StudyError

LOG_NAME = "quizdl.log"
# The log is for the last few failures, not an archive.
LOG_LIMIT_BYTES = 1_000_000
REASON_WIDTH = 160


def log_path() -> Path:
    return paths.data_dir() / LOG_NAME


def record_failure(error: BaseException, what: str) -> Path | None:
    """Append the traceback to the log; None when the log cannot be written
    (a read-only data directory must not turn one failure into two)."""
    path = log_path()
    try:
        if path.exists() and path.stat().st_size > LOG_LIMIT_BYTES:
            path.replace(path.with_name(LOG_NAME + ".1"))
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: {what} failed\n")
            log.write("".join(traceback.format_exception(error)))
    except OSError:
        return None
    return path


def reason_of(error: BaseException, database: Path | None = None) -> str:
    """A one-line reason: our own errors say it themselves; a database
    failure is explained; anything else is named by its type and message."""
    if isinstance(error, StudyError | DeckError | CollectionError):
        text = str(error)
    else:
        explained = explain(error, database)
        text = str(explained) if explained is not None else f"{type(error).__name__}: {error}"
    line = " ".join(text.split())
    return line if len(line) <= REASON_WIDTH else line[: REASON_WIDTH - 1] + "…"
