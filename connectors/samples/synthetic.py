"""Deterministic generators of synthetic records: Vietnamese names, addresses, identifiers and dates.

Every generator draws from a `random.Random` the caller seeds, so one seed always gives the same records;
nothing reads the clock or the network. `REFERENCE_DATE` is "today" for the demo data.

Identifier formats:
- số định danh cá nhân / CCCD (Decree 137/2015/NĐ-CP): 12 digits = 3-digit province of birth registration
  (045 Quảng Trị), 1 digit for century and sex (0/1 man/woman born 1900-1999, 2/3 born 2000-2099),
  2 digits of birth year, 6 random digits;
- mã số doanh nghiệp (= tax code): 10 digits = 2-digit province (32 Quảng Trị), 7 serial digits, 1 check digit.
"""

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from typing import TypeVar

from connectors.samples.geography import COMMON_STREETS, COMMUNES, STREETS, Commune, Terrain

REFERENCE_DATE = date(2024, 6, 30)
CITIZEN_ID_PROVINCE = "045"
TAX_CODE_PROVINCE = "32"
MALE, FEMALE = "Nam", "Nữ"
KINH = "Kinh"

T = TypeVar("T")

# Approximate frequencies in central Vietnam, in percent.
SURNAMES = (
    ("Nguyễn", 30),
    ("Lê", 13),
    ("Trần", 11),
    ("Phan", 5),
    ("Hoàng", 5),
    ("Võ", 5),
    ("Hồ", 4),
    ("Phạm", 4),
    ("Đặng", 2),
    ("Ngô", 2),
    ("Bùi", 1.5),
    ("Đoàn", 1.5),
    ("Trương", 1.5),
    ("Dương", 1),
    ("Đỗ", 1),
    ("Mai", 1),
    ("Lương", 0.8),
    ("Huỳnh", 0.8),
    ("Thái", 0.6),
    ("Cao", 0.6),
    ("Hà", 0.6),
    ("Lý", 0.4),
)
# Bru-Vân Kiều and Tà Ôi families mostly registered the surname Hồ.
MINORITY_SURNAMES = (("Hồ", 70), ("Lê", 10), ("Nguyễn", 8), ("Trần", 6), ("Phan", 3), ("Võ", 3))

MALE_MIDDLE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Xuân", "Ngọc", "Đình", "Anh", "Gia")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Khánh", "Bảo", "Hoài", "Thùy", "Mỹ", "Kim")
# Share of people given the classic middle name (Văn / Thị), by generation.
_CLASSIC_MIDDLE = ((1975, 0.75, 0.85), (1995, 0.45, 0.55), (9999, 0.15, 0.25))

MALE_GIVEN_OLDER: tuple[str, ...] = (
    "Hùng", "Dũng", "Sơn", "Hải", "Thắng", "Lợi", "Bình", "Hòa", "Thạnh", "Tâm", "Cường", "Hoàng", "Lộc",
    "Phúc", "Thành", "Minh", "Tuấn", "Long", "Vinh", "Trung", "Đức", "Toàn", "Nam", "Quang",
)  # fmt: skip
MALE_GIVEN_YOUNGER: tuple[str, ...] = (
    "Huy", "Khoa", "Khôi", "Phúc", "Minh", "Quân", "Nam", "Bảo", "An", "Long", "Đức", "Tuấn", "Hiếu",
    "Trung", "Khang", "Kiệt", "Duy", "Phát", "Hoàng", "Thịnh", "Nhật", "Vũ",
)  # fmt: skip
FEMALE_GIVEN_OLDER: tuple[str, ...] = (
    "Lan", "Hoa", "Mai", "Hương", "Hồng", "Thủy", "Hằng", "Loan", "Tuyết", "Cúc", "Nga", "Hạnh", "Liên",
    "Hiền", "Nhung", "Xuân", "Thu", "Hà", "Lý", "Sương", "Thanh", "Dung",
)  # fmt: skip
FEMALE_GIVEN_YOUNGER: tuple[str, ...] = (
    "Linh", "Trang", "Thảo", "Vy", "Anh", "Nhi", "Ngọc", "Hà", "Yến", "Trâm", "My", "Hân", "Ngân",
    "Quỳnh", "Uyên", "Như", "Phương", "Giang", "Mai", "Thư", "Hiền", "Nhung",
)  # fmt: skip

VILLAGES = (
    "Thôn Đông", "Thôn Tây", "Thôn Trung", "Thôn Nam", "Thôn Bắc", "Thôn Tân Định", "Thôn An Thái",
    "Thôn Phước Mỹ", "Thôn Hà Thượng", "Thôn Lập Thạch", "Thôn Xuân Mỹ", "Thôn Bích La",
)  # fmt: skip


def pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def full_name(
    rng: random.Random,
    *,
    female: bool,
    birth_year: int,
    surname: str | None = None,
    ethnic_group: str | None = None,
) -> str:
    """A Vietnamese full name (họ, tên đệm, tên) as a person born in `birth_year` would plausibly have."""
    ho = surname or pick(rng, MINORITY_SURNAMES if ethnic_group else SURNAMES)
    classic_male, classic_female = next((m, f) for year, m, f in _CLASSIC_MIDDLE if birth_year < year)
    if female:
        given = FEMALE_GIVEN_OLDER if birth_year < 1985 else FEMALE_GIVEN_YOUNGER
        classic, middles, classic_word = classic_female, FEMALE_MIDDLE[1:], FEMALE_MIDDLE[0]
    else:
        given = MALE_GIVEN_OLDER if birth_year < 1985 else MALE_GIVEN_YOUNGER
        classic, middles, classic_word = classic_male, MALE_MIDDLE[1:], MALE_MIDDLE[0]
    ten = rng.choice(given)
    dem = classic_word if rng.random() < classic else rng.choice([m for m in middles if m != ten])
    return f"{ho} {dem} {ten}"


