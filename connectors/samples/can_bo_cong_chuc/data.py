"""CSDL cán bộ, công chức, viên chức (H50.02, Sở Nội vụ): the staff of the province's departments.

Shares `so-luong-can-bo-cong-chuc` to the warehouse: head counts per department and rank, with how many are
women, of an ethnic minority, or hold a master's or doctor's degree. Civil servants (công chức) hold a rank
(ngạch) from nhân viên to chuyên viên cao cấp; public employees (viên chức) of the departments' hospitals,
schools and centres a professional grade (hạng I to IV).

The register here is a de-identified extract: no names or identity numbers, only what the counts count.
Most public employees work for the health and education departments, as in the province.
"""

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from connectors.samples import agencies
from connectors.samples.agencies import Agency
from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.synthetic import REFERENCE_DATE, pick

PROVIDER = "H50.02"
DATABASE = "csdl-can-bo-cong-chuc"
SEED = 5002
DEFAULT_SIZE = 7500

CONG_CHUC, VIEN_CHUC = "cong_chuc", "vien_chuc"
# highest degree, in percent, by seniority: a senior rank asks for more training
SENIOR_DEGREES = (("tien_si", 15), ("thac_si", 70), ("dai_hoc", 15))
MAIN_DEGREES = (("tien_si", 3), ("thac_si", 45), ("dai_hoc", 52))
GRADUATE_DEGREES = (("thac_si", 15), ("dai_hoc", 85))
JUNIOR_DEGREES = (("dai_hoc", 20), ("cao_dang", 40), ("trung_cap", 40))
SUPPORT_DEGREES = (("cao_dang", 20), ("trung_cap", 80))
# rank or grade: (group, share within its group in percent, highest degrees)
RANKS = {
    "chuyen_vien_cao_cap": (CONG_CHUC, 2, SENIOR_DEGREES),
    "chuyen_vien_chinh": (CONG_CHUC, 24, MAIN_DEGREES),
    "chuyen_vien": (CONG_CHUC, 60, GRADUATE_DEGREES),
    "can_su": (CONG_CHUC, 8, JUNIOR_DEGREES),
    "nhan_vien": (CONG_CHUC, 6, SUPPORT_DEGREES),
    "hang_i": (VIEN_CHUC, 3, SENIOR_DEGREES),
    "hang_ii": (VIEN_CHUC, 22, MAIN_DEGREES),
    "hang_iii": (VIEN_CHUC, 65, GRADUATE_DEGREES),
    "hang_iv": (VIEN_CHUC, 10, JUNIOR_DEGREES),
}
SENIOR_RANKS = frozenset({"chuyen_vien_cao_cap", "chuyen_vien_chinh", "hang_i", "hang_ii"})


@dataclass(frozen=True, slots=True)
class Staffing:
    """How many people a department employs, relative to the others, and how many of them are women."""

    agency: Agency
    civil_servants: int
    public_employees: int
    women: float


STAFFING = (
    Staffing(agencies.VAN_PHONG_UBND, 60, 20, 0.45),
    Staffing(agencies.NOI_VU, 55, 25, 0.5),
    Staffing(agencies.TU_PHAP, 35, 40, 0.5),
    Staffing(agencies.KE_HOACH_DAU_TU, 45, 10, 0.45),
    Staffing(agencies.TAI_CHINH, 50, 0, 0.5),
    Staffing(agencies.CONG_THUONG, 45, 30, 0.4),
    Staffing(agencies.NONG_NGHIEP, 180, 400, 0.3),  # forest rangers, extension and forest management boards
    Staffing(agencies.GIAO_THONG, 60, 60, 0.3),
    Staffing(agencies.XAY_DUNG, 40, 25, 0.4),
    Staffing(agencies.THONG_TIN_TRUYEN_THONG, 30, 35, 0.45),
    Staffing(agencies.LAO_DONG, 50, 250, 0.55),
    Staffing(agencies.VAN_HOA, 45, 250, 0.5),
    Staffing(agencies.KHOA_HOC_CONG_NGHE, 35, 40, 0.45),
    Staffing(agencies.GIAO_DUC, 60, 2000, 0.68),  # upper secondary teachers
    Staffing(agencies.Y_TE, 65, 3000, 0.65),  # hospitals, disease control, health centres
    Staffing(agencies.NGOAI_VU, 20, 5, 0.5),
    Staffing(agencies.THANH_TRA, 40, 0, 0.3),
    Staffing(agencies.TAI_NGUYEN_MOI_TRUONG, 60, 120, 0.4),
)

