"""CSDL lý lịch tư pháp (H50.03, Sở Tư pháp): applications for a judicial record certificate.

Answers `tra-cuu-ho-so-ly-lich-tu-phap`: where an application for a phiếu lý lịch tư pháp (form 1 or 2)
stands. The applicant's CCCD must come with the dossier code, so nobody follows another person's dossier.
Dossier codes are the one-stop system's: receiving agency, date received (yymmdd), sequence of the day.
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, without_none
from connectors.samples.synthetic import REFERENCE_DATE, People, Person, day_between, pick

PROVIDER = "H50.03"
DATABASE = "csdl-ly-lich-tu-phap"
SEED = 5033
DEFAULT_SIZE = 1500
PROCESSING_WORKING_DAYS = 10  # Law on Judicial Records 2009, art. 48

SCHEMA = """
CREATE TABLE ho_so (
    ma_ho_so TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    ho_ten TEXT NOT NULL,
    loai_phieu INTEGER NOT NULL,
    ngay_tiep_nhan TEXT NOT NULL,
    ngay_hen_tra TEXT NOT NULL,
    trang_thai TEXT NOT NULL,
    so_phieu TEXT,
    ngay_cap TEXT
);
CREATE INDEX ho_so_citizen ON ho_so (citizen_id);
"""


@dataclass(frozen=True, slots=True)
class Application:
    ma_ho_so: str
    applicant: Person
    loai_phieu: int  # 1 or 2
    ngay_tiep_nhan: date
    ngay_hen_tra: date
    trang_thai: str
    so_phieu: str | None = None
    ngay_cap: date | None = None


def after_working_days(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def dossier_code(received: date, sequence: int) -> str:
    return f"{PROVIDER}-{received:%y%m%d}-{sequence:04d}"


SEEDED = (
    Application(
        ma_ho_so=dossier_code(date(2024, 6, 24), 31),
        applicant=residents.TRAN_THI_MAI,
        loai_phieu=1,
        ngay_tiep_nhan=date(2024, 6, 24),
        ngay_hen_tra=after_working_days(date(2024, 6, 24), PROCESSING_WORKING_DAYS),
        trang_thai="dang_xac_minh",
    ),
    Application(
        ma_ho_so=dossier_code(date(2024, 5, 6), 7),
        applicant=residents.NGUYEN_VAN_HUNG,
        loai_phieu=2,
        ngay_tiep_nhan=date(2024, 5, 6),
        ngay_hen_tra=after_working_days(date(2024, 5, 6), PROCESSING_WORKING_DAYS),
        trang_thai="da_tra_ket_qua",
        so_phieu="1583/2024/LLTP",
        ngay_cap=date(2024, 5, 15),
    ),
)


def _outcome(rng: random.Random, received: date) -> tuple[str, date | None]:
    """The dossier's status on REFERENCE_DATE and the day its certificate was issued, if it was."""
    done = after_working_days(received, rng.randint(3, PROCESSING_WORKING_DAYS))
    if rng.random() < 0.02:
        return "tu_choi", None
    if done > REFERENCE_DATE:
        return ("da_tiep_nhan" if (REFERENCE_DATE - received).days < 2 else "dang_xac_minh"), None
    return pick(rng, (("cho_tra_ket_qua", 1), ("da_tra_ket_qua", 4))), done


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Application]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    applications = list(SEEDED[:size])
    taken = {a.ma_ho_so for a in applications}
    per_day: dict[date, int] = {}
    while len(applications) < size:
        received = day_between(rng, date(2023, 1, 2), REFERENCE_DATE)
        if received.weekday() >= 5:
            continue
        per_day[received] = per_day.get(received, 0) + 1
        code = dossier_code(received, per_day[received])
        if code in taken:
            continue
        taken.add(code)
        status, issued = _outcome(rng, received)
        applications.append(
            Application(
                ma_ho_so=code,
                applicant=people.person(born=(1950, 2006)),
                loai_phieu=1 if rng.random() < 0.9 else 2,
                ngay_tiep_nhan=received,
                ngay_hen_tra=after_working_days(received, PROCESSING_WORKING_DAYS),
                trang_thai=status,
                so_phieu=f"{rng.randint(1, 6000)}/{issued.year}/LLTP" if issued else None,
                ngay_cap=issued,
            )
        )
    return applications


def _row(a: Application) -> tuple[Any, ...]:
    return (
        a.ma_ho_so,
        a.applicant.citizen_id,
        a.applicant.ho_ten,
        a.loai_phieu,
        a.ngay_tiep_nhan.isoformat(),
        a.ngay_hen_tra.isoformat(),
        a.trang_thai,
        a.so_phieu,
        a.ngay_cap.isoformat() if a.ngay_cap else None,
    )


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO ho_so VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", map(_row, generate(size, seed=seed))
        )


def lookup_application(connection: sqlite3.Connection, *, ma_ho_so: str, citizen_id: str) -> Json:
    """`tra-cuu-ho-so-ly-lich-tu-phap`: the dossier, if it is this citizen's; otherwise not found."""
    row = first(
        connection, "SELECT * FROM ho_so WHERE ma_ho_so = ? AND citizen_id = ?", (ma_ho_so, citizen_id)
    )
    if row is None:
        return {"found": False}
    return without_none(
        {
            "found": True,
            "ma_ho_so": row["ma_ho_so"],
            "ho_ten": row["ho_ten"],
            "loai_phieu": row["loai_phieu"],
            "ngay_tiep_nhan": row["ngay_tiep_nhan"],
            "ngay_hen_tra": row["ngay_hen_tra"],
            "trang_thai": row["trang_thai"],
            "so_phieu": row["so_phieu"],
            "ngay_cap": row["ngay_cap"],
        }
    )


SAMPLE = SampleDatabase(
    name="ly_lich_tu_phap",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"tra-cuu-ho-so-ly-lich-tu-phap": lookup_application},
)