def surname_of(name: str) -> str:
    return name.split(" ", 1)[0]


def citizen_id(birth: date, *, female: bool, serial: int) -> str:
    """A Quảng Trị-born person's 12-digit số định danh cá nhân (CCCD number)."""
    century_sex = (birth.year // 100 - 19) * 2 + int(female)
    return f"{CITIZEN_ID_PROVINCE}{century_sex}{birth.year % 100:02d}{serial:06d}"


def tax_check_digit(first_nine: str) -> int | None:
    """The 10th digit of a Vietnamese tax code, or None when these nine digits admit no valid code."""
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    check = 10 - sum(w * int(d) for w, d in zip(weights, first_nine, strict=True)) % 11
    return None if check == 10 else check


def enterprise_code(rng: random.Random) -> str:
    """A 10-digit mã số doanh nghiệp of an enterprise registered in Quảng Trị (starts with 32)."""
    while True:
        first_nine = f"{TAX_CODE_PROVINCE}{rng.randrange(10**7):07d}"
        check = tax_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def is_enterprise_code(code: str) -> bool:
    return (
        len(code) == 10
        and code.isdigit()
        and code.startswith(TAX_CODE_PROVINCE)
        and tax_check_digit(code[:9]) == int(code[9])
    )


class Unique:
    """Draws values until one has not been drawn (nor reserved) before."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._used = set(reserved)

    def draw(self, rng: random.Random, make: Callable[[random.Random], str]) -> str:
        while True:
            value = make(rng)
            if value not in self._used:
                self._used.add(value)
                return value


def day_between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def birth_date(rng: random.Random, oldest: int, youngest: int) -> date:
    """A birthday for someone born in the years oldest..youngest, never after REFERENCE_DATE."""
    return day_between(rng, date(oldest, 1, 1), min(date(youngest, 12, 31), REFERENCE_DATE))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@cache
def _commune_odds(terrain: Terrain | None) -> tuple[tuple[Commune, ...], tuple[float, ...]]:
    """The communes of `terrain` and their cumulative weights, by population."""
    candidates = tuple(c for c in COMMUNES if terrain is None or c.terrain is terrain)
    weights = [c.population_weight for c in candidates]
    return candidates, tuple(accumulate(weights))


def random_commune(rng: random.Random, *, terrain: Terrain | None = None) -> Commune:
    """A commune, more often a populous one."""
    candidates, cumulative = _commune_odds(terrain)
    return rng.choices(candidates, cum_weights=cumulative)[0]


def street_address(rng: random.Random, commune: Commune) -> str:
    """The part of an address before the commune: a house on a street, a quarter, or a village."""
    if commune.terrain is Terrain.URBAN:
        streets = STREETS.get(commune.code, COMMON_STREETS)
        if rng.random() < 0.7:
            return f"Số {rng.randint(1, 320)} {rng.choice(streets)}"
        return f"Khu phố {rng.randint(1, 9)}"
    if commune.terrain is Terrain.UPLAND or rng.random() < 0.5:
        return f"Thôn {rng.randint(1, 12)}"
    return rng.choice(VILLAGES)


def address(rng: random.Random, commune: Commune) -> str:
    return commune.address(street_address(rng, commune))


def landline_number(rng: random.Random) -> str:
    """A fixed line in Quảng Trị (area code 0233)."""
    return f"02333{rng.randrange(10**6):06d}"


@dataclass(frozen=True, slots=True)
class Person:
    citizen_id: str
    ho_ten: str
    gioi_tinh: str  # "Nam" | "Nữ"
    ngay_sinh: date
    dan_toc: str
    commune: Commune
    dia_chi: str

    @property
    def female(self) -> bool:
        return self.gioi_tinh == FEMALE


class People:
    """Synthetic residents of Quảng Trị with unique CCCD numbers (none equal to a reserved one)."""

    def __init__(self, rng: random.Random, *, reserved_ids: Iterable[str] = ()) -> None:
        self._rng = rng
        self._ids = Unique(reserved_ids)

    def new_id(self, birth: date, *, female: bool) -> str:
        return self._ids.draw(
            self._rng, lambda rng: citizen_id(birth, female=female, serial=rng.randrange(10**6))
        )

    def person(
        self,
        *,
        born: tuple[int, int],
        commune: Commune | None = None,
        female: bool | None = None,
        surname: str | None = None,
    ) -> Person:
        rng = self._rng
        where = commune or random_commune(rng)
        is_female = rng.random() < 0.5 if female is None else female
        birth = birth_date(rng, *born)
        ethnic = where.ethnic_group if where.ethnic_group and rng.random() < 0.8 else None
        name = full_name(rng, female=is_female, birth_year=birth.year, surname=surname, ethnic_group=ethnic)
        return Person(
            citizen_id=self.new_id(birth, female=is_female),
            ho_ten=name,
            gioi_tinh=FEMALE if is_female else MALE,
            ngay_sinh=birth,
            dan_toc=ethnic or KINH,
            commune=where,
            dia_chi=address(rng, where),
        )
