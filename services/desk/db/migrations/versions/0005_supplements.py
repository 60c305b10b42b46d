"""群众补充: a citizen's later message on an open order, and the order's "new from the citizen" marker.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_supplements_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplements")),
        sa.UniqueConstraint("work_order_id", "message_id", name="uq_supplements_message"),
    )
    with op.batch_alter_table("supplements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplements_work_order_id"), ["work_order_id"], unique=False)
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("citizen_update_unread", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_column("citizen_update_unread")
    with op.batch_alter_table("supplements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplements_work_order_id"))
    op.drop_table("supplements")
