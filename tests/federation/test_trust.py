"""What a member believes, without processes: a directory only when the pinned national key signed it, never an
older or an expired one; a hop's client assertion (RFC 7523) only from an active member of that directory."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from contracts.signing import SigningKey, generate_message_key
from federation.assertions import MAX_LIFETIME_SECONDS, AssertionRefused, AssertionVerifier, make_assertion
from federation.directory import Directory, DirectoryCopy, DirectoryRefused
from federation.errors import NotAMember
from federation.signing import DIRECTORY_TYPE, key_set, public_keys, sign

AUDIENCE = "http://127.0.0.1:8093"


def directory_payload(
    national: SigningKey,
    members: dict[str, tuple[SigningKey, str]],
    version: int = 1,
    expires_in: float = 3600,
) -> dict[str, Any]:
    now = time.time()
    return {
        "version": version, "issued_at": now, "expires_at": now + expires_in,
        "national": {"code": "G01", "name": "Quốc gia", "base_url": "http://n", "keys": public_keys(national)},
        "members": [
            {"code": code, "name": code, "base_url": f"http://{code}", "keys": public_keys(key), "status": status}
            for code, (key, status) in members.items()
        ],
        "services": [],
    }  # fmt: skip


@pytest.fixture(scope="module")
def national() -> SigningKey:
    return generate_message_key()


@pytest.fixture(scope="module")
def members() -> dict[str, tuple[SigningKey, str]]:
    return {"H50": (generate_message_key(), "active"), "H93": (generate_message_key("ES256"), "suspended")}


@pytest.fixture(scope="module")
def directory(national: SigningKey, members: dict[str, tuple[SigningKey, str]]) -> Directory:
    token = sign(directory_payload(national, members), national, DIRECTORY_TYPE)
    return Directory.verified(token, key_set(public_keys(national)))


class TestADirectoryIsBelievedOnlyFromThePinnedKey:
    def test_one_signed_by_another_key_is_refused(self, national: SigningKey, members: Any) -> None:
        other = generate_message_key()
        token = sign(directory_payload(national, members), other, DIRECTORY_TYPE)
        with pytest.raises(DirectoryRefused, match="pinned"):
            Directory.verified(token, key_set(public_keys(national)))

    def test_a_signed_message_of_another_type_is_not_a_directory(
        self, national: SigningKey, members: Any
    ) -> None:
        token = sign(directory_payload(national, members), national)  # a member's message type
        with pytest.raises(DirectoryRefused):
            Directory.verified(token, key_set(public_keys(national)))

    def test_an_expired_one_is_refused(self, national: SigningKey, members: Any) -> None:
        token = sign(directory_payload(national, members, expires_in=-1), national, DIRECTORY_TYPE)
        with pytest.raises(DirectoryRefused, match="expired"):
            Directory.verified(token, key_set(public_keys(national)))


class TestAMemberNeverGoesBack:
    def test_an_older_version_is_refused_and_the_newer_copy_kept_on_disk(
        self, national: SigningKey, members: Any, tmp_path: Path
    ) -> None:
        pinned = key_set(public_keys(national))
        copy = DirectoryCopy("http://127.0.0.1:9", pinned, tmp_path / "directory.jws", 60)
        copy.accept(sign(directory_payload(national, members, version=5), national, DIRECTORY_TYPE))
        with pytest.raises(DirectoryRefused, match="older"):
            copy.accept(sign(directory_payload(national, members, version=4), national, DIRECTORY_TYPE))
        assert copy.current is not None
        assert copy.current.version == 5
        again = DirectoryCopy("http://127.0.0.1:9", pinned, tmp_path / "directory.jws", 60)
        again.load_from_disk()
        assert again.current is not None
        assert again.current.version == 5
        assert again.source == "disk"

    async def test_an_unreachable_national_tier_leaves_the_last_good_copy(
        self, national: SigningKey, members: Any, tmp_path: Path
    ) -> None:
        copy = DirectoryCopy("http://127.0.0.1:9", key_set(public_keys(national)), tmp_path / "d.jws", 60)
        copy.accept(sign(directory_payload(national, members, version=3), national, DIRECTORY_TYPE))
        assert (await copy.refresh()) is not None
        assert copy.current is not None
        assert copy.current.version == 3
        assert copy.last_error is not None


class TestClientAssertions:
    def test_an_active_members_assertion_names_it(self, directory: Directory, members: Any) -> None:
        token = make_assertion(members["H50"][0], "H50", AUDIENCE)
        assert AssertionVerifier(AUDIENCE).verify(token, directory) == "H50"

    def test_an_expired_assertion_is_refused(self, directory: Directory, members: Any) -> None:
        token = make_assertion(members["H50"][0], "H50", AUDIENCE, now=time.time() - 120)
        with pytest.raises(AssertionRefused, match="expired"):
            AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_one_for_another_hop_is_refused(self, directory: Directory, members: Any) -> None:
        token = make_assertion(members["H50"][0], "H50", "http://elsewhere")
        with pytest.raises(AssertionRefused):
            AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_a_long_lived_one_is_refused(self, directory: Directory, members: Any) -> None:
        token = make_assertion(members["H50"][0], "H50", AUDIENCE, lifetime=MAX_LIFETIME_SECONDS + 1)
        with pytest.raises(AssertionRefused, match="at most"):
            AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_one_used_twice_is_refused_the_second_time(self, directory: Directory, members: Any) -> None:
        verifier = AssertionVerifier(AUDIENCE)
        token = make_assertion(members["H50"][0], "H50", AUDIENCE)
        verifier.verify(token, directory)
        with pytest.raises(AssertionRefused, match="already used"):
            verifier.verify(token, directory)

    def test_one_signed_by_a_key_the_directory_does_not_give_the_member_is_refused(
        self, directory: Directory
    ) -> None:
        token = make_assertion(generate_message_key(), "H50", AUDIENCE)
        with pytest.raises(AssertionRefused, match="not signed by a key of H50"):
            AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_one_whose_claims_were_changed_after_signing_is_refused(
        self, directory: Directory, members: Any
    ) -> None:
        header, claims, signature = make_assertion(members["H50"][0], "H50", AUDIENCE).split(".")
        changed = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))) | {"exp": 2**40}
        forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
        with pytest.raises(AssertionRefused, match="not signed by a key of H50"):
            AssertionVerifier(AUDIENCE).verify(f"{header}.{forged}.{signature}", directory)

    @pytest.mark.parametrize("algorithm", ["none", "HS256", "RS256"])
    def test_one_naming_another_algorithm_is_refused(
        self, directory: Directory, members: Any, algorithm: str
    ) -> None:
        _, claims, signature = make_assertion(members["H50"][0], "H50", AUDIENCE).split(".")
        kid = members["H50"][0].kid
        header = base64.urlsafe_b64encode(json.dumps({"alg": algorithm, "kid": kid}).encode()).rstrip(b"=")
        for token in (f"{header.decode()}.{claims}.{signature}", f"{header.decode()}.{claims}."):
            with pytest.raises(AssertionRefused, match="not a JWT"):
                AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_a_member_not_in_the_directory_is_refused(self, directory: Directory) -> None:
        token = make_assertion(generate_message_key(), "H77", AUDIENCE)
        with pytest.raises(NotAMember, match="not in the verified federation directory"):
            AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_a_suspended_member_is_refused(self, directory: Directory, members: Any) -> None:
        token = make_assertion(members["H93"][0], "H93", AUDIENCE)
        with pytest.raises(NotAMember, match="suspended"):
            AssertionVerifier(AUDIENCE).verify(token, directory)

    def test_the_national_tier_is_believed_with_its_own_key(
        self, directory: Directory, national: Any
    ) -> None:
        assert (
            AssertionVerifier(AUDIENCE).verify(make_assertion(national, "G01", AUDIENCE), directory) == "G01"
        )
