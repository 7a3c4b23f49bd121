"""the source's name of a body, and every organization of a meeting

`body.oparl_name` keeps what the OParl source calls a body (SessionNet: "Instance 0001") beside
the name ratsfrist shows. `meeting_organization` lists all organizations of a meeting (a joint
session), in the source's order; `meeting.organization_id` stays the first. Existing meetings
get their one organization as the first link.

Downgrade: the links beyond the first are dropped (the first is `meeting.organization_id`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("body") as batch_op:
        batch_op.add_column(sa.Column("oparl_name", sa.String(length=200), nullable=True))
    op.create_table(
        "meeting_organization",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "organization_id"),
    )
    op.create_index(
        "ix_meeting_organization_organization_id", "meeting_organization", ["organization_id"]
    )
    op.execute(
        "INSERT INTO meeting_organization (meeting_id, organization_id, position) "
        "SELECT id, organization_id, 0 FROM meeting"
    )


def downgrade() -> None:
    op.drop_index("ix_meeting_organization_organization_id", table_name="meeting_organization")
    op.drop_table("meeting_organization")
    with op.batch_alter_table("body") as batch_op:
        batch_op.drop_column("oparl_name")
