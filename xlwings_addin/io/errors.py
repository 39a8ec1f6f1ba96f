"""The input and output error types, in a module of their own so that every path can raise and catch
them without importing the readers and writers that define the rest (a button click imports little).
"""

from __future__ import annotations

from pathlib import Path


class CaseFileError(ValueError):
    """Unreadable or invalid input; ``where`` names the place (a sheet and cell, or a JSON path)."""

    def __init__(self, message: str, where: str = ""):
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


class OutputFileError(OSError):
    """An output file could not be written; the message is Vietnamese and names the place."""

    def __init__(self, message: str, path: Path | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return self.message
