"""Vietnamese formatting of numbers, ratios and dates (pure functions).

Conventions from the shared minutes-format reference §5: decimal comma, at most two
decimals with trailing zeros dropped, no space before "%", dates "ngày 05 tháng 12 năm 2025"
with a leading zero for days below 10 and for months 1 and 2 only.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def nfc(text: str) -> str:
    """Return the text in Unicode NFC (precomposed), the form TCVN 6909 expects."""
    return unicodedata.normalize("NFC", text)


def decimal_vn(value: Fraction | int | float | Decimal, places: int = 2) -> str:
    """Format a number with a decimal comma, at most ``places`` decimals, trailing zeros dropped."""
    if isinstance(value, Fraction):
        dec = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        dec = Decimal(str(value))
    quant = Decimal(1).scaleb(-places)
    rounded = dec.quantize(quant, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    integer, _, frac = text.partition(".")
    sign = ""
    if integer.startswith("-"):
        sign, integer = "-", integer[1:]
    # Thousands with a dot, as in "1.234".
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    out = sign + ".".join(groups)
    return out + ("," + frac if frac else "")


@lru_cache(maxsize=4096)
def percent_vn(part: int | Fraction, whole: int | Fraction) -> str:
    """Return part/whole as a Vietnamese percentage: 21 of 22 gives "95,45%", never "100%".

    Cached: a result table asks for the same few hundred (votes, base) pairs thousands of times.
    """
    if not whole:
        return "0%"
    ratio = Fraction(part) * 100 / Fraction(whole)
    text = decimal_vn(ratio)
    # Never let rounding show a non-unanimous result as 100% (21/22 style rule).
    if text == "100" and Fraction(part) != Fraction(whole):
        text = "99,99"
    return text + "%"


def ratio_vn(part: int, whole: int, pad: bool = False) -> str:
    """Return "x/y", optionally zero-padding single-digit counts ("04/22")."""
    if pad:
        return f"{part:02d}/{whole:02d}"
    return f"{part}/{whole}"


def date_long_vn(d: date) -> str:
    """Return "ngày 05 tháng 12 năm 2025": day padded below 10, month padded for 1 and 2 only."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def date_short_vn(d: date) -> str:
    """Return "29/11/2023"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def time_vn(t: time) -> str:
    """Return "14 giờ 00" for a time of day."""
    return f"{t.hour:02d} giờ {t.minute:02d}"


def upper_vn(text: str) -> str:
    """Upper-case Vietnamese text correctly (str.upper handles the tones), in NFC."""
    return nfc(nfc(text).upper())
