"""Client secrets: generated with `secrets`, stored as Argon2id hashes, verified off the event loop."""

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_dummy_hash: str | None = None  # verified against for unknown clients, so they cost as much as a wrong secret


def configure_hashing(*, time_cost: int, memory_kib: int) -> None:
    """Set the cost of new hashes (existing hashes carry their own parameters and still verify)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _dummy_hash = None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def hash_secret(secret: str) -> str:
    return await asyncio.to_thread(_hasher.hash, secret)


async def verify_secret(secret_hash: str, secret: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


async def verify_nothing(secret: str) -> bool:
    """Spend what verifying a real secret costs, and fail: the answer for an unknown or disabled client."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_secret(new_secret())
    await verify_secret(_dummy_hash, secret)
    return False
