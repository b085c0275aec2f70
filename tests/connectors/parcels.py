"""A small land-parcel connector for the tests (and `lgsp connector run tests.connectors.parcels:connector`)."""

from pathlib import Path

from connectors.sdk import Connector, ProviderProblem, RequestContext

CONTRACT = Path(__file__).parents[1] / "contracts" / "fixtures" / "tra-cuu-thua-dat-1.0.yaml"
ADDRESS = "H50.20/tra-cuu-thua-dat/v1"

PARCELS = {
    ("19234", 12, 345): {
        "parcel_id": "19234-12-345",
        "area_m2": 312.5,
        "land_use": "ONT",
        "owner": {"full_name": "Nguyễn Văn An", "citizen_id": "045089001234"},
    }
}


def lookup(request: dict, context: RequestContext) -> dict:
    key = (request["commune_code"], request["map_sheet"], request["parcel_number"])
    if key not in PARCELS:
        raise ProviderProblem(404, f"no parcel {'-'.join(map(str, key))}", name="parcel-not-found")
    return PARCELS[key]


def parcel_connector(*, with_contract: bool = True) -> Connector:
    connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT] if with_contract else [])
    connector.service("tra-cuu-thua-dat", major=1)(lookup)
    return connector


# Contracts come from the gateway's registry when run by `lgsp connector run`.
connector = parcel_connector(with_contract=False)
