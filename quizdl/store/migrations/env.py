"""Alembic environment: always runs on the connection quizdl hands it."""

from __future__ import annotations

from alembic import context

from quizdl.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds tables portably.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
