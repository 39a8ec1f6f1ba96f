"""The workbook schema, defined once: sheet names, where each table starts, its headers.

Both the template builder (``excel/template.py``) and the readers/writers use these definitions, so
a header typed here is the header the reader checks. Sheet and header texts are Vietnamese (what the
secretary sees); keys are English (what the code uses).
"""

from __future__ import annotations

from dataclasses import dataclass


# Capacity of the template: rows for members and columns for ballots.
MAX_MEMBERS = 400
MAX_BALLOTS = 400

SHEET_GUIDE = "Hướng dẫn"
SHEET_MEETING = "Hội nghị"
SHEET_ROSTER = "Danh sách"
SHEET_GRID = "Phiếu đảng viên"
SHEET_TALLY = "Kiểm phiếu tay"
SHEET_CELL = "Phiếu chi bộ"
SHEET_RESULTS = "Kết quả"
SHEET_WARNINGS = "Cảnh báo"
SHEET_LIVE = "Xem nhanh"
SHEET_CONF = "xlwings.conf"

ALL_SHEETS = (SHEET_GUIDE, SHEET_MEETING, SHEET_ROSTER, SHEET_GRID, SHEET_TALLY, SHEET_CELL,
              SHEET_RESULTS, SHEET_WARNINGS, SHEET_LIVE, SHEET_CONF)


