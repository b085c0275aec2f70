# so_tnmt/connector.py
from datetime import datetime, timedelta

from connectors.sdk import Connector, RequestContext
from so_tnmt import land_register

connector = Connector(agency="H50.20", database="csdl-dat-dai")


@connector.service("tra-cuu-thua-dat", major=1)
async def tra_cuu_v1(request: dict, context: RequestContext) -> dict:
    # deprecated since 01/07/2025, answered until its sunset: 1.x also names the former district
    answer = await tra_cuu(request, context)
    if answer["found"]:
        answer["ten_huyen"] = land_register.FORMER_DISTRICTS[answer["ma_xa"]]
    return answer


@connector.service("tra-cuu-thua-dat", major=2)
async def tra_cuu(request: dict, context: RequestContext) -> dict:
    # the contract allows either the parcel id, or the commune code, map sheet and parcel number
    if "parcel_id" in request:
        parcel = await land_register.find_by_id(request["parcel_id"])
    else:
        parcel = await land_register.find(request["ma_xa"], request["so_to"], request["so_thua"])
    if parcel is None:
        return {"found": False}
    return {"found": True, **parcel}  # checked against the contract's response schema before it is sent


@connector.dataset("thua-dat", major=1, every=timedelta(minutes=5))
async def thua_dat(since: datetime | None) -> list[dict]:
    return await land_register.changed_since(since)  # None on the first run: everything
