"""share outbox and gateway instances

Revision ID: delivery_0001
Revises: security_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import registry.storage

revision: str = "delivery_0001"
down_revision: str | None = "security_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share_outbox",
        sa.Column("exchange_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("envelope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", registry.storage.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["exchange_id"], ["exchange.id"]),
        sa.PrimaryKeyConstraint("exchange_id"),
    )
    op.create_table(
        "gateway_instance",
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("started_at", registry.storage.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", registry.storage.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance"),
    )


def downgrade() -> None:
    op.drop_table("gateway_instance")
    op.drop_table("share_outbox")
