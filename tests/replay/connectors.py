"""Land-department connectors for the replay tests: the one recorded, and ones changed on purpose.

Each is a module attribute, so the CLI can load it as `tests.replay.connectors:NAME`.
"""

import itertools
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.sdk import Connector, ProviderProblem, RequestContext
from tests.harness import LAND_SERVICE

BY_CITIZEN = Path(__file__).parent / "fixtures" / "tra-cuu-ho-so-theo-cccd-1.0.yaml"
BY_CITIZEN_ADDRESS = "H50.20/tra-cuu-ho-so-theo-cccd/v1"

# The two parcels of the contract's examples, and one more.
PARCELS: dict[tuple[str, int, int], dict[str, Any]] = {
    ("19234", 12, 345): {
        "parcel_id": "19234-12-345",
        "address": "Thôn An Lợi, xã Hải Phú, huyện Hải Lăng, tỉnh Quảng Trị",
        "area_m2": 312.5,
        "land_use": "ONT",
        "owner": {"full_name": "Nguyễn Văn An", "citizen_id": "045089001234"},
        "certificate": {"number": "CS 01234", "issued_on": "2019-06-14"},
    },
    ("19234", 7, 88): {
        "parcel_id": "19234-7-88",
        "area_m2": 1520,
        "land_use": "CLN",
        "owner": {"full_name": "Trần Thị Bình", "citizen_id": "045190004321"},
    },
    ("19235", 3, 21): {
        "parcel_id": "19235-3-21",
        "area_m2": 88.25,
        "land_use": "ODT",
        "owner": {"full_name": "Lê Văn Cường", "citizen_id": "045201007788"},
    },
}
CHANGED = ("19234", 7, 88)  # the parcel whose answer `changed` alters


def key(request: dict[str, Any]) -> tuple[str, int, int]:
    return request["commune_code"], request["map_sheet"], request["parcel_number"]


def found(request: dict[str, Any]) -> dict[str, Any]:
    if key(request) not in PARCELS:
        raise ProviderProblem(404, f"no parcel {'-'.join(map(str, key(request)))}", name="parcel-not-found")
    return dict(PARCELS[key(request)])


def land(answer: Any) -> Connector:
    connector = Connector("H50.20", "csdl-dat-dai", contracts=[LAND_SERVICE, BY_CITIZEN])
    connector.service("tra-cuu-thua-dat", major=1)(answer)

    @connector.service("tra-cuu-ho-so-theo-cccd", major=1)
    def by_citizen(request: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        owned = [
            p["parcel_id"] for p in PARCELS.values() if p["owner"]["citizen_id"] == request["citizen_id"]
        ]
        return {"parcels": owned}

    return connector


def _changed(request: dict[str, Any]) -> dict[str, Any]:
    answer = found(request)
    if key(request) == CHANGED:
        answer["area_m2"] = 1600
        answer["land_use"] = "BHK"
    return answer


def _noisy(request: dict[str, Any]) -> dict[str, Any]:
    """The same data, with a fresh time and lookup id in every answer."""
    return {**found(request), "checked_at": datetime.now(UTC).isoformat(), "lookup_id": str(uuid.uuid4())}


_turns = itertools.count()


def _alternating(request: dict[str, Any]) -> dict[str, Any]:
    """Right on every other call: the same request gets two different answers."""
    answer = found(request)
    if next(_turns) % 2:
        answer["area_m2"] = answer["area_m2"] + 1
    return answer


def _breaks_the_contract(request: dict[str, Any]) -> dict[str, Any]:
    return {**found(request), "land_use": "XYZ"}


original = land(found)
changed = land(_changed)
noisy = land(_noisy)
alternating = land(_alternating)
breaks_the_contract = land(_breaks_the_contract)
