"""sweep index and escalation per committee

Deadlines carry their body and committee, and papers the committee they are with now, so
that the sweep's and the overview's indexes cover their queries;
escalation rows stand for a committee and a day instead of one deadline. Escalation rows of
the old kind (one per missed deadline) that still wait are cancelled: the first sweep after
the upgrade plans today's per committee.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:27:36.342734
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE deadline SET "
        "body_id = (SELECT paper.body_id FROM paper WHERE paper.id = deadline.paper_id), "
        "organization_id = (SELECT consultation.organization_id FROM consultation "
        "WHERE consultation.id = deadline.consultation_id)"
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.alter_column("body_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_deadline_status_due")
        batch_op.create_index(
            "ix_deadline_sweep",
            ["status", "due", "kind", "body_id", "organization_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            "fk_deadline_organization_id", "organization", ["organization_id"], ["id"]
        )
        batch_op.create_foreign_key("fk_deadline_body_id", "body", ["body_id"], ["id"])

    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_organization_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_paper_current_organization_id", "organization", ["current_organization_id"], ["id"]
        )
        batch_op.create_index(
            "ix_paper_overview", ["state", "body_id", "current_organization_id"], unique=False
        )
    op.execute(
        "UPDATE paper SET current_organization_id = (SELECT c.organization_id "
        "FROM consultation c WHERE c.paper_id = paper.id AND NOT c.done "
        "ORDER BY c.position, c.id LIMIT 1)"
    )

    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch_op.alter_column("deadline_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("paper_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint("uq_reminder_scope_step_tag", ["scope", "step", "tag"])
        batch_op.create_foreign_key("fk_reminder_body_id", "body", ["body_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_reminder_organization_id", "organization", ["organization_id"], ["id"]
        )
    op.execute(
        "UPDATE reminder SET status = 'cancelled', "
        "last_error = 'ersetzt: Eskalation je Gremium und Tag (Migration 0005)' "
        "WHERE escalation AND status = 'pending'"
    )


def downgrade() -> None:
    op.execute("DELETE FROM reminder WHERE deadline_id IS NULL")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reminder_organization_id", type_="foreignkey")
        batch_op.drop_constraint("fk_reminder_body_id", type_="foreignkey")
        batch_op.drop_constraint("uq_reminder_scope_step_tag", type_="unique")
        batch_op.alter_column("paper_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column("deadline_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("organization_id")
        batch_op.drop_column("body_id")
        batch_op.drop_column("scope")

    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_overview")
        batch_op.drop_constraint("fk_paper_current_organization_id", type_="foreignkey")
        batch_op.drop_column("current_organization_id")

    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_constraint("fk_deadline_body_id", type_="foreignkey")
        batch_op.drop_constraint("fk_deadline_organization_id", type_="foreignkey")
        batch_op.drop_index("ix_deadline_sweep")
        batch_op.create_index("ix_deadline_status_due", ["status", "due"], unique=False)
        batch_op.drop_column("organization_id")
        batch_op.drop_column("body_id")
