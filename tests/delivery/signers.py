"""Message signing keys for tests: a key pair generated, its public half registered for a client over the API."""

from pathlib import Path

import orjson

from contracts.signing import MessageSigner, generate_message_key, public_jwk
from tests.harness import Harness


async def register_signer(harness: Harness, client_id: str, algorithm: str = "Ed25519") -> MessageSigner:
    """A new key for `client_id`, registered (by the platform admin); the signer holding its private half."""
    key = generate_message_key(algorithm)
    response = await harness.post(f"/api/v1/clients/{client_id}/keys", {"jwk": public_jwk(key)})
    assert response.status_code == 201, response.text
    return MessageSigner(key, response.json()["kid"])


def write_key_file(signer: MessageSigner, path: Path) -> Path:
    """The signer's private JWK in a file, as `lgsp client key generate --out` writes it."""
    path.write_bytes(orjson.dumps(dict(signer.key.as_dict(private=True)) | {"kid": signer.kid}))
    return path
