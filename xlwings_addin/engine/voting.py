"""Votes: thresholds, the cumulative cascade, show of hands, and their explanations (R29-R35, S19).

These rules are local practice or legacy guidance, not QĐ 124 or QĐ 366 text (regulations.md §5):
every parameter is a setting and every proposal says which rule produced it.
"""

from __future__ import annotations

from typing import Optional

from ..core.levels import LEVELS, Level
from ..core.tally import Count
from ..core.vnformat import percent_vn
from ..rules.base import Cap
from ..rules.settings import RuleSettings


def passes(votes: int, base: int, level: Level, settings: RuleSettings) -> bool:
    """R32: more than 1/2 of the base; HTXSNV optionally at least 2/3."""
    if base <= 0:
        return False
    if level is Level.HTXSNV and settings.htxs_threshold == "two_thirds":
        return 3 * votes >= 2 * base
    return 2 * votes > base


def threshold_label(level: Level, settings: RuleSettings) -> str:
    if level is Level.HTXSNV and settings.htxs_threshold == "two_thirds":
        return "từ 2/3 trở lên"
    return "trên 1/2"


def vote_level(count: Count, base: int, settings: RuleSettings) -> tuple[Optional[Level], str, int]:
    """Return (level, rule, supporting votes) from the votes alone (R32, R33).

    With the cascade on, the proposal is the highest level whose cumulative support (votes for it
    and every higher level) passes; when that level's own votes pass it is a plain majority.
    Taking the highest passing level keeps the rule monotone: one more vote never lowers it.
    """
    best_own: Optional[Level] = None
    for level in LEVELS:
        if passes(count.of(level), base, level, settings):
            best_own = level
            break
    if not settings.cascade:
        if best_own is None:
            return None, "no_majority", 0
        return best_own, "majority", count.of(best_own)
    cumulative = 0
    for level in LEVELS:
        cumulative += count.of(level)
        if passes(cumulative, base, level, settings):
            if count.of(level) == cumulative or (best_own is level):
                return level, "majority", count.of(level)
            return level, "cumulative", cumulative
    return None, "no_majority", 0


def cascade_is_doubtful(count: Count, level: Optional[Level], rule: str) -> bool:
    """A cascade that lands on KHTNV, or a tie for the most votes at the top: ask for a re-vote.

    Landing on KHTNV through accumulated support is the weakest possible reading of a split vote;
    a tie between the two most voted levels means the meeting did not choose.
    """
    if rule == "cumulative" and level is Level.KHTNV:
        return True
    ranked = sorted((count.of(lvl) for lvl in LEVELS), reverse=True)
    return rule == "cumulative" and ranked[0] > 0 and ranked[0] == ranked[1]


def base_phrase(base: int, settings: RuleSettings) -> str:
    if settings.base_policy == "present":
        return f"{base} đảng viên chính thức có mặt"
    return f"{base} đảng viên chính thức"


def explain_vote(count: Count, base: int, level: Optional[Level], rule: str, support: int,
                 settings: RuleSettings, cap: Cap, proposed: Optional[Level]) -> str:
    """One Vietnamese sentence: votes, percentage with its base, the rule, any cap."""
    bp = base_phrase(base, settings)
    if rule == "majority" and level:
        text = (f"{level.label}: {support}/{base} phiếu ({percent_vn(support, base)}) so với {bp}; "
                f"đạt {threshold_label(level, settings)}.")
    elif rule == "cumulative" and level:
        higher = [lvl.short for lvl in LEVELS if lvl >= level]
        text = (f"Không mức nào đạt {threshold_label(level, settings)} riêng; cộng dồn từ mức cao xuống "
                f"({' + '.join(higher)}) được {support}/{base} phiếu ({percent_vn(support, base)}) so với {bp}, "
                f"đề xuất {level.label}.")
    else:
        top = max(LEVELS, key=lambda lvl: (count.of(lvl), lvl.rank))
        text = (f"Không mức nào đạt trên 1/2 so với {bp} (cao nhất: {top.short} {count.of(top)}/{base} phiếu); "
                "cần bỏ phiếu lại hoặc báo cáo cấp ủy xem xét.")
    if proposed is not None and level is not None and proposed < level:
        text += f" Kết quả phiếu là {level.short} nhưng {'; '.join(cap.reasons)} nên đề xuất {proposed.label}."
    return text


def hands_pass(agree: int, base: int, level: Level, settings: RuleSettings) -> bool:
    """A show of hands approves the level put to the vote on the same threshold as ballots (R32).

    More than 1/2 of the base; HTXSNV at least 2/3 with ``htxs_threshold = two_thirds``.
    """
    return passes(agree, base, level, settings)


def explain_hands(agree: int, disagree: int, base: int, level: Level, settings: RuleSettings) -> str:
    bp = base_phrase(base, settings)
    label = threshold_label(level, settings)
    verdict = f"đạt {label}" if hands_pass(agree, base, level, settings) else f"không đạt {label}"
    return (f"Biểu quyết giơ tay mức {level.label}: {agree}/{base} đồng chí tán thành ({percent_vn(agree, base)}) so với {bp}, "
            f"{disagree} không tán thành; {verdict}.")
