"""fednational: the national tier's own services in the directory, federation grants with fields and a rate,
and the signed join requests and reports seen (their jti) on the national tier

Revision ID: fednational_0001
Revises: crossing_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import registry.storage

revision: str = "fednational_0001"
down_revision: str | None = "crossing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = registry.storage.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "national_service",
        sa.Column("address", TEXT(length=140), nullable=False),
        sa.Column("title", TEXT(length=300), nullable=False),
        sa.Column("version", TEXT(length=64), nullable=False),
        sa.Column("openapi", JSON, nullable=False),
        sa.Column("published_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("address"),
    )
    # existing grants give the whole reply at any rate, as before
    op.add_column("federation_grant", sa.Column("fields", JSON, nullable=False, server_default="[]"))
    op.add_column("federation_grant", sa.Column("calls_per_minute", sa.Integer(), nullable=True))
    op.create_table(
        "federation_seen_jti",
        sa.Column("jti", TEXT(length=100), nullable=False),
        sa.Column("kind", TEXT(length=16), nullable=False),
        sa.Column("member_code", TEXT(length=35), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_index(
        op.f("ix_federation_seen_jti_expires_at"), "federation_seen_jti", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_federation_seen_jti_expires_at"), table_name="federation_seen_jti")
    op.drop_table("federation_seen_jti")
    op.drop_column("federation_grant", "calls_per_minute")
    op.drop_column("federation_grant", "fields")
    op.drop_table("national_service")
