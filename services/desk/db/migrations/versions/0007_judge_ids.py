"""Judges by the court data's id: `staff_users.court_judge_id` (set by an administrator, one account per id)
and `work_orders.case_judge_id` (from the court-data routing answer). Routing used to match display names.

Additive only (two nullable columns), so it can sit after any other additive revision. Existing judge
accounts stay unlinked until an administrator links them: their new 联系法官 orders go to the clerk pool.

Revision ID: 0007_judge_ids
Revises: 0006_notes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_judge_ids"
down_revision = "0006_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("court_judge_id", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_users_court_judge_id"), ["court_judge_id"])
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_judge_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_column("case_judge_id")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_users_court_judge_id"), type_="unique")
        batch_op.drop_column("court_judge_id")
