"""The first schema: decks, cards, card states, reviews, challenge attempts.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "cards",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "deck_id", sa.String(200), sa.ForeignKey("decks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("card_id", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("deck_id", "card_id", name="uq_cards_deck_card"),
    )
    op.create_index("ix_cards_deck_position", "cards", ["deck_id", "position"])
    op.create_index("ix_cards_deck_state", "cards", ["deck_id", "retired", "suspended"])
    op.create_table(
        "card_states",
        sa.Column(
            "card_pk", sa.Integer(), sa.ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("easiness", sa.Float(), nullable=False),
        sa.Column("repetitions", sa.Integer(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("lapses", sa.Integer(), nullable=False),
    )
    op.create_index("ix_card_states_due", "card_states", ["due"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "card_pk", sa.Integer(), sa.ForeignKey("cards.pk", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("study_day", sa.Date(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("answer_seconds", sa.Float(), nullable=False),
        sa.Column("easiness_before", sa.Float(), nullable=False),
        sa.Column("repetitions_before", sa.Integer(), nullable=False),
        sa.Column("interval_before", sa.Integer(), nullable=False),
        sa.Column("due_before", sa.Date(), nullable=True),
        sa.Column("lapses_before", sa.Integer(), nullable=False),
        sa.Column("easiness_after", sa.Float(), nullable=False),
        sa.Column("repetitions_after", sa.Integer(), nullable=False),
        sa.Column("interval_after", sa.Integer(), nullable=False),
        sa.Column("due_after", sa.Date(), nullable=True),
    )
    op.create_index("ix_reviews_card", "reviews", ["card_pk", "id"])
    op.create_index("ix_reviews_day", "reviews", ["study_day"])
    op.create_table(
        "review_days",
        sa.Column("study_day", sa.Date(), primary_key=True),
        sa.Column("deck_id", sa.String(200), primary_key=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("scheduled", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
    )
    op.create_table(
        "challenge_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "card_pk", sa.Integer(), sa.ForeignKey("cards.pk", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("verdict", sa.JSON(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_attempts_card", "challenge_attempts", ["card_pk", "id"])


def downgrade() -> None:
    for table in ("challenge_attempts", "review_days", "reviews", "card_states", "cards", "decks"):
        op.drop_table(table)
