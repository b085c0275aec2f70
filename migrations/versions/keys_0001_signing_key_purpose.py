"""signing keys by purpose: access tokens and bus envelopes are signed with keys of their own

Revision ID: keys_0001
Revises: signing_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "keys_0001"
down_revision: str | None = "signing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the keys made so far signed both; they stay token keys, and the gateway makes an envelope key on start
    with op.batch_alter_table("signing_key") as batch:
        batch.add_column(
            sa.Column(
                "purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="token"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("signing_key") as batch:
        batch.drop_column("purpose")
