"""motions to review and motions without a number

`paper.uncertain` lists what the intake was unsure of and `paper.proposed_consultations` the
Beratungsfolge as read, both while a motion is `in_review` ("zu prüfen"); `paper.intake_number`
is the Eingangsnummer of a document that came without a number (unique per body), counted per
body and year in `intake_counter`.

Downgrade: the columns and the counter are dropped; motions still `in_review` or
`awaiting_assignment` keep their state, which 0008's code does not know - downgrade only a
database without them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("paper") as batch_op:
        batch_op.add_column(sa.Column("intake_number", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("uncertain", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column(
                "proposed_consultations",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
    op.create_index(
        "ix_paper_body_intake_number", "paper", ["body_id", "intake_number"], unique=True
    )
    op.create_table(
        "intake_counter",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"]),
        sa.PrimaryKeyConstraint("body_id", "year"),
    )


def downgrade() -> None:
    op.drop_table("intake_counter")
    op.drop_index("ix_paper_body_intake_number", table_name="paper")
    with op.batch_alter_table("paper") as batch_op:
        batch_op.drop_column("proposed_consultations")
        batch_op.drop_column("uncertain")
        batch_op.drop_column("intake_number")
