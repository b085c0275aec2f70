"""CSDL GIS chuyên đề bưu chính, viễn thông (H50.13, Sở Khoa học và Công nghệ): mobile base stations.

Shares `tram-bts` to the warehouse: each base station site (vị trí trạm BTS) with its operator, commune,
position, the generations it broadcasts, its mast and whether operators share it. The 2022 plan counts
1,188 sites with 2,982 stations of four operators (819 2G, 1,108 3G, 1,055 4G): the default size, the
operators and the share of each generation follow it. Positions are synthetic: around the centre of the
area its commune's seat belonged to before 2025, not inside its commune's true boundary.
"""

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import Commune, Terrain
from connectors.samples.synthetic import pick, random_commune

PROVIDER = "H50.13"  # since 1/3/2025; Sở Thông tin và Truyền thông (H50.10) before
DATABASE = "csdl-gis-buu-chinh-vien-thong"
SEED = 5010
DEFAULT_SIZE = 1188

OPERATORS = (("viettel", 40), ("vnpt", 30), ("mobifone", 24), ("vietnamobile", 6))
# generation: share of sites broadcasting it (819, 1,108 and 1,055 stations over 1,188 sites)
GENERATIONS = (("2G", 0.69), ("3G", 0.93), ("4G", 0.89))
# the database is former Quảng Trị's (its 1.x contract bounds the positions to it): the former district of a
# commune's seat: (latitude, longitude) of its centre, roughly, and how far its
# stations spread (degrees)
CENTRES = {
    "Thành phố Đông Hà": (16.816, 107.100, 0.02),
    "Thị xã Quảng Trị": (16.745, 107.190, 0.015),
    "Huyện Vĩnh Linh": (17.020, 106.990, 0.06),
    "Huyện Hướng Hóa": (16.650, 106.720, 0.09),
    "Huyện Gio Linh": (16.900, 107.050, 0.05),
    "Huyện Đakrông": (16.590, 106.880, 0.09),
    "Huyện Cam Lộ": (16.790, 106.990, 0.04),
    "Huyện Triệu Phong": (16.775, 107.170, 0.04),
    "Huyện Hải Lăng": (16.680, 107.250, 0.05),
}
# mast: (share in towns, share elsewhere, height range in metres)
MASTS = {
    "cot_tren_nha": (55, 10, (6, 18)),
    "cot_tu_dung": (35, 55, (30, 60)),
    "cot_day_co": (10, 35, (30, 45)),
}

SCHEMA = """
CREATE TABLE tram_bts (
    ma_tram TEXT PRIMARY KEY,
    doanh_nghiep TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    vi_do REAL NOT NULL,
    kinh_do REAL NOT NULL,
    cong_nghe TEXT NOT NULL,
    loai_cot TEXT NOT NULL,
    chieu_cao_cot INTEGER NOT NULL,
    dung_chung_ha_tang INTEGER NOT NULL,
    nam_phat_song INTEGER NOT NULL
);
CREATE INDEX tram_bts_xa ON tram_bts (ma_xa);
"""


@dataclass(frozen=True, slots=True)
class Site:
    doanh_nghiep: str
    commune: Commune
    vi_do: float
    kinh_do: float
    cong_nghe: tuple[str, ...]  # "2G", "3G", "4G", in that order
    loai_cot: str
    chieu_cao_cot: int  # metres
    dung_chung_ha_tang: bool  # another operator's antennas share the mast
    nam_phat_song: int


def _site(rng: random.Random) -> Site:
    where = random_commune(rng)
    while where.former_district not in CENTRES:
        where = random_commune(rng)
    latitude, longitude, spread = CENTRES[where.former_district]
    town = where.terrain is Terrain.URBAN
    mast = pick(
        rng, [(mast, town_share if town else share) for mast, (town_share, share, _) in MASTS.items()]
    )
    generations = tuple(g for g, share in GENERATIONS if rng.random() < share)
    return Site(
        doanh_nghiep=pick(rng, OPERATORS),
        commune=where,
        vi_do=round(latitude + rng.uniform(-spread, spread), 6),
        kinh_do=round(longitude + rng.uniform(-spread, spread), 6),
        cong_nghe=generations or ("4G",),
        loai_cot=mast,
        chieu_cao_cot=rng.randint(*MASTS[mast][2]),
        dung_chung_ha_tang=mast != "cot_tren_nha" and rng.random() < 0.2,
        nam_phat_song=rng.randint(2005, 2024),
    )


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Site]:
    rng = random.Random(seed)
    return [_site(rng) for _ in range(size)]


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO tram_bts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"BTS-{index + 1:04d}",
                    s.doanh_nghiep,
                    s.commune.code,
                    s.vi_do,
                    s.kinh_do,
                    ",".join(s.cong_nghe),
                    s.loai_cot,
                    s.chieu_cao_cot,
                    s.dung_chung_ha_tang,
                    s.nam_phat_song,
                )
                for index, s in enumerate(generate(size, seed=seed))
            ),
        )


def bts_site_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`tram-bts`: base station sites for the warehouse, in code order."""
    sites = rows(
        connection,
        "SELECT ma_tram, doanh_nghiep, ma_xa, vi_do, kinh_do, cong_nghe, loai_cot, chieu_cao_cot,"
        " dung_chung_ha_tang, nam_phat_song FROM tram_bts ORDER BY ma_tram LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [
        {
            **site,
            "cong_nghe": site["cong_nghe"].split(","),
            "dung_chung_ha_tang": bool(site["dung_chung_ha_tang"]),
        }
        for site in sites
    ]


SAMPLE = SampleDatabase(
    name="vien_thong",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"tram-bts": bts_site_records},
)
