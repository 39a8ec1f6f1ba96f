"""Kiểm điểm, đánh giá, xếp loại chất lượng chi bộ và đảng viên: an Excel workflow with a pure Python core.

The package is both a library and a command-line tool (``python -m xlwings_addin``).
"""

__version__ = "0.1.0"
