"""A small province for the dashboard and the command line: ten departments in every state of coverage, with
exchanges over the last weeks up to now (some began sharing only lately), served over real HTTP."""

from __future__ import annotations

from datetime import timedelta

from gateway.exchangelog.models import Outcome
from registry.storage import utcnow
from tests.gateway.coverage_scenario import Scenario

DEPARTMENTS = {
    "H50.2": ("Văn phòng UBND tỉnh", "Provincial People's Committee Office"),
    "H50.4": ("Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"),
    "H50.6": ("Sở Giao thông vận tải", "Department of Transport"),
    "H50.8": ("Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    "H50.9": ("Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    "H50.10": ("Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    "H50.12": ("Sở Nội vụ", "Department of Home Affairs"),
    "H50.15": ("Sở Tư pháp", "Department of Justice"),
    "H50.18": ("Sở Y tế", "Department of Health"),
    "H50.20": ("Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment"),
}
# (database code, name, owner, contract code, what it does: "share", "call" or None, since how many days ago)
DATABASES = [
    ("csdl-cai-cach-hanh-chinh", "CSDL cải cách hành chính", "H50.2", "cai-cach-hanh-chinh", "share", 45),
    ("csdl-nguoi-co-cong", "CSDL người có công", "H50.4", "nguoi-co-cong", "share", 20),
    ("csdl-giay-phep-lai-xe", "CSDL giấy phép lái xe", "H50.6", "tra-cuu-giay-phep-lai-xe", "call", 45),
    ("csdl-truong-hoc", "CSDL trường học", "H50.8", "truong-hoc", "share", 9),
    ("csdl-di-tich-le-hoi", "CSDL di tích, lễ hội", "H50.9", "tra-cuu-di-tich", None, 0),
    ("csdl-dang-ky-doanh-nghiep", "CSDL đăng ký doanh nghiệp", "H50.10", "doanh-nghiep", "share", 45),
    ("csdl-giay-phep-dau-tu", "CSDL giấy phép đầu tư", "H50.10", None, None, 0),
    ("csdl-can-bo-cong-chuc", "CSDL cán bộ, công chức", "H50.12", None, None, 0),
    ("csdl-ho-tich", "CSDL hộ tịch", "H50.15", "ho-tich", "share", 30),
    ("csdl-ly-lich-tu-phap", "CSDL lý lịch tư pháp", "H50.15", "tra-cuu-ly-lich-tu-phap", "call", 45),
    ("csdl-tiem-chung", "CSDL tiêm chủng", "H50.18", "tra-cuu-tiem-chung", None, 0),
    ("csdl-dat-dai", "CSDL đất đai", "H50.20", "thua-dat", "share", 4),
    ("csdl-moi-truong", "CSDL môi trường", "H50.20", "tra-cuu-quan-trac", "call", 14),
]


async def seed_province(s: Scenario) -> None:
    now = utcnow()
    long_ago = now - timedelta(days=200)
    for code, (name, name_en) in DEPARTMENTS.items():
        await s.agency(code, name=name, name_en=name_en, created_at=long_ago)
    for number, (code, name, owner, contract, activity, since) in enumerate(DATABASES):
        database = await s.database(
            owner, code, name=name, created_at=long_ago, contract=contract is not None, contract_code=contract,
            contract_kind="dataset" if activity == "share" else "service",
        )  # fmt: skip
        for day in range(0, since, 1 + number % 3):
            moment = now - timedelta(days=day, hours=number + 1)
            for repeat in range(1 + (day + number) % 3):
                at = moment - timedelta(minutes=7 * repeat)
                if activity == "share":
                    await s.share(database, at - timedelta(minutes=1), delivered_at=at)
                else:
                    await s.call(database, at, duration=timedelta(milliseconds=30 + 7 * number + 5 * repeat))
        if activity == "call":
            await s.call(database, now - timedelta(hours=2), outcome=Outcome.TIMEOUT)
            await s.call(database, now - timedelta(hours=3), outcome=Outcome.PROVIDER_ERROR)
