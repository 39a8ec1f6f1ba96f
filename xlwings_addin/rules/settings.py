"""Rule settings: every choice the regulations leave open, named, with a documented default.

The defaults follow the product brief (DESIGN §4) and regulations.md §5; a meeting may override
any of them (case file ``settings``, workbook sheet "Thông tin hội nghị"). The result records the
settings used and the minutes state them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fractions import Fraction

#: Base for percentages and thresholds (regulations.md §5.2, R30).
BASE_POLICIES = {
    # Current Charter rule (24-QĐ/TW 9.3.2, carried into 294-QĐ/TW): official members convened minus
    # exempt-absent, suspended, temporarily elsewhere and absent with an accepted reason.
    "official_excl_excused": "đảng viên chính thức triệu tập (trừ miễn sinh hoạt vắng mặt, đình chỉ, sinh hoạt tạm thời nơi khác, vắng có lý do)",
    # 2011 reading (45-QĐ/TW 16.3a): excused absentees stay in the base.
    "official_all": "tổng số đảng viên chính thức (trừ miễn sinh hoạt vắng mặt, đình chỉ)",
    # Not sanctioned by any text; offered because some cells use it, and warned about.
    "present": "đảng viên chính thức có mặt",
}

#: Threshold for HTXSNV (R32): the other levels always need more than 1/2 of the base.
HTXS_THRESHOLDS = {"half": "trên 1/2", "two_thirds": "từ 2/3 trở lên"}

#: Who pools the HTXSNV quota (R24).
QUOTA_POOLS = {
    "chi_bo": "trong chi bộ (cấp trên có thể tính chung nhiều chi bộ)",
    "dang_bo": "toàn đảng bộ cơ sở (do đảng ủy tính)",
    "nhom": "nhóm đối tượng tương đồng do cấp có thẩm quyền xác định",
    "chi_bo_co_so": "chi bộ cơ sở (một nhóm duy nhất)",
}

ADMISSION_REFERENCES = {"meeting_date": "ngày họp", "year_end": "ngày 31/12 năm đánh giá"}
CIVIL_SERVICE_LINKS = {"warn": "cảnh báo", "block": "chặn (theo 21-HD/BTCTW cũ)"}


@dataclass(frozen=True)
class RuleSettings:
    """The open parameters of a rule pack (see docs/rules.md for each one's source)."""

    base_policy: str = "official_excl_excused"
    htxs_threshold: str = "half"
    cascade: bool = True
    quorum_warning: Fraction = Fraction(2, 3)
    quorum_note: Fraction = Fraction(85, 100)
    quota_ratio: Fraction = Fraction(1, 5)
    quota_ratio_exceptional: Fraction | None = None  # QĐ 366 only: 25% with the competent level's approval
    quota_pool: str = "chi_bo"
    self_vote: bool = True
    admission_reference: str = "meeting_date"
    probation_months: int = 6
    civil_service_link: str = "warn"

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Fraction):
                value = str(value)
            out[f.name] = value
        return out


_CHOICES = {
    "base_policy": BASE_POLICIES,
    "htxs_threshold": HTXS_THRESHOLDS,
    "quota_pool": QUOTA_POOLS,
    "admission_reference": ADMISSION_REFERENCES,
    "civil_service_link": CIVIL_SERVICE_LINKS,
}


def _parse_fraction(value: object) -> Fraction:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    text = str(value).strip().replace(",", ".")
    if text.endswith("%"):
        return Fraction(text[:-1]) / 100
    return Fraction(text)


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("1", "true", "có", "co", "yes", "bật", "bat", "x"):
        return True
    if text in ("0", "false", "không", "khong", "no", "tắt", "tat", ""):
        return False
    raise ValueError(value)


def apply_overrides(base: RuleSettings, overrides) -> tuple[RuleSettings, list[tuple[str, str]]]:
    """Return ``base`` with the overrides applied, plus (key, Vietnamese problem) pairs for bad ones.

    Unknown keys and bad values are reported, never silently ignored.
    """
    problems: list[tuple[str, str]] = []
    changes: dict = {}
    known = {f.name: f for f in fields(RuleSettings)}
    for key, value in dict(overrides).items():
        if key not in known:
            problems.append((key, f"Thiết lập không có: '{key}'."))
            continue
        current = getattr(base, key)
        try:
            if key in _CHOICES:
                text = str(value).strip()
                if text not in _CHOICES[key]:
                    allowed = ", ".join(_CHOICES[key])
                    raise ValueError(f"giá trị '{text}' không hợp lệ (chọn một trong: {allowed})")
                changes[key] = text
            elif isinstance(current, bool):
                changes[key] = _parse_bool(value)
            elif key == "quota_ratio_exceptional":
                changes[key] = None if value in (None, "") else _parse_fraction(value)
            elif isinstance(current, Fraction):
                changes[key] = _parse_fraction(value)
            elif isinstance(current, int):
                if isinstance(value, bool) or not float(value).is_integer():
                    raise ValueError(value)
                changes[key] = int(float(value))
            else:
                changes[key] = value
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            detail = str(exc) if "không hợp lệ" in str(exc) else f"giá trị '{value}' không hợp lệ"
            problems.append((key, f"Thiết lập '{key}': {detail}."))
    return replace(base, **changes), problems
