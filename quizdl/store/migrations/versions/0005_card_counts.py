"""Card counts kept by triggers, so statistics need not join every card.

``card_counts``: active (not retired) cards per deck, due day, reviewed flag
(repetitions > 0) and suspended flag; never-reviewed cards are counted under
the day ``UNSEEN_DUE`` (1900-01-01). Triggers on ``cards`` and ``card_states``
keep it in step with every write, whoever makes it: answer, undo, import,
suspend, leeches, or SQL typed by hand. The table is filled from the cards
present when the migration runs.

The triggers themselves are ``quizdl.store.triggers`` (SQLite's and
PostgreSQL's), which a new collection also gets with its tables. A later
migration that rebuilds ``cards`` or ``card_states`` (a batch "recreate")
drops these triggers and must create them again; tests/store checks that the
counts still match a full recount after every kind of write.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from quizdl.store.triggers import POSTGRES_FUNCTIONS, POSTGRES_TRIGGERS, SQLITE_TRIGGERS

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_POSTGRES_FUNCTION_NAMES = (
    "card_counts_states_inserted",
    "card_counts_states_changed",
    "card_counts_states_deleted",
    "card_counts_cards_changed",
    "card_counts_card_deleted",
)
_TRIGGER_NAMES = (
    "card_counts_state_insert",
    "card_counts_state_update",
    "card_counts_state_delete",
    "card_counts_card_update",
    "card_counts_card_delete",
)

BACKFILL = (
    "INSERT INTO card_counts (deck_id, due, reviewed, suspended, cards) "
    "SELECT c.deck_id, COALESCE(s.due, '1900-01-01'), s.repetitions > 0, c.suspended, "
    "count(*) FROM cards c JOIN card_states s ON s.card_pk = c.pk "
    "WHERE c.retired = FALSE "
    "GROUP BY c.deck_id, COALESCE(s.due, '1900-01-01'), s.repetitions > 0, c.suspended"
)


def upgrade() -> None:
    op.create_table(
        "card_counts",
        sa.Column("deck_id", sa.String(200), primary_key=True),
        sa.Column("due", sa.Date(), primary_key=True),
        sa.Column("reviewed", sa.Boolean(), primary_key=True),
        sa.Column("suspended", sa.Boolean(), primary_key=True),
        sa.Column("cards", sa.Integer(), nullable=False),
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        for statement in (*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS):
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _TRIGGER_NAMES:
        table = "card_states" if "_state_" in name else "cards"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for function in _POSTGRES_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute(
            "DROP FUNCTION IF EXISTS card_counts_bump(text, date, integer, boolean, integer)"
        )
    op.drop_table("card_counts")
