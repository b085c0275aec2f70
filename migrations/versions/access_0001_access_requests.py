"""access requests: the consumer asks, the provider approves (making the grant) or refuses in writing

Revision ID: access_0001
Revises: maint_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import registry.storage

revision: str = "access_0001"
down_revision: str | None = "maint_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = registry.storage.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "access_request",
        sa.Column("id", TEXT(length=36), nullable=False),
        sa.Column("client_id", TEXT(length=64), nullable=False),
        sa.Column("consumer_agency", TEXT(length=35), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("provider_agency", TEXT(length=35), nullable=False),
        sa.Column("purpose", TEXT(length=2000), nullable=False),
        sa.Column(
            "fields", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("calls_per_minute", sa.Integer(), nullable=True),
        sa.Column("legal_basis", TEXT(length=1000), nullable=False),
        sa.Column("valid_from", MOMENT, nullable=True),
        sa.Column("valid_until", MOMENT, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("created_by", TEXT(length=64), nullable=False),
        sa.Column("decided_at", MOMENT, nullable=True),
        sa.Column("decided_by", TEXT(length=64), nullable=True),
        sa.Column("decision_reason", TEXT(length=2000), nullable=True),
        sa.Column("decision_legal_basis", TEXT(length=1000), nullable=True),
        sa.Column("grant_id", TEXT(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.client_id"], name=op.f("fk_access_request_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_agency"], ["agency.code"], name=op.f("fk_access_request_consumer_agency_agency")
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"], ["endpoint.id"], name=op.f("fk_access_request_endpoint_id_endpoint")
        ),
        sa.ForeignKeyConstraint(
            ["provider_agency"], ["agency.code"], name=op.f("fk_access_request_provider_agency_agency")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["access_grant.id"], name=op.f("fk_access_request_grant_id_access_grant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        for column in ("client_id", "consumer_agency", "endpoint_id", "provider_agency", "status"):
            batch_op.create_index(batch_op.f(f"ix_access_request_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("access_request")
