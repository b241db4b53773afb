"""An index for "this card's answers today", read on every answer.

Without it SQLite answered ``card_pk = ? AND study_day = ?`` through the
study-day index, reading every answer of the day to find one card's: each
answer of a session cost more than the one before (6 ms per answer on a day
that already had 70,000 answers). With ``(card_pk, study_day)`` the look-up
reads only that card's rows of the day, on SQLite and PostgreSQL alike.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reviews_card_day", "reviews", ["card_pk", "study_day"])


def downgrade() -> None:
    op.drop_index("ix_reviews_card_day", table_name="reviews")
