"""CSDL đăng ký doanh nghiệp (H50.05, Sở Tài chính): enterprises registered in Quảng Trị.

Answers `tra-cuu-doanh-nghiep` (v1: 1.0.0 and 1.1.0, which adds the main business line) and shares
`doanh-nghiep` to the warehouse. Business lines are VSIC 2018 codes (Decision 27/2018/QĐ-TTg).
"""

import math
import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, rows
from connectors.samples.geography import Commune, Terrain, commune
from connectors.samples.synthetic import (
    REFERENCE_DATE,
    People,
    Unique,
    day_between,
    enterprise_code,
    pick,
    random_commune,
    street_address,
)

PROVIDER = "H50.05"  # since 1/3/2025; Sở Kế hoạch và Đầu tư (H50.04) before
DATABASE = "csdl-dang-ky-doanh-nghiep"
SEED = 5004
DEFAULT_SIZE = 2000

# code: (name prefix, share in percent, charter capital range in millions of đồng, legal representatives)
LEGAL_FORMS = {
    "tnhh_mot_thanh_vien": ("Công ty TNHH", 45, (500, 50_000), ("Giám đốc", "Giám đốc", "Chủ tịch công ty")),
    "tnhh_hai_thanh_vien_tro_len": (
        "Công ty TNHH",
        22,
        (1_000, 80_000),
        ("Giám đốc", "Giám đốc", "Chủ tịch Hội đồng thành viên"),
    ),
    "co_phan": (
        "Công ty Cổ phần",
        18,
        (2_000, 500_000),
        ("Giám đốc", "Tổng giám đốc", "Chủ tịch Hội đồng quản trị"),
    ),
    "doanh_nghiep_tu_nhan": ("Doanh nghiệp tư nhân", 14, (100, 5_000), ("Chủ doanh nghiệp",)),
    "hop_danh": ("Công ty Hợp danh", 1, (500, 10_000), ("Giám đốc",)),
}
STATUSES = (
    ("dang_hoat_dong", 82),
    ("tam_ngung_kinh_doanh", 8),
    ("dang_lam_thu_tuc_giai_the", 3),
    ("da_giai_the", 7),
)
# VSIC code: (name, the word a company in this line puts in its name)
BUSINESS_LINES = {
    "4101": ("Xây dựng nhà để ở", "Xây dựng"),
    "4102": ("Xây dựng nhà không để ở", "Xây dựng"),
    "4212": ("Xây dựng công trình đường bộ", "Xây dựng Giao thông"),
    "4663": ("Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng", "Vật liệu Xây dựng"),
    "4690": ("Bán buôn tổng hợp", "Thương mại"),
    "4933": ("Vận tải hàng hóa bằng đường bộ", "Vận tải"),
    "5510": ("Dịch vụ lưu trú ngắn ngày", "Du lịch"),
    "5610": ("Nhà hàng và các dịch vụ ăn uống phục vụ lưu động", "Dịch vụ Ăn uống"),
    "7912": ("Điều hành tua du lịch", "Du lịch Lữ hành"),
    "1610": ("Cưa, xẻ, bào gỗ và bảo quản gỗ", "Chế biến Gỗ"),
    "1077": ("Sản xuất cà phê", "Cà phê"),
    "3511": ("Sản xuất điện", "Năng lượng"),
    "4620": ("Bán buôn nông, lâm sản nguyên liệu (trừ gỗ, tre, nứa) và động vật sống", "Nông sản"),
    "0322": ("Nuôi trồng thủy sản nội địa", "Thủy sản"),
    "6201": ("Lập trình máy vi tính", "Công nghệ"),
}
PLACE_BRANDS = (
    "Trường Sơn", "Hiền Lương", "Cửa Việt", "Thạch Hãn", "Bến Hải", "Lao Bảo", "Khe Sanh", "Ái Tử",
    "Cồn Cỏ", "Cửa Tùng", "Sông Hiếu", "Đakrông", "La Vang", "Quảng Trị", "Đông Hà", "Vĩnh Linh",
)  # fmt: skip
# Two auspicious syllables make most brand names: "Minh Phát", "Thành Đạt", "Hưng Long".
BRAND_SYLLABLES = (
    "Minh", "Phát", "Thành", "Đạt", "Hoàng", "Long", "Tân", "Lộc", "Phúc", "Thịnh", "An", "Hưng", "Phú",
    "Gia", "Thuận", "Trường", "Nhật", "Quang", "Việt", "Tiến", "Bình", "Kim", "Thiên", "Hải", "Vân", "Đức",
    "Huy", "Hòa", "Sơn", "Thái",
)  # fmt: skip

