"""Leeches and interview plans.

``card_states.leech``: the card lapsed often enough to be a leech (issue 11);
kept with the schedule, not in the card's content, so re-importing its deck
keeps the mark.
``plans``: an interview date the scheduler paces new cards toward, for the
whole collection (``deck_ids`` empty) or for chosen decks.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("card_states") as batch:
        batch.add_column(
            sa.Column("leech", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("interview_day", sa.Date(), nullable=False),
        sa.Column("minutes_per_day", sa.Float(), nullable=False),
        sa.Column("final_stretch_days", sa.Integer(), nullable=False),
        sa.Column("deck_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("plans")
    with op.batch_alter_table("card_states") as batch:
        batch.drop_column("leech")
