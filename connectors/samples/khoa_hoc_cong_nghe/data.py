"""CSDL thông tin khoa học và công nghệ (H50.13, Sở Khoa học và Công nghệ): science and technology tasks.

Shares `nhiem-vu-khoa-hoc-cong-nghe` to the warehouse: the research projects, trial production projects and
schemes (đề tài, dự án sản xuất thử nghiệm, đề án) the province funds from 2012 to 2024, their field (the six
fields of science of the national classification), host organisation, principal investigator, years, state
budget and, once evaluated, their result. Most tasks are agricultural, as in the province.

Titles, investigators and budgets are synthetic; the host organisations, crops and places are Quảng Trị's.
"""

import random
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from connectors.samples.database import Json, SampleDatabase, new_database, rows
from connectors.samples.geography import COMMUNES, Terrain
from connectors.samples.synthetic import REFERENCE_DATE, full_name, pick

PROVIDER = "H50.13"
DATABASE = "csdl-khoa-hoc-cong-nghe"
SEED = 5013
DEFAULT_SIZE = 300
FIRST_YEAR = 2012
MAX_SIZE = 1000  # the titles the templates make run out a little beyond

_AREAS = tuple(c.in_address for c in COMMUNES if c.terrain is Terrain.URBAN)
_LOWLAND = tuple(c.in_address for c in COMMUNES if c.terrain is Terrain.LOWLAND)
_UPLAND = tuple(c.in_address for c in COMMUNES if c.terrain is Terrain.UPLAND)

AGRICULTURE_HOSTS = (
    "Trung tâm Khuyến nông Quảng Trị",
    "Trường Đại học Nông Lâm, Đại học Huế",
    "Viện Khoa học Kỹ thuật Nông nghiệp Bắc Trung Bộ",
    "Chi cục Trồng trọt và Bảo vệ thực vật tỉnh Quảng Trị",
    "Trung tâm Ứng dụng và Dịch vụ khoa học và công nghệ Quảng Trị",
)
CROPS = (
    "lúa", "hồ tiêu", "cà phê chè", "chuối tiêu hồng", "cà gai leo", "lạc", "sắn", "bưởi da xanh",
    "nấm linh chi", "keo lai mô", "ba kích", "mật nhân",
)  # fmt: skip
LIVESTOCK = (
    "tôm thẻ chân trắng",
    "bò lai Zebu",
    "gà thả vườn",
    "cá rô phi đơn tính",
    "lợn đen bản địa",
    "dê lai",
)
HOSPITALS = (
    "Bệnh viện Đa khoa tỉnh Quảng Trị",
    *(f"Trung tâm Y tế khu vực {c.short_name}" for c in COMMUNES if c.terrain is Terrain.URBAN),
)


@dataclass(frozen=True, slots=True)
class Field:
    """A field of science: its tasks' titles ({x} a topic, {place} a place) and who hosts them."""

    share: float  # percent of the tasks
    titles: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # (template, topics, places)
    hosts: tuple[str, ...]


