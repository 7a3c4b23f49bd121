"""deadlines keep their explanation

`deadline.explanation` (JSON, nullable) holds which profile, version, paragraph and wording
produced the deadline and the steps of its computation (models.domain.explain), written when
the deadline is planned or re-dated. Stored rather than recomputed on display, so that a later
version of the rules does not rewrite the history of a met or missed deadline.

Existing rows stay NULL: the migration cannot know the profiles; the next re-plan of an open
deadline fills it, and `show` says "nicht gespeichert" until then.

Downgrade: the column is dropped (the explanations are lost; the deadlines themselves stay).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 11:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.add_column(sa.Column("explanation", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.drop_column("explanation")
