"""Whatever a learner writes in config.toml: a one-line refusal, or settings the
app can study with. Never a traceback later, in the queue or an answer.

Found this way: twenty nines for ``new_cards_per_day`` were taken and overflowed
SQLite's integers in the queue's LIMIT.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from helpers import FixedClock, write_deck
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from quizdl.study.errors import StudyError
from quizdl.study.factory import open_study
from quizdl.study.settings import SETTINGS, load_settings

KEYS = SETTINGS
DECK_KEYS = ("new_cards_per_day", "scheduler", "desired_retention")

SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-2, max_value=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["sm2", "fsrs", "suspend", "flag", "", "[/]"]),
    st.text(max_size=8),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=6)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


# Mostly what a learner would write for each key, with its edges (0, the
# largest count, "no limit" as a row of nines); now and then anything at all.
COUNTS = st.one_of(
    *[st.integers(min_value=0, max_value=60)] * 6,
    st.integers(min_value=999_998, max_value=1_000_002),
    st.integers(min_value=2**62, max_value=10**22),
)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "new_cards_per_day": COUNTS,
    "max_reviews_per_day": COUNTS,
    "leech_threshold": COUNTS,
    "learning_steps": st.lists(
        st.one_of(st.integers(min_value=1, max_value=1440), st.floats(0.01, 1440)), max_size=4
    ),
    "leech_action": st.sampled_from(["suspend", "flag"]),
    "scheduler": st.sampled_from(["sm2", "fsrs"]),
    "desired_retention": st.floats(0.7, 0.99),
}


def value_for(key: str) -> st.SearchStrategy[Any]:
    return st.one_of(*[PLAUSIBLE[key]] * 8, VALUES)


def table_of(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)).flatmap(
        lambda chosen: st.fixed_dictionaries({key: value_for(key) for key in chosen})
    )


CONFIGS = st.tuples(
    table_of(KEYS),
    st.dictionaries(st.sampled_from(["small", "absent"]), table_of(DECK_KEYS), max_size=2),
)


def config_text(top: dict[str, Any], decks: dict[str, dict[str, Any]]) -> str:
    lines = [f"{key} = {toml_value(value)}" for key, value in top.items()]
    for deck_id, table in decks.items():
        lines.append(f"[decks.{deck_id}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONFIGS)
def test_any_config_is_refused_in_one_line_or_studies(
    config: tuple[dict[str, Any], dict[str, dict[str, Any]]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        path = folder / "config.toml"
        path.write_text(config_text(*config), encoding="utf-8")
        try:
            chosen = load_settings(path)
        except StudyError as refusal:
            assert str(refusal).startswith(str(path)) and "\n" not in str(refusal)
            event("refused")
            return
        event("studied with")
        study = open_study(
            database_url=f"sqlite:///{folder / 'q.sqlite3'}",
            clock=FixedClock(),
            settings=chosen,
            bundled=[],
        )
        try:
            study.import_file(write_deck(folder))
            queue = study.queue()
            if queue:
                study.answer(queue[0].pk, 3)
                again = study.queue()
                if again:
                    study.answer(again[0].pk, 5)
            study.stats()
            study.deck_summaries()
            study.planned_load()
        finally:
            study.db.close()
