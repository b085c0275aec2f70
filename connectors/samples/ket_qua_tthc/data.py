"""CSDL kết quả giải quyết thủ tục hành chính (H50.01, Văn phòng UBND tỉnh): dossiers and their results.

Shares `ket-qua-giai-quyet-tthc` to the warehouse: per procedure, commune and month of receipt, how many
dossiers the one-stop desks (bộ phận một cửa) received, how many online, how many were resolved on time or
late, and how many results were digitised for reuse (Decree 45/2020/NĐ-CP). Figures only: no applicant.

Procedure codes are those of the national database of administrative procedures; the dossiers, from 1 July
2023 to 30 June 2024, are synthetic. A time limit counts working days; 0 means the day of receipt.
"""

import random
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import Commune, commune
from connectors.samples.synthetic import REFERENCE_DATE, pick, random_commune

PROVIDER = "H50.01"
DATABASE = "csdl-ket-qua-tthc"
SEED = 5001
DEFAULT_SIZE = 8000
FIRST_DAY = date(2023, 7, 1)


@dataclass(frozen=True, slots=True)
class Procedure:
    ten_thu_tuc: str
    linh_vuc: str
    time_limit: int  # working days; 0: the day of receipt
    weight: float  # share of dossiers, in percent
    online: float  # share lodged online at the start of the period


PROCEDURES = {
    "2.000815": Procedure("Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", 0, 30, 0.03),
    "2.000884": Procedure("Chứng thực chữ ký trong giấy tờ, văn bản", "Chứng thực", 0, 12, 0.01),
    "1.001193": Procedure("Đăng ký khai sinh", "Hộ tịch", 0, 11, 0.35),
    "1.000894": Procedure("Đăng ký kết hôn", "Hộ tịch", 0, 6, 0.2),
    "1.000656": Procedure("Đăng ký khai tử", "Hộ tịch", 0, 5, 0.25),
    "1.004873": Procedure("Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, 9, 0.3),
    "2.000635": Procedure("Cấp bản sao Trích lục hộ tịch", "Hộ tịch", 0, 9, 0.3),
    "1.001612": Procedure(
        "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, 8, 0.4
    ),
    "2.000720": Procedure(
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        3,
        5,
        0.4,
    ),
    "1.001699": Procedure(
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Bảo trợ xã hội",
        25,
        5,
        0.05,
    ),
}

SCHEMA = """
CREATE TABLE ho_so (
    ma_ho_so TEXT PRIMARY KEY,
    ma_thu_tuc TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    ngay_tiep_nhan TEXT NOT NULL,
    ngay_hen_tra TEXT NOT NULL,
    ngay_tra_ket_qua TEXT,
    nop_truc_tuyen INTEGER NOT NULL,
    da_so_hoa_ket_qua INTEGER NOT NULL
);
CREATE INDEX ho_so_thu_tuc_xa ON ho_so (ma_thu_tuc, ma_xa, ngay_tiep_nhan);
"""


@dataclass(frozen=True, slots=True)
class Dossier:
    ma_thu_tuc: str
    commune: Commune
    ngay_tiep_nhan: date
    ngay_hen_tra: date
    ngay_tra_ket_qua: date | None  # None: still being handled on REFERENCE_DATE
    nop_truc_tuyen: bool
    da_so_hoa_ket_qua: bool


_PROCEDURE_WEIGHTS = [(code, procedure.weight) for code, procedure in PROCEDURES.items()]


def add_working_days(day: date, days: int) -> date:
    """The day `days` working days after `day`: Saturdays and Sundays do not count (holidays are ignored)."""
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _working_day(rng: random.Random) -> date:
    while True:
        day = FIRST_DAY + timedelta(days=rng.randint(0, (REFERENCE_DATE - FIRST_DAY).days))
        if day.weekday() < 5:
            return day


def _dossier(rng: random.Random) -> Dossier:
    code = pick(rng, _PROCEDURE_WEIGHTS)
    procedure = PROCEDURES[code]
    received = _working_day(rng)
    progress = (received - FIRST_DAY).days / (REFERENCE_DATE - FIRST_DAY).days
    due = add_working_days(received, procedure.time_limit)
    # most dossiers are resolved ahead of time; about 3 in 100 are late by a few working days
    if rng.random() < 0.03:
        resolved = add_working_days(due, rng.randint(1, 7))
    else:
        resolved = add_working_days(received, rng.randint(0, procedure.time_limit))
    done = resolved <= REFERENCE_DATE
    return Dossier(
        ma_thu_tuc=code,
        commune=random_commune(rng),
        ngay_tiep_nhan=received,
        ngay_hen_tra=due,
        ngay_tra_ket_qua=resolved if done else None,
        nop_truc_tuyen=rng.random() < procedure.online * (1 + progress),
        da_so_hoa_ket_qua=done and rng.random() < 0.8 + 0.15 * progress,
    )


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Dossier]:
    rng = random.Random(seed)
    return sorted((_dossier(rng) for _ in range(size)), key=lambda d: (d.ngay_tiep_nhan, d.commune.code))


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    serials: Counter[tuple[str, date]] = Counter()

    def dossier_code(dossier: Dossier) -> str:
        """The commune's desk numbers the dossiers of each day: 19333-240115-0003."""
        serials[dossier.commune.code, dossier.ngay_tiep_nhan] += 1
        serial = serials[dossier.commune.code, dossier.ngay_tiep_nhan]
        return f"{dossier.commune.code}-{dossier.ngay_tiep_nhan:%y%m%d}-{serial:04d}"

    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO ho_so VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    dossier_code(d),
                    d.ma_thu_tuc,
                    d.commune.code,
                    d.ngay_tiep_nhan.isoformat(),
                    d.ngay_hen_tra.isoformat(),
                    d.ngay_tra_ket_qua and d.ngay_tra_ket_qua.isoformat(),
                    d.nop_truc_tuyen,
                    d.da_so_hoa_ket_qua,
                )
                for d in generate(size, seed=seed)
            ),
        )


