"""Where quizdl keeps the learner's data."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "QUIZDL_HOME"
DATABASE_URL_ENV = "QUIZDL_DATABASE_URL"


def data_dir() -> Path:
    """``$QUIZDL_HOME`` if set, else the platform's user data directory."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    # platformdirs is imported here, not at module level: only this path needs it.
    from platformdirs import user_data_path

    return user_data_path("quizdl", appauthor=False)


def database_url() -> str:
    """``$QUIZDL_DATABASE_URL`` for another SQLAlchemy engine, else SQLite in the data dir."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir() / 'quizdl.sqlite3'}"


def config_file() -> Path:
    return data_dir() / "config.toml"


def attempts_dir() -> Path:
    """Challenge attempts are also kept as files so $EDITOR can open them."""
    return data_dir() / "attempts"
