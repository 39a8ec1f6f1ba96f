"""One validation layer for typed numbers, dates, times and text (pure, no I/O).

The workbook reader, the live (xlwings) reader, the case-file loader and the settings parser all
convert raw values here, so a value means the same thing and is refused with the same Vietnamese
message wherever it was typed. Callers add the place (sheet and cell, or JSON path).

Why bounded: ``Fraction("1e999999999")`` computes a billion-digit integer (a hang), a 27-digit
number breaks the decimal formatter, a year of 10**20 overflows ``date``. Every value is checked
for size *before* any arithmetic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Optional


class InputProblem(ValueError):
    """A typed value that cannot be used; the message is Vietnamese and says what to type instead."""


class CellError(str):
    """An Excel error value (#DIV/0!, #N/A, #VALUE! ...) found in a cell where a value was expected.

    The file reader puts one where the cell shows an error (calamine itself reads those as empty
    text, which would drop what was typed without a word); every converter here refuses it, so the
    cell is named in the message whatever it was meant to hold.
    """


def _refuse_error(value: Any) -> None:
    if isinstance(value, CellError):
        raise InputProblem(f"ô đang báo lỗi {shown(str(value))} (công thức hoặc dữ liệu dán vào bị lỗi): "
                           "hãy sửa công thức hoặc gõ lại giá trị")


#: Largest magnitude of any typed number (scores, percentages, counts, ratios).
MAX_MAGNITUDE = 10 ** 9
#: Longest number written as text, and most decimals kept.
MAX_NUMBER_CHARS = 32
MAX_DECIMALS = 10
#: Excel's limit for one cell; longer text could not be written back without cutting it.
MAX_TEXT = 32767
MAX_NAME = 200
#: Dates outside this window are typing errors (a member admitted before 1930 would be 96+).
MIN_DATE = date(1930, 1, 1)
MAX_DATE = date(2100, 12, 31)
#: The first review year any rule pack covers.
FIRST_REVIEW_YEAR = 2023

# ASCII digits only: other digit scripts (Arabic-Indic, superscripts, full-width) are refused the same
# way everywhere, instead of being accepted in one reader and refused in another.
class _Pattern:
    """A regular expression compiled on its first use. Numbers and times typed as text, and
    unreadable characters, are rare: a button click (a fresh Python each time) need not compile
    these five patterns (about 1 ms) to read a workbook that has none."""

    __slots__ = ("_source", "_compiled")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return getattr(self._compiled, name)


_NUMBER = _Pattern(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = _Pattern(r"[+-]?[0-9]+")
_SPACES = _Pattern(r"[\s\u00a0\u202f]+")


def shown(value: Any) -> str:
    text = str(value)
    if not text.isprintable():  # (a lone surrogate is not printable either: the usual text skips the loop)
        text = "".join(ch if ch.isprintable() and not _is_surrogate(ch) else "?" for ch in text)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_surrogate(ch: str) -> bool:
    return 0xD800 <= ord(ch) <= 0xDFFF


def _non_ascii_digit(text: str) -> bool:
    return any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text) or any(
        unicodedata.category(ch) == "No" for ch in text)


def number(value: Any, *, lo: Optional[Fraction] = None, hi: Optional[Fraction] = None,
           percent_ok: bool = True) -> Fraction:
    """Return a typed number as an exact ``Fraction``, within [lo, hi] when given.

    Accepts int, float (from a spreadsheet), Fraction, Decimal and text with a decimal comma or
    point ("89,5", "89.5", "95%"). Refuses booleans, NaN and infinities, other digit scripts,
    huge exponents and magnitudes above ``MAX_MAGNITUDE``.
    """
    _refuse_error(value)
    if isinstance(value, bool) or value is None:
        raise InputProblem(f"cần một số, gặp '{shown(value)}'")
    if isinstance(value, int):
        if abs(value) > MAX_MAGNITUDE:
            raise InputProblem(f"số {shown(value)} quá lớn")
        out = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InputProblem("cần một số, gặp giá trị không xác định")
        if abs(value) > MAX_MAGNITUDE:
            raise InputProblem(f"số {shown(value)} quá lớn")
        # repr gives the shortest text that reads back as the same float: 89.5, not 89.49999...
        out = Fraction(repr(value))
    elif isinstance(value, Fraction):
        out = value
        if abs(out) > MAX_MAGNITUDE:
            raise InputProblem(f"số {shown(value)} quá lớn")
    elif isinstance(value, Decimal):
        if not value.is_finite() or value.adjusted() > 9:
            raise InputProblem(f"số {shown(value)} quá lớn hoặc không xác định")
        out = Fraction(value)
    elif isinstance(value, str):
        out = _number_text(value, percent_ok)
    else:
        raise InputProblem(f"cần một số, gặp '{shown(value)}'")
    if lo is not None and out < lo:
        raise InputProblem(f"{_fmt(out)} nhỏ hơn giá trị thấp nhất cho phép {_fmt(lo)}")
    if hi is not None and out > hi:
        raise InputProblem(f"{_fmt(out)} lớn hơn giá trị cao nhất cho phép {_fmt(hi)}")
    return out


def _number_text(value: str, percent_ok: bool) -> Fraction:
    text = _SPACES.sub("", value)
    if not text:
        raise InputProblem("cần một số, ô đang trống")
    if len(text) > MAX_NUMBER_CHARS:
        raise InputProblem(f"'{shown(value)}' quá dài để là một số")
    if _non_ascii_digit(text):
        raise InputProblem(f"'{shown(value)}' có chữ số không phải 0-9 (hãy gõ lại bằng chữ số thường)")
    if text.endswith("%"):
        if not percent_ok:
            raise InputProblem(f"'{shown(value)}' không được có dấu %")
        text = text[:-1]
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        raise InputProblem(f"cần một số (dùng dấu phẩy hoặc chấm thập phân), gặp '{shown(value)}'")
    mantissa, _, exp = text.lower().partition("e")
    if len(exp.lstrip("+-")) > 3:
        raise InputProblem(f"số '{shown(value)}' quá lớn hoặc quá nhỏ")
    exponent = int(exp) if exp else 0
    int_part = mantissa.lstrip("+-").split(".")[0].lstrip("0")
    # Size before arithmetic: the number of integer digits once the exponent is applied.
    if len(int_part) + exponent > 10:
        raise InputProblem(f"số '{shown(value)}' quá lớn")
    if exponent < -MAX_DECIMALS:
        raise InputProblem(f"số '{shown(value)}' quá nhỏ (quá nhiều chữ số thập phân)")
    out = Fraction(mantissa) * (Fraction(10) ** exponent)
    if abs(out) > MAX_MAGNITUDE:
        raise InputProblem(f"số '{shown(value)}' quá lớn")
    return out


def _fmt(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return format(float(value), ".4g").replace(".", ",")


def integer(value: Any, *, lo: Optional[int] = 0, hi: Optional[int] = MAX_MAGNITUDE) -> int:
    """Return a whole number within [lo, hi]; "3", 3 and 3.0 are 3; "3,5" is refused."""
    _refuse_error(value)
    if isinstance(value, bool) or value is None:
        raise InputProblem(f"cần một số nguyên, gặp '{shown(value)}'")
    if isinstance(value, str):
        text = _SPACES.sub("", value)
        if _non_ascii_digit(text):
            raise InputProblem(f"'{shown(value)}' có chữ số không phải 0-9 (hãy gõ lại bằng chữ số thường)")
        if not _INTEGER.fullmatch(text) or len(text) > 12:
            # "3.0" typed as text is still a whole number; anything else is not.
            frac = number(value, percent_ok=False)
            if frac.denominator != 1:
                raise InputProblem(f"cần một số nguyên, gặp '{shown(value)}'")
            out = int(frac)
        else:
            out = int(text)
    else:
        frac = number(value, percent_ok=False)
        if frac.denominator != 1:
            raise InputProblem(f"cần một số nguyên, gặp '{shown(value)}'")
        out = int(frac)
    if lo is not None and out < lo:
        raise InputProblem(f"{out} nhỏ hơn giá trị thấp nhất cho phép {lo}")
    if hi is not None and out > hi:
        raise InputProblem(f"{out} lớn hơn giá trị cao nhất cho phép {hi}")
    return out


def year(value: Any, today: date) -> int:
    """Return a review year between the first regulation year and next year."""
    y = integer(value, lo=None, hi=None)
    last = today.year + 1
    if not FIRST_REVIEW_YEAR <= y <= last:
        raise InputProblem(
            f"năm đánh giá {y} không được hỗ trợ: phần mềm áp dụng Quy định 124-QĐ/TW (năm 2023-2024) và "
            f"Quy định 366-QĐ/TW (từ năm 2025), nhập năm từ {FIRST_REVIEW_YEAR} đến {last}")
    return y


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_EXCEL_EPOCH = date(1899, 12, 30)


def date_(value: Any, *, lo: date = MIN_DATE, hi: date = MAX_DATE) -> date:
    """Return a date typed as a date, ISO text, "29/11/2023" or an Excel serial number."""
    _refuse_error(value)
    if isinstance(value, datetime):
        out = value.date()
    elif isinstance(value, date):
        out = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (isinstance(value, int) or math.isfinite(value)) or not 1 <= value <= 2958465:
            raise InputProblem(f"ngày không hợp lệ '{shown(value)}' (nhập dạng ngày/tháng/năm, ví dụ 29/11/2023)")
        out = _EXCEL_EPOCH + timedelta(days=int(value))
    elif isinstance(value, str):
        out = _date_text(value)
    else:
        raise InputProblem(f"ngày không hợp lệ '{shown(value)}' (nhập dạng ngày/tháng/năm, ví dụ 29/11/2023)")
    if not lo <= out <= hi:
        raise InputProblem(f"ngày {out:%d/%m/%Y} nằm ngoài khoảng hợp lý ({lo:%d/%m/%Y} - {hi:%d/%m/%Y})")
    return out


def _date_text(value: str) -> date:
    text = value.strip()
    if _non_ascii_digit(text) or len(text) > 40:
        raise InputProblem(f"ngày không hợp lệ '{shown(value)}' (nhập dạng ngày/tháng/năm, ví dụ 29/11/2023)")
    if "T" in text or " " in text:
        head = text.replace("T", " ").split(" ")[0]
        try:
            return date.fromisoformat(head)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InputProblem(f"ngày không hợp lệ '{shown(value)}' (nhập dạng ngày/tháng/năm, ví dụ 29/11/2023)")


_TIME = _Pattern(r"([0-9]{1,2})(?::([0-9]{1,2}))?(?::([0-9]{1,2}))?")


def time_(value: Any) -> time:
    """Return a time of day from a time, an Excel fraction of a day, or "14:00" / "14 giờ 30" / "14h30"."""
    _refuse_error(value)
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InputProblem(f"giờ '{shown(value)}' có múi giờ: chỉ nhập giờ và phút, ví dụ 14:00")
        return value.replace(second=0, microsecond=0)
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        if not 0 <= minutes < 24 * 60:
            raise InputProblem(f"giờ không hợp lệ '{shown(value)}' (ví dụ 14:00)")
        return time(minutes // 60, minutes % 60)
    if isinstance(value, float) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60)
    if isinstance(value, str):
        text = value.strip().lower()
        if "+" in text or text.endswith("z") or re.search(r"\d-\d{2}:?\d{2}$", text):
            raise InputProblem(f"giờ '{shown(value)}' có múi giờ: chỉ nhập giờ và phút, ví dụ 14:00")
        if "t" in text:
            text = text.split("t", 1)[1]
        text = text.replace("giờ", ":").replace("phút", "").replace("h", ":").replace(" ", "").rstrip(":")
        m = _TIME.fullmatch(text) if not _non_ascii_digit(text) else None
        if m:
            h, mi = int(m.group(1)), int(m.group(2) or 0)
            if 0 <= h < 24 and 0 <= mi < 60:
                return time(h, mi)
    raise InputProblem(f"giờ không hợp lệ '{shown(value)}' (ví dụ 14:00)")


_CONTROL = _Pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text(value: Any, *, limit: int = MAX_TEXT) -> str:
    """Return typed text in NFC, stripped; refuse unreadable characters and text Excel could not hold."""
    if value is None:
        return ""
    _refuse_error(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.strftime("%d/%m/%Y")
    out = str(value)
    try:
        out.encode("utf-8")  # C speed: fails only on a lone surrogate (broken encoding)
    except UnicodeEncodeError:
        raise InputProblem("có ký tự không đọc được (lỗi mã hóa): hãy gõ lại đoạn chữ này") from None
    if not out.isascii():
        out = unicodedata.normalize("NFC", out)
    out = out.strip()
    # Printable text holds no control character (they are not printable): the pattern only for the rest.
    if not out.isprintable() and _CONTROL.search(out):
        out = _CONTROL.sub("", out)
    if len(out) > limit:
        raise InputProblem(f"đoạn chữ dài {len(out)} ký tự, vượt giới hạn {limit} ký tự (không thể lưu đủ)")
    return out


def name(value: Any) -> str:
    """Return a name of a person or a collective (any text, at most ``MAX_NAME`` characters, one line)."""
    out = text(value, limit=MAX_NAME)
    if "\n" in out or "\r" in out:
        raise InputProblem("tên phải viết trên một dòng (không xuống dòng)")
    return out
