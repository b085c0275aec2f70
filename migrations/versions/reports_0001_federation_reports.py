"""reports: the members' signed coverage reports kept by the national tier

Revision ID: reports_0001
Revises: backends_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import registry.storage

revision: str = "reports_0001"
down_revision: str | None = "backends_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = registry.storage.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "federation_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_code", TEXT(length=35), nullable=False),
        sa.Column("reported_at", MOMENT, nullable=False),
        sa.Column("received_at", MOMENT, nullable=False),
        sa.Column("agency_covered", sa.Integer(), nullable=False),
        sa.Column("agency_total", sa.Integer(), nullable=False),
        sa.Column("database_covered", sa.Integer(), nullable=False),
        sa.Column("database_total", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("connected", sa.Integer(), nullable=False),
        sa.Column("sharing", sa.Integer(), nullable=False),
        sa.Column("federation_calls", sa.Integer(), nullable=False),
        sa.Column(
            "document", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(["member_code"], ["federation_member.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_federation_report_member_code"), "federation_report", ["member_code"], unique=False)
    op.create_index(op.f("ix_federation_report_received_at"), "federation_report", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_federation_report_received_at"), table_name="federation_report")
    op.drop_index(op.f("ix_federation_report_member_code"), table_name="federation_report")
    op.drop_table("federation_report")
