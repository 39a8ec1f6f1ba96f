"""Findings: what the rules say about a case, instead of exceptions.

Each finding has a stable code (catalogued in docs/findings.md), a severity, a Vietnamese
message and a location ("Phiếu!F7", a member's name). Exceptions are kept for unreadable input.
"""

from __future__ import annotations

from .record import record


from enum import Enum


class Severity(Enum):
    """How much a finding matters: an error means the result cannot be trusted."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"}[self.value]


@record
class Finding:
    """One coded observation about the case."""

    code: str
    severity: Severity
    message: str
    where: str = ""
    rule: str = ""

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "where": self.where,
            "rule": self.rule,
        }


def error(code: str, message: str, where: str = "", rule: str = "") -> Finding:
    return Finding(code, Severity.ERROR, message, where, rule)


def warning(code: str, message: str, where: str = "", rule: str = "") -> Finding:
    return Finding(code, Severity.WARNING, message, where, rule)


def info(code: str, message: str, where: str = "", rule: str = "") -> Finding:
    return Finding(code, Severity.INFO, message, where, rule)


def has_errors(findings) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
