"""signing keys record the issuer they sign for; a partial index of shares for the warehouse lag

Revision ID: scale_0001
Revises: delivery_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "scale_0001"
down_revision: str | None = "delivery_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signing_key") as batch:
        batch.add_column(sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    op.create_index(
        "ix_exchange_share_completed",
        "exchange",
        ["completed_at"],
        postgresql_where=sa.text("kind = 'share'"),
        sqlite_where=sa.text("kind = 'share'"),
    )


def downgrade() -> None:
    op.drop_index("ix_exchange_share_completed", table_name="exchange")
    with op.batch_alter_table("signing_key") as batch:
        batch.drop_column("issuer")
