"""HTTP backends: a service major bound to a backend URL, its secrets sealed

Revision ID: backends_0001
Revises: federation_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import registry.storage

revision: str = "backends_0001"
down_revision: str | None = "federation_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "service_backend",
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("url", TEXT(length=2000), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("header_names", JSON, nullable=False),
        sa.Column("auth", JSON, nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("updated_at", registry.storage.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", TEXT(length=64), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["endpoint.id"]),
        sa.PrimaryKeyConstraint("endpoint_id"),
    )


def downgrade() -> None:
    op.drop_table("service_backend")