FIELDS = {
    "khoa_hoc_nong_nghiep": Field(
        40,
        (
            ("Xây dựng mô hình trồng {x} theo hướng hữu cơ tại {place}", CROPS, _LOWLAND + _UPLAND),
            ("Tuyển chọn giống {x} năng suất, chất lượng cao cho vùng đất {place}", CROPS, _AREAS),
            ("Ứng dụng tiến bộ kỹ thuật nuôi {x} thương phẩm tại {place}", LIVESTOCK, _LOWLAND),
        ),
        AGRICULTURE_HOSTS,
    ),
    "khoa_hoc_y_duoc": Field(
        15,
        (
            (
                "Ứng dụng kỹ thuật {x} tại {place}",
                ("phẫu thuật nội soi khớp gối", "can thiệp động mạch vành qua da", "lọc máu liên tục",
                 "thay khớp háng", "sàng lọc sơ sinh", "nội soi mật tụy ngược dòng"),
                HOSPITALS,
            ),
            (
                "Thực trạng và hiệu quả can thiệp {x} tại {place}",
                ("suy dinh dưỡng ở trẻ em dưới 5 tuổi", "tăng huyết áp ở người cao tuổi",
                 "bệnh đái tháo đường típ 2", "sốt xuất huyết Dengue"),
                _AREAS,
            ),
        ),
        (
            "Bệnh viện Đa khoa tỉnh Quảng Trị",
            "Trung tâm Kiểm soát bệnh tật tỉnh Quảng Trị",
            "Trường Đại học Y - Dược, Đại học Huế",
        ),
    ),
    "khoa_hoc_ky_thuat_va_cong_nghe": Field(
        20,
        (
            (
                "Ứng dụng công nghệ GIS trong quản lý {x} tại {place}",
                ("hạ tầng cấp nước", "tài nguyên rừng", "hệ thống chiếu sáng công cộng", "quy hoạch xây dựng"),
                _AREAS,
            ),
            (
                "Xây dựng hệ thống cảnh báo sớm {x} tại {place}",
                ("lũ quét, sạt lở đất", "ngập lụt", "cháy rừng"),
                _AREAS,
            ),
            (
                "Xây dựng hệ thống quan trắc tự động {x} tại {place}",
                ("chất lượng nước nuôi trồng thủy sản", "môi trường không khí", "mực nước hồ chứa"),
                _AREAS,
            ),
        ),
        (
            "Phân hiệu Đại học Huế tại Quảng Trị",
            "Trường Đại học Khoa học, Đại học Huế",
            "Trung tâm Công nghệ thông tin và Truyền thông tỉnh Quảng Trị",
        ),
    ),
    "khoa_hoc_xa_hoi": Field(
        15,
        (
            (
                "Giải pháp phát triển {x} tại {place}",
                ("du lịch cộng đồng", "kinh tế hợp tác xã", "làng nghề truyền thống", "kinh tế biển",
                 "kinh tế trang trại"),
                _AREAS,
            ),
            (
                "Nâng cao hiệu quả {x} tại {place}",
                ("công tác hòa giải ở cơ sở", "giảm nghèo bền vững", "cải cách thủ tục hành chính"),
                _AREAS,
            ),
        ),
        ("Trường Chính trị Lê Duẩn", "Phân hiệu Đại học Huế tại Quảng Trị", "Trường Đại học Kinh tế, Đại học Huế"),
    ),
    "khoa_hoc_nhan_van": Field(
        8,
        (
            (
                "Sưu tầm, nghiên cứu và bảo tồn {x} ở {place}",
                ("dân ca Bru-Vân Kiều", "lễ hội truyền thống của người Tà Ôi", "nghề dệt thổ cẩm", "hò khoan",
                 "văn hóa làng biển", "văn bia, sắc phong"),
                _AREAS,
            ),
        ),
        ("Bảo tàng tỉnh Quảng Trị", "Hội Văn học nghệ thuật tỉnh Quảng Trị", "Trường Đại học Khoa học, Đại học Huế"),
    ),
    "khoa_hoc_tu_nhien": Field(
        2,
        (
            (
                "Điều tra, đánh giá đa dạng sinh học {x} tại {place}",
                ("thực vật bậc cao", "động vật có xương sống", "lưỡng cư, bò sát"),
                ("Khu bảo tồn thiên nhiên Bắc Hướng Hóa", "Khu bảo tồn thiên nhiên Đakrông", "đảo Cồn Cỏ"),
            ),
        ),
        ("Viện Sinh thái và Tài nguyên sinh vật", "Trường Đại học Khoa học, Đại học Huế"),
    ),
}  # fmt: skip
# kind: (share in percent, budget range for a provincial task in millions of đồng, years it runs)
KINDS = {
    "de_tai": (70, (300, 1_500), (1, 2)),
    "du_an_san_xuat_thu_nghiem": (20, (800, 3_000), (2, 3)),
    "de_an": (10, (200, 800), (1, 2)),
}
RESULTS = (("xuat_sac", 12), ("dat", 85), ("khong_dat", 3))
TITLES = {"khoa_hoc_y_duoc": (("BSCKII.", 40), ("TS.BS.", 30), ("ThS.BS.", 30))}
DEFAULT_TITLES = (("TS.", 45), ("ThS.", 40), ("PGS.TS.", 15))

SCHEMA = """
CREATE TABLE nhiem_vu (
    ma_nhiem_vu TEXT PRIMARY KEY,
    ten_nhiem_vu TEXT NOT NULL UNIQUE,
    loai_nhiem_vu TEXT NOT NULL,
    cap_quan_ly TEXT NOT NULL,
    linh_vuc TEXT NOT NULL,
    to_chuc_chu_tri TEXT NOT NULL,
    chu_nhiem TEXT NOT NULL,
    nam_bat_dau INTEGER NOT NULL,
    nam_ket_thuc INTEGER NOT NULL,
    kinh_phi INTEGER NOT NULL,
    tinh_trang TEXT NOT NULL,
    ket_qua_nghiem_thu TEXT
);
"""


@dataclass(frozen=True, slots=True)
class Task:
    ten_nhiem_vu: str
    loai_nhiem_vu: str  # de_tai | du_an_san_xuat_thu_nghiem | de_an
    cap_quan_ly: str  # cap_tinh | cap_co_so
    linh_vuc: str
    to_chuc_chu_tri: str
    chu_nhiem: str  # "TS. Nguyễn Văn Hùng"
    nam_bat_dau: int
    nam_ket_thuc: int
    kinh_phi: int  # millions of đồng from the state budget
    tinh_trang: str  # dang_thuc_hien | da_nghiem_thu | dinh_chi
    ket_qua_nghiem_thu: str | None  # xuat_sac | dat | khong_dat, once evaluated


