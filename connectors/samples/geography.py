"""Quảng Trị's districts and a selection of its communes, with their administrative unit codes.

Codes follow the national list of administrative units (Decision 124/2004/QĐ-TTg and its updates): the
province is 45, districts have three digits, communes five. The units are those before the 2025 reorganisation
(the plans the demo is built on date from 2022 and 2024); the commune list is a selection, not the full 125.
"""

from dataclasses import dataclass
from enum import StrEnum

PROVINCE_NAME = "Quảng Trị"
PROVINCE_UNIT_CODE = "45"


class Terrain(StrEnum):
    URBAN = "urban"  # phường and thị trấn
    LOWLAND = "lowland"
    UPLAND = "upland"  # mountain communes, home of the Bru-Vân Kiều and Tà Ôi (Pa Kô) peoples


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str  # "Thành phố Đông Hà", "Huyện Gio Linh"
    population_weight: int  # thousands of inhabitants, roughly: how often a synthetic resident lives here

    @property
    def in_address(self) -> str:
        """Lower-case unit word, as written inside an address: "huyện Gio Linh"."""
        return self.name[0].lower() + self.name[1:]

    @property
    def short_name(self) -> str:
        """The name without its unit word: "Gio Linh", "Đông Hà"."""
        for prefix in ("Thành phố ", "Thị xã ", "Huyện đảo ", "Huyện "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str  # "Phường 1", "Xã Gio Phong", "Thị trấn Khe Sanh"
    district: District
    terrain: Terrain
    ethnic_group: str | None = None  # the ethnic minority most residents belong to, in upland communes

    @property
    def in_address(self) -> str:
        return self.name[0].lower() + self.name[1:]

    @property
    def short_name(self) -> str:
        """The name without its unit word ("Gio Phong", "Đông Giang"); numbered wards keep it ("Phường 1")."""
        if self.name[-1].isdigit():
            return self.name
        for prefix in ("Xã ", "Thị trấn ", "Phường "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name

    def address(self, street: str) -> str:
        return f"{street}, {self.in_address}, {self.district.in_address}, tỉnh {PROVINCE_NAME}"


DONG_HA = District("461", "Thành phố Đông Hà", 95)
QUANG_TRI_TOWN = District("462", "Thị xã Quảng Trị", 25)
VINH_LINH = District("464", "Huyện Vĩnh Linh", 90)
HUONG_HOA = District("465", "Huyện Hướng Hóa", 90)
GIO_LINH = District("466", "Huyện Gio Linh", 75)
DAKRONG = District("467", "Huyện Đakrông", 45)
CAM_LO = District("468", "Huyện Cam Lộ", 50)
TRIEU_PHONG = District("469", "Huyện Triệu Phong", 95)
HAI_LANG = District("470", "Huyện Hải Lăng", 85)
CON_CO = District("471", "Huyện đảo Cồn Cỏ", 0)  # an island district without communes

DISTRICTS = (
    DONG_HA,
    QUANG_TRI_TOWN,
    VINH_LINH,
    HUONG_HOA,
    GIO_LINH,
    DAKRONG,
    CAM_LO,
    TRIEU_PHONG,
    HAI_LANG,
    CON_CO,
)

_U, _L, _H = Terrain.URBAN, Terrain.LOWLAND, Terrain.UPLAND
_BRU, _TA_OI = "Bru-Vân Kiều", "Tà Ôi"

COMMUNES = (
    Commune("19330", "Phường Đông Giang", DONG_HA, _U),
    Commune("19333", "Phường 1", DONG_HA, _U),
    Commune("19336", "Phường Đông Lễ", DONG_HA, _U),
    Commune("19339", "Phường Đông Thanh", DONG_HA, _U),
    Commune("19342", "Phường 2", DONG_HA, _U),
    Commune("19345", "Phường 4", DONG_HA, _U),
    Commune("19348", "Phường 5", DONG_HA, _U),
    Commune("19351", "Phường Đông Lương", DONG_HA, _U),
    Commune("19354", "Phường 3", DONG_HA, _U),
    Commune("19357", "Phường 1", QUANG_TRI_TOWN, _U),
    Commune("19358", "Phường An Đôn", QUANG_TRI_TOWN, _U),
    Commune("19360", "Phường 2", QUANG_TRI_TOWN, _U),
    Commune("19361", "Phường 3", QUANG_TRI_TOWN, _U),
    Commune("19705", "Xã Hải Lệ", QUANG_TRI_TOWN, _L),
    Commune("19363", "Thị trấn Hồ Xá", VINH_LINH, _U),
    Commune("19366", "Thị trấn Bến Quan", VINH_LINH, _U),
    Commune("19414", "Thị trấn Cửa Tùng", VINH_LINH, _U),
    Commune("19369", "Xã Vĩnh Thái", VINH_LINH, _L),
    Commune("19372", "Xã Vĩnh Tú", VINH_LINH, _L),
    Commune("19384", "Xã Vĩnh Thạch", VINH_LINH, _L),
    Commune("19387", "Xã Vĩnh Long", VINH_LINH, _L),
    Commune("19408", "Xã Vĩnh Thành", VINH_LINH, _L),
    Commune("19420", "Xã Vĩnh Sơn", VINH_LINH, _L),
    Commune("19426", "Xã Vĩnh Ô", VINH_LINH, _H, _BRU),
    Commune("19429", "Thị trấn Khe Sanh", HUONG_HOA, _U),
    Commune("19432", "Thị trấn Lao Bảo", HUONG_HOA, _U),
    Commune("19441", "Xã Hướng Phùng", HUONG_HOA, _H, _BRU),
    Commune("19450", "Xã Tân Hợp", HUONG_HOA, _L),
    Commune("19456", "Xã Tân Thành", HUONG_HOA, _L),
    Commune("19468", "Xã Húc", HUONG_HOA, _H, _BRU),
    Commune("19483", "Xã A Dơi", HUONG_HOA, _H, _BRU),
    Commune("19486", "Xã A Xing", HUONG_HOA, _H, _BRU),
    Commune("19492", "Xã Xy", HUONG_HOA, _H, _BRU),
    Commune("19495", "Thị trấn Gio Linh", GIO_LINH, _U),
    Commune("19496", "Thị trấn Cửa Việt", GIO_LINH, _U),
    Commune("19501", "Xã Trung Hải", GIO_LINH, _L),
    Commune("19507", "Xã Gio Phong", GIO_LINH, _L),
    Commune("19513", "Xã Vĩnh Trường", GIO_LINH, _L),
    Commune("19522", "Xã Gio An", GIO_LINH, _L),
    Commune("19528", "Xã Gio Thành", GIO_LINH, _L),
    Commune("19534", "Xã Linh Thượng", GIO_LINH, _H, _BRU),
    Commune("19555", "Thị trấn Krông Klang", DAKRONG, _U),
    Commune("19558", "Xã Mò Ó", DAKRONG, _L),
    Commune("19564", "Xã Đa Krông", DAKRONG, _H, _BRU),
    Commune("19570", "Xã Ba Lòng", DAKRONG, _L),
    Commune("19576", "Xã Ba Nang", DAKRONG, _H, _BRU),
    Commune("19579", "Xã Tà Long", DAKRONG, _H, _BRU),
    Commune("19588", "Xã Tà Rụt", DAKRONG, _H, _TA_OI),
    Commune("19591", "Xã A Bung", DAKRONG, _H, _TA_OI),
    Commune("19594", "Xã A Ngo", DAKRONG, _H, _TA_OI),
    Commune("19597", "Thị trấn Cam Lộ", CAM_LO, _U),
    Commune("19600", "Xã Cam Tuyền", CAM_LO, _L),
    Commune("19603", "Xã Cam An", CAM_LO, _L),
    Commune("19606", "Xã Cam Thủy", CAM_LO, _L),
    Commune("19612", "Xã Cam Thành", CAM_LO, _L),
    Commune("19615", "Xã Cam Hiếu", CAM_LO, _L),
    Commune("19618", "Xã Cam Chính", CAM_LO, _L),
    Commune("19621", "Xã Cam Nghĩa", CAM_LO, _L),
    Commune("19624", "Thị trấn Ái Tử", TRIEU_PHONG, _U),
    Commune("19627", "Xã Triệu An", TRIEU_PHONG, _L),
    Commune("19630", "Xã Triệu Vân", TRIEU_PHONG, _L),
    Commune("19633", "Xã Triệu Phước", TRIEU_PHONG, _L),
    Commune("19636", "Xã Triệu Độ", TRIEU_PHONG, _L),
    Commune("19645", "Xã Triệu Đại", TRIEU_PHONG, _L),
    Commune("19657", "Xã Triệu Long", TRIEU_PHONG, _L),
    Commune("19666", "Xã Triệu Trung", TRIEU_PHONG, _L),
    Commune("19675", "Xã Triệu Giang", TRIEU_PHONG, _L),
    Commune("19678", "Xã Triệu Thành", TRIEU_PHONG, _L),
    Commune("19681", "Thị trấn Diên Sanh", HAI_LANG, _U),
    Commune("19684", "Xã Hải An", HAI_LANG, _L),
    Commune("19687", "Xã Hải Ba", HAI_LANG, _L),
    Commune("19702", "Xã Hải Phú", HAI_LANG, _L),
    Commune("19708", "Xã Hải Thượng", HAI_LANG, _L),
    Commune("19711", "Xã Hải Dương", HAI_LANG, _L),
    Commune("19729", "Xã Hải Trường", HAI_LANG, _L),
    Commune("19735", "Xã Hải Sơn", HAI_LANG, _L),
    Commune("19738", "Xã Hải Chánh", HAI_LANG, _L),
    Commune("19741", "Xã Hải Khê", HAI_LANG, _L),
)

_BY_CODE = {commune.code: commune for commune in COMMUNES}


def commune(code: str) -> Commune:
    """The commune with this unit code; KeyError for a code outside the selection."""
    return _BY_CODE[code]


def communes_of(district: District) -> tuple[Commune, ...]:
    return tuple(c for c in COMMUNES if c.district == district)


# Streets of the towns, for urban addresses; other towns use the province-wide names at the end.
STREETS = {
    DONG_HA.code: (
        "Lê Duẩn",
        "Hùng Vương",
        "Quốc lộ 9",
        "Trần Hưng Đạo",
        "Lê Lợi",
        "Nguyễn Huệ",
        "Hàm Nghi",
        "Lý Thường Kiệt",
        "Trần Phú",
        "Nguyễn Trãi",
        "Điện Biên Phủ",
        "Thành Cổ",
    ),
    QUANG_TRI_TOWN.code: ("Trần Hưng Đạo", "Quang Trung", "Lê Duẩn", "Hai Bà Trưng", "Phan Bội Châu"),
}
COMMON_STREETS = ("Hùng Vương", "Lê Duẩn", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Quốc lộ 1")
