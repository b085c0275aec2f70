"""client message signing keys (public JWKs)

Revision ID: signing_0001
Revises: scale_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import registry.storage

revision: str = "signing_0001"
down_revision: str | None = "scale_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_key",
        sa.Column("kid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("jwk", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", registry.storage.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", registry.storage.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.client_id"]),
        sa.PrimaryKeyConstraint("kid"),
    )
    op.create_index(op.f("ix_client_key_client_id"), "client_key", ["client_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_client_key_client_id"), table_name="client_key")
    op.drop_table("client_key")
