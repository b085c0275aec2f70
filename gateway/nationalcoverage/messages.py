"""The national dashboard's words, in Vietnamese and English, over the provincial dashboard's."""

from gateway.dashboard.messages import Language, Translator

NATIONAL: dict[Language, dict[str, str]] = {
    Language.VI: {
        "national_title": "Theo dõi kết nối, chia sẻ dữ liệu toàn quốc",
        "national_subtitle": "Nền tảng chia sẻ, điều phối dữ liệu quốc gia (NDXP) — {name}",
        "national_at": "Số liệu do các thành viên báo cáo, đến {at} (giờ Việt Nam)",
        "national_agency_headline": "Sở, ban, ngành có CSDL chia sẻ, mọi thành viên",
        "national_database_headline": "CSDL chia sẻ trên CSDL đã đăng ký, mọi thành viên",
        "members": "Thành viên liên thông",
        "members_note": "Báo cáo định kỳ mỗi {period}; thành viên không báo cáo quá {stale} bị đánh dấu.",
        "col_member": "Thành viên",
        "col_status": "Trạng thái",
        "col_agency_coverage": "Sở, ban, ngành",
        "col_database_coverage": "CSDL",
        "col_federation_calls": "Gọi liên thông",
        "col_last_report": "Báo cáo gần nhất",
        "status_active": "đang hoạt động",
        "status_suspended": "tạm đình chỉ",
        "stale": "Không báo cáo",
        "stale_never": "Chưa báo cáo",
        "no_members": "Chưa có thành viên nào.",
        "national_trend": "Diễn biến {days} ngày gần nhất, toàn quốc",
        "download_json": "JSON",
        "legend_stale": "Nền đỏ: thành viên không báo cáo quá hai kỳ",
        "calls_total": "Gọi liên thông trong kỳ",
        "col_trend": "Diễn biến",
        "legend_met_national": "Chữ xanh: đạt mục tiêu của thành viên",
        "legend_not_met_national": "Chữ cam: chưa đạt mục tiêu",
        "member_trend": "Tỷ lệ {days} ngày gần nhất: sở, ban, ngành (liền), CSDL (đứt)",
    },
    Language.EN: {
        "national_title": "National data connection and sharing",
        "national_subtitle": "National data exchange platform (NDXP) — {name}",
        "national_at": "Figures reported by the members, up to {at} (Vietnam time)",
        "national_agency_headline": "Departments with a sharing database, all members",
        "national_database_headline": "Sharing databases of those registered, all members",
        "members": "Federation members",
        "members_note": "Each reports every {period}; a member silent for more than {stale} is flagged.",
        "col_member": "Member",
        "col_status": "Status",
        "col_agency_coverage": "Departments",
        "col_database_coverage": "Databases",
        "col_federation_calls": "Calls across",
        "col_last_report": "Last report",
        "status_active": "active",
        "status_suspended": "suspended",
        "stale": "Not reporting",
        "stale_never": "Never reported",
        "no_members": "No member yet.",
        "national_trend": "The last {days} days, nationally",
        "download_json": "JSON",
        "legend_stale": "Red: a member silent for more than two periods",
        "calls_total": "Calls across the federation",
        "col_trend": "Trend",
        "legend_met_national": "Green: the member's target met",
        "legend_not_met_national": "Orange: target not met",
        "member_trend": "The last {days} days: departments (solid), databases (dashed)",
    },
}


class NationalTranslator(Translator):
    def __init__(self, language: Language) -> None:
        super().__init__(language, NATIONAL[language])
