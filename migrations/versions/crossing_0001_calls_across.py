"""crossing: grants for calls across the federation, and each exchange's role in a crossing

Revision ID: crossing_0001
Revises: reports_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import registry.storage

revision: str = "crossing_0001"
down_revision: str | None = "reports_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = registry.storage.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("exchange", sa.Column("role", sa.String(length=16), nullable=True))
    op.create_table(
        "federation_grant",
        sa.Column("id", TEXT(length=36), nullable=False),
        sa.Column("client", TEXT(length=100), nullable=False),
        sa.Column("address", TEXT(length=140), nullable=False),
        sa.Column("created_by", TEXT(length=64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_federation_grant_client_address", "federation_grant", ["client", "address"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_federation_grant_client_address", table_name="federation_grant")
    op.drop_table("federation_grant")
    op.drop_column("exchange", "role")
