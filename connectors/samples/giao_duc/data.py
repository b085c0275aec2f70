"""CSDL giáo dục và đào tạo (H50.14, Sở Giáo dục và Đào tạo): the province's schools.

Answers `tra-cuu-truong-hoc` (a school by its code) and shares `truong-hoc` to the warehouse. A school code
has 8 digits: the province's unit code 45, three digits of the unit it was coded under (a former district
for the seeded schools, coded before 2025; the last three of the commune's code for the others), a three-digit
serial (upper secondary schools from 101); a code does not change when units are merged. Every commune has a
kindergarten, a primary and a lower secondary school; communes around a former town and wards have an upper
secondary school too.
Figures are for the school year 2023-2024; `size` caps the number of schools, which the communes bound.
"""

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, rows
from connectors.samples.geography import COMMUNES, Commune, Terrain, commune
from connectors.samples.synthetic import People, address, landline_number

PROVIDER = "H50.14"
DATABASE = "csdl-giao-duc"
SEED = 5014
DEFAULT_SIZE = 250
SCHOOL_YEAR = "2023-2024"

# level: (name prefix, pupils per class, classes range)
LEVELS = {
    "mam_non": ("Trường Mầm non", (20, 30), (4, 16)),
    "tieu_hoc": ("Trường Tiểu học", (22, 35), (8, 30)),
    "thcs": ("Trường THCS", (30, 42), (6, 24)),
    "thpt": ("Trường THPT", (35, 45), (15, 36)),
}
# Names of urban schools, after people and symbols, by level.
URBAN_NAMES = {
    "mam_non": (
        "Hoa Sen", "Sơn Ca", "Họa Mi", "Hoa Phượng", "Tuổi Thơ", "Hướng Dương", "Hoa Mai", "Ánh Dương",
        "Hoa Hồng", "Bình Minh", "Vành Khuyên", "Thủy Tiên",
    ),
    "tieu_hoc": (
        "Nguyễn Trãi", "Lê Lợi", "Kim Đồng", "Trần Hưng Đạo", "Phan Bội Châu", "Lê Văn Tám", "Hòa Bình",
        "Võ Thị Sáu", "Lê Quý Đôn", "Nguyễn Văn Trỗi", "Hàm Nghi", "Trần Quốc Toản",
    ),
    "thcs": (
        "Nguyễn Du", "Trần Phú", "Lý Thường Kiệt", "Phan Đình Phùng", "Nguyễn Huệ", "Chu Văn An",
        "Nguyễn Trãi", "Lương Thế Vinh", "Trần Quốc Toản", "Hùng Vương", "Lê Lợi", "Phan Bội Châu",
    ),
    "thpt": ("Lê Lợi", "Phan Châu Trinh", "Nguyễn Huệ", "Chế Lan Viên", "Cồn Tiên", "Trần Thị Tâm"),
}  # fmt: skip
TEACHERS_PER_CLASS = {"mam_non": 2.0, "tieu_hoc": 1.5, "thcs": 1.9, "thpt": 2.25}

SCHEMA = """
CREATE TABLE truong (
    school_code TEXT PRIMARY KEY,
    ten_truong TEXT NOT NULL UNIQUE,
    cap_hoc TEXT NOT NULL,
    loai_hinh TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dia_chi TEXT NOT NULL,
    hieu_truong TEXT NOT NULL,
    dien_thoai TEXT NOT NULL,
    so_lop INTEGER NOT NULL,
    so_hoc_sinh INTEGER NOT NULL,
    so_giao_vien INTEGER NOT NULL,
    dat_chuan_quoc_gia INTEGER NOT NULL,
    nam_hoc TEXT NOT NULL
);
CREATE INDEX truong_xa ON truong (ma_xa);
"""


@dataclass(frozen=True, slots=True)
class School:
    school_code: str
    ten_truong: str
    cap_hoc: str
    loai_hinh: str  # "cong_lap" | "tu_thuc"
    commune: Commune
    dia_chi: str
    hieu_truong: str
    dien_thoai: str
    so_lop: int
    so_hoc_sinh: int
    so_giao_vien: int
    dat_chuan_quoc_gia: bool


SEEDED = (
    School(
        school_code="45466011",
        ten_truong="Trường Tiểu học Gio Phong",
        cap_hoc="tieu_hoc",
        loai_hinh="cong_lap",
        commune=commune("19495"),
        dia_chi="Thôn 2, xã Gio Linh, tỉnh Quảng Trị",
        hieu_truong="Lê Thị Thu Hà",
        dien_thoai="02333825417",
        so_lop=15,
        so_hoc_sinh=412,
        so_giao_vien=24,
        dat_chuan_quoc_gia=True,
    ),
    School(
        school_code="45461102",
        ten_truong="Trường THPT Lê Lợi",
        cap_hoc="thpt",
        loai_hinh="cong_lap",
        commune=residents.NGUYEN_VAN_HUNG.commune,
        dia_chi="Số 38 Lê Lợi, phường Đông Hà, tỉnh Quảng Trị",
        hieu_truong="Hoàng Minh Tuấn",
        dien_thoai="02333852268",
        so_lop=30,
        so_hoc_sinh=1248,
        so_giao_vien=72,
        dat_chuan_quoc_gia=True,
    ),
)


