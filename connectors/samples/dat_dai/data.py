"""CSDL đất đai (H50.20, Sở Tài nguyên và Môi trường): land parcels, their users and certificates.

Answers `tra-cuu-thua-dat` (parcel lookup) and shares `thua-dat` (parcel records) to the warehouse.
A parcel is identified by its commune code, map sheet (số tờ) and parcel number (số thửa); its `parcel_id`
joins the three: `19333-12-145`. Land use purposes use the codes of Circular 27/2018/TT-BTNMT.
"""

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
    Person,
    add_years,
    day_between,
    pick,
    random_commune,
    street_address,
)
from contracts.errors import InvalidInput

PROVIDER = "H50.20"
DATABASE = "csdl-dat-dai"
SEED = 5020
DEFAULT_SIZE = 3000
PROVINCIAL_DEPARTMENT = "Sở Tài nguyên và Môi trường tỉnh Quảng Trị"

LAND_USES = {
    "ODT": "Đất ở tại đô thị",
    "ONT": "Đất ở tại nông thôn",
    "LUC": "Đất chuyên trồng lúa nước",
    "LUK": "Đất trồng lúa nước còn lại",
    "BHK": "Đất bằng trồng cây hàng năm khác",
    "CLN": "Đất trồng cây lâu năm",
    "RSX": "Đất rừng sản xuất",
    "RPH": "Đất rừng phòng hộ",
    "NTS": "Đất nuôi trồng thủy sản",
    "TMD": "Đất thương mại, dịch vụ",
    "SKC": "Đất cơ sở sản xuất phi nông nghiệp",
}
RESIDENTIAL = frozenset({"ODT", "ONT"})
_USES_BY_TERRAIN = {
    Terrain.URBAN: (("ODT", 62), ("TMD", 10), ("CLN", 10), ("SKC", 5), ("BHK", 8), ("LUK", 5)),
    Terrain.LOWLAND: (
        ("ONT", 26),
        ("LUC", 24),
        ("LUK", 10),
        ("BHK", 10),
        ("CLN", 14),
        ("RSX", 8),
        ("NTS", 6),
        ("TMD", 2),
    ),
    Terrain.UPLAND: (("ONT", 16), ("CLN", 28), ("RSX", 32), ("BHK", 14), ("RPH", 6), ("LUK", 4)),
}
_AREA_M2 = {  # typical range of one parcel
    "ODT": (60, 320),
    "ONT": (150, 900),
    "LUC": (300, 3000),
    "LUK": (200, 2000),
    "BHK": (200, 2500),
    "CLN": (500, 12000),
    "RSX": (2000, 60000),
    "RPH": (5000, 90000),
    "NTS": (500, 8000),
    "TMD": (100, 3000),
    "SKC": (300, 10000),
}
# Certificate series (the two letters before the serial) in use over the years.
_CERTIFICATE_SERIES = (
    (2009, ("AK", "AM", "AO")),
    (2014, ("BA", "BD", "BK", "BX")),
    (2019, ("CH", "CK", "CS")),
)
_LATEST_SERIES = ("CT", "DA", "DB", "DC")

SCHEMA = """
CREATE TABLE thua_dat (
    parcel_id TEXT PRIMARY KEY,
    ma_xa TEXT NOT NULL,
    so_to INTEGER NOT NULL,
    so_thua INTEGER NOT NULL,
    dien_tich REAL NOT NULL,
    muc_dich TEXT NOT NULL,
    han_su_dung TEXT,
    dia_chi TEXT NOT NULL,
    chu_ho_ten TEXT NOT NULL,
    chu_citizen_id TEXT NOT NULL,
    chu_nam_sinh INTEGER NOT NULL,
    gcn_so_phat_hanh TEXT,
    gcn_ngay_cap TEXT,
    gcn_co_quan_cap TEXT,
    ngay_cap_nhat TEXT NOT NULL,
    UNIQUE (ma_xa, so_to, so_thua)
);
CREATE INDEX thua_dat_chu ON thua_dat (chu_citizen_id);
"""


@dataclass(frozen=True, slots=True)
class Certificate:
    so_phat_hanh: str
    ngay_cap: date
    co_quan_cap: str


