"""federation: the national tier's members, the services they publish nationally, the directory's version

Revision ID: federation_0001
Revises: succession_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import registry.storage

revision: str = "federation_0001"
down_revision: str | None = "succession_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = registry.storage.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "federation_member",
        sa.Column("code", TEXT(length=35), nullable=False),
        sa.Column("name", TEXT(length=300), nullable=False),
        sa.Column("base_url", TEXT(length=500), nullable=False),
        sa.Column("keys", _json(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", MOMENT, nullable=False),
        sa.Column("decided_by", TEXT(length=64), nullable=True),
        sa.Column("decided_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(op.f("ix_federation_member_status"), "federation_member", ["status"], unique=False)
    op.create_table(
        "federation_service",
        sa.Column("address", TEXT(length=140), nullable=False),
        sa.Column("member_code", TEXT(length=35), nullable=False),
        sa.Column("title", TEXT(length=300), nullable=False),
        sa.Column("version", TEXT(length=64), nullable=False),
        sa.Column("openapi", _json(), nullable=False),
        sa.Column("published_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["member_code"], ["federation_member.code"]),
        sa.PrimaryKeyConstraint("address"),
    )
    op.create_index(
        op.f("ix_federation_service_member_code"), "federation_service", ["member_code"], unique=False
    )
    op.create_table(
        "federation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("federation_version")
    op.drop_index(op.f("ix_federation_service_member_code"), table_name="federation_service")
    op.drop_table("federation_service")
    op.drop_index(op.f("ix_federation_member_status"), table_name="federation_member")
    op.drop_table("federation_member")
