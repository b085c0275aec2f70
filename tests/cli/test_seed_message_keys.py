"""`lgsp seed demo --message-keys DIR`: a signing key per provider agency and one for the warehouse, registered,
with the private halves written for the connectors' process and the warehouse (issue 9: docker-compose and the
fault campaign require signed replies and acknowledgements with them)."""

import stat
from pathlib import Path

import orjson
import pytest

from connectors.samples.connectors import build_connectors
from contracts.errors import InvalidInput
from contracts.keyring import MessageKeyring, load_keyring
from contracts.signing import generate_message_key, public_jwk
from gateway.cli.demo.message_keys import WAREHOUSE_CLIENT, signing_client_id
from registry.clients.repository import ClientKeyRepository, ClientRepository
from registry.storage import create_engine, create_sessionmaker
from tests.harness import run_cli


def private_jwk(**extra: str) -> dict[str, object]:
    key = generate_message_key()
    return dict(key.as_dict(private=True)) | {"kid": key.kid, **extra}


class TestKeyringFile:
    def test_one_key_signs_for_every_agency(self) -> None:
        keyring = MessageKeyring.from_document(private_jwk())
        assert keyring.for_agency("H50.20") is keyring.for_agency("H50.07") is not None

    def test_a_key_set_signs_for_the_agencies_it_names_only(self) -> None:
        document = {"keys": [private_jwk(agency="H50.20"), private_jwk(agency="H50.07")]}
        keyring = MessageKeyring.from_document(document)
        first, second = keyring.for_agency("H50.20"), keyring.for_agency("H50.07")
        assert first is not None
        assert second is not None
        assert first.kid != second.kid
        assert keyring.for_agency("H50.01") is None
        assert MessageKeyring.from_document(keyring.to_document()) == keyring

    @pytest.mark.parametrize(
        ("document", "named"),
        [
            ({"keys": [private_jwk()]}, "names no agency code"),
            ({"keys": [private_jwk(agency="H50.20"), private_jwk(agency="H50.20")]}, "has a key already"),
            ({"keys": []}, "non-empty list"),
            (public_jwk(generate_message_key()), "private"),
            ([1, 2], "not a JWK"),
        ],
    )
    def test_an_unusable_file_is_refused_in_one_line(
        self, tmp_path: Path, document: object, named: str
    ) -> None:
        path = tmp_path / "keys.jwks"
        path.write_bytes(orjson.dumps(document))
        with pytest.raises(InvalidInput) as refused:
            load_keyring(path)
        assert named in refused.value.detail
        assert "\n" not in refused.value.detail
        assert '"d"' not in refused.value.detail


class TestSeedDemoMessageKeys:
    async def test_each_provider_agency_and_the_warehouse_get_a_registered_key_kept_across_runs(
        self, database_url: str, tmp_path: Path
    ) -> None:
        env = {"LGSP_DATABASE_URL": database_url, "LGSP_DATA_DIR": str(tmp_path / "data")}
        keys = tmp_path / "keys"
        first = await run_cli(["seed", "demo", "--message-keys", str(keys)], env)
        assert first.exit_code == 0, first.output
        assert f"LGSP_WAREHOUSE_CLIENT_ID={WAREHOUSE_CLIENT}" in first.output
        for name in ("connectors.jwks", "warehouse.jwk"):
            assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600  # private keys: the owner alone
        keyring = load_keyring(keys / "connectors.jwks")
        assert keyring is not None
        answered = {address.agency for c in build_connectors() for address in c.services}
        assert set(keyring.by_agency) == answered  # every service the sample connectors answer can be signed

        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                for agency, signer in keyring.by_agency.items():
                    registered = await ClientKeyRepository(session).get(signer.kid)
                    assert registered is not None
                    assert registered.client_id == signing_client_id(agency)
                    client = await ClientRepository(session).get(registered.client_id)
                    assert client is not None
                    assert client.agency_code == agency
                    assert "d" not in registered.jwk
                warehouse = orjson.loads((keys / "warehouse.jwk").read_bytes())
                registered = await ClientKeyRepository(session).get(warehouse["kid"])
                assert registered is not None
                assert registered.client_id == WAREHOUSE_CLIENT
        finally:
            await engine.dispose()

        before = {name: (keys / name).read_bytes() for name in ("connectors.jwks", "warehouse.jwk")}
        second = await run_cli(["seed", "demo", "--message-keys", str(keys)], env)
        assert second.exit_code == 0, second.output
        assert {name: (keys / name).read_bytes() for name in before} == before
