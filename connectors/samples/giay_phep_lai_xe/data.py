"""CSDL giấy phép lái xe (H50.09, Sở Xây dựng): driving licences issued in Quảng Trị.

Answers `kiem-tra-giay-phep-lai-xe`. Licence numbers have 12 digits, the first two the province's unit code
(45). Classes and terms are those of the Road Traffic Law 2008 and Circular 12/2017/TT-BGTVT: A1, A2 and A3
never expire; A4 and B2 last 10 years; B1 lasts until 60 (men) or 55 (women), or 10 years
when issued after 50 (men) or 45 (women); C, D, E and F classes 5 years.
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, rows
from connectors.samples.synthetic import (
    REFERENCE_DATE,
    People,
    Person,
    Unique,
    add_years,
    age_on,
    day_between,
    pick,
)

PROVIDER = "H50.09"  # since 1/3/2025; Sở Giao thông vận tải (H50.08) before
DATABASE = "csdl-giay-phep-lai-xe"
SEED = 5008
DEFAULT_SIZE = 2500
ISSUER = "Sở Giao thông vận tải tỉnh Quảng Trị"
LICENCE_PREFIX = "45"
UNKNOWN_LICENCE = "459999999999"  # never issued: the "not found" example

MINIMUM_AGE = {"A1": 18, "A2": 18, "B1": 18, "B2": 18, "C": 21, "D": 24, "E": 27, "FC": 24}
VALID_YEARS = {"A4": 10, "B2": 10, "C": 5, "D": 5, "E": 5, "FB2": 5, "FC": 5, "FD": 5, "FE": 5}
CLASS_SETS = (
    (("A1",), 50),
    (("A1", "B2"), 15),
    (("B2",), 12),
    (("C",), 6),
    (("A1", "C"), 4),
    (("B1",), 3),
    (("A2",), 3),
    (("D",), 3),
    (("E",), 2),
    (("FC",), 2),
)

SCHEMA = """
CREATE TABLE giay_phep (
    so_giay_phep TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    ho_ten TEXT NOT NULL,
    ngay_sinh TEXT NOT NULL,
    noi_cap TEXT NOT NULL,
    ngay_cap TEXT NOT NULL,
    trang_thai TEXT NOT NULL
);
CREATE INDEX giay_phep_citizen ON giay_phep (citizen_id);
CREATE TABLE hang_giay_phep (
    so_giay_phep TEXT NOT NULL REFERENCES giay_phep,
    hang TEXT NOT NULL,
    ngay_trung_tuyen TEXT NOT NULL,
    ngay_het_han TEXT,
    PRIMARY KEY (so_giay_phep, hang)
);
"""


@dataclass(frozen=True, slots=True)
class LicenceClass:
    hang: str
    ngay_trung_tuyen: date  # passed the test
    ngay_het_han: date | None  # None: never expires


@dataclass(frozen=True, slots=True)
class Licence:
    so_giay_phep: str
    holder: Person
    classes: tuple[LicenceClass, ...]
    trang_thai: str  # "dang_su_dung" | "da_thu_hoi"

    @property
    def ngay_cap(self) -> date:
        """The card was last issued when its newest class was added."""
        return max(c.ngay_trung_tuyen for c in self.classes)


def expiry(hang: str, passed: date, holder: Person) -> date | None:
    if hang == "B1":
        if age_on(holder.ngay_sinh, passed) > (45 if holder.female else 50):
            return add_years(passed, 10)
        return add_years(holder.ngay_sinh, 55 if holder.female else 60)
    years = VALID_YEARS.get(hang)
    return add_years(passed, years) if years else None


SEEDED = (
    Licence(
        so_giay_phep="450106012345",
        holder=residents.NGUYEN_VAN_HUNG,
        classes=(
            LicenceClass("A1", date(2004, 5, 20), None),
            LicenceClass("B2", date(2016, 8, 15), date(2026, 8, 15)),
        ),
        trang_thai="dang_su_dung",
    ),
    Licence(
        so_giay_phep="450098765432",
        holder=residents.HO_VAN_KHIEM,
        classes=(LicenceClass("A1", date(2010, 3, 11), None),),
        trang_thai="dang_su_dung",
    ),
)


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Licence]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    numbers = Unique([*(lic.so_giay_phep for lic in SEEDED), UNKNOWN_LICENCE])
    licences = list(SEEDED[:size])
    while len(licences) < size:
        class_set = pick(rng, CLASS_SETS)
        holder = people.person(born=(1950, 2005), female=rng.random() < 0.3)
        classes = []
        for hang in class_set:
            earliest = max(date(2000, 1, 1), add_years(holder.ngay_sinh, MINIMUM_AGE[hang]))
            if earliest > REFERENCE_DATE:
                break
            passed = day_between(rng, earliest, REFERENCE_DATE)
            classes.append(LicenceClass(hang, passed, expiry(hang, passed, holder)))
        if len(classes) < len(class_set):
            continue  # too young for this class: draw another holder
        licences.append(
            Licence(
                so_giay_phep=numbers.draw(rng, lambda r: f"{LICENCE_PREFIX}{r.randrange(10**10):010d}"),
                holder=holder,
                classes=tuple(classes),
                trang_thai="da_thu_hoi" if rng.random() < 0.02 else "dang_su_dung",
            )
        )
    return licences


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    licences = generate(size, seed=seed)
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO giay_phep VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    lic.so_giay_phep,
                    lic.holder.citizen_id,
                    lic.holder.ho_ten,
                    lic.holder.ngay_sinh.isoformat(),
                    ISSUER,
                    lic.ngay_cap.isoformat(),
                    lic.trang_thai,
                )
                for lic in licences
            ),
        )
        connection.executemany(
            "INSERT INTO hang_giay_phep VALUES (?, ?, ?, ?)",
            (
                (
                    lic.so_giay_phep,
                    c.hang,
                    c.ngay_trung_tuyen.isoformat(),
                    c.ngay_het_han.isoformat() if c.ngay_het_han else None,
                )
                for lic in licences
                for c in lic.classes
            ),
        )


def lookup_licence(connection: sqlite3.Connection, *, so_giay_phep: str) -> Json:
    """`kiem-tra-giay-phep-lai-xe`: a licence, its holder and each class with its expiry (null: none)."""
    row = first(connection, "SELECT * FROM giay_phep WHERE so_giay_phep = ?", (so_giay_phep,))
    if row is None:
        return {"found": False}
    classes = rows(
        connection,
        "SELECT hang, ngay_trung_tuyen, ngay_het_han FROM hang_giay_phep"
        " WHERE so_giay_phep = ? ORDER BY ngay_trung_tuyen, hang",
        (so_giay_phep,),
    )
    return {
        "found": True,
        "so_giay_phep": row["so_giay_phep"],
        "ho_ten": row["ho_ten"],
        "ngay_sinh": row["ngay_sinh"],
        "citizen_id": row["citizen_id"],
        "noi_cap": row["noi_cap"],
        "ngay_cap": row["ngay_cap"],
        "trang_thai": row["trang_thai"],
        "hang": classes,
    }


SAMPLE = SampleDatabase(
    name="giay_phep_lai_xe",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"kiem-tra-giay-phep-lai-xe": lookup_licence},
)
