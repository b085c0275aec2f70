"""Named residents who appear in several department databases and in the contracts' examples.

The same person (the same CCCD number) owns a land parcel, has a birth record, a driving licence and a
vaccination history, as a real citizen would; the examples of the demo contracts look these people up, and
every sample database seeds their rows before its generated ones.
"""

from datetime import date

from connectors.samples.geography import commune
from connectors.samples.synthetic import FEMALE, KINH, MALE, Person

NGUYEN_VAN_HUNG = Person(
    citizen_id="045085001234",
    ho_ten="Nguyễn Văn Hùng",
    gioi_tinh=MALE,
    ngay_sinh=date(1985, 3, 12),
    dan_toc=KINH,
    commune=commune("19333"),
    dia_chi="Số 25 Lê Duẩn, phường Đông Hà, tỉnh Quảng Trị",
)
TRAN_THI_MAI = Person(
    citizen_id="045192004321",
    ho_ten="Trần Thị Mai",
    gioi_tinh=FEMALE,
    ngay_sinh=date(1992, 7, 8),
    dan_toc=KINH,
    commune=commune("19495"),
    dia_chi="Thôn 3, xã Gio Linh, tỉnh Quảng Trị",
)
LE_VAN_THANH = Person(
    citizen_id="045048000517",
    ho_ten="Lê Văn Thạnh",
    gioi_tinh=MALE,
    ngay_sinh=date(1948, 5, 20),
    dan_toc=KINH,
    commune=commune("19636"),
    dia_chi="Thôn Đông, xã Triệu Bình, tỉnh Quảng Trị",
)
PHAM_MINH_KHOI = Person(
    citizen_id="045223000389",
    ho_ten="Phạm Minh Khôi",
    gioi_tinh=MALE,
    ngay_sinh=date(2023, 2, 14),
    dan_toc=KINH,
    commune=commune("19342"),
    dia_chi="Khu phố 4, phường Nam Đông Hà, tỉnh Quảng Trị",
)
HO_VAN_KHIEM = Person(
    citizen_id="045079002468",
    ho_ten="Hồ Văn Khiêm",
    gioi_tinh=MALE,
    ngay_sinh=date(1979, 9, 2),
    dan_toc="Bru-Vân Kiều",
    commune=commune("19441"),
    dia_chi="Thôn 6, xã Hướng Phùng, tỉnh Quảng Trị",
)

RESIDENTS = (NGUYEN_VAN_HUNG, TRAN_THI_MAI, LE_VAN_THANH, PHAM_MINH_KHOI, HO_VAN_KHIEM)
RESIDENT_IDS = frozenset(person.citizen_id for person in RESIDENTS)

# Numbers that no sample database holds, for "not found" examples: people registered outside Quảng Trị
# (046 is Thừa Thiên Huế), an enterprise code of another province, a parcel beyond any map sheet.
UNKNOWN_CITIZEN_ID = "046190001234"
