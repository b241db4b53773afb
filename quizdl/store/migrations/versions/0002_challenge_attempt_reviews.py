"""Challenge attempts name the review that graded their round.

``review_id``: the answer a passed check or a give-up recorded, in the same
transaction as the attempt; set on every event of that round, so the round is
closed by id, not by comparing timestamps. It becomes NULL when that answer is
undone, which reopens the round exactly.
``after_review_id``: the card's latest scheduled review when the event was
recorded; a round is the open events recorded after the same review, so an
answer given elsewhere (self-graded in a review) also starts a new round.

Existing rows are linked from their timestamps, once, here.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("challenge_attempts") as batch:
        batch.add_column(sa.Column("review_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("after_review_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_challenge_attempts_review", "reviews", ["review_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_attempts_review", "challenge_attempts", ["review_id"])
    op.execute(
        """
        UPDATE challenge_attempts SET after_review_id = (
            SELECT MAX(r.id) FROM reviews r
            WHERE r.card_pk = challenge_attempts.card_pk
              AND r.kind = 'scheduled'
              AND r.reviewed_at < challenge_attempts.created_at
        )
        """
    )
    op.execute(
        """
        UPDATE challenge_attempts SET review_id = (
            SELECT MIN(r.id) FROM reviews r
            WHERE r.card_pk = challenge_attempts.card_pk
              AND r.reviewed_at >= challenge_attempts.created_at
        )
        WHERE (event = 'check' AND passed) OR event = 'give_up'
        """
    )


def downgrade() -> None:
    op.drop_index("ix_attempts_review", "challenge_attempts")
    with op.batch_alter_table("challenge_attempts") as batch:
        batch.drop_constraint("fk_challenge_attempts_review", type_="foreignkey")
        batch.drop_column("after_review_id")
        batch.drop_column("review_id")