@dataclass(frozen=True, slots=True)
class Parcel:
    commune: Commune
    so_to: int
    so_thua: int
    dien_tich: float
    muc_dich: str
    han_su_dung: date | None  # None: used for an indefinite term (lâu dài)
    dia_chi: str
    owner: Person
    certificate: Certificate | None
    ngay_cap_nhat: date

    @property
    def parcel_id(self) -> str:
        return parcel_id(self.commune.code, self.so_to, self.so_thua)


def parcel_id(ma_xa: str, so_to: int, so_thua: int) -> str:
    return f"{ma_xa}-{so_to}-{so_thua}"


SEEDED = (
    Parcel(
        commune=commune("19333"),
        so_to=12,
        so_thua=145,
        dien_tich=120.5,
        muc_dich="ODT",
        han_su_dung=None,
        dia_chi=residents.NGUYEN_VAN_HUNG.dia_chi,
        owner=residents.NGUYEN_VAN_HUNG,
        certificate=Certificate("CS 184203", date(2019, 6, 14), PROVINCIAL_DEPARTMENT),
        ngay_cap_nhat=date(2024, 3, 2),
    ),
    Parcel(
        commune=commune("19495"),
        so_to=8,
        so_thua=512,
        dien_tich=1450.0,
        muc_dich="LUC",
        han_su_dung=date(2064, 7, 1),
        dia_chi="Xứ đồng Bàu Sen, thôn 3, xã Gio Linh, tỉnh Quảng Trị",
        owner=residents.TRAN_THI_MAI,
        certificate=Certificate("CH 052718", date(2014, 11, 3), "Ủy ban nhân dân huyện Gio Linh"),
        ngay_cap_nhat=date(2023, 9, 18),
    ),
    Parcel(
        commune=commune("19636"),
        so_to=5,
        so_thua=87,
        dien_tich=420.0,
        muc_dich="ONT",
        han_su_dung=None,
        dia_chi=residents.LE_VAN_THANH.dia_chi,
        owner=residents.LE_VAN_THANH,
        certificate=None,
        ngay_cap_nhat=date(2022, 12, 5),
    ),
)


def _certificate(rng: random.Random, where: Commune, owner: Person) -> Certificate:
    issued = day_between(rng, max(date(2000, 1, 1), add_years(owner.ngay_sinh, 18)), REFERENCE_DATE)
    series = next((s for until, s in _CERTIFICATE_SERIES if issued.year < until), _LATEST_SERIES)
    # Districts issued certificates to households until the province's land registry took over in 2015.
    issuer = (
        f"Ủy ban nhân dân {where.former_district_in_address}" if issued.year < 2015 else PROVINCIAL_DEPARTMENT
    )
    return Certificate(f"{rng.choice(series)} {rng.randrange(10**6):06d}", issued, issuer)


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Parcel]:
    """The seeded parcels, then synthetic ones up to `size` parcels in all."""
    rng = random.Random(seed)
    people = People(rng, reserved_ids=residents.RESIDENT_IDS)
    taken = {p.parcel_id for p in SEEDED}
    parcels = list(SEEDED[:size])
    while len(parcels) < size:
        where = random_commune(rng)
        so_to, so_thua = rng.randint(1, 60), rng.randint(1, 999)
        if parcel_id(where.code, so_to, so_thua) in taken:
            continue
        taken.add(parcel_id(where.code, so_to, so_thua))
        use = pick(rng, _USES_BY_TERRAIN[where.terrain])
        low, high = _AREA_M2[use]
        owner = people.person(born=(1938, 2002), commune=where if rng.random() < 0.8 else None)
        certificate = _certificate(rng, where, owner) if rng.random() < 0.9 else None
        term_start = (
            certificate.ngay_cap if certificate else day_between(rng, date(1994, 1, 1), REFERENCE_DATE)
        )
        parcels.append(
            Parcel(
                commune=where,
                so_to=so_to,
                so_thua=so_thua,
                dien_tich=round(rng.uniform(low, high), 1),
                muc_dich=use,
                han_su_dung=None if use in RESIDENTIAL else add_years(term_start, 50),
                dia_chi=where.address(street_address(rng, where)),
                owner=owner,
                certificate=certificate,
                ngay_cap_nhat=day_between(rng, max(term_start, date(2021, 1, 1)), REFERENCE_DATE),
            )
        )
    return parcels


