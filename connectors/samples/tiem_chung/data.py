"""CSDL tiêm chủng (H50.15, Sở Y tế): vaccination records of Quảng Trị residents.

Answers `lich-su-tiem-chung` (a person's vaccination history by CCCD) and shares `tiem-chung-theo-xa`
(doses given per commune, month and vaccine) to the warehouse. Children follow the expanded programme on
immunisation (BCG, hepatitis B at birth, the 5-in-1 and oral polio at 2-3-4 months, measles at 9 months,
measles-rubella at 18 months, Japanese encephalitis from 12 months); people aged 12 and over in 2021-2022
received COVID-19 vaccines.
"""

import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from connectors.samples import residents
from connectors.samples.database import Json, SampleDatabase, first, new_database, rows
from connectors.samples.geography import Commune, commune
from connectors.samples.synthetic import REFERENCE_DATE, People, Person, add_years, day_between, pick

PROVIDER = "H50.15"
DATABASE = "csdl-tiem-chung"
SEED = 5015
DEFAULT_SIZE = 3000
PROVINCIAL_HOSPITAL = "Bệnh viện Đa khoa tỉnh Quảng Trị"

# code: (product, diseases prevented)
VACCINES = {
    "VGB": ("Gene-HBvax", "Viêm gan B"),
    "BCG": ("BCG", "Lao"),
    "DPT-VGB-HIB": ("ComBE Five", "Bạch hầu, ho gà, uốn ván, viêm gan B, Hib"),
    "OPV": ("bOPV", "Bại liệt"),
    "SOI": ("MVVAC", "Sởi"),
    "MR": ("MRVAC", "Sởi, rubella"),
    "VNNB": ("Jevax", "Viêm não Nhật Bản"),
    "COVID-19": ("Vaxzevria (AstraZeneca)", "COVID-19"),
}
COVID_PRODUCTS = (
    ("Vaxzevria (AstraZeneca)", 40),
    ("Comirnaty (Pfizer-BioNTech)", 30),
    ("Vero Cell (Sinopharm)", 20),
    ("Spikevax (Moderna)", 10),
)
PAEDIATRIC_COVID = "Comirnaty (Pfizer-BioNTech)"
# (vaccine, dose, age in days when due)
CHILD_SCHEDULE = (
    ("VGB", 1, 0),
    ("BCG", 1, 7),
    ("DPT-VGB-HIB", 1, 61),
    ("OPV", 1, 61),
    ("DPT-VGB-HIB", 2, 91),
    ("OPV", 2, 91),
    ("DPT-VGB-HIB", 3, 122),
    ("OPV", 3, 122),
    ("SOI", 1, 274),
    ("VNNB", 1, 370),
    ("VNNB", 2, 384),
    ("MR", 1, 548),
    ("VNNB", 3, 740),
)

SCHEMA = """
CREATE TABLE nguoi (
    citizen_id TEXT PRIMARY KEY,
    ho_ten TEXT NOT NULL,
    ngay_sinh TEXT NOT NULL,
    gioi_tinh TEXT NOT NULL,
    ma_xa TEXT NOT NULL
);
CREATE TABLE mui_tiem (
    citizen_id TEXT NOT NULL REFERENCES nguoi,
    ma_vac_xin TEXT NOT NULL,
    mui_so INTEGER NOT NULL,
    ten_vac_xin TEXT NOT NULL,
    ngay_tiem TEXT NOT NULL,
    co_so_tiem TEXT NOT NULL,
    so_lo TEXT NOT NULL,
    ma_xa TEXT NOT NULL,
    PRIMARY KEY (citizen_id, ma_vac_xin, mui_so)
);
"""


@dataclass(frozen=True, slots=True)
class Dose:
    ma_vac_xin: str
    mui_so: int
    ten_vac_xin: str
    ngay_tiem: date
    co_so_tiem: str
    so_lo: str


@dataclass(frozen=True, slots=True)
class Vaccinated:
    person: Person
    doses: tuple[Dose, ...]


def health_station(where: Commune) -> str:
    return f"Trạm Y tế {where.in_address}"


def _khoi_dose(code: str, dose: int, day: date, lot: str) -> Dose:
    site = PROVINCIAL_HOSPITAL if code == "VGB" else health_station(commune("19342"))
    return Dose(code, dose, VACCINES[code][0], day, site, lot)


