"""CSDL phòng ngừa và xử lý sự cố hóa chất (H50.06, Sở Công Thương): facilities that hold chemicals.

Shares `co-so-hoa-chat` to the warehouse: each facility that makes, trades, uses or stores hazardous
chemicals, its enterprise, its main chemical and the most it stores at once, whether it has an approved
chemical incident prevention and response plan (kế hoạch) or only its own measures (biện pháp) under Decree
113/2017/NĐ-CP, and when the department last inspected it. A facility storing more than its line's threshold
has a plan; the thresholds here are illustrative, not the decree's per-chemical ones.

The lines of business are those of the province: LPG dealers, pesticide dealers, water plants (chlorine),
seafood cold stores (ammonia), cassava starch and rubber latex plants, wood processing. The enterprises are
synthetic.
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.doanh_nghiep.data import BRAND_SYLLABLES, PLACE_BRANDS
from connectors.samples.geography import COMMUNES, Commune, Terrain, commune
from connectors.samples.synthetic import (
    REFERENCE_DATE,
    Unique,
    day_between,
    enterprise_code,
    pick,
    random_commune,
    street_address,
)

PROVIDER = "H50.06"
DATABASE = "csdl-hoa-chat"
SEED = 5006
DEFAULT_SIZE = 300
COASTAL = ("19414", "19496", "19636", "19702", "19030", "19225")


@dataclass(frozen=True, slots=True)
class Line:
    """A line of business that holds chemicals, and where in the province it is found."""

    nganh: str
    loai_hoat_dong: str  # san_xuat | kinh_doanh | su_dung | luu_tru
    facility: str  # the facility's name before its brand or place
    hoa_chat: str
    stored: tuple[float, float]  # tonnes stored at most, range
    plan_above: float | None  # tonnes above which an approved plan is required; None: never here
    weight: float  # share of the facilities, in percent
    communes: tuple[str, ...] = ()  # where it is found; empty: anywhere, mostly towns and lowlands


LINES = (
    Line(
        "Kinh doanh khí dầu mỏ hóa lỏng",
        "kinh_doanh",
        "Cửa hàng kinh doanh khí dầu mỏ hóa lỏng",
        "Khí dầu mỏ hóa lỏng (LPG)",
        (0.3, 3.0),
        None,
        28,
    ),
    Line(
        "Kinh doanh khí dầu mỏ hóa lỏng",
        "luu_tru",
        "Trạm chiết nạp khí dầu mỏ hóa lỏng",
        "Khí dầu mỏ hóa lỏng (LPG)",
        (8.0, 80.0),
        10.0,
        3,
        ("19342", "19342", "19363", "19495", "19624", "19681", "19432"),
    ),
    Line(
        "Kinh doanh thuốc bảo vệ thực vật",
        "kinh_doanh",
        "Đại lý thuốc bảo vệ thực vật",
        "Thuốc bảo vệ thực vật",
        (0.2, 8.0),
        None,
        28,
    ),
    Line(
        "Kinh doanh hóa chất công nghiệp",
        "luu_tru",
        "Kho hóa chất",
        "Axit sunfuric (H2SO4), natri hydroxit (NaOH)",
        (5.0, 60.0),
        20.0,
        3,
        ("19342", "19342", "19333", "19495"),
    ),
    Line(
        "Sản xuất và cung cấp nước sạch",
        "su_dung",
        "Nhà máy nước",
        "Clo lỏng (Cl2)",
        (0.5, 6.0),
        1.0,
        2.5,
        ("19333", "19357", "19363", "19429", "19495", "19597", "19624", "19681", "19555"),
    ),
    Line(
        "Chế biến thủy sản, kho lạnh",
        "su_dung",
        "Kho lạnh thủy sản",
        "Amoniac (NH3)",
        (0.3, 6.0),
        1.0,
        7,
        COASTAL,
    ),
    Line(
        "Chế biến tinh bột sắn",
        "su_dung",
        "Nhà máy chế biến tinh bột sắn",
        "Lưu huỳnh (S), axit sunfuric (H2SO4)",
        (5.0, 50.0),
        10.0,
        0.8,
        ("19429", "19432", "19555", "19702"),
    ),
    Line(
        "Chế biến mủ cao su",
        "su_dung",
        "Nhà máy chế biến mủ cao su",
        "Axit formic (HCOOH), amoniac (NH3)",
        (2.0, 20.0),
        5.0,
        1,
        ("19597", "19597", "19363", "19496"),
    ),
    Line(
        "Chế biến gỗ, sản xuất viên nén gỗ",
        "su_dung",
        "Xưởng chế biến gỗ",
        "Keo dán chứa formaldehyt (HCHO)",
        (1.0, 30.0),
        10.0,
        12,
    ),
    Line(
        "Xi mạ, gia công kim loại",
        "su_dung",
        "Xưởng xi mạ",
        "Axit clohydric (HCl), natri hydroxit (NaOH)",
        (0.3, 5.0),
        None,
        5,
        ("19342", "19342", "19333", "19342"),
    ),
)
# a plant belongs to a company; a shop may belong to a sole proprietorship
COMPANY_FORMS = (("Công ty TNHH", 60), ("Công ty Cổ phần", 25), ("Doanh nghiệp tư nhân", 15))

SCHEMA = """
CREATE TABLE co_so (
    ma_co_so TEXT PRIMARY KEY,
    ten_co_so TEXT NOT NULL,
    ten_doanh_nghiep TEXT NOT NULL,
    ma_so_doanh_nghiep TEXT NOT NULL,
    nganh TEXT NOT NULL,
    loai_hoat_dong TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dia_chi TEXT NOT NULL,
    hoa_chat_chinh TEXT NOT NULL,
    khoi_luong_toi_da REAL NOT NULL,
    phuong_an_ung_pho TEXT NOT NULL,
    ngay_kiem_tra TEXT NOT NULL
);
CREATE INDEX co_so_xa ON co_so (ma_xa);
"""


@dataclass(frozen=True, slots=True)
class Facility:
    ten_co_so: str
    ten_doanh_nghiep: str
    ma_so_doanh_nghiep: str
    line: Line
    commune: Commune
    dia_chi: str
    khoi_luong_toi_da: float  # tonnes
    phuong_an_ung_pho: str  # ke_hoach | bien_phap
    ngay_kiem_tra: date


_LINE_WEIGHTS = [(line, line.weight) for line in LINES]


def _brand(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(PLACE_BRANDS)
    first, second = rng.sample(BRAND_SYLLABLES, 2)
    return f"{first} {second}"


def _place(rng: random.Random, line: Line) -> Commune:
    if line.communes:
        return commune(rng.choice(line.communes))
    if line.nganh == "Kinh doanh thuốc bảo vệ thực vật":  # sold where crops grow
        return rng.choice([c for c in COMMUNES if c.terrain is not Terrain.URBAN])
    return random_commune(rng, terrain=None if rng.random() < 0.5 else Terrain.URBAN)


def _facility(rng: random.Random, brands: Unique, codes: Unique, sites: set[str]) -> Facility:
    line = pick(rng, _LINE_WEIGHTS)
    where = _place(rng, line)
    brand = brands.draw(rng, _brand)
    # a plant is known by its place while that name is free; a shop or a warehouse by its owner's brand
    place = where.short_name
    plant = line.facility.startswith("Nhà máy")
    site = f"{line.facility} {place}"
    if not plant or site in sites:
        site = f"{line.facility} {brand}"
    sites.add(site)
    form = pick(rng, COMPANY_FORMS[:2] if plant else COMPANY_FORMS)
    low, high = line.stored
    stored = round(rng.uniform(low, high), 1)
    needs_plan = line.plan_above is not None and stored > line.plan_above
    return Facility(
        ten_co_so=site,
        ten_doanh_nghiep=f"{form} {brand}",
        ma_so_doanh_nghiep=codes.draw(rng, enterprise_code),
        line=line,
        commune=where,
        dia_chi=where.address(street_address(rng, where)),
        khoi_luong_toi_da=stored,
        phuong_an_ung_pho="ke_hoach" if needs_plan else "bien_phap",
        ngay_kiem_tra=day_between(rng, date(2021, 1, 1), REFERENCE_DATE),
    )


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Facility]:
    """Facilities of distinct enterprises: one brand, one company, one tax code each."""
    rng = random.Random(seed)
    brands, codes, sites = Unique(), Unique(), set[str]()
    return [_facility(rng, brands, codes, sites) for _ in range(size)]


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO co_so VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"HC-{index + 1:04d}",
                    f.ten_co_so,
                    f.ten_doanh_nghiep,
                    f.ma_so_doanh_nghiep,
                    f.line.nganh,
                    f.line.loai_hoat_dong,
                    f.commune.code,
                    f.dia_chi,
                    f.line.hoa_chat,
                    f.khoi_luong_toi_da,
                    f.phuong_an_ung_pho,
                    f.ngay_kiem_tra.isoformat(),
                )
                for index, f in enumerate(generate(size, seed=seed))
            ),
        )


def chemical_facility_records(
    connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500
) -> list[Json]:
    """`co-so-hoa-chat`: facility records for the warehouse, in code order."""
    return rows(
        connection,
        "SELECT ma_co_so, ten_co_so, ten_doanh_nghiep, ma_so_doanh_nghiep, nganh, loai_hoat_dong, ma_xa,"
        " dia_chi, hoa_chat_chinh, khoi_luong_toi_da, phuong_an_ung_pho, ngay_kiem_tra"
        " FROM co_so ORDER BY ma_co_so LIMIT ? OFFSET ?",
        (limit, offset),
    )


SAMPLE = SampleDatabase(
    name="hoa_chat",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"co-so-hoa-chat": chemical_facility_records},
)
