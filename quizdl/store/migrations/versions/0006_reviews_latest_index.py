"""An index for "each card's latest scheduled answer".

Start-up aligns every answered card's due day with its latest scheduled
answer (``study.fsrs_days``), grouping the whole review log by card. With
``(card_pk, kind, id)`` that grouping reads only the index, not a million log
rows: 0.65 s -> 0.20 s CPU at 100,000 cards and 900,000 answers. Plain B-tree,
the same on SQLite and PostgreSQL.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reviews_card_kind", "reviews", ["card_pk", "kind", "id"])


def downgrade() -> None:
    op.drop_index("ix_reviews_card_kind", table_name="reviews")