SCHEMA = """
CREATE TABLE nhan_su (
    ma_nhan_su TEXT PRIMARY KEY,
    ma_co_quan TEXT NOT NULL,
    nhom TEXT NOT NULL,
    ngach_chuc_danh TEXT NOT NULL,
    gioi_tinh TEXT NOT NULL,
    nam_sinh INTEGER NOT NULL,
    dan_toc_thieu_so INTEGER NOT NULL,
    trinh_do TEXT NOT NULL
);
CREATE INDEX nhan_su_co_quan ON nhan_su (ma_co_quan, ngach_chuc_danh);
"""


@dataclass(frozen=True, slots=True)
class Employee:
    agency: Agency
    nhom: str  # cong_chuc | vien_chuc
    ngach_chuc_danh: str
    gioi_tinh: str  # "Nam" | "Nữ"
    nam_sinh: int
    dan_toc_thieu_so: bool
    trinh_do: str


# where a person works: a department and a group, weighted by how many it employs
_PLACES = [(s, group) for s in STAFFING for group in (CONG_CHUC, VIEN_CHUC)]
_PLACE_WEIGHTS = [s.civil_servants if group == CONG_CHUC else s.public_employees for s, group in _PLACES]


def _employee(rng: random.Random) -> Employee:
    staffing, group = rng.choices(_PLACES, weights=_PLACE_WEIGHTS)[0]
    rank = pick(rng, [(rank, share) for rank, (of, share, _) in RANKS.items() if of == group])
    # a senior rank comes after years in the lower ones
    youngest = REFERENCE_DATE.year - (35 if rank in SENIOR_RANKS else 22)
    return Employee(
        agency=staffing.agency,
        nhom=group,
        ngach_chuc_danh=rank,
        gioi_tinh="Nữ" if rng.random() < staffing.women else "Nam",
        nam_sinh=rng.randint(REFERENCE_DATE.year - 60, youngest),
        dan_toc_thieu_so=rng.random() < 0.04,
        trinh_do=pick(rng, RANKS[rank][2]),
    )


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Employee]:
    rng = random.Random(seed)
    return [_employee(rng) for _ in range(size)]


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO nhan_su VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"NS-{index + 1:06d}",
                    e.agency.code,
                    e.nhom,
                    e.ngach_chuc_danh,
                    e.gioi_tinh,
                    e.nam_sinh,
                    e.dan_toc_thieu_so,
                    e.trinh_do,
                )
                for index, e in enumerate(generate(size, seed=seed))
            ),
        )


def staff_count_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`so-luong-can-bo-cong-chuc`: head counts per department and rank, in key order."""
    totals = rows(
        connection,
        "SELECT ma_co_quan, nhom, ngach_chuc_danh, count(*) AS so_nguoi,"
        " sum(gioi_tinh = 'Nữ') AS so_nu,"
        " sum(dan_toc_thieu_so) AS so_dan_toc_thieu_so,"
        " sum(trinh_do IN ('thac_si', 'tien_si')) AS so_tren_dai_hoc"
        " FROM nhan_su GROUP BY ma_co_quan, nhom, ngach_chuc_danh"
        " ORDER BY ma_co_quan, ngach_chuc_danh LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [
        {
            "ma_co_quan": total["ma_co_quan"],
            "ten_co_quan": agencies.agency(total["ma_co_quan"]).name,
            **{key: value for key, value in total.items() if key != "ma_co_quan"},
            "ngay_so_lieu": REFERENCE_DATE.isoformat(),
        }
        for total in totals
    ]


SAMPLE = SampleDatabase(
    name="can_bo_cong_chuc",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"so-luong-can-bo-cong-chuc": staff_count_records},
)
