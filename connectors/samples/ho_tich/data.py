"""CSDL hộ tịch (H50.03, Sở Tư pháp): birth registrations of people born in Quảng Trị.

Answers `trich-luc-khai-sinh` (a birth registration extract by số định danh cá nhân).
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, without_none
from connectors.samples.geography import Commune
from connectors.samples.synthetic import REFERENCE_DATE, People, Person, full_name, surname_of

PROVIDER = "H50.03"
DATABASE = "csdl-ho-tich"
SEED = 5003
DEFAULT_SIZE = 3000
NATIONALITY = "Việt Nam"
PROVINCIAL_HOSPITAL = "Bệnh viện Đa khoa tỉnh Quảng Trị"

SCHEMA = """
CREATE TABLE khai_sinh (
    citizen_id TEXT PRIMARY KEY,
    ho_ten TEXT NOT NULL,
    gioi_tinh TEXT NOT NULL,
    ngay_sinh TEXT NOT NULL,
    noi_sinh TEXT NOT NULL,
    dan_toc TEXT NOT NULL,
    quoc_tich TEXT NOT NULL,
    cha_ho_ten TEXT,
    cha_nam_sinh INTEGER,
    me_ho_ten TEXT NOT NULL,
    me_nam_sinh INTEGER NOT NULL,
    so_dang_ky TEXT NOT NULL,
    quyen_so TEXT NOT NULL,
    ngay_dang_ky TEXT NOT NULL,
    noi_dang_ky TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Parent:
    ho_ten: str
    nam_sinh: int


@dataclass(frozen=True, slots=True)
class BirthRegistration:
    child: Person
    noi_sinh: str
    cha: Parent | None  # None: the father is not registered
    me: Parent
    so_dang_ky: str
    quyen_so: str  # book number / year: "01/2023"
    ngay_dang_ky: date
    noi_dang_ky: str


def registry_office(commune: Commune) -> str:
    """The commune People's Committee, which registers births (Law on Civil Status 2014, art. 13)."""
    return f"Ủy ban nhân dân {commune.in_address}"


SEEDED = (
    BirthRegistration(
        child=residents.PHAM_MINH_KHOI,
        noi_sinh=PROVINCIAL_HOSPITAL,
        cha=Parent("Phạm Văn Tuấn", 1990),
        me=Parent("Nguyễn Thị Hương", 1994),
        so_dang_ky="38",
        quyen_so="01/2023",
        ngay_dang_ky=date(2023, 2, 27),
        noi_dang_ky=registry_office(residents.PHAM_MINH_KHOI.commune),
    ),
    BirthRegistration(
        child=residents.TRAN_THI_MAI,
        noi_sinh="Trạm Y tế xã Gio Phong, huyện Gio Linh, tỉnh Quảng Trị",
        cha=Parent("Trần Văn Bình", 1965),
        me=Parent("Lê Thị Hoa", 1968),
        so_dang_ky="112",
        quyen_so="01/1992",
        ngay_dang_ky=date(1992, 8, 3),
        noi_dang_ky=registry_office(residents.TRAN_THI_MAI.commune),
    ),
)


def _birthplace(rng: random.Random, child: Person) -> str:
    where = child.commune
    if child.ngay_sinh.year < 1995 and rng.random() < 0.6:
        return f"{where.name}, tỉnh Quảng Trị"
    choice = rng.random()
    if choice < 0.35:
        return PROVINCIAL_HOSPITAL
    if choice < 0.8 and not where.is_ward:
        return f"Trung tâm Y tế khu vực {where.short_name}"
    return f"Trạm Y tế {where.in_address}, tỉnh Quảng Trị"


def _parent(rng: random.Random, child: Person, *, female: bool, age: tuple[int, int]) -> Parent:
    year = child.ngay_sinh.year - rng.randint(*age)
    ethnic = None if child.dan_toc == "Kinh" else child.dan_toc
    surname = None if female else surname_of(child.ho_ten)
    name = full_name(rng, female=female, birth_year=year, surname=surname, ethnic_group=ethnic)
    return Parent(name, year)


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[BirthRegistration]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    registrations = list(SEEDED[:size])
    books: dict[tuple[str, int], int] = {}  # (commune, year) -> births registered so far
    while len(registrations) < size:
        child = people.person(born=(1950, 2024))
        registered = min(child.ngay_sinh + timedelta(days=rng.randint(3, 60)), REFERENCE_DATE)
        book = (child.commune.code, registered.year)
        books[book] = books.get(book, 0) + rng.randint(1, 4)
        registrations.append(
            BirthRegistration(
                child=child,
                noi_sinh=_birthplace(rng, child),
                cha=None if rng.random() < 0.03 else _parent(rng, child, female=False, age=(21, 40)),
                me=_parent(rng, child, female=True, age=(18, 38)),
                so_dang_ky=str(books[book]),
                quyen_so=f"01/{registered.year}",
                ngay_dang_ky=registered,
                noi_dang_ky=registry_office(child.commune),
            )
        )
    return registrations


def _row(r: BirthRegistration) -> tuple[Any, ...]:
    return (
        r.child.citizen_id,
        r.child.ho_ten,
        r.child.gioi_tinh,
        r.child.ngay_sinh.isoformat(),
        r.noi_sinh,
        r.child.dan_toc,
        NATIONALITY,
        r.cha.ho_ten if r.cha else None,
        r.cha.nam_sinh if r.cha else None,
        r.me.ho_ten,
        r.me.nam_sinh,
        r.so_dang_ky,
        r.quyen_so,
        r.ngay_dang_ky.isoformat(),
        r.noi_dang_ky,
    )


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO khai_sinh VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            map(_row, generate(size, seed=seed)),
        )


def lookup_birth_registration(connection: sqlite3.Connection, *, citizen_id: str) -> Json:
    """`trich-luc-khai-sinh`: the birth registration of the person with this số định danh cá nhân."""
    row = first(connection, "SELECT * FROM khai_sinh WHERE citizen_id = ?", (citizen_id,))
    if row is None:
        return {"found": False}
    father = {"ho_ten": row["cha_ho_ten"], "nam_sinh": row["cha_nam_sinh"]} if row["cha_ho_ten"] else None
    return without_none(
        {
            "found": True,
            "citizen_id": row["citizen_id"],
            "ho_ten": row["ho_ten"],
            "gioi_tinh": row["gioi_tinh"],
            "ngay_sinh": row["ngay_sinh"],
            "noi_sinh": row["noi_sinh"],
            "dan_toc": row["dan_toc"],
            "quoc_tich": row["quoc_tich"],
            "cha": father,
            "me": {"ho_ten": row["me_ho_ten"], "nam_sinh": row["me_nam_sinh"]},
            "so_dang_ky": row["so_dang_ky"],
            "quyen_so": row["quyen_so"],
            "ngay_dang_ky": row["ngay_dang_ky"],
            "noi_dang_ky": row["noi_dang_ky"],
        }
    )


SAMPLE = SampleDatabase(
    name="ho_tich",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"trich-luc-khai-sinh": lookup_birth_registration},
)
