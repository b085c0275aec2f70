"""CSDL quản lý tài sản công (H50.05, Sở Tài chính): the public assets of the province's departments.

Shares `tai-san-cong` to the warehouse: land, buildings, cars and other fixed assets worth 500 million đồng or
more, the assets a department declares under Decree 151/2017/NĐ-CP, each with its original value and its
value after wear (hao mòn: 2% a year for buildings, 1/15 for cars, 1/8 for equipment; land does not wear).

Each department and some of its units (hospitals, district health centres, upper secondary schools, forest
protection units, ...) hold a plot of land, buildings and often cars and equipment. Departments sit in the
wards of Đông Hà; regional units in the communes around the former district towns, named as today. Land prices follow the province's land price table in
order of magnitude only.
"""

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from connectors.samples import agencies
from connectors.samples.agencies import Agency
from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import COMMUNES, Commune, Terrain, commune
from connectors.samples.synthetic import REFERENCE_DATE

PROVIDER = "H50.05"
DATABASE = "csdl-tai-san-cong"
SEED = 5005
DEFAULT_SIZE = 230
MILLION = 1_000_000

# a yearly wear rate, in percent of the original value
WEAR = {"dat": 0.0, "nha": 2.0, "o_to": 100 / 15, "tai_san_co_dinh_khac": 12.5}
CARS = (
    ("Xe ô tô Toyota Innova 7 chỗ", (750, 900)),
    ("Xe ô tô Toyota Fortuner 7 chỗ", (1_000, 1_250)),
    ("Xe ô tô Ford Everest 7 chỗ", (1_050, 1_300)),
    ("Xe ô tô Mitsubishi Pajero Sport 7 chỗ", (950, 1_150)),
    ("Xe ô tô Toyota Hiace 16 chỗ", (1_100, 1_300)),
    ("Xe ô tô Ford Transit 16 chỗ", (800, 950)),
)
AMBULANCE = ("Xe cứu thương Ford Transit", (1_050, 1_350))
RANGER_PICKUP = ("Xe ô tô bán tải Ford Ranger (chuyên dùng kiểm lâm)", (700, 900))
HOSPITAL_EQUIPMENT = (
    ("Máy chụp cắt lớp vi tính (CT) 128 lát cắt", (14_000, 22_000)),
    ("Hệ thống chụp X-quang kỹ thuật số (DR)", (2_500, 4_500)),
    ("Máy siêu âm màu Doppler 4D", (1_200, 2_500)),
    ("Hệ thống nội soi tiêu hóa", (1_500, 3_000)),
    ("Máy thở chức năng cao", (600, 1_200)),
    ("Máy chạy thận nhân tạo", (500, 800)),
    ("Hệ thống xét nghiệm sinh hóa tự động", (2_000, 4_000)),
)
OFFICE_EQUIPMENT = (
    ("Hệ thống máy chủ và thiết bị lưu trữ", (1_500, 4_000)),
    ("Máy phát điện dự phòng", (600, 1_200)),
    ("Hệ thống phòng họp trực tuyến", (800, 2_000)),
)


@dataclass(frozen=True, slots=True)
class Unit:
    """A department or one of its units, where it sits, and what it holds."""

    agency: Agency
    name: str
    commune: Commune
    kind: str  # tru_so | benh_vien | trung_tam_y_te | truong_hoc | kiem_lam | trung_tam
    land: tuple[int, int]  # plot area range, m²


_WARDS = (commune("19333"), commune("19342"))  # Đông Hà's
_CITY_WARDS = ("19333", "19342", "19030", "19021", "19024")  # the former cities Đông Hà and Đồng Hới
_TOWNS = [c for c in COMMUNES if c.terrain is Terrain.URBAN and not c.is_ward]


def _unit(agency: Agency, name: str, commune_code: str, kind: str, land: tuple[int, int]) -> Unit:
    return Unit(agency, name, commune(commune_code), kind, land)


