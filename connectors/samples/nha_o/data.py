"""CSDL nhà ở và thị trường bất động sản (H50.09, Sở Xây dựng): property transactions.

Shares `giao-dich-bat-dong-san` to the warehouse: per commune, quarter and kind of property, how many sales
were made, their total area and value and the average price per m², the market figures the department
publishes each quarter (Decree 44/2022/NĐ-CP). Figures only: no party to a sale.

The sales, from January 2023 to June 2024, are synthetic: plots and houses everywhere, flats in Đông Hà only,
prices per m² highest in Đông Hà and lowest in the mountain communes, where few sales are made.
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import Commune, Terrain, commune
from connectors.samples.synthetic import REFERENCE_DATE, day_between, pick, random_commune

PROVIDER = "H50.09"
DATABASE = "csdl-nha-o"
SEED = 5009
DEFAULT_SIZE = 4000
FIRST_DAY = date(2023, 1, 1)
UPLAND_SALES = 0.3  # how often a sale drawn in a mountain commune is kept: land changes hands less there

# kind: (share in Đông Hà, in other towns, in the countryside; plot or floor area in m², urban and rural)
KINDS = {
    "dat_nen": ((45, 55, 70), ((80, 250), (150, 600))),
    "nha_o_rieng_le": ((40, 45, 30), ((60, 200), (120, 400))),
    "can_ho_chung_cu": ((15, 0, 0), ((45, 90), (45, 90))),
}
# land price range in thousands of đồng per m², by where the property lies
LAND_PRICES = {"dong_ha": (8_000, 30_000), "thi_xa": (5_000, 15_000), "town": (3_000, 12_000)}
RURAL_LAND_PRICES = {Terrain.LOWLAND: (800, 4_000), Terrain.UPLAND: (300, 1_500)}
FLAT_PRICES = (9_000, 20_000)
HOUSE_MARKUP = (1.2, 1.7)  # a house sells for its plot and what stands on it

SCHEMA = """
CREATE TABLE giao_dich (
    ma_giao_dich TEXT PRIMARY KEY,
    ma_xa TEXT NOT NULL,
    ngay_giao_dich TEXT NOT NULL,
    loai_bat_dong_san TEXT NOT NULL,
    dien_tich REAL NOT NULL,
    gia_tri INTEGER NOT NULL
);
CREATE INDEX giao_dich_xa ON giao_dich (ma_xa, ngay_giao_dich);
"""


@dataclass(frozen=True, slots=True)
class Sale:
    commune: Commune
    ngay_giao_dich: date
    loai_bat_dong_san: str  # dat_nen | nha_o_rieng_le | can_ho_chung_cu
    dien_tich: float  # m²: the plot, or the flat's floor area
    gia_tri: int  # millions of đồng


_CITY_WARDS = (
    "19333",
    "19342",
    "19030",
    "19021",
    "19024",
)  # the wards of the former cities Đông Hà and Đồng Hới


def _land_price(where: Commune) -> tuple[int, int]:
    if where.code in _CITY_WARDS:
        return LAND_PRICES["dong_ha"]
    if where.is_ward:
        return LAND_PRICES["thi_xa"]
    if where.terrain is Terrain.URBAN:
        return LAND_PRICES["town"]
    return RURAL_LAND_PRICES[where.terrain]


def _where(rng: random.Random) -> Commune:
    while True:
        where = random_commune(rng)
        if where.terrain is not Terrain.UPLAND or rng.random() < UPLAND_SALES:
            return where


def _sale(rng: random.Random) -> Sale:
    where = _where(rng)
    column = 0 if where.code in _CITY_WARDS else 1 if where.terrain is Terrain.URBAN else 2
    kind = pick(rng, [(kind, shares[column]) for kind, (shares, _) in KINDS.items()])
    low, high = KINDS[kind][1][where.terrain is not Terrain.URBAN]
    area = round(rng.uniform(low, high), 1)
    if kind == "can_ho_chung_cu":
        per_m2 = rng.randint(*FLAT_PRICES)
    else:
        per_m2 = rng.randint(*_land_price(where))
        if kind == "nha_o_rieng_le":
            per_m2 = round(per_m2 * rng.uniform(*HOUSE_MARKUP))
    return Sale(
        commune=where,
        ngay_giao_dich=day_between(rng, FIRST_DAY, REFERENCE_DATE),
        loai_bat_dong_san=kind,
        dien_tich=area,
        gia_tri=max(1, round(area * per_m2 / 1_000)),
    )


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Sale]:
    rng = random.Random(seed)
    return sorted((_sale(rng) for _ in range(size)), key=lambda s: (s.ngay_giao_dich, s.commune.code))


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO giao_dich VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    f"GD-{index + 1:06d}",
                    s.commune.code,
                    s.ngay_giao_dich.isoformat(),
                    s.loai_bat_dong_san,
                    s.dien_tich,
                    s.gia_tri,
                )
                for index, s in enumerate(generate(size, seed=seed))
            ),
        )


def property_transaction_records(
    connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500
) -> list[Json]:
    """`giao-dich-bat-dong-san`: sales per commune, quarter and kind of property, in key order."""
    totals = rows(
        connection,
        "SELECT ma_xa,"
        " substr(ngay_giao_dich, 1, 4) || '-Q' || ((CAST(substr(ngay_giao_dich, 6, 2) AS INTEGER) + 2) / 3)"
        " AS quy, loai_bat_dong_san, count(*) AS so_giao_dich,"
        " round(sum(dien_tich), 1) AS tong_dien_tich, sum(gia_tri) AS tong_gia_tri,"
        " round(sum(gia_tri) / sum(dien_tich), 2) AS don_gia_binh_quan"
        " FROM giao_dich GROUP BY ma_xa, quy, loai_bat_dong_san"
        " ORDER BY ma_xa, quy, loai_bat_dong_san LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [
        {
            "ma_xa": total["ma_xa"],
            "ten_xa": commune(total["ma_xa"]).name,
            **{key: value for key, value in total.items() if key != "ma_xa"},
        }
        for total in totals
    ]


SAMPLE = SampleDatabase(
    name="nha_o",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"giao-dich-bat-dong-san": property_transaction_records},
    with_district=frozenset({"giao-dich-bat-dong-san"}),
)
