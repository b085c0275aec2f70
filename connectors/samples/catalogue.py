"""Every sample department database of the demo province, and where each service and dataset is answered."""

from connectors.samples.can_bo_cong_chuc.data import SAMPLE as CAN_BO_CONG_CHUC
from connectors.samples.dat_dai.data import SAMPLE as DAT_DAI
from connectors.samples.database import Lookup, RecordsQuery, SampleDatabase
from connectors.samples.di_san.data import SAMPLE as DI_SAN
from connectors.samples.doanh_nghiep.data import SAMPLE as DOANH_NGHIEP
from connectors.samples.giao_duc.data import SAMPLE as GIAO_DUC
from connectors.samples.giay_phep_lai_xe.data import SAMPLE as GIAY_PHEP_LAI_XE
from connectors.samples.ho_tich.data import SAMPLE as HO_TICH
from connectors.samples.hoa_chat.data import SAMPLE as HOA_CHAT
from connectors.samples.ket_qua_tthc.data import SAMPLE as KET_QUA_TTHC
from connectors.samples.khoa_hoc_cong_nghe.data import SAMPLE as KHOA_HOC_CONG_NGHE
from connectors.samples.le_hoi.data import SAMPLE as LE_HOI
from connectors.samples.ly_lich_tu_phap.data import SAMPLE as LY_LICH_TU_PHAP
from connectors.samples.nguoi_co_cong.data import SAMPLE as NGUOI_CO_CONG
from connectors.samples.nha_o.data import SAMPLE as NHA_O
from connectors.samples.tai_san_cong.data import SAMPLE as TAI_SAN_CONG
from connectors.samples.tiem_chung.data import SAMPLE as TIEM_CHUNG
from connectors.samples.vien_thong.data import SAMPLE as VIEN_THONG

SAMPLES: tuple[SampleDatabase, ...] = (
    DAT_DAI,
    DOANH_NGHIEP,
    HO_TICH,
    LY_LICH_TU_PHAP,
    GIAY_PHEP_LAI_XE,
    TIEM_CHUNG,
    GIAO_DUC,
    NGUOI_CO_CONG,
    DI_SAN,
    LE_HOI,
    KET_QUA_TTHC,
    CAN_BO_CONG_CHUC,
    TAI_SAN_CONG,
    HOA_CHAT,
    NHA_O,
    VIEN_THONG,
    KHOA_HOC_CONG_NGHE,
)


def sample_database(provider: str, database: str) -> SampleDatabase | None:
    return next((s for s in SAMPLES if (s.provider, s.database) == (provider, database)), None)


def service_lookup(provider: str, service: str) -> Lookup | None:
    """The query that answers `provider`'s service (every minor version of its major)."""
    return next(
        (s.services[service] for s in SAMPLES if s.provider == provider and service in s.services), None
    )


def dataset_records(provider: str, dataset: str) -> RecordsQuery | None:
    return next(
        (s.datasets[dataset] for s in SAMPLES if s.provider == provider and dataset in s.datasets), None
    )
