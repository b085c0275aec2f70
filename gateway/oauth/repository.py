from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, or_

from gateway.oauth.models import KeyPurpose, SigningKey
from registry.repository import Repository


class SigningKeyRepository(Repository[SigningKey]):
    model = SigningKey

    async def published(self, retired_after: datetime) -> Sequence[SigningKey]:
        """Keys still in use or retired recently enough that tokens they signed may still be valid."""
        statement = (
            self.select()
            .where(or_(col(SigningKey.retired_at).is_(None), col(SigningKey.retired_at) > retired_after))
            .order_by(col(SigningKey.created_at))
        )
        return await self.all(statement)

    async def active(self, purpose: KeyPurpose) -> Sequence[SigningKey]:
        statement = (
            self.select()
            .where(col(SigningKey.retired_at).is_(None), col(SigningKey.purpose) == purpose)
            .order_by(col(SigningKey.created_at))
        )
        return await self.all(statement)
