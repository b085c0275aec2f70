"""The departments of the demo province as the sample databases name them: staff registers, public assets.

Codes and names are those of `registry/demo/province.yaml` (the samples do not import the registry).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agency:
    code: str  # "H50.05"
    name: str  # "Sở Tài chính"

    @property
    def short_name(self) -> str:
        """The name without its unit word, as inside the name of a sub-unit: "Tài chính", "Y tế"."""
        for prefix in ("Sở ", "Văn phòng "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name


VAN_PHONG_UBND = Agency("H50.01", "Văn phòng Ủy ban nhân dân tỉnh")
NOI_VU = Agency("H50.02", "Sở Nội vụ")
TU_PHAP = Agency("H50.03", "Sở Tư pháp")
KE_HOACH_DAU_TU = Agency("H50.04", "Sở Kế hoạch và Đầu tư")
TAI_CHINH = Agency("H50.05", "Sở Tài chính")
CONG_THUONG = Agency("H50.06", "Sở Công Thương")
NONG_NGHIEP = Agency("H50.07", "Sở Nông nghiệp và Phát triển nông thôn")
GIAO_THONG = Agency("H50.08", "Sở Giao thông vận tải")
XAY_DUNG = Agency("H50.09", "Sở Xây dựng")
THONG_TIN_TRUYEN_THONG = Agency("H50.10", "Sở Thông tin và Truyền thông")
LAO_DONG = Agency("H50.11", "Sở Lao động - Thương binh và Xã hội")
VAN_HOA = Agency("H50.12", "Sở Văn hóa, Thể thao và Du lịch")
KHOA_HOC_CONG_NGHE = Agency("H50.13", "Sở Khoa học và Công nghệ")
GIAO_DUC = Agency("H50.14", "Sở Giáo dục và Đào tạo")
Y_TE = Agency("H50.15", "Sở Y tế")
NGOAI_VU = Agency("H50.16", "Sở Ngoại vụ")
THANH_TRA = Agency("H50.17", "Thanh tra tỉnh")
TAI_NGUYEN_MOI_TRUONG = Agency("H50.20", "Sở Tài nguyên và Môi trường")

# The police (H50.21) answer to the Ministry of Public Security: neither their staff nor their assets are
# the province's to register.
CIVIL_DEPARTMENTS = (
    VAN_PHONG_UBND,
    NOI_VU,
    TU_PHAP,
    KE_HOACH_DAU_TU,
    TAI_CHINH,
    CONG_THUONG,
    NONG_NGHIEP,
    GIAO_THONG,
    XAY_DUNG,
    THONG_TIN_TRUYEN_THONG,
    LAO_DONG,
    VAN_HOA,
    KHOA_HOC_CONG_NGHE,
    GIAO_DUC,
    Y_TE,
    NGOAI_VU,
    THANH_TRA,
    TAI_NGUYEN_MOI_TRUONG,
)

_BY_CODE = {agency.code: agency for agency in CIVIL_DEPARTMENTS}


def agency(code: str) -> Agency:
    """The department with this code; KeyError for another."""
    return _BY_CODE[code]
