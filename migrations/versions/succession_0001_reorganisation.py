"""reorganisation: agencies merged into a successor, renames and database moves at a date; former addresses

Revision ID: succession_0001
Revises: access_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import registry.storage

revision: str = "succession_0001"
down_revision: str | None = "access_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = registry.storage.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", TEXT(length=35), nullable=True))
        batch_op.add_column(sa.Column("merged_at", MOMENT, nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_agency_merged_into_agency"), "agency", ["merged_into"], ["code"])
    op.create_table(
        "agency_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("agency_code", TEXT(length=35), nullable=False),
        sa.Column("successor_code", TEXT(length=35), nullable=True),
        sa.Column("database_id", sa.Integer(), nullable=True),
        sa.Column("former_name", TEXT(length=300), nullable=True),
        sa.Column("former_name_en", TEXT(length=300), nullable=True),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.Column("recorded_by", TEXT(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"], name=op.f("fk_agency_change_agency_code_agency")),
        sa.ForeignKeyConstraint(
            ["successor_code"], ["agency.code"], name=op.f("fk_agency_change_successor_code_agency")
        ),
        sa.ForeignKeyConstraint(
            ["database_id"], ["registered_database.id"], name=op.f("fk_agency_change_database_id_registered_database")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_change")),
    )
    with op.batch_alter_table("agency_change", schema=None) as batch_op:
        for column in ("at", "agency_code", "successor_code", "database_id"):
            batch_op.create_index(batch_op.f(f"ix_agency_change_{column}"), [column], unique=False)
    op.create_table(
        "address_alias",
        sa.Column("address", TEXT(length=200), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("deprecated_at", MOMENT, nullable=False),
        sa.Column("sunset_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["endpoint.id"], name=op.f("fk_address_alias_endpoint_id_endpoint")),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_address_alias")),
    )
    with op.batch_alter_table("address_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_address_alias_endpoint_id"), ["endpoint_id"], unique=False)


def downgrade() -> None:
    op.drop_table("address_alias")
    op.drop_table("agency_change")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_agency_merged_into_agency"), type_="foreignkey")
        batch_op.drop_column("merged_at")
        batch_op.drop_column("merged_into")