def procedure_result_records(
    connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500
) -> list[Json]:
    """`ket-qua-giai-quyet-tthc`: dossiers per procedure, commune and month of receipt, in key order."""
    totals = rows(
        connection,
        "SELECT ma_thu_tuc, ma_xa, substr(ngay_tiep_nhan, 1, 7) AS thang,"
        " count(*) AS so_ho_so_tiep_nhan,"
        " sum(nop_truc_tuyen) AS so_ho_so_truc_tuyen,"
        " count(ngay_tra_ket_qua) AS so_ho_so_da_giai_quyet,"
        " coalesce(sum(ngay_tra_ket_qua <= ngay_hen_tra), 0) AS so_ho_so_dung_han,"
        " coalesce(sum(ngay_tra_ket_qua > ngay_hen_tra), 0) AS so_ho_so_qua_han,"
        " sum(da_so_hoa_ket_qua) AS so_ket_qua_da_so_hoa"
        " FROM ho_so GROUP BY ma_thu_tuc, ma_xa, thang ORDER BY ma_thu_tuc, ma_xa, thang LIMIT ? OFFSET ?",
        (limit, offset),
    )
    records = []
    for total in totals:
        procedure, where = PROCEDURES[total["ma_thu_tuc"]], commune(total["ma_xa"])
        records.append(
            {
                "ma_thu_tuc": total["ma_thu_tuc"],
                "ten_thu_tuc": procedure.ten_thu_tuc,
                "linh_vuc": procedure.linh_vuc,
                "ma_xa": where.code,
                "ten_xa": where.name,
                **{key: value for key, value in total.items() if key not in ("ma_thu_tuc", "ma_xa")},
            }
        )
    return records


SAMPLE = SampleDatabase(
    name="ket_qua_tthc",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"ket-qua-giai-quyet-tthc": procedure_result_records},
    with_district=frozenset({"ket-qua-giai-quyet-tthc"}),
)