UNITS = (
    *(
        Unit(agency, agency.name, _WARDS[index % len(_WARDS)], "tru_so", (1_500, 6_000))
        for index, agency in enumerate(agencies.CIVIL_DEPARTMENTS)
    ),
    _unit(agencies.Y_TE, "Bệnh viện Đa khoa tỉnh Quảng Trị", "19342", "benh_vien", (30_000, 60_000)),
    _unit(agencies.Y_TE, "Trung tâm Kiểm soát bệnh tật tỉnh Quảng Trị", "19342", "trung_tam", (3_000, 8_000)),
    *(
        Unit(
            agencies.Y_TE,
            f"Trung tâm Y tế khu vực {t.short_name}",
            t,
            "trung_tam_y_te",
            (8_000, 20_000),
        )
        for t in _TOWNS
    ),
    _unit(agencies.GIAO_DUC, "Trường THPT Đông Hà", "19333", "truong_hoc", (10_000, 20_000)),
    *(
        Unit(
            agencies.GIAO_DUC,
            f"Trường THPT {t.short_name}",
            t,
            "truong_hoc",
            (10_000, 25_000),
        )
        for t in _TOWNS
    ),
    *(
        Unit(agencies.NONG_NGHIEP, f"Hạt Kiểm lâm khu vực {t.short_name}", t, "kiem_lam", (800, 3_000))
        for t in _TOWNS
    ),
    _unit(agencies.NONG_NGHIEP, "Trung tâm Khuyến nông Quảng Trị", "19342", "trung_tam", (1_500, 4_000)),
    _unit(agencies.VAN_HOA, "Bảo tàng tỉnh Quảng Trị", "19333", "trung_tam", (4_000, 10_000)),
    _unit(agencies.VAN_HOA, "Thư viện tỉnh Quảng Trị", "19333", "trung_tam", (2_000, 5_000)),
    _unit(
        agencies.LAO_DONG,
        "Trung tâm Bảo trợ xã hội tổng hợp tỉnh Quảng Trị",
        "19333",
        "trung_tam",
        (10_000, 30_000),
    ),
    _unit(
        agencies.TAI_NGUYEN_MOI_TRUONG,
        "Văn phòng Đăng ký đất đai tỉnh Quảng Trị",
        "19333",
        "trung_tam",
        (1_000, 3_000),
    ),
    _unit(
        agencies.TU_PHAP,
        "Trung tâm Trợ giúp pháp lý nhà nước tỉnh Quảng Trị",
        "19333",
        "trung_tam",
        (800, 2_000),
    ),
)

# building names by kind of unit
BUILDINGS = {
    "tru_so": ("Nhà làm việc chính", "Nhà làm việc phụ trợ", "Hội trường", "Nhà để xe"),
    "benh_vien": ("Khối khám bệnh", "Khối điều trị nội trú", "Khối kỹ thuật nghiệp vụ", "Khoa Truyền nhiễm"),
    "trung_tam_y_te": ("Khối khám bệnh", "Khối điều trị nội trú", "Nhà hành chính"),
    "truong_hoc": ("Nhà lớp học", "Nhà lớp học bộ môn", "Nhà đa năng", "Nhà hiệu bộ"),
    "kiem_lam": ("Nhà làm việc", "Trạm Kiểm lâm"),
    "trung_tam": ("Nhà làm việc chính", "Nhà kho", "Nhà làm việc phụ trợ"),
}
FLOORS = {
    "tru_so": (2, 5),
    "benh_vien": (3, 7),
    "trung_tam_y_te": (2, 5),
    "truong_hoc": (2, 4),
    "kiem_lam": (1, 2),
    "trung_tam": (1, 3),
}

SCHEMA = """
CREATE TABLE tai_san (
    ma_tai_san TEXT PRIMARY KEY,
    ma_co_quan TEXT NOT NULL,
    don_vi_su_dung TEXT NOT NULL,
    loai_tai_san TEXT NOT NULL,
    ten_tai_san TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dien_tich REAL,
    nam_su_dung INTEGER NOT NULL,
    nguyen_gia INTEGER NOT NULL,
    gia_tri_con_lai INTEGER NOT NULL,
    hien_trang TEXT NOT NULL
);
CREATE INDEX tai_san_co_quan ON tai_san (ma_co_quan);
"""


@dataclass(frozen=True, slots=True)
class Asset:
    unit: Unit
    loai_tai_san: str  # dat | nha | o_to | tai_san_co_dinh_khac
    ten_tai_san: str
    dien_tich: float | None  # m²: of the plot, or of the floors
    nam_su_dung: int
    nguyen_gia: int  # đồng
    hien_trang: str  # dang_su_dung | cho_thue | cho_xu_ly

    @property
    def gia_tri_con_lai(self) -> int:
        worn = WEAR[self.loai_tai_san] / 100 * (REFERENCE_DATE.year - self.nam_su_dung)
        return round(self.nguyen_gia * max(0.0, 1 - worn))


