"""Study-more kind and planned day in the review log; fitted FSRS parameters.

``reviews.study_more``: which study-more option (issue 11) chose the card
answered — "new", "ahead", "failed", "sample", "tag" or "deck" — or NULL for
an answer from today's own queue. The SM-2 state moves the same either way;
the kind says why the answer happened.
``reviews.planned_due``: under an interview plan, the day the plan shows the
card next when that differs from the scheduler's own ``due_after`` (NULL
otherwise). The card's state keeps the scheduler's day, so clearing the plan
restores plain scheduling, and undo restores both from this row.
``fitted_parameters``: FSRS-6 parameters fitted to the learner's own log,
with the study day they were fitted on (refitted at most daily).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("study_more", sa.String(16), nullable=True))
        batch.add_column(sa.Column("planned_due", sa.Date(), nullable=True))
    op.create_table(
        "fitted_parameters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("study_day", sa.Date(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fitted_parameters")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("planned_due")
        batch.drop_column("study_more")
