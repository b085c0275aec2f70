"""contract versions: when deprecated, and when they stop (Deprecation and Sunset headers)

Revision ID: security_0001
Revises: 0002
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.storage

revision: str = "security_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contract_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deprecated_at", registry.storage.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sunset_at", registry.storage.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contract_version", schema=None) as batch_op:
        batch_op.drop_column("sunset_at")
        batch_op.drop_column("deprecated_at")