def _title(rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
    """A field, a title no other task has and its place; a field whose titles run out gives way to another."""
    while True:
        field = pick(rng, [(name, spec.share) for name, spec in FIELDS.items()])
        for _ in range(20):
            template, topics, places = rng.choice(FIELDS[field].titles)
            place = rng.choice(places)
            title = template.format(x=rng.choice(topics), place=place)
            if title not in taken:
                taken.add(title)
                return field, title, place


def _task(rng: random.Random, start: int, taken: set[str]) -> Task:
    field, title, place = _title(rng, taken)
    kind = pick(rng, [(kind, spec[0]) for kind, spec in KINDS.items()])
    _, (low, high), years = KINDS[kind]
    provincial = rng.random() < 0.8
    budget = rng.randint(low, high) if provincial else rng.randint(50, 300)
    end = start + rng.randint(*years) - 1
    female = rng.random() < 0.4
    investigator = full_name(rng, female=female, birth_year=rng.randint(1960, 1992))
    if end >= REFERENCE_DATE.year:
        status, result = "dang_thuc_hien", None
    elif rng.random() < 0.02:
        status, result = "dinh_chi", None
    else:
        status, result = "da_nghiem_thu", pick(rng, RESULTS)
    return Task(
        ten_nhiem_vu=title,
        loai_nhiem_vu=kind,
        cap_quan_ly="cap_tinh" if provincial else "cap_co_so",
        linh_vuc=field,
        to_chuc_chu_tri=place if place in HOSPITALS else rng.choice(FIELDS[field].hosts),
        chu_nhiem=f"{pick(rng, TITLES.get(field, DEFAULT_TITLES))} {investigator}",
        nam_bat_dau=start,
        nam_ket_thuc=end,
        kinh_phi=round(budget, -1),
        tinh_trang=status,
        ket_qua_nghiem_thu=result,
    )


def generate(size: int = DEFAULT_SIZE, *, seed: int = SEED) -> list[Task]:
    """About as many tasks start each year from FIRST_YEAR to the reference year; at most MAX_SIZE."""
    rng = random.Random(seed)
    years = REFERENCE_DATE.year - FIRST_YEAR + 1
    size = min(size, MAX_SIZE)
    taken: set[str] = set()
    return [_task(rng, FIRST_YEAR + index * years // size, taken) for index in range(size)]


def create_database(path: Path, *, size: int = DEFAULT_SIZE, seed: int = SEED) -> None:
    serials: Counter[int] = Counter()

    def task_code(task: Task) -> str:
        """Numbered within the year its task starts: NV-2021-007."""
        serials[task.nam_bat_dau] += 1
        return f"NV-{task.nam_bat_dau}-{serials[task.nam_bat_dau]:03d}"

    with new_database(path, SCHEMA) as connection:
        connection.executemany(
            "INSERT INTO nhiem_vu VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    task_code(t),
                    t.ten_nhiem_vu,
                    t.loai_nhiem_vu,
                    t.cap_quan_ly,
                    t.linh_vuc,
                    t.to_chuc_chu_tri,
                    t.chu_nhiem,
                    t.nam_bat_dau,
                    t.nam_ket_thuc,
                    t.kinh_phi,
                    t.tinh_trang,
                    t.ket_qua_nghiem_thu,
                )
                for t in generate(size, seed=seed)
            ),
        )


def science_task_records(connection: sqlite3.Connection, *, offset: int = 0, limit: int = 500) -> list[Json]:
    """`nhiem-vu-khoa-hoc-cong-nghe`: task records for the warehouse, in code order."""
    return rows(
        connection,
        "SELECT ma_nhiem_vu, ten_nhiem_vu, loai_nhiem_vu, cap_quan_ly, linh_vuc, to_chuc_chu_tri, chu_nhiem,"
        " nam_bat_dau, nam_ket_thuc, kinh_phi, tinh_trang, ket_qua_nghiem_thu"
        " FROM nhiem_vu ORDER BY ma_nhiem_vu LIMIT ? OFFSET ?",
        (limit, offset),
    )


SAMPLE = SampleDatabase(
    name="khoa_hoc_cong_nghe",
    provider=PROVIDER,
    database=DATABASE,
    create=create_database,
    default_size=DEFAULT_SIZE,
    seed=SEED,
    datasets={"nhiem-vu-khoa-hoc-cong-nghe": science_task_records},
)