SCHEMA = """
CREATE TABLE doanh_nghiep (
    ma_so_doanh_nghiep TEXT PRIMARY KEY,
    ten_doanh_nghiep TEXT NOT NULL UNIQUE,
    loai_hinh TEXT NOT NULL,
    ngay_thanh_lap TEXT NOT NULL,
    tinh_trang TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dia_chi_tru_so TEXT NOT NULL,
    dai_dien_ho_ten TEXT NOT NULL,
    dai_dien_chuc_danh TEXT NOT NULL,
    von_dieu_le INTEGER NOT NULL,
    nganh_nghe_chinh TEXT NOT NULL,
    ngay_cap_nhat TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Enterprise:
    ma_so_doanh_nghiep: str
    ten_doanh_nghiep: str
    loai_hinh: str
    ngay_thanh_lap: date
    tinh_trang: str
    commune: Commune
    dia_chi_tru_so: str
    dai_dien_ho_ten: str
    dai_dien_chuc_danh: str
    von_dieu_le: int  # đồng
    nganh_nghe_chinh: str  # VSIC code
    ngay_cap_nhat: date


SEEDED = (
    Enterprise(
        ma_so_doanh_nghiep="3200125643",
        ten_doanh_nghiep="Công ty TNHH Xây dựng và Thương mại Hiền Lương",
        loai_hinh="tnhh_hai_thanh_vien_tro_len",
        ngay_thanh_lap=date(2012, 4, 9),
        tinh_trang="dang_hoat_dong",
        commune=commune("19342"),
        dia_chi_tru_so="Số 118 Hùng Vương, phường Nam Đông Hà, tỉnh Quảng Trị",
        dai_dien_ho_ten=residents.NGUYEN_VAN_HUNG.ho_ten,
        dai_dien_chuc_danh="Giám đốc",
        von_dieu_le=15_000_000_000,
        nganh_nghe_chinh="4101",
        ngay_cap_nhat=date(2023, 11, 20),
    ),
    Enterprise(
        ma_so_doanh_nghiep="3200458716",
        ten_doanh_nghiep="Công ty Cổ phần Cà phê Hướng Phùng",
        loai_hinh="co_phan",
        ngay_thanh_lap=date(2017, 10, 23),
        tinh_trang="tam_ngung_kinh_doanh",
        commune=commune("19441"),
        dia_chi_tru_so=residents.HO_VAN_KHIEM.dia_chi,
        dai_dien_ho_ten=residents.HO_VAN_KHIEM.ho_ten,
        dai_dien_chuc_danh="Chủ tịch Hội đồng quản trị",
        von_dieu_le=6_500_000_000,
        nganh_nghe_chinh="1077",
        ngay_cap_nhat=date(2024, 2, 5),
    ),
)


def _capital(rng: random.Random, low: int, high: int) -> int:
    """Log-uniform in [low, high] millions, rounded to 100 million đồng above one billion."""
    millions = math.exp(rng.uniform(math.log(low), math.log(high)))
    step = 100 if millions >= 1_000 else 10
    return max(low, round(millions / step) * step) * 1_000_000


def _brand(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(PLACE_BRANDS)
    first, second = rng.sample(BRAND_SYLLABLES, 2)
    return f"{first} {second}"


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Enterprise]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    codes = Unique(e.ma_so_doanh_nghiep for e in SEEDED)
    names = Unique(e.ten_doanh_nghiep for e in SEEDED)
    enterprises = list(SEEDED[:size])
    forms = [(code, spec[1]) for code, spec in LEGAL_FORMS.items()]
    while len(enterprises) < size:
        form = pick(rng, forms)
        prefix, _, (low, high), titles = LEGAL_FORMS[form]
        line = rng.choice(list(BUSINESS_LINES))
        where = random_commune(rng, terrain=Terrain.URBAN if rng.random() < 0.6 else None)
        representative = people.person(born=(1955, 2000))
        word = BUSINESS_LINES[line][1]

        def name(r: random.Random, prefix: str = prefix, word: str = word) -> str:
            joined = f"{word} và Thương mại" if r.random() < 0.25 and word != "Thương mại" else word
            return f"{prefix} {joined} {_brand(r)}"

        founded = day_between(rng, date(1998, 1, 1), REFERENCE_DATE)
        enterprises.append(
            Enterprise(
                ma_so_doanh_nghiep=codes.draw(rng, enterprise_code),
                ten_doanh_nghiep=names.draw(rng, name),
                loai_hinh=form,
                ngay_thanh_lap=founded,
                tinh_trang=pick(rng, STATUSES),
                commune=where,
                dia_chi_tru_so=where.address(street_address(rng, where)),
                dai_dien_ho_ten=representative.ho_ten,
                dai_dien_chuc_danh=rng.choice(titles),
                von_dieu_le=_capital(rng, low, high),
                nganh_nghe_chinh=line,
                ngay_cap_nhat=day_between(rng, max(founded, date(2020, 1, 1)), REFERENCE_DATE),
            )
        )
    return enterprises


def _row(e: Enterprise) -> tuple[Any, ...]:
    return (
        e.ma_so_doanh_nghiep,
        e.ten_doanh_nghiep,
        e.loai_hinh,
        e.ngay_thanh_lap.isoformat(),
        e.tinh_trang,
        e.commune.code,
        e.dia_chi_tru_so,
        e.dai_dien_ho_ten,
        e.dai_dien_chuc_danh,
        e.von_dieu_le,
        e.nganh_nghe_chinh,
        e.ngay_cap_nhat.isoformat(),
    )


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO doanh_nghiep VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            map(_row, generate(size, seed=seed)),
        )


def lookup_enterprise(connection: sqlite3.Connection, *, ma_so_doanh_nghiep: str) -> Json:
    """`tra-cuu-doanh-nghiep` v1, in the shape of its newest minor (1.1.0), which 1.0.0 consumers read too."""
    row = first(connection, "SELECT * FROM doanh_nghiep WHERE ma_so_doanh_nghiep = ?", (ma_so_doanh_nghiep,))
    if row is None:
        return {"found": False}
    return {
        "found": True,
        "ma_so_doanh_nghiep": row["ma_so_doanh_nghiep"],
        "ten_doanh_nghiep": row["ten_doanh_nghiep"],
        "loai_hinh": row["loai_hinh"],
        "ngay_thanh_lap": row["ngay_thanh_lap"],
        "tinh_trang": row["tinh_trang"],
        "dia_chi_tru_so": row["dia_chi_tru_so"],
        "nguoi_dai_dien": {"ho_ten": row["dai_dien_ho_ten"], "chuc_danh": row["dai_dien_chuc_danh"]},
        "von_dieu_le": row["von_dieu_le"],
        "nganh_nghe_chinh": {
            "ma_nganh": row["nganh_nghe_chinh"],
            "ten_nganh": BUSINESS_LINES[row["nganh_nghe_chinh"]][0],
        },
    }


def enterprise_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`doanh-nghiep`: enterprise records for the warehouse, in code order."""
    return [
        {
            "ma_so_doanh_nghiep": row["ma_so_doanh_nghiep"],
            "ten_doanh_nghiep": row["ten_doanh_nghiep"],
            "loai_hinh": row["loai_hinh"],
            "ngay_thanh_lap": row["ngay_thanh_lap"],
            "tinh_trang": row["tinh_trang"],
            "ma_xa": row["ma_xa"],
            "nganh_nghe_chinh": row["nganh_nghe_chinh"],
            "von_dieu_le": row["von_dieu_le"],
            "ngay_cap_nhat": row["ngay_cap_nhat"],
        }
        for row in rows(
            connection,
            "SELECT * FROM doanh_nghiep ORDER BY ma_so_doanh_nghiep LIMIT ? OFFSET ?",
            (limit, offset),
        )
    ]


SAMPLE = SampleDatabase(
    name="doanh_nghiep",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"tra-cuu-doanh-nghiep": lookup_enterprise},
    datasets={"doanh-nghiep": enterprise_records},
)
