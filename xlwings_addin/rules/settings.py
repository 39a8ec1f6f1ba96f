"""Rule settings: every choice the regulations leave open, named, with a documented default.

The defaults follow the product brief (DESIGN §4), regulations.md §5 and qd366-meeting.md §10;
a meeting may override any of them (case file ``rules.settings``, workbook sheet "Hội nghị").
The result records the settings used. Each value is validated against its allowed range: a bad
setting is an error finding naming the setting, never silently ignored.
"""

from __future__ import annotations

from fractions import Fraction

from ..core.record import fields, record, replace
from ..core import inputs

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

#: Who pools the HTXSNV quota (R24, P4).
QUOTA_POOLS = {
    "chi_bo": "trong chi bộ (cấp trên có thể tính chung nhiều chi bộ)",
    "dang_bo": "toàn đảng bộ cơ sở (do đảng ủy tính)",
    "nhom": "nhóm đối tượng tương đồng do cấp có thẩm quyền xác định",
    "chi_bo_co_so": "chi bộ cơ sở (một nhóm duy nhất)",
}

#: What the chi bộ's proposal rests on (qd366-meeting.md §0, S19; DESIGN §4 "Proposal basis").
PROPOSAL_BASES = {
    # QĐ 366 / HD 43: self-scoring, appraisal, proposal; no ballot is prescribed.
    "score": "theo điểm chi bộ chấm và các điều kiện (không cần bỏ phiếu)",
    # A local plan asks for a vote: it confirms the score's level; a disagreement is a warning.
    "score_and_vote": "theo điểm, có biểu quyết hoặc bỏ phiếu xác nhận",
    # QĐ 124 (2023-2024): the vote proposes, the recorded facts cap it.
    "vote": "theo kết quả biểu quyết, bỏ phiếu",
}

ADMISSION_REFERENCES = {"meeting_date": "ngày họp", "year_end": "ngày 31/12 năm đánh giá"}
CIVIL_SERVICE_LINKS = {"warn": "cảnh báo", "block": "chặn (theo 21-HD/BTCTW cũ)"}
MEMBER_DECIDERS = {
    # P10: who decides the members' levels when the chi bộ is itself a chi bộ cơ sở.
    "chi_bo_co_so": "chi bộ cơ sở quyết định xếp loại đảng viên (thực tiễn trước đây)",
    "upper": "cấp ủy cấp trên trực tiếp quyết định",
}
REVIEW_DURATIONS = {"hd43": "ít nhất 01 ngày (Hướng dẫn 43-HD/BTCTW)", "local": "theo quy định của cấp ủy cấp trên"}


@record
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
    proposal_basis: str = "vote"
    vote_overrides_score: bool = False  # score_and_vote: the vote decides (capped by the conditions)
    quota_by_group: bool = True  # QĐ 366: count the cap per form group (2A/2B/2C), P4
    quarter_khtnv_blocks_htxs: bool = False  # S21: a local rule, off by default
    member_decider: str = "chi_bo_co_so"
    review_duration: str = "hd43"

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
    "proposal_basis": PROPOSAL_BASES,
    "member_decider": MEMBER_DECIDERS,
    "review_duration": REVIEW_DURATIONS,
}

#: Allowed ranges of the numeric settings: (lowest, highest), both inclusive unless stated.
_RANGES = {
    "quorum_warning": (Fraction(0), Fraction(1)),
    "quorum_note": (Fraction(0), Fraction(1)),
    # A ratio of 0 would allow no HTXSNV at all; above 1 it is no cap. Exclusive of 0.
    "quota_ratio": (Fraction(0), Fraction(1)),
    "quota_ratio_exceptional": (Fraction(0), Fraction(1)),
    "probation_months": (0, 60),
}


def _parse_fraction(value: object, key: str) -> Fraction:
    if isinstance(value, str) and "/" in value:
        num, _, den = value.partition("/")
        n, d = inputs.number(num, percent_ok=False), inputs.number(den, percent_ok=False)
        if d == 0:
            raise inputs.InputProblem("mẫu số bằng 0")
        out = n / d
    else:
        out = inputs.number(value)
        if isinstance(value, str) and value.strip().endswith("%"):
            out = out / 100
    lo, hi = _RANGES[key]
    if not lo <= out <= hi or (key.startswith("quota") and out == 0):
        raise inputs.InputProblem(f"giá trị {value!r} ngoài khoảng cho phép (lớn hơn 0 và không quá 1, ví dụ 1/5 hoặc 20%)"
                                  if key.startswith("quota") else f"giá trị {value!r} ngoài khoảng cho phép (từ 0 đến 1)")
    return out


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("1", "true", "có", "co", "yes", "bật", "bat", "x"):
        return True
    if text in ("0", "false", "không", "khong", "no", "tắt", "tat", ""):
        return False
    raise inputs.InputProblem(f"giá trị {value!r} không hợp lệ (có/không)")


def parse_setting(key: str, value: object, current: object) -> object:
    """Return the typed value of one setting, or raise ``InputProblem`` with a Vietnamese reason."""
    if key in _CHOICES:
        text = str(value).strip()
        if text not in _CHOICES[key]:
            allowed = ", ".join(_CHOICES[key])
            raise inputs.InputProblem(f"giá trị '{inputs.shown(text)}' không hợp lệ (chọn một trong: {allowed})")
        return text
    if isinstance(current, bool):
        return _parse_bool(value)
    if key == "quota_ratio_exceptional":
        return None if value in (None, "") else _parse_fraction(value, key)
    if isinstance(current, Fraction):
        return _parse_fraction(value, key)
    if isinstance(current, int):
        lo, hi = _RANGES[key]
        return inputs.integer(value, lo=lo, hi=hi)
    return value


def apply_overrides(base: RuleSettings, overrides) -> tuple[RuleSettings, list[tuple[str, str]]]:
    """Return ``base`` with the overrides applied, plus (key, Vietnamese problem) pairs for bad ones.

    Unknown keys and bad values are reported, never silently ignored.
    """
    problems: list[tuple[str, str]] = []
    changes: dict = {}
    known = {f.name for f in fields(RuleSettings)}
    for key, value in dict(overrides).items():
        if key not in known:
            problems.append((str(key), f"Thiết lập không có: '{inputs.shown(key)}'."))
            continue
        try:
            changes[key] = parse_setting(key, value, getattr(base, key))
        except (inputs.InputProblem, TypeError) as exc:
            problems.append((key, f"Thiết lập '{key}': {exc}."))
    return replace(base, **changes), problems
