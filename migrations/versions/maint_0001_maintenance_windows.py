"""services: the provider's maintenance window of a major version (from, until, notice)

Revision ID: maint_0001
Revises: keys_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import registry.storage

revision: str = "maint_0001"
down_revision: str | None = "keys_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("maintenance_from", registry.storage.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("maintenance_until", registry.storage.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("maintenance_notice", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.drop_column("maintenance_notice")
        batch_op.drop_column("maintenance_until")
        batch_op.drop_column("maintenance_from")
