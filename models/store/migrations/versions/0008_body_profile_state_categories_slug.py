"""each body's rules profile, state, holiday categories and slug

A body (Kommune, Kreis) carries its own Geschäftsordnung profile (`profile`), the Bundesland
whose holidays count (`state`), the holiday categories of its municipality
(`holiday_categories`, e.g. `catholic`) and a `slug` for routing reminders
(`koerperschaft-<slug>`). Existing bodies keep NULL profile, state and categories, which mean
"as the settings say" (RATSFRIST_RULES and its profile's state): a one-body installation
computes every deadline as before. Their slug is filled from their name here (self-contained:
the same rule as models.domain.bodies.slugify; a clash gets -2, -3, …). Reminders of a
deadline get the deadline's body (`reminder.body_id`, so far set on escalations only), so
that routing by `koerperschaft-<slug>` finds the body of every waiting reminder.

Downgrade: the four columns are dropped; reminders keep their body.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _slug(name: str) -> str:
    text = name.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:90] or "koerperschaft"


def upgrade() -> None:
    with op.batch_alter_table("body") as batch_op:
        batch_op.add_column(sa.Column("profile", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("state", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("holiday_categories", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("slug", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint("uq_body_slug", ["slug"])
    connection = op.get_bind()
    body = sa.table("body", sa.column("id", sa.Integer), sa.column("name"), sa.column("slug"))
    taken: set[str] = set()
    for body_id, name in connection.execute(sa.select(body.c.id, body.c.name).order_by(body.c.id)):
        slug, n = _slug(name), 1
        while slug in taken:
            n += 1
            slug = f"{_slug(name)}-{n}"
        taken.add(slug)
        connection.execute(sa.update(body).where(body.c.id == body_id).values(slug=slug))
    op.execute(
        "UPDATE reminder SET body_id = (SELECT deadline.body_id FROM deadline "
        "WHERE deadline.id = reminder.deadline_id) "
        "WHERE body_id IS NULL AND deadline_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("body") as batch_op:
        batch_op.drop_constraint("uq_body_slug", type_="unique")
        batch_op.drop_column("slug")
        batch_op.drop_column("holiday_categories")
        batch_op.drop_column("state")
        batch_op.drop_column("profile")
