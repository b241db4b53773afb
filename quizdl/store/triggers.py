"""The triggers that keep ``card_counts`` in step with ``cards`` and ``card_states``.

``card_counts`` (``quizdl.store.tables``) holds the active (not retired) cards
per deck, due day, reviewed flag (repetitions > 0) and suspended flag; never
reviewed cards are counted under ``UNSEEN_DUE`` (1900-01-01). These triggers
keep it right after every write, whoever makes it: answer, undo, import,
suspend, leeches, or SQL typed by hand.

SQLite and PostgreSQL each get the same triggers in their own dialect: SQLite
runs a pair of upserts per changed row (in process, cheap); PostgreSQL runs
statement-level trigger functions over transition tables, one grouped upsert
per statement, so a bulk import does not pay a function call per card.

Migration 0005 creates them on an existing collection; a new collection gets
them with its tables (``store.db``). tests/store checks that both give the
same schema.
"""

from __future__ import annotations

_KEY = "(deck_id, due, reviewed, suspended)"

# One upsert per side of a change: +1 for the card's new key, -1 for its old one.
_SQLITE_BUMP = (
    "INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards) "
    "SELECT {deck}, COALESCE({due}, '1900-01-01'), {reps} > 0, {suspended}, {delta} "
    "FROM {source} WHERE {where} "
    f"ON CONFLICT {_KEY} DO UPDATE SET cards = cards + excluded.cards;"
)


def _sqlite_bump(side: str, delta: int, *, state_side: bool) -> str:
    """The upsert for the OLD or NEW image of a card_states row (state_side) or a cards row."""
    if state_side:
        return _SQLITE_BUMP.format(
            deck="c.deck_id",
            due=f"{side}.due",
            reps=f"{side}.repetitions",
            suspended="c.suspended",
            delta=delta,
            source="cards c",
            where=f"c.pk = {side}.card_pk AND c.retired = 0",
        )
    return _SQLITE_BUMP.format(
        deck=f"{side}.deck_id",
        due="s.due",
        reps="s.repetitions",
        suspended=f"{side}.suspended",
        delta=delta,
        source="card_states s",
        where=f"s.card_pk = {side}.pk AND {side}.retired = 0",
    )


_STATE_CHANGED = "OLD.due IS NOT NEW.due OR (OLD.repetitions > 0) <> (NEW.repetitions > 0)"
_CARD_CHANGED = "OLD.suspended <> NEW.suspended OR OLD.retired <> NEW.retired"

SQLITE_TRIGGERS: tuple[str, ...] = (
    "CREATE TRIGGER card_counts_state_insert AFTER INSERT ON card_states BEGIN "
    + _sqlite_bump("NEW", 1, state_side=True)
    + " END",
    "CREATE TRIGGER card_counts_state_update AFTER UPDATE OF due, repetitions ON card_states "
    f"WHEN {_STATE_CHANGED} BEGIN "
    + _sqlite_bump("OLD", -1, state_side=True)
    + " "
    + _sqlite_bump("NEW", 1, state_side=True)
    + " END",
    # A card deleted with its state (cascade) is taken off by the cards trigger
    # first; this one finds no card then and does nothing.
    "CREATE TRIGGER card_counts_state_delete AFTER DELETE ON card_states BEGIN "
    + _sqlite_bump("OLD", -1, state_side=True)
    + " END",
    "CREATE TRIGGER card_counts_card_update AFTER UPDATE OF suspended, retired ON cards "
    f"WHEN {_CARD_CHANGED} BEGIN "
    + _sqlite_bump("OLD", -1, state_side=False)
    + " "
    + _sqlite_bump("NEW", 1, state_side=False)
    + " END",
    "CREATE TRIGGER card_counts_card_delete BEFORE DELETE ON cards BEGIN "
    + _sqlite_bump("OLD", -1, state_side=False)
    + " END",
)

