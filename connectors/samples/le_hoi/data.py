"""CSDL lễ hội (H50.12, Sở Văn hóa, Thể thao và Du lịch): the festivals of Quảng Trị.

Shares `le-hoi` to the warehouse. The plan's four kinds of festival (traditional folk, revolutionary history,
cultural, religious) are the record's `loai_hinh`. The seeded festivals are real; the generated ones (fishing
and village festivals, the new-rice celebrations of upland villages) are synthetic.
"""

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import COMMUNES, Commune, Terrain, commune
from connectors.samples.synthetic import VILLAGES, pick

PROVIDER = "H50.12"
DATABASE = "csdl-le-hoi"
SEED = 5112
DEFAULT_SIZE = 40
COASTAL = ("19414", "19496", "19636", "19702", "19030", "19225")

SCHEMA = """
CREATE TABLE le_hoi (
    ma_le_hoi TEXT PRIMARY KEY,
    ten_le_hoi TEXT NOT NULL UNIQUE,
    loai_hinh TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dia_diem TEXT NOT NULL,
    thoi_gian_to_chuc TEXT NOT NULL,
    chu_ky TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Festival:
    ten_le_hoi: str
    loai_hinh: str  # dan_gian_truyen_thong | lich_su_cach_mang | van_hoa | ton_giao
    commune: Commune
    dia_diem: str
    thoi_gian_to_chuc: str
    chu_ky: str  # hang_nam | hai_nam_mot_lan | ba_nam_mot_lan


SEEDED = (
    Festival(
        "Lễ hội Thống nhất non sông",
        "lich_su_cach_mang",
        commune("19414"),
        "Khu di tích Đôi bờ Hiền Lương - Bến Hải",
        "Ngày 30 tháng 4 dương lịch",
        "hang_nam",
    ),
    Festival(
        "Lễ thả hoa đăng trên sông Thạch Hãn",
        "lich_su_cach_mang",
        commune("19357"),
        "Sông Thạch Hãn, phường Quảng Trị",
        "Tối 27 tháng 7 dương lịch",
        "hang_nam",
    ),
    Festival(
        "Lễ hội Vì hòa bình",
        "van_hoa",
        commune("19357"),
        "Phường Quảng Trị và phường Đông Hà",
        "Tháng 7 dương lịch",
        "hai_nam_mot_lan",
    ),
    Festival(
        "Đại hội Hành hương Đức Mẹ La Vang",
        "ton_giao",
        commune("19681"),
        "Trung tâm Hành hương Đức Mẹ La Vang, xã Hải Lăng",
        "Tháng 8 dương lịch",
        "ba_nam_mot_lan",
    ),
    Festival(
        "Lễ hội đua thuyền truyền thống trên sông Thạch Hãn",
        "dan_gian_truyen_thong",
        commune("19357"),
        "Sông Thạch Hãn, phường Quảng Trị",
        "Ngày 2 tháng 9 dương lịch",
        "hang_nam",
    ),
)


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Festival]:
    rng = random.Random(seed)
    festivals = list(SEEDED[:size])
    taken = {f.ten_le_hoi for f in festivals}
    upland = [c for c in COMMUNES if c.terrain is Terrain.UPLAND and c.ethnic_group]
    lowland = [c for c in COMMUNES if c.terrain is not Terrain.UPLAND and not c.is_ward]
    while len(festivals) < size:
        kind = pick(rng, (("cau_ngu", 3), ("lang", 5), ("lua_moi", 2)))
        if kind == "cau_ngu":
            where = commune(rng.choice(COASTAL))
            festival = Festival(
                f"Lễ hội Cầu ngư {where.short_name}",
                "dan_gian_truyen_thong",
                where,
                f"Các làng biển {where.in_address}",
                f"Tháng {rng.choice(('Giêng', 'Hai', 'Ba'))} âm lịch",
                "hang_nam",
            )
        elif kind == "lang":
            where, village = rng.choice(lowland), rng.choice(VILLAGES).removeprefix("Thôn ")
            festival = Festival(
                f"Lễ hội đình làng {village}, {where.in_address}",
                "dan_gian_truyen_thong",
                where,
                f"Đình làng {village}, {where.in_address}",
                f"Ngày {rng.randint(1, 15)} tháng {rng.choice(('Giêng', 'Hai', 'Ba', 'Bảy'))} âm lịch",
                pick(rng, (("hang_nam", 4), ("hai_nam_mot_lan", 1))),
            )
        else:
            where = rng.choice(upland)
            festival = Festival(
                f"Lễ mừng lúa mới của đồng bào {where.ethnic_group} {where.in_address}",
                "dan_gian_truyen_thong",
                where,
                f"Các thôn {where.in_address}",
                f"Tháng {rng.choice((10, 11, 12))} dương lịch, sau vụ thu hoạch",
                "hang_nam",
            )
        if festival.ten_le_hoi not in taken:
            taken.add(festival.ten_le_hoi)
            festivals.append(festival)
        elif len(taken) >= len(SEEDED) + len(COASTAL) + len(lowland) * len(VILLAGES) + len(upland):
            break  # every synthetic name is taken
    return festivals


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO le_hoi VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"LH-{i + 1:04d}",
                    f.ten_le_hoi,
                    f.loai_hinh,
                    f.commune.code,
                    f.dia_diem,
                    f.thoi_gian_to_chuc,
                    f.chu_ky,
                )
                for i, f in enumerate(generate(size, seed=seed))
            ),
        )


def festival_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`le-hoi`: festival records for the warehouse, in code order."""
    return rows(
        connection,
        "SELECT ma_le_hoi, ten_le_hoi, loai_hinh, ma_xa, dia_diem, thoi_gian_to_chuc, chu_ky"
        " FROM le_hoi ORDER BY ma_le_hoi LIMIT ? OFFSET ?",
        (limit, offset),
    )


SAMPLE = SampleDatabase(
    name="le_hoi",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"le-hoi": festival_records},
)
