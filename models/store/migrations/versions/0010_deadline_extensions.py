"""deadline extensions (Fristverlängerung)

`deadline.extended_from` keeps the due date the rules gave before an extension, and
`deadline.extension_reason` why it was extended (the audit log's `extend_deadline` event has
who consented and when). Urgency (Dringlichkeit) needs no column: it is read from the audit
log's `mark_urgent` event, which re-planning reads already.

Downgrade: the columns are dropped; an extended deadline keeps its new due date, without the
note that it was extended.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.add_column(sa.Column("extended_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.drop_column("extension_reason")
        batch_op.drop_column("extended_from")
