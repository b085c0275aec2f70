"""Numbers, percentages and times as each language writes them (Vietnamese: 62,5% and 1.234; times in Vietnam
time, dd/mm/yyyy)."""

from datetime import date, datetime

from gateway.dashboard.messages import Language
from gateway.exchangelog.rollups import VIETNAM


def _decimal(text: str, language: Language) -> str:
    return text.replace(".", ",") if language is Language.VI else text


def percent(ratio: float, language: Language) -> str:
    text = f"{ratio * 100:.1f}".removesuffix(".0")
    return _decimal(text, language) + "%"


def number(value: int, language: Language) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if language is Language.VI else text


def moment(value: datetime | None, language: Language, never: str) -> str:
    if value is None:
        return never
    local = value.astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M" if language is Language.VI else "%Y-%m-%d %H:%M")


def day(value: date, language: Language) -> str:
    """With its year: a trend across a year's end, or printed for a report, reads without doubt."""
    return value.strftime("%d/%m/%Y" if language is Language.VI else "%d %b %Y")


def milliseconds(value: float | None, language: Language) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return _decimal(f"{value / 1000:.1f}", language) + " s"
    return f"{value:.0f} ms"


def local_input(value: datetime) -> str:
    """The value of an `<input type=datetime-local>`: Vietnam time to the minute."""
    return value.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


def seconds(value: float, language: Language) -> str:
    """A duration in whole seconds, minutes or hours (the warehouse's lag)."""
    unit = (
        {"s": "giây", "min": "phút", "h": "giờ"}
        if language is Language.VI
        else {"s": "s", "min": "min", "h": "h"}
    )
    if value < 120:
        return f"{value:.0f} {unit['s']}"
    if value < 7200:
        return f"{value / 60:.0f} {unit['min']}"
    return f"{_decimal(f'{value / 3600:.1f}', language)} {unit['h']}"


def age(value: float, language: Language) -> str:
    """How long something has waited: as `seconds` does, then whole days from two days on."""
    if value < 2 * 86400:
        return seconds(value, language)
    return f"{value // 86400:.0f} {'ngày' if language is Language.VI else 'days'}"


def signed(value: int, language: Language) -> str:
    """A change: +3, −1 (a minus sign), ±0."""
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + number(abs(value), language)
