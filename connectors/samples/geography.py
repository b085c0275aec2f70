"""The merged province of Quảng Trị as it has stood since 01/07/2025: commune-level units only, no districts.

Resolution 1680/NQ-UBTVQH15 (16/06/2025) arranged the province's commune-level units: 78 of them (69 xã,
8 phường and the special zone of Cồn Cỏ), with no district level, in the province formed from Quảng Bình and
Quảng Trị. This module holds a selection of them, the sample departments' records are kept under. The names
are those the sources found for the arrangement (docs/legal.md); where the new unit's name was not confirmed
one by one it follows the pattern the province used (a former district's name kept for the unit at its seat).

The codes are illustrative: for former Quảng Trị, the five-digit code of one of the 2024 units merged into the
unit; for former Quảng Bình, made up in its range; none is confirmed against the 2025 list of administrative
units. `former_district` is the district a unit's seat belonged to until 30/06/2025: only the 1.x contract
versions, which carried a district name, and documents dated before the reorganisation use it.
"""

from dataclasses import dataclass
from enum import StrEnum

PROVINCE_NAME = "Quảng Trị"
PROVINCE_UNIT_CODE = "45"  # illustrative, as the commune codes


class Terrain(StrEnum):
    URBAN = "urban"  # phường, and the communes around a former district town
    LOWLAND = "lowland"
    UPLAND = "upland"  # mountain communes, home of the Bru-Vân Kiều and Tà Ôi (Pa Kô) peoples among others


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str  # "Phường Đông Hà", "Xã Gio Linh"
    terrain: Terrain
    population_weight: int  # thousands of inhabitants, roughly: how often a synthetic resident lives here
    former_district: str  # "Huyện Gio Linh": where its seat was until 30/06/2025 (1.x answers, old documents)
    ethnic_group: str | None = None  # the ethnic minority most residents belong to, in upland communes
    formerly: tuple[str, ...] = ()  # the 2024 units merged into it, where the sources name them

    @property
    def in_address(self) -> str:
        """Lower-case unit word, as written inside an address: "xã Gio Linh"."""
        return self.name[0].lower() + self.name[1:]

    @property
    def short_name(self) -> str:
        """The name without its unit word: "Gio Linh", "Đông Hà"."""
        for prefix in ("Xã ", "Phường ", "Đặc khu "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name

    @property
    def former_district_in_address(self) -> str:
        return self.former_district[0].lower() + self.former_district[1:]

    @property
    def is_ward(self) -> bool:
        return self.name.startswith("Phường ")

    def address(self, street: str) -> str:
        """Two levels since 01/07/2025: the commune, then the province."""
        return f"{street}, {self.in_address}, tỉnh {PROVINCE_NAME}"


_U, _L, _H = Terrain.URBAN, Terrain.LOWLAND, Terrain.UPLAND
_BRU, _TA_OI = "Bru-Vân Kiều", "Tà Ôi"
_DONG_HA, _QUANG_TRI = "Thành phố Đông Hà", "Thị xã Quảng Trị"
_VINH_LINH, _HUONG_HOA, _GIO_LINH = "Huyện Vĩnh Linh", "Huyện Hướng Hóa", "Huyện Gio Linh"
_DAKRONG, _CAM_LO, _TRIEU_PHONG, _HAI_LANG = (
    "Huyện Đakrông",
    "Huyện Cam Lộ",
    "Huyện Triệu Phong",
    "Huyện Hải Lăng",
)
_DONG_HOI, _BA_DON = "Thành phố Đồng Hới", "Thị xã Ba Đồn"
_LE_THUY, _QUANG_NINH, _BO_TRACH, _MINH_HOA = (
    "Huyện Lệ Thủy",
    "Huyện Quảng Ninh",
    "Huyện Bố Trạch",
    "Huyện Minh Hóa",
)

COMMUNES = (
    # former Quảng Trị
    Commune(
        "19333",
        "Phường Đông Hà",
        _U,
        55,
        _DONG_HA,
        formerly=("Phường 1", "Phường 3", "Phường 4", "Phường Đông Giang", "Phường Đông Thanh"),
    ),
    Commune(
        "19342",
        "Phường Nam Đông Hà",
        _U,
        40,
        _DONG_HA,
        formerly=("Phường 2", "Phường 5", "Phường Đông Lễ", "Phường Đông Lương"),
    ),
    Commune(
        "19357",
        "Phường Quảng Trị",
        _U,
        25,
        _QUANG_TRI,
        formerly=("Phường 1", "Phường 2", "Phường 3", "Phường An Đôn", "Xã Hải Lệ"),
    ),
    Commune(
        "19363",
        "Xã Vĩnh Linh",
        _U,
        28,
        _VINH_LINH,
        formerly=("Thị trấn Hồ Xá", "Xã Vĩnh Long", "Xã Vĩnh Chấp"),
    ),
    Commune(
        "19414",
        "Xã Cửa Tùng",
        _L,
        29,
        _VINH_LINH,
        formerly=("Thị trấn Cửa Tùng", "Xã Vĩnh Giang", "Xã Hiền Thành", "Xã Kim Thạch"),
    ),
    Commune(
        "19372",
        "Xã Vĩnh Hoàng",
        _L,
        19,
        _VINH_LINH,
        formerly=("Xã Vĩnh Thái", "Xã Trung Nam", "Xã Vĩnh Hòa", "Xã Vĩnh Tú"),
    ),
    Commune("19429", "Xã Khe Sanh", _U, 25, _HUONG_HOA),
    Commune("19432", "Xã Lao Bảo", _U, 20, _HUONG_HOA),
    Commune("19441", "Xã Hướng Phùng", _H, 12, _HUONG_HOA, _BRU),
    Commune("19483", "Xã A Dơi", _H, 10, _HUONG_HOA, _BRU),
    Commune("19495", "Xã Gio Linh", _U, 25, _GIO_LINH),
    Commune("19496", "Xã Cửa Việt", _L, 20, _GIO_LINH),
    Commune("19555", "Xã Đakrông", _H, 15, _DAKRONG, _BRU),
    Commune("19588", "Xã Tà Rụt", _H, 10, _DAKRONG, _TA_OI),
    Commune("19597", "Xã Cam Lộ", _U, 30, _CAM_LO),
    Commune("19624", "Xã Triệu Phong", _U, 35, _TRIEU_PHONG),
    Commune("19636", "Xã Triệu Bình", _L, 25, _TRIEU_PHONG),
    Commune("19681", "Xã Hải Lăng", _U, 35, _HAI_LANG),
    Commune("19702", "Xã Nam Hải Lăng", _L, 25, _HAI_LANG),
    # former Quảng Bình
    Commune(
        "19030",
        "Phường Đồng Hới",
        _U,
        75,
        _DONG_HOI,
        formerly=(
            "Phường Nam Lý",
            "Phường Đồng Hải",
            "Phường Đồng Phú",
            "Phường Đức Ninh Đông",
            "Phường Phú Hải",
            "Phường Hải Thành",
            "Xã Bảo Ninh",
            "Xã Đức Ninh",
        ),
    ),
    Commune(
        "19021",
        "Phường Đồng Thuận",
        _U,
        30,
        _DONG_HOI,
        formerly=("Phường Bắc Lý", "Xã Lộc Ninh", "Xã Quang Phú"),
    ),
    Commune(
        "19024",
        "Phường Đồng Sơn",
        _U,
        35,
        _DONG_HOI,
        formerly=("Phường Đồng Sơn", "Phường Bắc Nghĩa", "Xã Nghĩa Ninh", "Xã Thuận Đức"),
    ),
    Commune("19111", "Phường Ba Đồn", _U, 45, _BA_DON),
    Commune("19264", "Xã Lệ Thủy", _U, 40, _LE_THUY),
    Commune("19225", "Xã Quảng Ninh", _L, 35, _QUANG_NINH),
    Commune("19159", "Xã Bố Trạch", _L, 40, _BO_TRACH),
    Commune("19057", "Xã Tân Thành", _H, 5, _MINH_HOA),  # not rearranged in 2025
)

_BY_CODE = {commune.code: commune for commune in COMMUNES}
WARDS = tuple(c for c in COMMUNES if c.is_ward)
SEAT = _BY_CODE["19030"]  # the merged province's seat is in former Quảng Bình (Đồng Hới)


def commune(code: str) -> Commune:
    """The commune with this unit code; KeyError for a code outside the selection."""
    return _BY_CODE[code]


# Streets of the wards, for urban addresses; other places use the province-wide names at the end.
STREETS = {
    "19333": ("Lê Duẩn", "Hùng Vương", "Quốc lộ 9", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ"),
    "19342": ("Hàm Nghi", "Lý Thường Kiệt", "Trần Phú", "Nguyễn Trãi", "Điện Biên Phủ", "Thành Cổ"),
    "19357": ("Trần Hưng Đạo", "Quang Trung", "Lê Duẩn", "Hai Bà Trưng", "Phan Bội Châu"),
    "19030": ("Quang Trung", "Lý Thường Kiệt", "Trần Hưng Đạo", "Hữu Nghị", "Lê Lợi"),
}
COMMON_STREETS = ("Hùng Vương", "Lê Duẩn", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Quốc lộ 1")
