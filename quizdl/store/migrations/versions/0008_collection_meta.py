"""A small key/value table for facts about the collection itself.

Its first key, ``aligned_days``: the scheduler settings (SM-2 or FSRS, per
deck, and their retention) that the cards' review days were last aligned to,
and the newest answer at that moment. Start-up reads this one row instead of
re-reading the whole review log to find that nothing changed (0.5-0.8 s at
100,000 cards and 900,000 answers, on every start). Portable: one table, a
string key and a text value, the same on SQLite and PostgreSQL.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collection_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("collection_meta")