def _land_price(where: Commune, rng: random.Random) -> int:
    """Đồng per m² of land in the price table, roughly."""
    if where.code in _CITY_WARDS:
        return rng.randrange(3_000, 12_000) * 1_000
    if where.terrain is Terrain.URBAN:
        return rng.randrange(1_000, 4_000) * 1_000
    return rng.randrange(300, 1_000) * 1_000


def _in_millions(rng: random.Random, bounds: tuple[int, int]) -> int:
    return rng.randint(*bounds) * MILLION


def _assets_of(rng: random.Random, unit: Unit, round_: int) -> list[Asset]:
    plot = "Đất trụ sở" if round_ == 0 else f"Đất cơ sở {round_ + 1}"
    area = rng.randrange(unit.land[0], unit.land[1], 10)
    land_value = area * _land_price(unit.commune, rng)
    assets = [
        Asset(unit, "dat", f"{plot} {unit.name}", area, rng.randint(1990, 2012), land_value, "dang_su_dung")
    ]
    names = BUILDINGS[unit.kind]
    for name in rng.sample(names, rng.randint(1, len(names))):
        floors = 1 if name == "Nhà để xe" else rng.randint(*FLOORS[unit.kind])
        floor_area = round(rng.uniform(0.05, 0.25) * area / floors, -1) * floors
        cost = int(round(floor_area * rng.randint(5_000, 9_000) * 1_000, -6))
        status = "cho_thue" if rng.random() < 0.02 else "dang_su_dung"
        year = rng.randint(1998, 2023)
        assets.append(Asset(unit, "nha", f"{name} {floors} tầng", floor_area, year, cost, status))
    service_cars = {
        "benh_vien": (AMBULANCE,) * 3,
        "trung_tam_y_te": (AMBULANCE,),
        "kiem_lam": (RANGER_PICKUP,),
    }
    for name, price in service_cars.get(unit.kind, ()) + tuple(rng.sample(CARS, rng.randint(0, 2))):
        year = rng.randint(2008, 2023)
        status = "cho_xu_ly" if REFERENCE_DATE.year - year >= 15 and rng.random() < 0.5 else "dang_su_dung"
        assets.append(Asset(unit, "o_to", name, None, year, _in_millions(rng, price), status))
    # the CT scanner (the first item) is the provincial hospital's
    equipment = {"benh_vien": HOSPITAL_EQUIPMENT, "trung_tam_y_te": HOSPITAL_EQUIPMENT[1:]}.get(
        unit.kind, OFFICE_EQUIPMENT
    )
    count = rng.randint(2, len(equipment)) if unit.kind == "benh_vien" else rng.randint(0, 2)
    for name, price in rng.sample(equipment, count):
        value = _in_millions(rng, price)
        year = rng.randint(2017, 2024)
        assets.append(Asset(unit, "tai_san_co_dinh_khac", name, None, year, value, "dang_su_dung"))
    return assets


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Asset]:
    """Every unit's assets in turn, unit by unit, until there are `size` (a second round adds new sites)."""
    rng = random.Random(seed)
    assets: list[Asset] = []
    index = 0
    while len(assets) < size:
        assets += _assets_of(rng, UNITS[index % len(UNITS)], index // len(UNITS))
        index += 1
    return assets[:size]


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO tai_san VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"TS-{index + 1:06d}",
                    a.unit.agency.code,
                    a.unit.name,
                    a.loai_tai_san,
                    a.ten_tai_san,
                    a.unit.commune.code,
                    a.dien_tich,
                    a.nam_su_dung,
                    a.nguyen_gia,
                    a.gia_tri_con_lai,
                    a.hien_trang,
                )
                for index, a in enumerate(generate(size, seed=seed))
            ),
        )


def public_asset_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`tai-san-cong`: asset records for the warehouse, in code order."""
    assets = rows(
        connection,
        "SELECT ma_tai_san, ma_co_quan, don_vi_su_dung, loai_tai_san, ten_tai_san, ma_xa, dien_tich,"
        " nam_su_dung, nguyen_gia, gia_tri_con_lai, hien_trang"
        " FROM tai_san ORDER BY ma_tai_san LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [{**asset, "ten_co_quan": agencies.agency(asset["ma_co_quan"]).name} for asset in assets]


SAMPLE = SampleDatabase(
    name="tai_san_cong",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"tai-san-cong": public_asset_records},
)