def _name(rng: random.Random, level: str, where: Commune, taken: set[str]) -> str:
    """A school takes its commune's name; where that is taken, it is named after a person or a symbol."""
    prefix = LEVELS[level][0]
    candidates = [f"{prefix} {where.short_name}"]
    candidates += [f"{prefix} {name}" for name in rng.sample(URBAN_NAMES[level], len(URBAN_NAMES[level]))]
    candidates.append(f"{prefix} {where.name}")
    name = next(c for c in candidates if c not in taken)
    taken.add(name)
    return name


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[School]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    schools = list(SEEDED[:size])
    names = {s.ten_truong for s in schools}
    seeded_places = {(s.cap_hoc, s.commune.code) for s in SEEDED}
    serials: dict[tuple[str, bool], int] = {}
    # Every commune's three schools, then the upper secondary schools, in a fixed order; upper secondary
    # schools are numbered from 101 in their commune.
    places = [(level, c) for c in COMMUNES for level in ("mam_non", "tieu_hoc", "thcs")]
    places += [("thpt", c) for c in COMMUNES if c.terrain is Terrain.URBAN]
    for level, where in places:
        if len(schools) >= size:
            break
        series = (where.code, level == "thpt")
        serials[series] = serials.get(series, 100 if level == "thpt" else 0) + 1
        if (level, where.code) in seeded_places:
            continue
        _, (low, high), (fewest, most) = LEVELS[level]
        classes = rng.randint(fewest, most)
        private = level == "mam_non" and where.terrain is Terrain.URBAN and rng.random() < 0.3
        schools.append(
            School(
                school_code=f"45{where.code[-3:]}{serials[series]:03d}",
                ten_truong=_name(rng, level, where, names),
                cap_hoc=level,
                loai_hinh="tu_thuc" if private else "cong_lap",
                commune=where,
                dia_chi=address(rng, where),
                hieu_truong=people.person(born=(1966, 1988), commune=where).ho_ten,
                dien_thoai=landline_number(rng),
                so_lop=classes,
                so_hoc_sinh=classes * rng.randint(low, high),
                so_giao_vien=round(classes * TEACHERS_PER_CLASS[level] * rng.uniform(0.9, 1.1)),
                dat_chuan_quoc_gia=rng.random() < 0.65,
            )
        )
    return schools


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO truong VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    s.school_code,
                    s.ten_truong,
                    s.cap_hoc,
                    s.loai_hinh,
                    s.commune.code,
                    s.dia_chi,
                    s.hieu_truong,
                    s.dien_thoai,
                    s.so_lop,
                    s.so_hoc_sinh,
                    s.so_giao_vien,
                    int(s.dat_chuan_quoc_gia),
                    SCHOOL_YEAR,
                )
                for s in generate(size, seed=seed)
            ),
        )


def lookup_school(connection: sqlite3.Connection, *, school_code: str) -> Json:
    """`tra-cuu-truong-hoc`: a school by its code."""
    row = first(connection, "SELECT * FROM truong WHERE school_code = ?", (school_code,))
    if row is None:
        return {"found": False}
    place = commune(row["ma_xa"])
    return {
        "found": True,
        "school_code": row["school_code"],
        "ten_truong": row["ten_truong"],
        "cap_hoc": row["cap_hoc"],
        "loai_hinh": row["loai_hinh"],
        "dia_chi": row["dia_chi"],
        "ma_xa": row["ma_xa"],
        "ten_xa": place.name,
        "hieu_truong": row["hieu_truong"],
        "dien_thoai": row["dien_thoai"],
        "so_lop": row["so_lop"],
        "so_hoc_sinh": row["so_hoc_sinh"],
        "so_giao_vien": row["so_giao_vien"],
        "dat_chuan_quoc_gia": bool(row["dat_chuan_quoc_gia"]),
        "nam_hoc": row["nam_hoc"],
    }


def school_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`truong-hoc`: school records for the warehouse, in code order."""
    return [
        {
            "school_code": row["school_code"],
            "ten_truong": row["ten_truong"],
            "cap_hoc": row["cap_hoc"],
            "loai_hinh": row["loai_hinh"],
            "ma_xa": row["ma_xa"],
            "so_lop": row["so_lop"],
            "so_hoc_sinh": row["so_hoc_sinh"],
            "so_giao_vien": row["so_giao_vien"],
            "dat_chuan_quoc_gia": bool(row["dat_chuan_quoc_gia"]),
            "nam_hoc": row["nam_hoc"],
        }
        for row in rows(
            connection, "SELECT * FROM truong ORDER BY school_code LIMIT ? OFFSET ?", (limit, offset)
        )
    ]


SAMPLE = SampleDatabase(
    name="giao_duc",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"tra-cuu-truong-hoc": lookup_school},
    datasets={"truong-hoc": school_records},
    with_district=frozenset({"tra-cuu-truong-hoc"}),
)
