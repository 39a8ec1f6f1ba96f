"""Small Vietnamese wording helpers for the documents (pure).

Party documents write counts below ten with a leading zero ("04 đồng chí", "01 phiếu"), ratios
as "04/22", decimals with a comma, and end every list item with ";" and the last with ".". The
helpers here keep that the same in every document, so the templates never format anything.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Iterable, Optional

from ..core.levels import LEVELS, Level
from ..core.vnformat import decimal_vn, percent_vn, time_vn

#: A blank to fill by hand inside a sentence (the minutes never invent what was not typed).
INLINE_BLANK = "………………"
#: A blank to the end of the line: the body style has a right tab stop with a dot leader there.
LINE_BLANK = "\t"
#: A blank for a count or a time ("…… giờ ……").
SHORT_BLANK = "……"

_CONTROL = re.compile(r"[\a\f\v\x00-\x08\x0b\x0c\x0e-\x1f]")


def user_text(text: Optional[str]) -> str:
    """Return text typed by the user, trimmed, with control characters docxtpl would act on removed.

    docxtpl turns "\\a" into a new paragraph and "\\f" into a page break; typed text must not be
    able to restructure a signed document. Tabs and line breaks stay (they are harmless).
    """
    if not text:
        return ""
    return _CONTROL.sub(" ", str(text)).strip()


def n2(n: int) -> str:
    """A count as Party documents write it: 1-9 with a leading zero ("04"), 0 and 10+ as they are."""
    return f"{n:02d}" if 0 < n < 10 else str(n)


def count(n: int, unit: str = "đồng chí") -> str:
    """ "04 đồng chí", "22 phiếu". """
    return f"{n2(n)} {unit}"


def ratio(part: int, whole: int) -> str:
    """ "04/22" (both counts padded the same way as in prose)."""
    return f"{n2(part)}/{n2(whole)}"


def ratio_pct(part: int, whole: int) -> str:
    """ "04/22 (18,18%)"."""
    return f"{ratio(part, whole)} ({percent_vn(part, whole)})"


def score(value: Optional[Fraction]) -> str:
    """A score with a decimal comma ("92,5"), or "" when not recorded."""
    return decimal_vn(value) if value is not None else ""


def score_of(value: Optional[Fraction], out_of: int = 100) -> str:
    """ "92,5/100 điểm", or an inline blank when not recorded."""
    return f"{score(value)}/{out_of} điểm" if value is not None else f"{SHORT_BLANK}/{out_of} điểm"


def clock(t) -> str:
    """ "16 giờ 55", or a blank to fill ("…… giờ ……")."""
    return time_vn(t) if t is not None else f"{SHORT_BLANK} giờ {SHORT_BLANK}"


def level_name(level: Optional[Level]) -> str:
    return level.label if level else ""


def join_and(items: Iterable[str]) -> str:
    """ "a, b và c" (Vietnamese enumeration)."""
    items = [x for x in items if x]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def first_sentence(text: str) -> str:
    """The first sentence of an explanation (the engine's explanations may hold two)."""
    text = (text or "").strip()
    m = re.search(r"\.\s+(?=[A-ZĐÀ-Ỹ])", text)
    return text[: m.start() + 1] if m else text


def lower_first(text: str) -> str:
    """Lower-case the first letter of a generic name ("Tập thể lãnh đạo ..." -> "tập thể lãnh đạo ...").

    Named bodies keep their capital ("Chi ủy Chi bộ ...", "Chi bộ ...").
    """
    if text.startswith(("Tập thể", "Ban ")):
        return text[0].lower() + text[1:]
    return text


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def levels_breakdown(counts: dict, whole: int) -> str:
    """ "Hoàn thành xuất sắc nhiệm vụ: 04/22 đồng chí (18,18%); ...; Hoàn thành nhiệm vụ: không" (all four levels)."""
    parts = []
    for lvl in LEVELS:
        n = counts.get(lvl.code, 0)
        parts.append(f"{lvl.label}: {ratio(n, whole)} đồng chí ({percent_vn(n, whole)})" if n else f"{lvl.label}: không")
    return "; ".join(parts)
