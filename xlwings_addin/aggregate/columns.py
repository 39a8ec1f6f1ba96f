"""The summary workbook's layout, defined once (pure): sheet names, column keys and Vietnamese headers.

The writer puts these headers in row 1 of each sheet; the write-back command and the multi-year
reader find their columns by the same headers, so a committee may reorder or hide columns freely.
"""

from __future__ import annotations

FORMAT_MARK = "xeploai-tong-hop"  # in the info sheet: tells our summary workbook from a chi bộ's
FORMAT_VERSION = 1

SHEET_INFO = "Thông tin"
SHEET_CELLS = "Chi bộ"
SHEET_MEMBERS = "Đảng viên"
SHEET_COLLECTIVES = "Tập thể"
SHEET_GROUPS = "Theo nhóm"
SHEET_LEVELS = "Theo mức"
SHEET_POOLS = "Tỷ lệ HTXSNV"
SHEET_CANDIDATES = "Thứ tự xét HTXSNV"
SHEET_HISTORY = "Nhiều năm"
SHEET_PROBLEMS = "Kiểm tra"

#: (key, header, width)
CELL_COLUMNS = (
    ("no", "TT", 5), ("cell", "Chi bộ", 34), ("year", "Năm", 7), ("rules", "Quy định", 12), ("source", "Nguồn số liệu", 22),
    ("members", "Số đảng viên", 9), ("reviewed", "Được đánh giá", 9), ("HTXSNV", "HTXSNV", 8), ("HTTNV", "HTTNV", 8),
    ("HTNV", "HTNV", 8), ("KHTNV", "KHTNV", 8), ("unranked", "Chưa có mức", 8), ("cell_level", "Chi bộ tự đề xuất", 11),
    ("fingerprint", "Mã kiểm tra dữ liệu", 13), ("fingerprint_undecided", "Mã dữ liệu không tính quyết định", 13), ("signed", "Mã trên biên bản đã ký", 13), ("signed_ok", "Khớp mã", 9),
    ("errors", "Lỗi chưa xử lý", 8), ("warnings", "Cảnh báo", 8), ("file", "Tệp", 40),
)

MEMBER_COLUMNS = (
    ("no", "TT", 6), ("year", "Năm", 7), ("cell", "Chi bộ", 30), ("name", "Họ và tên", 24), ("member_id", "Số thẻ đảng viên", 12),
    ("admission_date", "Ngày kết nạp", 11), ("membership", "Loại", 6), ("role", "Chức vụ", 24), ("group", "Nhóm", 7),
    ("reviewed", "Diện đánh giá", 12), ("self_score", "Điểm tự chấm", 8), ("score", "Điểm chi bộ chấm", 8),
    ("results_score", "Điểm kết quả nhiệm vụ", 9), ("htxs_share", "Tỷ lệ phiếu HTXSNV", 9), ("proposed", "Chi bộ đề xuất", 10),
    ("suggestion", "Gợi ý theo tỷ lệ chung", 11), ("decided", "Cấp ủy quyết định", 11), ("decision_ref", "Số quyết định", 14),
    ("previous_level", "Mức năm trước", 10), ("change", "So với năm trước", 14), ("streak", "Số năm HTXSNV liên tiếp", 10),
    ("five_years", "Đủ 5 năm HTXSNV liên tiếp", 10), ("note", "Ghi chú", 30), ("file", "Tệp", 36), ("row", "Dòng trong sổ", 7),
)
HISTORY_KEYS = ("previous_level", "change", "streak", "five_years")

COLLECTIVE_COLUMNS = (
    ("no", "TT", 5), ("year", "Năm", 7), ("cell", "Chi bộ", 30), ("kind", "Loại tập thể", 16), ("name", "Tập thể", 34),
    ("score", "Điểm thẩm định", 8), ("htxs_share", "Tỷ lệ phiếu HTXSNV", 9), ("proposed", "Hội nghị đề xuất", 10),
    ("suggestion", "Gợi ý theo tỷ lệ chung", 11), ("decided", "Cấp ủy quyết định", 11), ("decision_ref", "Số quyết định", 14),
    ("decider", "Cấp quyết định", 20), ("note", "Ghi chú", 30), ("file", "Tệp", 36), ("row", "Dòng trong sổ", 7),
)

POOL_COLUMNS = (
    ("pool", "Nhóm tính tỷ lệ", 44), ("ratio", "Tỷ lệ tối đa", 9), ("reviewed", "Được đánh giá", 9), ("htt", "Đề xuất HTTNV", 9),
    ("proposed", "Đề xuất HTXSNV", 9), ("share", "HTXSNV/HTTNV", 10), ("limit", "Tối đa theo tỷ lệ", 9),
    ("exceeded", "Vượt tỷ lệ", 8), ("max_compliant", "Số lớn nhất phù hợp nếu chuyển bớt", 12),
    ("suggested", "Gợi ý giữ HTXSNV", 9), ("order_by", "Thứ tự xét theo", 24), ("ties", "Bằng nhau ở ranh giới", 10),
)

CANDIDATE_COLUMNS = (
    ("pool", "Nhóm tính tỷ lệ", 40), ("rank", "Thứ tự", 7), ("name", "Họ và tên / tập thể", 30), ("cell", "Chi bộ", 30),
    ("score", "Điểm chi bộ chấm", 8), ("results_score", "Điểm kết quả nhiệm vụ", 9), ("htxs_share", "Tỷ lệ phiếu HTXSNV", 9),
    ("tie", "Bằng điểm", 8), ("suggestion", "Gợi ý (cấp ủy quyết định)", 26), ("file", "Tệp", 36),
)

PROBLEM_COLUMNS = (
    ("no", "TT", 5), ("severity", "Mức độ", 9), ("code", "Mã", 24), ("message", "Nội dung", 90), ("file", "Tệp", 36),
    ("where", "Sheet, ô", 18),
)

LEVEL_LABELS = {"HTXSNV": "Hoàn thành xuất sắc nhiệm vụ", "HTTNV": "Hoàn thành tốt nhiệm vụ", "HTNV": "Hoàn thành nhiệm vụ",
                "KHTNV": "Không hoàn thành nhiệm vụ"}


def headers(columns) -> list[str]:
    return [h for _, h, _ in columns]


def header_of(columns, key: str) -> str:
    for k, h, _ in columns:
        if k == key:
            return h
    raise KeyError(key)
