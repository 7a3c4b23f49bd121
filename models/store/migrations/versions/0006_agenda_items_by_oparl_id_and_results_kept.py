"""agenda items by OParl id, whole results, results to review, the start of tracking

Agenda items are no longer unique per (meeting, number): council systems number the public and
the non-public part from 1 again (More!Rubin), and synced items are identified by their OParl
id, which stays unique. Items typed in by hand are kept unique per meeting by the service. The
result is kept whole (Text instead of 50 characters); `result_review` holds why a result needs
a person; `body.oparl_history_before` the start of tracking (meetings before it are history).

Downgrade: results are cut back to 50 characters and repeated numbers of one meeting get the
item's id appended, so that the old unique key holds again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: SQLite keeps the old unique key unnamed; batch mode reflects it under this name.
NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}


def _old_unique_name() -> str:
    if op.get_bind().dialect.name == "sqlite":
        return "uq_agenda_item_meeting_id_number"
    return "agenda_item_meeting_id_number_key"


def upgrade() -> None:
    with op.batch_alter_table("agenda_item", naming_convention=NAMES) as batch_op:
        batch_op.drop_constraint(_old_unique_name(), type_="unique")
        batch_op.create_index("ix_agenda_item_meeting_number", ["meeting_id", "number"])
        batch_op.alter_column(
            "result", existing_type=sa.String(length=50), type_=sa.Text(), existing_nullable=True
        )
        batch_op.add_column(sa.Column("result_review", sa.Text(), nullable=True))
    with op.batch_alter_table("body") as batch_op:
        batch_op.add_column(
            sa.Column("oparl_history_before", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("body") as batch_op:
        batch_op.drop_column("oparl_history_before")
    op.execute("UPDATE agenda_item SET result = substr(result, 1, 50) WHERE result IS NOT NULL")
    op.execute(
        "UPDATE agenda_item SET number = substr(number, 1, 9) || '#' || CAST(id AS VARCHAR(10)) "
        "WHERE id NOT IN (SELECT MIN(a.id) FROM agenda_item a GROUP BY a.meeting_id, a.number)"
    )
    with op.batch_alter_table("agenda_item", naming_convention=NAMES) as batch_op:
        batch_op.drop_column("result_review")
        batch_op.alter_column(
            "result", existing_type=sa.Text(), type_=sa.String(length=50), existing_nullable=True
        )
        batch_op.drop_index("ix_agenda_item_meeting_number")
        batch_op.create_unique_constraint(_old_unique_name(), ["meeting_id", "number"])
