"""内部备注: staff-only notes on an order (plain notes, 催办, 改派 reasons).

Additive only (a new table), so it can sit after any other additive revision.

Revision ID: 0006_notes
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_notes"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name=op.f("fk_staff_notes_author_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_staff_notes_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_notes")),
    )
    with op.batch_alter_table("staff_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_notes_work_order_id"), ["work_order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_notes_work_order_id"))
    op.drop_table("staff_notes")
