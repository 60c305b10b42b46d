"""Callback phones encrypted at rest: Fernet token in `callback_phone`, keyed hashes and a masked form beside it.

Existing rows are encrypted here with the service's key (phones.py: DESK_PHONE_KEY, or the demo key file).
The service passes its vault in `config.attributes["phone_vault"]`; run by hand, it is built from the
environment. Downgrade decrypts them back.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ORDERS = sa.table(
    "work_orders",
    sa.column("id", sa.Integer),
    sa.column("callback_phone", sa.Text),
    sa.column("callback_phone_hash", sa.String),
    sa.column("callback_phone_last4", sa.String),
    sa.column("callback_phone_masked", sa.String),
)


def _vault():
    vault = context.config.attributes.get("phone_vault")
    if vault is None:
        from services.desk.db.phones import PhoneVault
        from services.desk.settings import DeskSettings

        vault = PhoneVault.from_settings(DeskSettings.from_env())
    return vault


def upgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.alter_column(
            "callback_phone", existing_type=sa.String(length=20), type_=sa.Text(), existing_nullable=False
        )
        batch_op.add_column(sa.Column("callback_phone_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("callback_phone_last4", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("callback_phone_masked", sa.String(length=16), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(ORDERS.c.id, ORDERS.c.callback_phone)).all()
    vault = _vault() if rows else None
    for row_id, phone in rows:
        bind.execute(ORDERS.update().where(ORDERS.c.id == row_id).values(**vault.columns(phone)))
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.alter_column("callback_phone_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("callback_phone_last4", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("callback_phone_masked", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_work_orders_callback_phone_hash"), ["callback_phone_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_orders_callback_phone_last4"), ["callback_phone_last4"], unique=False
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(ORDERS.c.id, ORDERS.c.callback_phone)).all()
    vault = _vault() if rows else None
    for row_id, token in rows:
        bind.execute(ORDERS.update().where(ORDERS.c.id == row_id).values(callback_phone=vault.decrypt(token)))
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_callback_phone_last4"))
        batch_op.drop_index(batch_op.f("ix_work_orders_callback_phone_hash"))
        batch_op.drop_column("callback_phone_masked")
        batch_op.drop_column("callback_phone_last4")
        batch_op.drop_column("callback_phone_hash")
        batch_op.alter_column(
            "callback_phone", existing_type=sa.Text(), type_=sa.String(length=20), existing_nullable=False
        )