SEEDED = (
    Vaccinated(
        residents.PHAM_MINH_KHOI,
        (
            _khoi_dose("VGB", 1, date(2023, 2, 14), "VB2201"),
            _khoi_dose("BCG", 1, date(2023, 2, 21), "BC2212"),
            _khoi_dose("DPT-VGB-HIB", 1, date(2023, 4, 14), "CF1305"),
            _khoi_dose("OPV", 1, date(2023, 4, 14), "OP4417"),
            _khoi_dose("DPT-VGB-HIB", 2, date(2023, 5, 15), "CF1305"),
            _khoi_dose("OPV", 2, date(2023, 5, 15), "OP4417"),
            _khoi_dose("DPT-VGB-HIB", 3, date(2023, 6, 14), "CF1362"),
            _khoi_dose("OPV", 3, date(2023, 6, 14), "OP4452"),
            _khoi_dose("SOI", 1, date(2023, 11, 14), "MV0923"),
            _khoi_dose("VNNB", 1, date(2024, 2, 20), "JE2310"),
            _khoi_dose("VNNB", 2, date(2024, 3, 5), "JE2310"),
        ),
    ),
    Vaccinated(
        residents.NGUYEN_VAN_HUNG,
        (
            Dose("COVID-19", 1, "Vaxzevria (AstraZeneca)", date(2021, 8, 9), "Trạm Y tế phường 1", "NJ0102"),
            Dose(
                "COVID-19", 2, "Vaxzevria (AstraZeneca)", date(2021, 10, 18), "Trạm Y tế phường 1", "NJ0347"
            ),
            Dose(
                "COVID-19",
                3,
                "Comirnaty (Pfizer-BioNTech)",
                date(2022, 3, 7),
                "Trung tâm Y tế khu vực Đông Hà",
                "FP9821",
            ),
        ),
    ),
    Vaccinated(
        residents.TRAN_THI_MAI,
        (
            Dose(
                "COVID-19", 1, "Vero Cell (Sinopharm)", date(2021, 9, 2), "Trạm Y tế xã Gio Phong", "202107B"
            ),
            Dose(
                "COVID-19", 2, "Vero Cell (Sinopharm)", date(2021, 10, 1), "Trạm Y tế xã Gio Phong", "202108C"
            ),
        ),
    ),
    Vaccinated(
        residents.HO_VAN_KHIEM,
        (
            Dose(
                "COVID-19",
                1,
                "Vaxzevria (AstraZeneca)",
                date(2021, 11, 5),
                health_station(commune("19441")),
                "PL2317",
            ),
            Dose(
                "COVID-19",
                2,
                "Vaxzevria (AstraZeneca)",
                date(2022, 1, 14),
                health_station(commune("19441")),
                "PL2460",
            ),
        ),
    ),
)


def _lot(rng: random.Random) -> str:
    return f"{rng.choice('ABCDEFHJKMNPRSTV')}{rng.choice('ABCDEFHJKMNPRSTV')}{rng.randrange(10**4):04d}"


def _child_doses(rng: random.Random, child: Person) -> list[Dose]:
    doses = []
    for code, dose, due_days in CHILD_SCHEDULE:
        day = child.ngay_sinh + timedelta(days=due_days + rng.randint(0, 20 if due_days else 0))
        if day > REFERENCE_DATE or rng.random() < 0.04:  # not due yet, or missed
            continue
        site = PROVINCIAL_HOSPITAL if code == "VGB" else health_station(child.commune)
        doses.append(Dose(code, dose, VACCINES[code][0], day, site, _lot(rng)))
    return doses


