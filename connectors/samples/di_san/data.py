"""CSDL di sản văn hóa (H50.12, Sở Văn hóa, Thể thao và Du lịch): ranked heritage sites (di tích).

Shares `di-tich` to the warehouse. The seeded sites are real sites of Quảng Trị ranked at national level; the
generated ones (village communal houses, clan halls, local revolutionary sites of provincial rank) are
synthetic.
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import Commune, Terrain, commune
from connectors.samples.synthetic import REFERENCE_DATE, SURNAMES, day_between, pick, random_commune

PROVIDER = "H50.12"
DATABASE = "csdl-di-san-van-hoa"
SEED = 5012
DEFAULT_SIZE = 120

SCHEMA = """
CREATE TABLE di_tich (
    ma_di_tich TEXT PRIMARY KEY,
    ten_di_tich TEXT NOT NULL UNIQUE,
    loai_hinh TEXT NOT NULL,
    cap_xep_hang TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dia_diem TEXT NOT NULL,
    ngay_cap_nhat TEXT NOT NULL
);
CREATE INDEX di_tich_xa ON di_tich (ma_xa);
"""


@dataclass(frozen=True, slots=True)
class Site:
    ten_di_tich: str
    loai_hinh: str  # lich_su | kien_truc_nghe_thuat | khao_co | danh_lam_thang_canh
    cap_xep_hang: str  # quoc_gia_dac_biet | quoc_gia | cap_tinh
    commune: Commune
    dia_diem: str
    ngay_cap_nhat: date


def _here(code: str, name: str, loai_hinh: str, rank: str, updated: date, where: str = "") -> Site:
    place = commune(code)
    return Site(name, loai_hinh, rank, place, where or f"{place.name}, tỉnh Quảng Trị", updated)


SEEDED = (
    _here(
        "19357",
        "Thành cổ Quảng Trị và những địa điểm lưu niệm sự kiện 81 ngày đêm năm 1972",
        "lich_su",
        "quoc_gia_dac_biet",
        date(2024, 4, 2),
    ),
    _here(
        "19414",
        "Đôi bờ Hiền Lương - Bến Hải",
        "lich_su",
        "quoc_gia_dac_biet",
        date(2024, 4, 2),
        "Xã Cửa Tùng và xã Cửa Việt",
    ),
    _here(
        "19414",
        "Địa đạo Vịnh Mốc và hệ thống làng hầm Vĩnh Linh",
        "lich_su",
        "quoc_gia_dac_biet",
        date(2024, 4, 2),
    ),
    _here("19495", "Nghĩa trang liệt sĩ quốc gia Trường Sơn", "lich_su", "quoc_gia", date(2023, 7, 20)),
    _here("19429", "Sân bay Tà Cơn", "lich_su", "quoc_gia", date(2023, 7, 20)),
    _here("19432", "Nhà tù Lao Bảo", "lich_su", "quoc_gia", date(2023, 7, 20)),
    _here("19624", "Khu lưu niệm Tổng Bí thư Lê Duẩn", "lich_su", "quoc_gia", date(2023, 7, 20)),
    _here("19597", "Căn cứ cách mạng Tân Sở", "lich_su", "quoc_gia", date(2023, 7, 20)),
    _here("19555", "Chiến khu Ba Lòng", "lich_su", "quoc_gia", date(2023, 7, 20)),
)


def _synthetic_site(rng: random.Random) -> tuple[str, str, Commune]:
    where = random_commune(rng, terrain=Terrain.LOWLAND if rng.random() < 0.8 else None)
    village = where.short_name
    kind = pick(rng, (("dinh", 45), ("nha_tho_ho", 30), ("chi_bo", 15), ("chua", 10)))
    if kind == "dinh":
        return f"Đình làng {village}", "kien_truc_nghe_thuat", where
    if kind == "nha_tho_ho":
        return f"Nhà thờ họ {pick(rng, SURNAMES)} làng {village}", "kien_truc_nghe_thuat", where
    if kind == "chua":
        return f"Chùa {village}", "kien_truc_nghe_thuat", where
    return f"Địa điểm thành lập Chi bộ Đảng đầu tiên {where.in_address}", "lich_su", where


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Site]:
    rng = random.Random(seed)
    taken = {site.ten_di_tich for site in SEEDED}
    sites = list(SEEDED[:size])
    while len(sites) < size:
        name, loai_hinh, where = _synthetic_site(rng)
        if name in taken:
            continue
        taken.add(name)
        sites.append(
            Site(
                ten_di_tich=name,
                loai_hinh=loai_hinh,
                cap_xep_hang="cap_tinh",
                commune=where,
                dia_diem=f"{where.name}, tỉnh Quảng Trị",
                ngay_cap_nhat=day_between(rng, date(2022, 1, 1), REFERENCE_DATE),
            )
        )
    return sites


def site_code(index: int) -> str:
    return f"DT-{index + 1:04d}"


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO di_tich VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    site_code(index),
                    s.ten_di_tich,
                    s.loai_hinh,
                    s.cap_xep_hang,
                    s.commune.code,
                    s.dia_diem,
                    s.ngay_cap_nhat.isoformat(),
                )
                for index, s in enumerate(generate(size, seed=seed))
            ),
        )


def heritage_site_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`di-tich`: heritage site records for the warehouse, in code order."""
    return rows(
        connection,
        "SELECT ma_di_tich, ten_di_tich, loai_hinh, cap_xep_hang, ma_xa, dia_diem, ngay_cap_nhat"
        " FROM di_tich ORDER BY ma_di_tich LIMIT ? OFFSET ?",
        (limit, offset),
    )


SAMPLE = SampleDatabase(
    name="di_san",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"di-tich": heritage_site_records},
)