POSTGRES_FUNCTIONS: tuple[str, ...] = (
    f"""
CREATE FUNCTION card_counts_bump(p_deck text, p_due date, p_reps integer,
                                 p_suspended boolean, p_delta integer) RETURNS void AS $$
BEGIN
  INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards)
  VALUES (p_deck, COALESCE(p_due, DATE '1900-01-01'), p_reps > 0, p_suspended, p_delta)
  ON CONFLICT {_KEY} DO UPDATE SET cards = card_counts.cards + EXCLUDED.cards;
END $$ LANGUAGE plpgsql
""",
    # Statement-level triggers see every changed row at once (transition tables),
    # so a bulk import costs one grouped upsert, not one function call per card.
    f"""
CREATE FUNCTION card_counts_states_inserted() RETURNS trigger AS $$
BEGIN
  INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards)
  SELECT c.deck_id, COALESCE(n.due, DATE '1900-01-01'), n.repetitions > 0, c.suspended, count(*)
  FROM new_rows n JOIN cards c ON c.pk = n.card_pk WHERE NOT c.retired
  GROUP BY 1, 2, 3, 4
  ON CONFLICT {_KEY} DO UPDATE SET cards = card_counts.cards + EXCLUDED.cards;
  RETURN NULL;
END $$ LANGUAGE plpgsql
""",
    f"""
CREATE FUNCTION card_counts_states_changed() RETURNS trigger AS $$
BEGIN
  INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards)
  SELECT deck_id, due, reviewed, suspended, sum(delta) FROM (
    SELECT c.deck_id, COALESCE(o.due, DATE '1900-01-01') AS due, o.repetitions > 0 AS reviewed,
           c.suspended, -1 AS delta
    FROM old_rows o JOIN cards c ON c.pk = o.card_pk WHERE NOT c.retired
    UNION ALL
    SELECT c.deck_id, COALESCE(n.due, DATE '1900-01-01'), n.repetitions > 0, c.suspended, 1
    FROM new_rows n JOIN cards c ON c.pk = n.card_pk WHERE NOT c.retired
  ) AS moves GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
  ON CONFLICT {_KEY} DO UPDATE SET cards = card_counts.cards + EXCLUDED.cards;
  RETURN NULL;
END $$ LANGUAGE plpgsql
""",
    f"""
CREATE FUNCTION card_counts_states_deleted() RETURNS trigger AS $$
BEGIN
  INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards)
  SELECT c.deck_id, COALESCE(o.due, DATE '1900-01-01'), o.repetitions > 0, c.suspended, -count(*)
  FROM old_rows o JOIN cards c ON c.pk = o.card_pk WHERE NOT c.retired
  GROUP BY 1, 2, 3, 4
  ON CONFLICT {_KEY} DO UPDATE SET cards = card_counts.cards + EXCLUDED.cards;
  RETURN NULL;
END $$ LANGUAGE plpgsql
""",
    f"""
CREATE FUNCTION card_counts_cards_changed() RETURNS trigger AS $$
BEGIN
  INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards)
  SELECT deck_id, due, reviewed, suspended, sum(delta) FROM (
    SELECT o.deck_id, COALESCE(s.due, DATE '1900-01-01') AS due, s.repetitions > 0 AS reviewed,
           o.suspended, -1 AS delta
    FROM old_rows o JOIN card_states s ON s.card_pk = o.pk WHERE NOT o.retired
    UNION ALL
    SELECT n.deck_id, COALESCE(s.due, DATE '1900-01-01'), s.repetitions > 0, n.suspended, 1
    FROM new_rows n JOIN card_states s ON s.card_pk = n.pk WHERE NOT n.retired
  ) AS moves GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
  ON CONFLICT {_KEY} DO UPDATE SET cards = card_counts.cards + EXCLUDED.cards;
  RETURN NULL;
END $$ LANGUAGE plpgsql
""",
    # A deleted card is taken off before it goes (row by row: deleting cards is
    # rare); its state, deleted after it by the cascade, then finds no card.
    """
CREATE FUNCTION card_counts_card_deleted() RETURNS trigger AS $$
DECLARE state record;
BEGIN
  IF NOT OLD.retired THEN
    SELECT due, repetitions INTO state FROM card_states WHERE card_pk = OLD.pk;
    IF FOUND THEN
      PERFORM card_counts_bump(OLD.deck_id, state.due, state.repetitions, OLD.suspended, -1);
    END IF;
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql
""",
)

POSTGRES_TRIGGERS: tuple[str, ...] = (
    "CREATE TRIGGER card_counts_state_insert AFTER INSERT ON card_states "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION card_counts_states_inserted()",
    "CREATE TRIGGER card_counts_state_update AFTER UPDATE ON card_states "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION card_counts_states_changed()",
    "CREATE TRIGGER card_counts_state_delete AFTER DELETE ON card_states "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION card_counts_states_deleted()",
    "CREATE TRIGGER card_counts_card_update AFTER UPDATE ON cards "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION card_counts_cards_changed()",
    "CREATE TRIGGER card_counts_card_delete BEFORE DELETE ON cards "
    "FOR EACH ROW EXECUTE FUNCTION card_counts_card_deleted()",
)


def card_count_triggers(dialect: str) -> tuple[str, ...]:
    """Every statement that creates the triggers (and PostgreSQL's functions)."""
    if dialect == "postgresql":
        return (*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS)
    return SQLITE_TRIGGERS