def _covid_doses(rng: random.Random, person: Person) -> list[Dose]:
    if rng.random() < 0.08:
        return []
    child = person.ngay_sinh > date(2003, 12, 31)
    first_day = day_between(rng, max(date(2021, 7, 1), add_years(person.ngay_sinh, 12)), date(2022, 4, 30))
    product = PAEDIATRIC_COVID if child else pick(rng, COVID_PRODUCTS)
    days = [first_day, first_day + timedelta(days=rng.randint(28, 84))]
    if not child and rng.random() < 0.65:
        days.append(days[1] + timedelta(days=rng.randint(90, 200)))
    where = person.commune
    sites = (health_station(where), f"Trung tâm Y tế khu vực {where.short_name}")
    doses = []
    for number, day in enumerate(days, start=1):
        booster = number == 3 and rng.random() < 0.5
        name = pick(rng, COVID_PRODUCTS[:2]) if booster else product
        site = sites[1] if rng.random() < 0.25 and not where.is_ward else sites[0]
        doses.append(Dose("COVID-19", number, name, day, site, _lot(rng)))
    return doses


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Vaccinated]:
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    records = list(SEEDED[:size])
    while len(records) < size:
        person = people.person(born=(1940, 2024))
        doses: list[Dose] = []
        if person.ngay_sinh >= date(2010, 1, 1):
            doses += _child_doses(rng, person)
        if person.ngay_sinh <= date(2010, 4, 30):
            doses += _covid_doses(rng, person)
        records.append(Vaccinated(person, tuple(doses)))
    return records


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    records = generate(size, seed=seed)
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO nguoi VALUES (?, ?, ?, ?, ?)",
            (
                (
                    r.person.citizen_id,
                    r.person.ho_ten,
                    r.person.ngay_sinh.isoformat(),
                    r.person.gioi_tinh,
                    r.person.commune.code,
                )
                for r in records
            ),
        )
        connection.executemany(
            "INSERT INTO mui_tiem VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    r.person.citizen_id,
                    d.ma_vac_xin,
                    d.mui_so,
                    d.ten_vac_xin,
                    d.ngay_tiem.isoformat(),
                    d.co_so_tiem,
                    d.so_lo,
                    r.person.commune.code,
                )
                for r in records
                for d in r.doses
            ),
        )


def lookup_vaccination_history(connection: sqlite3.Connection, *, citizen_id: str) -> Json:
    """`lich-su-tiem-chung`: every dose given to this person, oldest first."""
    person = first(connection, "SELECT * FROM nguoi WHERE citizen_id = ?", (citizen_id,))
    if person is None:
        return {"found": False}
    doses = rows(
        connection,
        "SELECT ma_vac_xin, ten_vac_xin, mui_so, ngay_tiem, co_so_tiem, so_lo FROM mui_tiem"
        " WHERE citizen_id = ? ORDER BY ngay_tiem, ma_vac_xin, mui_so",
        (citizen_id,),
    )
    return {
        "found": True,
        "citizen_id": person["citizen_id"],
        "ho_ten": person["ho_ten"],
        "ngay_sinh": person["ngay_sinh"],
        "gioi_tinh": person["gioi_tinh"],
        "mui_tiem": [
            {
                "ma_vac_xin": d["ma_vac_xin"],
                "ten_vac_xin": d["ten_vac_xin"],
                "phong_benh": VACCINES[d["ma_vac_xin"]][1],
                "mui_so": d["mui_so"],
                "ngay_tiem": d["ngay_tiem"],
                "co_so_tiem": d["co_so_tiem"],
                "so_lo": d["so_lo"],
            }
            for d in doses
        ],
    }


def commune_vaccination_records(
    connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500
) -> list[Json]:
    """`tiem-chung-theo-xa`: doses per commune of residence, month and vaccine, in key order."""
    totals = rows(
        connection,
        "SELECT ma_xa, substr(ngay_tiem, 1, 7) AS thang, ma_vac_xin, count(*) AS so_mui_tiem FROM mui_tiem"
        " GROUP BY ma_xa, thang, ma_vac_xin ORDER BY ma_xa, thang, ma_vac_xin LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [
        {
            "ma_xa": total["ma_xa"],
            "ten_xa": commune(total["ma_xa"]).name,
            "thang": total["thang"],
            "ma_vac_xin": total["ma_vac_xin"],
            "so_mui_tiem": total["so_mui_tiem"],
        }
        for total in totals
    ]


SAMPLE = SampleDatabase(
    name="tiem_chung",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"lich-su-tiem-chung": lookup_vaccination_history},
    datasets={"tiem-chung-theo-xa": commune_vaccination_records},
    with_district=frozenset({"tiem-chung-theo-xa"}),
)