def col(i: int) -> str:
    """Return the column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def addr(row0: int, col0: int) -> str:
    """Return an A1 address from 0-based row and column."""
    return f"{col(col0)}{row0 + 1}"


def where(sheet: str, row0: int, col0: int) -> str:
    """Return "Sheet!A1" for a cell, as shown to the user."""
    return f"{sheet}!{addr(row0, col0)}"


# --------------------------------------------------------------------------- "Hội nghị"
# A key column (hidden), a label, a value, a second value (a person's title) and a hint.

MEETING_FIRST_ROW = 3  # 0-based row of the first field (row 4 in Excel)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (Vietnamese label shown, key stored in the case)
    kind: str = "text"  # text | int | date | time | bool | level | number | grade | person | choice
    section: str = ""


LEVEL_CHOICES = (("HTXSNV", "HTXSNV"), ("HTTNV", "HTTNV"), ("HTNV", "HTNV"), ("KHTNV", "KHTNV"))
GRADE_CHOICES = (("Xuất sắc", "xuat_sac"), ("Tốt", "tot"), ("Trung bình", "trung_binh"), ("Kém", "kem"))
VOTE_MODES = (("Lưới phiếu", "grid"), ("Kiểm phiếu tay", "tally"))

MEETING_FIELDS: tuple[Field, ...] = (
    Field("review_year", "Năm đánh giá", "Ví dụ 2025. Năm 2023-2024 áp dụng QĐ 124; từ 2025 áp dụng QĐ 366.", kind="int", section="THÔNG TIN HỘI NGHỊ"),
    Field("date", "Ngày họp", "Ngày/tháng/năm", kind="date"),
    Field("start_time", "Giờ bắt đầu", "Ví dụ 14:00", kind="time"),
    Field("end_time", "Giờ kết thúc", "Ví dụ 17:00", kind="time"),
    Field("party_cell", "Tên chi bộ", "Ví dụ: Chi bộ Trường Mầm non Song Phượng"),
    Field("upper_body", "Đảng bộ cấp trên", "Dòng đầu tiêu đề, ví dụ: Đảng bộ xã Song Phượng"),
    Field("upper_committee", "Cấp ủy quyết định", "Ví dụ: Đảng ủy xã Song Phượng"),
    Field("locality", "Địa danh", "Dùng ở dòng ngày tháng, ví dụ: Song Phượng"),
    Field("place", "Địa điểm họp"),
    Field("chair", "Chủ trì (họ tên | chức vụ)", "Cột C họ tên, cột D chức vụ", kind="person"),
    Field("secretary", "Thư ký (họ tên | chức vụ)", kind="person"),
    Field("guest_1", "Đại biểu cấp trên 1 (họ tên | chức vụ)", kind="person"),
    Field("guest_2", "Đại biểu cấp trên 2", kind="person"),
    Field("guest_3", "Đại biểu cấp trên 3", kind="person"),
    Field("counter_1", "Ban kiểm phiếu: Trưởng ban", kind="person"),
    Field("counter_2", "Ban kiểm phiếu: Ủy viên", kind="person"),
    Field("counter_3", "Ban kiểm phiếu: Ủy viên", kind="person"),
    Field("voting_method", "Hình thức biểu quyết", "bỏ phiếu kín / biểu quyết giơ tay"),
    Field("basis_1", "Căn cứ 1", "Ví dụ: Quy định số 366-QĐ/TW, ngày 30/08/2025 của Bộ Chính trị ..."),
    Field("basis_2", "Căn cứ 2"),
    Field("basis_3", "Căn cứ 3"),
    Field("basis_4", "Căn cứ 4"),
    Field("basis_5", "Căn cứ 5"),
    Field("document_number", "Số biên bản (nếu có)", "Ví dụ: Số 05-BB/CB; để trống nếu không đánh số"),
    Field("special_unit", "Đơn vị được hoàn thành đến 15/01", "Nhập x nếu có", kind="bool"),
    Field("member_vote_mode", "Cách nhập phiếu đảng viên", "Lưới phiếu (từng phiếu) hoặc Kiểm phiếu tay (số phiếu từng mức)", VOTE_MODES, kind="choice", section="CÁCH NHẬP PHIẾU"),
    Field("issued", "Số phiếu phát ra (lưới phiếu)", "Để trống nếu bằng số phiếu đã nhập", kind="int"),
    Field("cell_vote_mode", "Cách nhập phiếu chi bộ", "", VOTE_MODES, kind="choice"),
    Field("cell_self_level", "Chi bộ tự xếp loại", "", LEVEL_CHOICES, kind="level", section="TỰ ĐÁNH GIÁ CỦA CHI BỘ"),
    Field("cell_self_score_common", "Điểm tự chấm: tiêu chí chung (/30)", "Chỉ từ năm 2025", kind="number"),
    Field("cell_self_score_results", "Điểm tự chấm: kết quả (/70)", "Chỉ từ năm 2025", kind="number"),
    Field("cell_score_common", "Điểm thẩm định: tiêu chí chung (/30)", "Chỉ từ năm 2025", kind="number"),
    Field("cell_score_results", "Điểm thẩm định: kết quả (/70)", "Chỉ từ năm 2025", kind="number"),
    Field("cell_criteria_grade", "Mức tiêu chí thấp nhất (QĐ 124)", "", GRADE_CHOICES, kind="grade"),
    Field("cell_results_grade", "Mức tiêu chí kết quả (QĐ 124)", "", GRADE_CHOICES, kind="grade"),
    Field("cell_tasks_completed_pct", "% nhiệm vụ hoàn thành", "", kind="number"),
    Field("cell_tasks_exceeded_pct", "% nhiệm vụ vượt mức", "", kind="number"),
    Field("cell_tasks_late_pct", "% nhiệm vụ chậm tiến độ", "", kind="number"),
    Field("cell_on_time_with_quality", "Đúng tiến độ, có chất lượng", "x = có; để trống nếu chưa đánh giá; 'không' nếu không", kind="tribool"),
    Field("cell_shortcomings_remedied", "Đã khắc phục hạn chế năm trước", "x = có; 'không' nếu chưa", kind="tribool"),
    Field("cell_leadership_disciplined", "Có chi ủy viên bị kỷ luật", "Nhập x nếu có", kind="bool"),
    Field("cell_subordinate_disciplined", "Có tổ chức trực thuộc bị kỷ luật", "Nhập x nếu có", kind="bool"),
    Field("cell_disunity", "Nội bộ mất đoàn kết", "Nhập x nếu có", kind="bool"),
    Field("cell_exceptional", "Được duyệt tỷ lệ 25% (QĐ 366)", "Nhập x nếu cấp có thẩm quyền cho phép", kind="bool"),
    Field("cell_decided_level", "Cấp ủy quyết định (chi bộ)", "Nhập sau khi có quyết định", LEVEL_CHOICES, kind="level"),
    Field("rules_id", "Quy định áp dụng", "Để trống: tự chọn theo năm đánh giá",
          (("Tự chọn theo năm", ""), ("QĐ 124-QĐ/TW", "QD124-2023"), ("QĐ 366-QĐ/TW", "QD366-2025")), kind="choice", section="THIẾT LẬP (theo hướng dẫn của cấp ủy)"),
    Field("base_policy", "Cơ sở tính tỷ lệ", "Mặc định theo Điều lệ: chính thức trừ vắng có lý do",
          (("Chính thức trừ vắng có lý do", "official_excl_excused"), ("Tất cả đảng viên chính thức", "official_all"),
           ("Chính thức có mặt", "present")), kind="choice"),
    Field("htxs_threshold", "Ngưỡng đề xuất HTXSNV", "",
          (("Trên 1/2", "half"), ("Từ 2/3 trở lên", "two_thirds")), kind="choice"),
    Field("cascade", "Khi không mức nào quá 1/2", "",
          (("Cộng dồn từ mức cao xuống", True), ("Báo để bỏ phiếu lại", False)), kind="choice"),
    Field("quota_pool", "Phạm vi tính tỷ lệ HTXSNV", "",
          (("Trong chi bộ (đảng ủy có thể tính chung)", "chi_bo"), ("Toàn đảng bộ cơ sở", "dang_bo"),
           ("Nhóm do cấp ủy xác định", "nhom"), ("Chi bộ cơ sở (một nhóm)", "chi_bo_co_so")), kind="choice"),
    Field("admission_reference", "Mốc tính đủ 6 tháng kết nạp", "",
          (("Ngày họp", "meeting_date"), ("Ngày 31/12", "year_end")), kind="choice"),
    Field("civil_service_link", "Đảng viên cao hơn xếp loại CBCCVC", "",
          (("Cảnh báo", "warn"), ("Chặn", "block")), kind="choice"),
)
MEETING_FIELD_ROWS = {f.key: MEETING_FIRST_ROW + i for i, f in enumerate(MEETING_FIELDS)}
MEETING_LAST_ROW = MEETING_FIRST_ROW + len(MEETING_FIELDS) - 1
SETTING_KEYS = ("base_policy", "htxs_threshold", "cascade", "quota_pool", "admission_reference", "civil_service_link")


# --------------------------------------------------------------------------- "Danh sách"

@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float = 10
    kind: str = "text"
    choices: tuple[tuple[str, object], ...] = ()
    hint: str = ""


MEMBERSHIP_CHOICES = (("Chính thức", "chinh_thuc"), ("Dự bị", "du_bi"))
ATTENDANCE_CHOICES = (("Có mặt", "co_mat"), ("Vắng có lý do", "vang_co_ly_do"), ("Vắng không lý do", "vang_khong_ly_do"))
DISCIPLINE_CHOICES = (("Khiển trách", "khien_trach"), ("Cảnh cáo", "canh_cao"), ("Cách chức", "cach_chuc"), ("Khai trừ", "khai_tru"))

ROSTER_HEADER_ROW = 3  # 0-based (row 4)
ROSTER_FIRST_ROW = 4
ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("no", "TT", 5),
    Column("name", "Họ và tên", 26),
    Column("membership", "Loại đảng viên", 12, "choice", MEMBERSHIP_CHOICES),
    Column("role", "Chức vụ", 32),
    Column("admission_date", "Ngày kết nạp", 12, "date"),
    Column("attendance", "Dự họp", 15, "choice", ATTENDANCE_CHOICES),
    Column("absence_reason", "Lý do vắng", 18),
    Column("exempt", "Miễn sinh hoạt", 9, "bool"),
    Column("suspended", "Đình chỉ sinh hoạt", 9, "bool"),
    Column("temporarily_elsewhere", "Sinh hoạt tạm thời nơi khác", 11, "bool"),
    Column("leadership", "Chi ủy viên", 8, "bool"),
    Column("self_level", "Tự nhận mức", 10, "level", LEVEL_CHOICES),
    Column("self_score_common", "Tự chấm chung (/30)", 9, "number"),
    Column("self_score_results", "Tự chấm kết quả (/70)", 9, "number"),
    Column("score_common", "Chi bộ chấm chung (/30)", 9, "number"),
    Column("score_results", "Chi bộ chấm kết quả (/70)", 9, "number"),
    Column("criteria_grade", "Mức tiêu chí thấp nhất (QĐ 124)", 11, "grade", GRADE_CHOICES),
    Column("results_grade", "Mức tiêu chí kết quả (QĐ 124)", 11, "grade", GRADE_CHOICES),
    Column("tasks_completed_pct", "% hoàn thành nhiệm vụ", 9, "number"),
    Column("tasks_exceeded_pct", "% vượt mức", 8, "number"),
    Column("tasks_late_pct", "% chậm tiến độ", 8, "number"),
    Column("on_time_with_quality", "Đúng tiến độ, có chất lượng", 10, "tribool"),
    Column("shortcomings_remedied", "Đã khắc phục hạn chế", 10, "tribool"),
    Column("discipline_form", "Kỷ luật trong năm", 12, "choice", DISCIPLINE_CHOICES),
    Column("discipline_duty", "Kỷ luật liên quan công vụ", 10, "tribool"),
    Column("discipline_remedied", "Tự phát hiện, khắc phục", 10, "bool"),
    Column("degradation", "Bị kết luận suy thoái", 9, "bool"),
    Column("prohibited_acts", "Vi phạm điều không được làm", 10, "bool"),
    Column("example_violation", "Vi phạm nêu gương", 9, "bool"),
    Column("civil_service_level", "Xếp loại CBCCVC", 10, "level", LEVEL_CHOICES),
    Column("sick_or_maternity", "Nghỉ ốm ≥ 3 tháng / thai sản", 10, "bool"),
    Column("decided_level", "Cấp ủy quyết định", 10, "level", LEVEL_CHOICES),
    Column("note", "Ghi chú", 24),
)
ROSTER_INDEX = {c.key: i for i, c in enumerate(ROSTER_COLUMNS)}
ROSTER_LAST_ROW = ROSTER_FIRST_ROW + MAX_MEMBERS - 1


# --------------------------------------------------------------------------- "Phiếu đảng viên"

GRID_HEADER_ROW = 3  # 0-based: ballot numbers
GRID_INVALID_ROW = 4  # "x" marks a whole ballot invalid
GRID_FILLED_ROW = 5  # formula: lines typed per ballot
GRID_FIRST_ROW = 6
GRID_LAST_ROW = GRID_FIRST_ROW + MAX_MEMBERS - 1
GRID_FIXED = ("TT", "Họ và tên", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Không hợp lệ", "Đã nhập")
GRID_FIRST_BALLOT_COL = len(GRID_FIXED)
GRID_LAST_BALLOT_COL = GRID_FIRST_BALLOT_COL + MAX_BALLOTS - 1
GRID_INVALID_LABEL = "Hỏng cả phiếu (x)"
GRID_FILLED_LABEL = "Số dòng đã nhập"


# --------------------------------------------------------------------------- "Kiểm phiếu tay"

TALLY_ISSUED = (2, 2)  # (row0, col0) of the value cell: C3
TALLY_RETURNED = (3, 2)
TALLY_INVALID = (4, 2)
TALLY_HEADER_ROW = 6
TALLY_FIRST_ROW = 7
TALLY_LAST_ROW = TALLY_FIRST_ROW + MAX_MEMBERS - 1
TALLY_HEADERS = ("TT", "Họ và tên", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Dòng không hợp lệ", "Cộng")


# --------------------------------------------------------------------------- "Phiếu chi bộ"

CELL_HEADER_ROW = 3
CELL_FIRST_ROW = 4
CELL_LAST_ROW = CELL_FIRST_ROW + MAX_BALLOTS - 1
CELL_HEADERS = ("Phiếu số", "Mức (1-4, x)", "Hỏng cả phiếu (x)")
CELL_TALLY_COL = 5  # F: labels; G: typed counts; H: counted from the ballots (formula)
CELL_TALLY_ROWS = {"HTXSNV": 4, "HTTNV": 5, "HTNV": 6, "KHTNV": 7, "invalid": 8}


# --------------------------------------------------------------------------- outputs

RESULTS_HEADER_ROW = 9  # 0-based (row 10)
RESULTS_FIRST_ROW = 10
RESULTS_HEADERS = ("TT", "Họ và tên", "Loại", "Diện đánh giá", "HTXSNV", "%", "HTTNV", "%", "HTNV", "%", "KHTNV", "%",
                   "Hợp lệ", "Không hợp lệ", "Kết quả phiếu", "Đề xuất", "Cách tính", "Giải thích")
RESULTS_WIDTHS = (5, 26, 6, 12, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7, 10, 10, 16, 70)
RESULTS_PROPOSAL_COL = 15  # "Đề xuất"
WARNINGS_HEADER_ROW = 3
WARNINGS_FIRST_ROW = 4
WARNINGS_HEADERS = ("Mức độ", "Mã", "Nội dung", "Vị trí", "Quy tắc")
WARNINGS_WIDTHS = (10, 28, 100, 26, 8)
OUTPUT_MAX_ROWS = MAX_MEMBERS + 2

CONF = (("Interpreter_Win", ""), ("Interpreter_Mac", ""), ("PYTHONPATH", ""), ("Conda Path", ""), ("Conda Env", ""),
        ("UDF Modules", "xlwings_addin.excel.udfs"), ("Debug UDFs", "False"), ("Use UDF Server", "False"),
        ("Show Console", "False"))