def _row(parcel: Parcel) -> tuple[Any, ...]:
    cert = parcel.certificate
    return (
        parcel.parcel_id,
        parcel.commune.code,
        parcel.so_to,
        parcel.so_thua,
        parcel.dien_tich,
        parcel.muc_dich,
        parcel.han_su_dung.isoformat() if parcel.han_su_dung else None,
        parcel.dia_chi,
        parcel.owner.ho_ten,
        parcel.owner.citizen_id,
        parcel.owner.ngay_sinh.year,
        cert.so_phat_hanh if cert else None,
        cert.ngay_cap.isoformat() if cert else None,
        cert.co_quan_cap if cert else None,
        parcel.ngay_cap_nhat.isoformat(),
    )


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO thua_dat VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            map(_row, generate(size, seed=seed)),
        )


def lookup_parcel(
    connection: sqlite3.Connection,
    *,
    parcel_id: str | None = None,
    ma_xa: str | None = None,
    so_to: int | None = None,
    so_thua: int | None = None,
) -> Json:
    """`tra-cuu-thua-dat`: a parcel by `parcel_id`, or by commune code, map sheet and parcel number."""
    if parcel_id is not None:
        row = first(connection, "SELECT * FROM thua_dat WHERE parcel_id = ?", (parcel_id,))
    elif ma_xa is not None and so_to is not None and so_thua is not None:
        row = first(
            connection,
            "SELECT * FROM thua_dat WHERE ma_xa = ? AND so_to = ? AND so_thua = ?",
            (ma_xa, so_to, so_thua),
        )
    else:
        raise InvalidInput("give either parcel_id, or ma_xa, so_to and so_thua")
    if row is None:
        return {"found": False}
    place = commune(row["ma_xa"])
    answer: Json = {
        "found": True,
        "parcel_id": row["parcel_id"],
        "ma_xa": row["ma_xa"],
        "ten_xa": place.name,
        "so_to": row["so_to"],
        "so_thua": row["so_thua"],
        "dien_tich": row["dien_tich"],
        "muc_dich_su_dung": {"ma": row["muc_dich"], "ten": LAND_USES[row["muc_dich"]]},
        "han_su_dung": row["han_su_dung"],
        "dia_chi": row["dia_chi"],
        "owner": {
            "ho_ten": row["chu_ho_ten"],
            "citizen_id": row["chu_citizen_id"],
            "nam_sinh": row["chu_nam_sinh"],
        },
    }
    if row["gcn_so_phat_hanh"] is not None:
        answer["giay_chung_nhan"] = {
            "so_phat_hanh": row["gcn_so_phat_hanh"],
            "ngay_cap": row["gcn_ngay_cap"],
            "co_quan_cap": row["gcn_co_quan_cap"],
        }
    return answer


def parcel_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`thua-dat`: parcel records for the warehouse, in `parcel_id` order."""
    return [
        {
            "parcel_id": row["parcel_id"],
            "ma_xa": row["ma_xa"],
            "so_to": row["so_to"],
            "so_thua": row["so_thua"],
            "dien_tich": row["dien_tich"],
            "muc_dich_su_dung": row["muc_dich"],
            "han_su_dung": row["han_su_dung"],
            "owner": {"ho_ten": row["chu_ho_ten"], "citizen_id": row["chu_citizen_id"]},
            "da_cap_giay_chung_nhan": row["gcn_so_phat_hanh"] is not None,
            "ngay_cap_nhat": row["ngay_cap_nhat"],
        }
        for row in rows(
            connection, "SELECT * FROM thua_dat ORDER BY parcel_id LIMIT ? OFFSET ?", (limit, offset)
        )
    ]


SAMPLE = SampleDatabase(
    name="dat_dai",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    services={"tra-cuu-thua-dat": lookup_parcel},
    datasets={"thua-dat": parcel_records},
    with_district=frozenset({"tra-cuu-thua-dat"}),
)
