"""The department's land register, standing in for its real database: two parcels, as in the contract's
examples. Since 01/07/2025 the province has communes only: a parcel names its commune, not a district."""

from datetime import date, datetime
from typing import Any

PARCELS: list[dict[str, Any]] = [
    {
        "parcel_id": "19333-12-145",
        "ma_xa": "19333",
        "ten_xa": "Phường Đông Hà",
        "so_to": 12,
        "so_thua": 145,
        "dien_tich": 120.5,
        "muc_dich_su_dung": {"ma": "ODT", "ten": "Đất ở tại đô thị"},
        "han_su_dung": None,
        "dia_chi": "Số 25 Lê Duẩn, phường Đông Hà, tỉnh Quảng Trị",
        "owner": {"ho_ten": "Nguyễn Văn Hùng", "citizen_id": "045085001234", "nam_sinh": 1985},
        "giay_chung_nhan": {
            "so_phat_hanh": "CS 184203",
            "ngay_cap": "2019-06-14",
            "co_quan_cap": "Sở Tài nguyên và Môi trường tỉnh Quảng Trị",
        },
    },
    {
        "parcel_id": "19495-8-512",
        "ma_xa": "19495",
        "ten_xa": "Xã Gio Linh",
        "so_to": 8,
        "so_thua": 512,
        "dien_tich": 1450.0,
        "muc_dich_su_dung": {"ma": "LUC", "ten": "Đất chuyên trồng lúa nước"},
        "han_su_dung": "2064-07-01",
        "dia_chi": "Xứ đồng Bàu Sen, thôn 3, xã Gio Linh, tỉnh Quảng Trị",
        "owner": {"ho_ten": "Trần Thị Mai", "citizen_id": "045192004321", "nam_sinh": 1992},
        "giay_chung_nhan": {
            "so_phat_hanh": "CH 052718",
            "ngay_cap": "2014-11-03",
            "co_quan_cap": "Ủy ban nhân dân huyện Gio Linh",
        },
    },
]
UPDATED = date(2024, 3, 2)
# the district each commune's seat belonged to until 30/06/2025: only the deprecated 1.x answers name it
FORMER_DISTRICTS = {"19333": "Thành phố Đông Hà", "19495": "Huyện Gio Linh"}


async def find(ma_xa: str, so_to: int, so_thua: int) -> dict[str, Any] | None:
    return await find_by_id(f"{ma_xa}-{so_to}-{so_thua}")


async def find_by_id(parcel_id: str) -> dict[str, Any] | None:
    return next((parcel for parcel in PARCELS if parcel["parcel_id"] == parcel_id), None)


async def changed_since(since: datetime | None) -> list[dict[str, Any]]:
    """The parcels as the shared `thua-dat` dataset's records."""
    if since is not None and since.date() > UPDATED:
        return []
    return [
        {
            "parcel_id": parcel["parcel_id"],
            "ma_xa": parcel["ma_xa"],
            "so_to": parcel["so_to"],
            "so_thua": parcel["so_thua"],
            "dien_tich": parcel["dien_tich"],
            "muc_dich_su_dung": parcel["muc_dich_su_dung"]["ma"],
            "han_su_dung": parcel["han_su_dung"],
            "owner": {key: parcel["owner"][key] for key in ("ho_ten", "citizen_id")},
            "da_cap_giay_chung_nhan": "giay_chung_nhan" in parcel,
            "ngay_cap_nhat": UPDATED.isoformat(),
        }
        for parcel in PARCELS
    ]
