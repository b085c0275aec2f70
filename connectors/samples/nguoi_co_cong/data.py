"""CSDL người có công (H50.02, Sở Nội vụ): people with merit to the revolution.

Answers `tra-cuu-nguoi-co-cong`: whether a person is registered as a person with merit (Ordinance on
Preferential Treatment of People with Meritorious Services 2020), in which category, and their monthly
allowance. Allowances here are illustrative, not computed from the legal scales.
"""

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, without_none
from connectors.samples.geography import commune
from connectors.samples.synthetic import FEMALE, KINH, People, Person, Unique, day_between, pick

PROVIDER = "H50.02"  # since 1/3/2025; Sở Lao động - Thương binh và Xã hội (H50.11) before
DATABASE = "csdl-nguoi-co-cong"
SEED = 5011
DEFAULT_SIZE = 1500
STANDARD_ALLOWANCE = 2_055_000  # đồng per month, the reference level in force until 30 June 2024

# code: (label, dossier prefix, share in percent, birth years, years benefits started, injury rate range)
CATEGORIES: dict[str, tuple[str, str, int, tuple[int, int], tuple[int, int], tuple[int, int] | None]] = {
    "thuong_binh": ("Thương binh", "TB", 30, (1935, 1960), (1975, 2000), (21, 81)),
    "benh_binh": ("Bệnh binh", "BB", 12, (1935, 1960), (1976, 2000), (41, 81)),
    "nhiem_chat_doc_hoa_hoc": (
        "Người hoạt động kháng chiến bị nhiễm chất độc hóa học",
        "HH",
        15,
        (1938, 1960),
        (2001, 2015),
        (21, 81),
    ),
    "bi_dich_bat_tu_day": (
        "Người hoạt động cách mạng, hoạt động kháng chiến bị địch bắt tù, đày",
        "TD",
        8,
        (1930, 1955),
        (1995, 2010),
        None,
    ),
    "than_nhan_liet_si": ("Thân nhân liệt sĩ", "LS", 30, (1935, 1975), (1976, 2005), None),
    "giup_do_cach_mang": ("Người có công giúp đỡ cách mạng", "GD", 5, (1928, 1950), (1995, 2005), None),
}

SCHEMA = """
CREATE TABLE nguoi_co_cong (
    citizen_id TEXT PRIMARY KEY,
    ho_ten TEXT NOT NULL,
    ngay_sinh TEXT NOT NULL,
    gioi_tinh TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    dia_chi TEXT NOT NULL,
    doi_tuong TEXT NOT NULL,
    ty_le_ton_thuong INTEGER,
    so_ho_so TEXT NOT NULL UNIQUE,
    tro_cap_hang_thang INTEGER NOT NULL,
    ngay_huong TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Beneficiary:
    person: Person
    doi_tuong: str
    ty_le_ton_thuong: int | None  # percent of lost working capacity, for the injured and the sick
    so_ho_so: str
    tro_cap_hang_thang: int  # đồng
    ngay_huong: date


VO_THI_CUC = Person(
    citizen_id="045158003377",
    ho_ten="Võ Thị Cúc",
    gioi_tinh=FEMALE,
    ngay_sinh=date(1958, 11, 3),
    dan_toc=KINH,
    commune=commune("19372"),
    dia_chi="Thôn Tây, xã Vĩnh Hoàng, tỉnh Quảng Trị",
)
SEEDED = (
    Beneficiary(residents.LE_VAN_THANH, "thuong_binh", 61, "TB-045872", 3_874_000, date(1976, 3, 1)),
    Beneficiary(VO_THI_CUC, "than_nhan_liet_si", None, "LS-013406", 2_055_000, date(1982, 7, 1)),
)


def _allowance(rng: random.Random, category: str, rate: int | None) -> int:
    factor = {
        "thuong_binh": 0.5 + (rate or 0) / 50,
        "benh_binh": 0.8 + (rate or 0) / 60,
        "nhiem_chat_doc_hoa_hoc": 0.6 + (rate or 0) / 60,
        "bi_dich_bat_tu_day": 0.55,
        "than_nhan_liet_si": 1.0,
        "giup_do_cach_mang": 0.6,
    }[category]
    return int(round(STANDARD_ALLOWANCE * factor * rng.uniform(0.97, 1.03), -3))


def _dossier_number(prefix: str) -> Callable[[random.Random], str]:
    return lambda rng: f"{prefix}-{rng.randrange(10**6):06d}"


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Beneficiary]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS | {VO_THI_CUC.citizen_id})
    dossiers = Unique(b.so_ho_so for b in SEEDED)
    beneficiaries = list(SEEDED[:size])
    shares = [(code, spec[2]) for code, spec in CATEGORIES.items()]
    while len(beneficiaries) < size:
        category = pick(rng, shares)
        _, prefix, _, born, started, rates = CATEGORIES[category]
        veteran = category in ("thuong_binh", "benh_binh", "nhiem_chat_doc_hoa_hoc")
        person = people.person(born=born, female=rng.random() < (0.08 if veteran else 0.5))
        rate = rng.randint(*rates) if rates else None
        beneficiaries.append(
            Beneficiary(
                person=person,
                doi_tuong=category,
                ty_le_ton_thuong=rate,
                so_ho_so=dossiers.draw(rng, _dossier_number(prefix)),
                tro_cap_hang_thang=_allowance(rng, category, rate),
                ngay_huong=day_between(rng, date(started[0], 1, 1), date(started[1], 12, 31)).replace(day=1),
            )
        )
    return beneficiaries


def _row(b: Beneficiary) -> tuple[Any, ...]:
    p = b.person
    return (
        p.citizen_id,
        p.ho_ten,
        p.ngay_sinh.isoformat(),
        p.gioi_tinh,
        p.commune.code,
        p.dia_chi,
        b.doi_tuong,
        b.ty_le_ton_thuong,
        b.so_ho_so,
        b.tro_cap_hang_thang,
        b.ngay_huong.isoformat(),
    )


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO nguoi_co_cong VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            map(_row, generate(size, seed=seed)),
        )


def lookup_person_with_merit(connection: sqlite3.Connection, *, citizen_id: str) -> Json:
    """`tra-cuu-nguoi-co-cong`: the person's registration as a person with merit, if any."""
    row = first(connection, "SELECT * FROM nguoi_co_cong WHERE citizen_id = ?", (citizen_id,))
    if row is None:
        return {"found": False}
    return without_none(
        {
            "found": True,
            "citizen_id": row["citizen_id"],
            "ho_ten": row["ho_ten"],
            "ngay_sinh": row["ngay_sinh"],
            "gioi_tinh": row["gioi_tinh"],
            "dia_chi": row["dia_chi"],
            "doi_tuong": row["doi_tuong"],
            "ten_doi_tuong": CATEGORIES[row["doi_tuong"]][0],
            "ty_le_ton_thuong": row["ty_le_ton_thuong"],
            "so_ho_so": row["so_ho_so"],
            "tro_cap_hang_thang": row["tro_cap_hang_thang"],
            "ngay_huong": row["ngay_huong"],
        }
    )


SAMPLE = SampleDatabase(
    name="nguoi_co_cong",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"tra-cuu-nguoi-co-cong": lookup_person_with_merit},
)
