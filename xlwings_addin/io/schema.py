"""The workbook schema, defined once: sheet names, where each table starts, its columns.

Both the template builder (``excel/template.py``) and the readers/writers use these definitions, so
a header typed here is the header the reader checks. Sheet and header texts are Vietnamese (what the
secretary sees); keys are English (what the code uses).

Layout 2 (this file): the roster keeps identity, membership, attendance and roles; the QĐ 366 score
sheet ("Chấm điểm") and the QĐ 124 criteria sheet ("Tiêu chí 124") hold the facts of each member in
roster order; the collectives (the chi bộ first) have their own sheet and ballot grid. Workbooks of
layout 1 are recognised and upgraded by the ``upgrade`` command.
"""

from __future__ import annotations



from ..core.record import record
from ..core.models import Attendance, CollectiveKind, DisciplineForm, FormGroup, Membership

LAYOUT_VERSION = 2
#: Written in the hidden key column of "Hội nghị" (cell A1): tells this layout from the first one.
LAYOUT_MARK = "xeploai-layout-2"

# Capacity of the template: rows for members, columns for ballots, rows for collectives.
MAX_MEMBERS = 1000
MAX_BALLOTS = 1000
MAX_COLLECTIVES = 10

SHEET_GUIDE = "Hướng dẫn"
SHEET_MEETING = "Hội nghị"
SHEET_ROSTER = "Danh sách"
SHEET_SCORES = "Chấm điểm"
SHEET_CRITERIA = "Tiêu chí 124"
SHEET_COLLECTIVES = "Tập thể"
SHEET_GRID = "Phiếu đảng viên"
SHEET_TALLY = "Kiểm phiếu tay"
SHEET_CELL = "Phiếu tập thể"
SHEET_RESULTS = "Kết quả"
SHEET_WARNINGS = "Cảnh báo"
SHEET_SUMMARY = "Tổng hợp"
SHEET_LIVE = "Xem nhanh"
SHEET_CONF = "xlwings.conf"

ALL_SHEETS = (SHEET_GUIDE, SHEET_MEETING, SHEET_ROSTER, SHEET_SCORES, SHEET_CRITERIA, SHEET_COLLECTIVES, SHEET_GRID,
              SHEET_TALLY, SHEET_CELL, SHEET_RESULTS, SHEET_WARNINGS, SHEET_SUMMARY, SHEET_LIVE, SHEET_CONF)
#: The sheets of layout 1, for recognising an old workbook.
LAYOUT1_SHEETS = ("Hướng dẫn", "Hội nghị", "Danh sách", "Phiếu đảng viên", "Kiểm phiếu tay", "Phiếu chi bộ", "Kết quả",
                  "Cảnh báo", "Xem nhanh", "xlwings.conf")


def col(i: int) -> str:
    """Return the column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Return the 0-based index of column letters ("A" -> 0, "AA" -> 26)."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def addr(row0: int, col0: int) -> str:
    """Return an A1 address from 0-based row and column."""
    return f"{col(col0)}{row0 + 1}"


def where(sheet: str, row0: int, col0: int) -> str:
    """Return "Sheet!A1" for a cell, as shown to the user."""
    return f"{sheet}!{addr(row0, col0)}"


# --------------------------------------------------------------------------- choices

LEVEL_CHOICES = (("HTXSNV", "HTXSNV"), ("HTTNV", "HTTNV"), ("HTNV", "HTNV"), ("KHTNV", "KHTNV"))
GRADE_CHOICES = (("Xuất sắc", "xuat_sac"), ("Tốt", "tot"), ("Trung bình", "trung_binh"), ("Kém", "kem"))
VOTE_MODES = (("Tự nhận biết", ""), ("Lưới phiếu", "grid"), ("Kiểm phiếu tay", "tally"),
              ("Biểu quyết giơ tay", "hands"), ("Không biểu quyết", "none"))
MEMBERSHIP_CHOICES = tuple((m.label, m.key) for m in Membership)
ATTENDANCE_CHOICES = tuple((a.label, a.key) for a in Attendance)
DISCIPLINE_CHOICES = tuple((d.label, d.key) for d in DisciplineForm)
GROUP_CHOICES = tuple((g.key, g.key) for g in FormGroup)
KIND_CHOICES = tuple((k.label, k.key) for k in CollectiveKind if k is not CollectiveKind.CHI_BO)
#: The first row of "Tập thể" is the chi bộ; its kind cell is fixed text the reader accepts there only.
KIND_READ_CHOICES = KIND_CHOICES + ((CollectiveKind.CHI_BO.label, CollectiveKind.CHI_BO.key),)
CELL_TYPES = (("Chi bộ trực thuộc đảng ủy cơ sở", "truc_thuoc"), ("Chi bộ cơ sở", "co_so"))
PROFILES = (("HD 36-HD/VPTW (2018)", "hd36_2018"), ("HD 05-HD/VPTW (2026, chưa kiểm chứng)", "hd05_2026"))


# --------------------------------------------------------------------------- "Hội nghị"
# A key column (hidden), a label, a value, a second value (a person's title) and a hint.

MEETING_FIRST_ROW = 3  # 0-based row of the first field (row 4 in Excel)


@record
class Field:
    key: str
    label: str
    hint: str = ""
    choices: tuple[tuple[str, object], ...] = ()  # (Vietnamese label shown, key stored in the case)
    kind: str = "text"  # text | long | int | date | time | bool | tribool | level | number | person | choice | formula
    section: str = ""


MEETING_FIELDS: tuple[Field, ...] = (
    Field("review_year", "Năm đánh giá", "Ví dụ 2026. Năm 2023-2024 áp dụng QĐ 124; từ 2025 áp dụng QĐ 366.", kind="int",
          section="THÔNG TIN HỘI NGHỊ"),
    Field("sheets_note", "Sheet cần nhập cho năm này", "Tự ghi theo năm đánh giá", kind="formula"),
    Field("date", "Ngày họp", "Ngày/tháng/năm", kind="date"),
    Field("start_time", "Giờ bắt đầu", "Ví dụ 14:00", kind="time"),
    Field("end_time", "Giờ kết thúc", "Ví dụ 17:00", kind="time"),
    Field("party_cell", "Tên chi bộ", "Ví dụ: Chi bộ Trường Mầm non Song Phượng"),
    Field("upper_body", "Đảng bộ cấp trên", "Dòng đầu tiêu đề, ví dụ: Đảng bộ xã Song Phượng"),
    Field("upper_committee", "Cấp ủy cấp trên", "Ví dụ: Đảng ủy xã Song Phượng"),
    Field("cell_type", "Loại chi bộ", "Chi bộ trực thuộc: đảng ủy cơ sở quyết định; chi bộ cơ sở: ban thường vụ cấp ủy cấp trên",
          CELL_TYPES, kind="choice"),
    Field("under_province", "Đảng bộ cơ sở trực thuộc tỉnh ủy", "Nhập x nếu chi bộ cơ sở trực thuộc tỉnh ủy, thành ủy", kind="bool"),
    Field("intermediate_committee", "Đảng ủy bộ phận (nếu có)", "Đảng ủy bộ phận đề xuất lên đảng ủy cơ sở"),
    Field("decider", "Cấp quyết định (nếu ghi khác)", "Để trống: phần mềm tự xác định theo loại chi bộ"),
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
    Field("voting_method", "Hình thức biểu quyết", "bỏ phiếu kín / biểu quyết giơ tay (để trống nếu không biểu quyết)"),
    Field("basis_1", "Căn cứ 1", "Ví dụ: Quy định số 366-QĐ/TW, ngày 30/08/2025 của Bộ Chính trị ..."),
    Field("basis_2", "Căn cứ 2"),
    Field("basis_3", "Căn cứ 3"),
    Field("basis_4", "Căn cứ 4"),
    Field("basis_5", "Căn cứ 5"),
    Field("document_number", "Số biên bản (nếu có)", "Ví dụ: Số 05-BB/CB; để trống nếu không đánh số"),
    Field("special_unit", "Đơn vị được hoàn thành đến 15/01", "Nhập x nếu có", kind="bool"),
    Field("case_note", "Ghi chú về sổ (nguồn số liệu)", "Không in trong biên bản", kind="long"),
    Field("report_circulated", "Ngày gửi dự thảo báo cáo (Mẫu 01)", "Hướng dẫn 43: ít nhất 03 ngày làm việc trước hội nghị",
          kind="date", section="DIỄN BIẾN HỘI NGHỊ (ghi vào biên bản)"),
    Field("report_presenter", "Người trình bày báo cáo kiểm điểm tập thể", "Để trống: chủ trì"),
    Field("report_opinions", "Ý kiến thảo luận về báo cáo tập thể", "Ghi tóm tắt các ý kiến chính; để trống thì biên bản để dòng trống điền tay",
          kind="long"),
    Field("conclusion", "Kết luận của chủ trì", "Ghi tóm tắt; để trống thì biên bản để dòng trống điền tay", kind="long"),
    Field("program_agree", "Số đồng chí nhất trí thông qua chương trình", "", kind="int"),
    Field("counters_agree", "Số đồng chí nhất trí Ban kiểm phiếu", "", kind="int"),
    Field("adopted_time", "Giờ thông qua biên bản", "Ví dụ 16:45", kind="time"),
    Field("adopted_agree", "Số đồng chí nhất trí thông qua biên bản", "", kind="int"),
    Field("count_start_time", "Ban kiểm phiếu bắt đầu kiểm phiếu lúc", "", kind="time"),
    Field("count_end_time", "Lập xong biên bản kiểm phiếu lúc", "", kind="time"),
    Field("count_place", "Nơi kiểm phiếu", "Để trống: địa điểm họp"),
    Field("members_order", "Thứ tự xếp loại đảng viên", "Số thứ tự trong hội nghị (so với cột Thứ tự ở sheet Tập thể); để trống nếu theo thứ tự quy định",
          kind="int"),
    Field("member_vote_mode", "Cách nhập biểu quyết đảng viên", "Tự nhận biết, Lưới phiếu, Kiểm phiếu tay, Biểu quyết giơ tay hoặc Không biểu quyết",
          VOTE_MODES, kind="choice", section="CÁCH NHẬP PHIẾU"),
    Field("issued", "Số phiếu phát ra (lưới phiếu)", "Để trống nếu bằng số phiếu đã nhập", kind="int"),
    Field("collective_vote_mode", "Cách nhập biểu quyết tập thể", "", VOTE_MODES, kind="choice"),
    Field("rules_id", "Quy định áp dụng", "Để trống: tự chọn theo năm đánh giá",
          (("Tự chọn theo năm", ""), ("QĐ 124-QĐ/TW", "QD124-2023"), ("QĐ 366-QĐ/TW", "QD366-2025")), kind="choice",
          section="THIẾT LẬP (theo hướng dẫn của cấp ủy)"),
    Field("proposal_basis", "Căn cứ đề xuất mức xếp loại", "QĐ 366: theo điểm (mặc định); QĐ 124: theo biểu quyết",
          (("Theo điểm và điều kiện", "score"), ("Theo điểm, biểu quyết xác nhận", "score_and_vote"),
           ("Theo kết quả biểu quyết", "vote")), kind="choice"),
    Field("vote_overrides_score", "Khi biểu quyết khác điểm", "Mặc định giữ mức theo điểm",
          (("Giữ mức theo điểm", False), ("Theo biểu quyết (trong giới hạn điều kiện)", True)), kind="choice"),
    Field("base_policy", "Cơ sở tính tỷ lệ", "Mặc định theo Điều lệ: chính thức trừ vắng có lý do",
          (("Chính thức trừ vắng có lý do", "official_excl_excused"), ("Tất cả đảng viên chính thức", "official_all"),
           ("Chính thức có mặt", "present")), kind="choice"),
    Field("htxs_threshold", "Ngưỡng đề xuất HTXSNV (biểu quyết)", "",
          (("Trên 1/2", "half"), ("Từ 2/3 trở lên", "two_thirds")), kind="choice"),
    Field("cascade", "Khi không mức nào quá 1/2", "",
          (("Cộng dồn từ mức cao xuống", True), ("Báo để bỏ phiếu lại", False)), kind="choice"),
    Field("quota_pool", "Phạm vi tính tỷ lệ HTXSNV", "",
          (("Trong chi bộ (đảng ủy có thể tính chung)", "chi_bo"), ("Toàn đảng bộ cơ sở", "dang_bo"),
           ("Nhóm do cấp ủy xác định", "nhom"), ("Chi bộ cơ sở (một nhóm)", "chi_bo_co_so")), kind="choice"),
    Field("quota_by_group", "Tính tỷ lệ theo nhóm (2A/2B/2C)", "QĐ 366: theo nhóm có chức trách tương đồng",
          (("Theo nhóm 2A/2B/2C", True), ("Chung cả chi bộ", False)), kind="choice"),
    Field("admission_reference", "Mốc tính đủ 6 tháng kết nạp", "",
          (("Ngày họp", "meeting_date"), ("Ngày 31/12", "year_end")), kind="choice"),
    Field("civil_service_link", "Đảng viên cao hơn xếp loại CBCCVC", "",
          (("Cảnh báo", "warn"), ("Chặn", "block")), kind="choice"),
    Field("quarter_khtnv_blocks_htxs", "Quý Không hoàn thành thì không xét HTXSNV", "Quy định riêng của cấp ủy (mặc định không áp dụng)",
          (("Không áp dụng", False), ("Áp dụng", True)), kind="choice"),
    Field("member_decider", "Chi bộ cơ sở: cấp quyết định xếp loại đảng viên", "",
          (("Chi bộ cơ sở", "chi_bo_co_so"), ("Cấp ủy cấp trên", "upper")), kind="choice"),
    Field("review_duration", "Thời gian kiểm điểm", "",
          (("Ít nhất 01 ngày (HD 43)", "hd43"), ("Theo quy định của cấp ủy", "local")), kind="choice"),
    Field("format_profile", "Mẫu trình bày văn bản", "Mặc định HD 36-HD/VPTW", PROFILES, kind="choice"),
    Field("fingerprint_in_minutes", "In mã kiểm tra dữ liệu trên biên bản hội nghị", "Biên bản kiểm phiếu luôn in",
          (("Không", False), ("Có", True)), kind="choice"),
)
MEETING_FIELD_ROWS = {f.key: MEETING_FIRST_ROW + i for i, f in enumerate(MEETING_FIELDS)}
MEETING_LAST_ROW = MEETING_FIRST_ROW + len(MEETING_FIELDS) - 1
#: How far each block holds data, as native formulas in the hidden column G of "Hội nghị" (rows 1-7):
#: the live reader and the live functions read only that much, not the whole capacity.
EXTENT_COL = 6
EXTENTS = ("roster_rows", "scores_rows", "criteria_rows", "grid_rows", "grid_cols", "tally_rows", "cell_cols")

SETTING_KEYS = ("proposal_basis", "vote_overrides_score", "base_policy", "htxs_threshold", "cascade", "quota_pool",
                "quota_by_group", "admission_reference", "civil_service_link", "quarter_khtnv_blocks_htxs", "member_decider",
                "review_duration")


# --------------------------------------------------------------------------- per-member sheets


@record
class Column:
    key: str
    header: str
    width: float = 10
    kind: str = "text"  # text | long | name | int | number | date | bool | tribool | level | choice | grade | formula | ref
    choices: tuple[tuple[str, object], ...] = ()
    hint: str = ""
    group: str = ""  # a heading over several columns (the row above the headers)


def _cols(*columns: Column) -> tuple[Column, ...]:
    return columns


def _index(columns) -> dict:
    return {c.key: i for i, c in enumerate(columns)}


#: Rows shared by the roster and the per-member sheets: the same member is on the same row.
GROUP_ROW = 2  # 0-based: the headings over groups of columns
HEADER_ROW = 3
FIRST_ROW = 4
LAST_ROW = FIRST_ROW + MAX_MEMBERS - 1
ROSTER_HEADER_ROW, ROSTER_FIRST_ROW, ROSTER_LAST_ROW = HEADER_ROW, FIRST_ROW, LAST_ROW

ROSTER_COLUMNS = _cols(
    Column("no", "TT", 5, "formula"),
    Column("name", "Họ và tên", 26, "name"),
    Column("member_id", "Số thẻ đảng viên", 12),
    Column("membership", "Loại đảng viên", 12, "choice", MEMBERSHIP_CHOICES),
    Column("admission_date", "Ngày kết nạp", 12, "date"),
    Column("role", "Chức vụ (đảng, chính quyền, đoàn thể)", 32),
    Column("leadership", "Chi ủy viên", 8, "bool"),
    Column("outside_system", "Ngoài hệ thống chính trị (nghỉ hưu...)", 11, "bool"),
    Column("attendance", "Dự họp", 15, "choice", ATTENDANCE_CHOICES),
    Column("absence_reason", "Lý do vắng", 18),
    Column("exempt", "Miễn sinh hoạt", 9, "bool"),
    Column("suspended", "Đình chỉ sinh hoạt", 9, "bool"),
    Column("temporarily_elsewhere", "Sinh hoạt tạm thời nơi khác", 11, "bool"),
    Column("temporary_cell_comment", "Nhận xét của chi bộ nơi sinh hoạt tạm thời", 22, "long"),
    Column("residence_comment", "Đã có nhận xét nơi cư trú", 10, "tribool"),
    Column("sick_or_maternity", "Nghỉ ốm ≥ 3 tháng / thai sản", 10, "bool"),
    Column("note", "Ghi chú", 24, "long"),
)
ROSTER_INDEX = _index(ROSTER_COLUMNS)

_DISCIPLINE = (
    Column("discipline_form", "Kỷ luật trong năm", 12, "choice", DISCIPLINE_CHOICES, group="KỶ LUẬT, VI PHẠM"),
    Column("discipline_duty", "Liên quan thực thi công vụ", 10, "tribool", group="KỶ LUẬT, VI PHẠM"),
    Column("discipline_remedied", "Tự phát hiện, khắc phục", 10, "bool", group="KỶ LUẬT, VI PHẠM"),
    Column("discipline_earlier", "Vi phạm kỳ trước, nay mới kỷ luật", 11, "bool", group="KỶ LUẬT, VI PHẠM"),
    Column("discipline_previous_unit", "Vi phạm ở đơn vị cũ", 10, "bool", group="KỶ LUẬT, VI PHẠM"),
    Column("degradation", "Bị kết luận suy thoái", 9, "bool", group="KỶ LUẬT, VI PHẠM"),
)
_CONCLUSION = (
    Column("opinions", "Ý kiến góp ý tại hội nghị", 28, "long", group="KẾT LUẬN"),
    Column("comment", "Nhận xét của chi bộ", 28, "long", group="KẾT LUẬN"),
    Column("chi_bo_level", "Mức chi bộ thống nhất (nếu khác)", 11, "level", LEVEL_CHOICES, group="KẾT LUẬN"),
    Column("decided_level", "Cấp ủy quyết định", 10, "level", LEVEL_CHOICES, group="KẾT LUẬN"),
    Column("decision_ref", "Số quyết định", 14, group="KẾT LUẬN"),
)

SCORE_COLUMNS = _cols(
    Column("no", "TT", 5, "formula"),
    Column("name", "Họ và tên (theo Danh sách)", 26, "ref"),
    Column("group", "Mẫu kiểm điểm", 8, "choice", GROUP_CHOICES, "2A lãnh đạo, quản lý; 2B trong hệ thống chính trị; 2C ngoài hệ thống"),
    Column("self_score_common", "Tiêu chí chung (/30)", 9, "number", group="TỰ CHẤM"),
    Column("self_score_results", "Kết quả nhiệm vụ (/70)", 9, "number", group="TỰ CHẤM"),
    Column("self_total", "Tổng tự chấm", 8, "formula", group="TỰ CHẤM"),
    Column("self_level", "Tự nhận mức", 10, "level", LEVEL_CHOICES, group="TỰ CHẤM"),
    Column("score_common", "Tiêu chí chung (/30)", 9, "number", group="CHI BỘ THẨM ĐỊNH"),
    Column("score_results", "Kết quả nhiệm vụ (/70)", 9, "number", group="CHI BỘ THẨM ĐỊNH"),
    Column("score_total", "Tổng điểm", 8, "formula", group="CHI BỘ THẨM ĐỊNH"),
    Column("band", "Khung điểm", 10, "formula", group="CHI BỘ THẨM ĐỊNH"),
    Column("tasks_assigned", "Số nhiệm vụ được giao", 9, "int", group="NHIỆM VỤ TRONG NĂM"),
    Column("tasks_done", "Hoàn thành", 9, "int", group="NHIỆM VỤ TRONG NĂM"),
    Column("tasks_on_time", "Đúng tiến độ, có chất lượng", 10, "int", group="NHIỆM VỤ TRONG NĂM"),
    Column("tasks_exceeded", "Vượt yêu cầu", 9, "int", group="NHIỆM VỤ TRONG NĂM"),
    Column("tasks_late", "Chậm tiến độ", 9, "int", group="NHIỆM VỤ TRONG NĂM"),
    Column("done_pct", "% hoàn thành", 8, "formula", group="NHIỆM VỤ TRONG NĂM"),
    Column("on_time_pct", "% đúng tiến độ", 8, "formula", group="NHIỆM VỤ TRONG NĂM"),
    Column("exceeded_pct", "% vượt", 8, "formula", group="NHIỆM VỤ TRONG NĂM"),
    Column("late_pct", "% chậm", 8, "formula", group="NHIỆM VỤ TRONG NĂM"),
    Column("shortcomings_remedied", "Đã khắc phục hạn chế kỳ trước", 10, "tribool", group="NHIỆM VỤ TRONG NĂM"),
    *_DISCIPLINE,
    Column("prohibited_acts", "Vi phạm điều đảng viên không được làm", 10, "bool", group="KỶ LUẬT, VI PHẠM"),
    Column("example_violation", "Vi phạm trách nhiệm nêu gương", 9, "bool", group="KỶ LUẬT, VI PHẠM"),
    Column("civil_service_level", "Xếp loại CBCCVC", 10, "level", LEVEL_CHOICES, group="CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"),
    Column("unit_assigned", "Nhiệm vụ của đơn vị phụ trách", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("unit_done", "Đơn vị hoàn thành", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("unit_on_time", "Đơn vị đúng tiến độ", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("unit_exceeded", "Đơn vị vượt yêu cầu", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("unit_late", "Đơn vị chậm tiến độ", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("unit_done_pct", "% đơn vị hoàn thành", 8, "formula", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("unit_targets_missed", "Không đạt chỉ tiêu kinh tế - xã hội", 10, "bool", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("units_led", "Số đơn vị phụ trách", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("units_led_khtnv", "Trong đó Không hoàn thành", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("confidence_votes", "Số phiếu lấy tín nhiệm", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("low_confidence_votes", "Trong đó tín nhiệm thấp", 9, "int", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("corruption_in_scope", "Tham nhũng, lãng phí trong phạm vi phụ trách", 11, "bool", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("leader_mitigation", "Đã chủ động phát hiện, xử lý, khắc phục", 11, "bool", group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("q1", "Quý I", 9, "level", LEVEL_CHOICES, group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("q2", "Quý II", 9, "level", LEVEL_CHOICES, group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    Column("q3", "Quý III", 9, "level", LEVEL_CHOICES, group="LÃNH ĐẠO, QUẢN LÝ (MẪU 2A)"),
    *_CONCLUSION,
    Column("rerank_level", "Xếp loại lại (Mẫu 03)", 10, "level", LEVEL_CHOICES, group="KẾT LUẬN"),
    Column("rerank_ref", "Số quyết định xếp loại lại", 14, group="KẾT LUẬN"),
)
SCORE_INDEX = _index(SCORE_COLUMNS)
#: The zero-install floor: totals, bands and percentages as native formulas.
SCORE_FORMULAS = {"self_total": ("self_score_common", "self_score_results"), "score_total": ("score_common", "score_results")}
PCT_FORMULAS = {"done_pct": ("tasks_done", "tasks_assigned"), "on_time_pct": ("tasks_on_time", "tasks_assigned"),
                "exceeded_pct": ("tasks_exceeded", "tasks_assigned"), "late_pct": ("tasks_late", "tasks_assigned"),
                "unit_done_pct": ("unit_done", "unit_assigned")}

CRITERIA_COLUMNS = _cols(
    Column("no", "TT", 5, "formula"),
    Column("name", "Họ và tên (theo Danh sách)", 26, "ref"),
    Column("self_level", "Tự nhận mức", 10, "level", LEVEL_CHOICES, group="TỰ ĐÁNH GIÁ"),
    Column("criteria_grade", "Mức tiêu chí thấp nhất", 12, "grade", GRADE_CHOICES, group="TIÊU CHÍ (QĐ 124)"),
    Column("results_grade", "Mức tiêu chí kết quả thực hiện nhiệm vụ", 12, "grade", GRADE_CHOICES, group="TIÊU CHÍ (QĐ 124)"),
    Column("tasks_completed_pct", "% chỉ tiêu, nhiệm vụ hoàn thành", 10, "number", group="TIÊU CHÍ (QĐ 124)"),
    Column("tasks_exceeded_pct", "% vượt mức", 9, "number", group="TIÊU CHÍ (QĐ 124)"),
    *_DISCIPLINE,
    Column("civil_service_level", "Xếp loại CBCCVC", 10, "level", LEVEL_CHOICES, group="CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"),
    *_CONCLUSION,
)
CRITERIA_INDEX = _index(CRITERIA_COLUMNS)


# --------------------------------------------------------------------------- "Tập thể"

COLL_HEADER_ROW = HEADER_ROW
COLL_FIRST_ROW = FIRST_ROW  # the chi bộ itself; the others below it
COLL_LAST_ROW = COLL_FIRST_ROW + MAX_COLLECTIVES - 1
COLLECTIVE_COLUMNS = _cols(
    Column("no", "TT", 5, "formula"),
    Column("kind", "Loại tập thể", 16, "choice", KIND_READ_CHOICES, "Dòng đầu là chi bộ"),
    Column("name", "Tên tập thể", 28, "name"),
    Column("members", "Thành viên (họ tên theo Danh sách, cách nhau bởi ;)", 30, "long"),
    Column("decider", "Cấp quyết định", 18),
    Column("order", "Thứ tự xếp loại", 8, "int"),
    Column("unit_level", "Kết quả xếp loại của đơn vị", 10, "level", LEVEL_CHOICES),
    Column("review_date", "Ngày kiểm điểm (nếu khác ngày họp)", 12, "date"),
    Column("self_level", "Tự xếp loại", 10, "level", LEVEL_CHOICES, group="TỰ ĐÁNH GIÁ (MẪU 01)"),
    Column("self_score_common", "Tự chấm chung (/30)", 9, "number", group="TỰ ĐÁNH GIÁ (MẪU 01)"),
    Column("self_score_results", "Tự chấm kết quả (/70)", 9, "number", group="TỰ ĐÁNH GIÁ (MẪU 01)"),
    Column("self_total", "Tổng tự chấm", 8, "formula", group="TỰ ĐÁNH GIÁ (MẪU 01)"),
    Column("score_common", "Thẩm định chung (/30)", 9, "number", group="THẨM ĐỊNH"),
    Column("score_results", "Thẩm định kết quả (/70)", 9, "number", group="THẨM ĐỊNH"),
    Column("score_total", "Tổng điểm", 8, "formula", group="THẨM ĐỊNH"),
    Column("band", "Khung điểm", 10, "formula", group="THẨM ĐỊNH"),
    Column("criteria_grade", "Mức tiêu chí thấp nhất (QĐ 124)", 11, "grade", GRADE_CHOICES, group="THẨM ĐỊNH"),
    Column("results_grade", "Mức tiêu chí kết quả (QĐ 124)", 11, "grade", GRADE_CHOICES, group="THẨM ĐỊNH"),
    Column("tasks_completed_pct", "% chỉ tiêu hoàn thành (QĐ 124)", 9, "number", group="THẨM ĐỊNH"),
    Column("tasks_exceeded_pct", "% vượt mức (QĐ 124)", 9, "number", group="THẨM ĐỊNH"),
    Column("tasks_assigned", "Nhiệm vụ kế hoạch", 9, "int", group="NHIỆM VỤ"),
    Column("tasks_done", "Hoàn thành", 9, "int", group="NHIỆM VỤ"),
    Column("tasks_on_time", "Đúng tiến độ, có chất lượng", 10, "int", group="NHIỆM VỤ"),
    Column("tasks_exceeded", "Vượt yêu cầu", 9, "int", group="NHIỆM VỤ"),
    Column("tasks_late", "Chậm tiến độ", 9, "int", group="NHIỆM VỤ"),
    Column("done_pct", "% hoàn thành", 8, "formula", group="NHIỆM VỤ"),
    Column("shortcomings_remedied", "Đã khắc phục hạn chế kỳ trước", 10, "tribool", group="NHIỆM VỤ"),
    Column("disunity", "Mất đoàn kết, bè phái", 9, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("personnel_wrongdoing", "Sai phạm công tác cán bộ", 10, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("targets_missed", "Không đạt chỉ tiêu kinh tế - xã hội", 10, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("leadership_disciplined", "Thành viên lãnh đạo bị kỷ luật (ngoài danh sách)", 11, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("subordinate_disciplined", "Tổ chức trực thuộc bị kỷ luật", 10, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("exception_claimed", "Bất khả kháng hoặc đã tự khắc phục kịp thời", 11, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("exceptional_unit_approved", "Được duyệt tỷ lệ 25% (QĐ 366)", 10, "bool", group="TRƯỜNG HỢP ĐẶC BIỆT"),
    Column("v_htxs", "HTXSNV", 7, "int", group="KIỂM PHIẾU TAY"),
    Column("v_htt", "HTTNV", 7, "int", group="KIỂM PHIẾU TAY"),
    Column("v_ht", "HTNV", 7, "int", group="KIỂM PHIẾU TAY"),
    Column("v_khtnv", "KHTNV", 7, "int", group="KIỂM PHIẾU TAY"),
    Column("v_invalid", "Phiếu không hợp lệ", 8, "int", group="KIỂM PHIẾU TAY"),
    Column("hands_level", "Mức đưa ra biểu quyết", 10, "level", LEVEL_CHOICES, group="BIỂU QUYẾT GIƠ TAY"),
    Column("hands_agree", "Tán thành", 8, "int", group="BIỂU QUYẾT GIƠ TAY"),
    Column("hands_disagree", "Không tán thành", 8, "int", group="BIỂU QUYẾT GIƠ TAY"),
    Column("opinions", "Ý kiến góp ý", 28, "long", group="KẾT LUẬN"),
    Column("comment", "Nhận xét", 28, "long", group="KẾT LUẬN"),
    Column("chi_bo_level", "Mức hội nghị thống nhất (nếu khác)", 11, "level", LEVEL_CHOICES, group="KẾT LUẬN"),
    Column("decided_level", "Cấp có thẩm quyền quyết định", 10, "level", LEVEL_CHOICES, group="KẾT LUẬN"),
    Column("decision_ref", "Số quyết định", 14, group="KẾT LUẬN"),
)
COLLECTIVE_INDEX = _index(COLLECTIVE_COLUMNS)
#: Columns only one regulation uses (a filled workbook hides the other's).
COLLECTIVE_QD124_ONLY = ("criteria_grade", "results_grade", "tasks_completed_pct", "tasks_exceeded_pct")
COLLECTIVE_QD366_ONLY = ("self_score_common", "self_score_results", "self_total", "score_common", "score_results", "score_total",
                         "band", "tasks_assigned", "tasks_done", "tasks_on_time", "tasks_exceeded", "tasks_late", "done_pct",
                         "exceptional_unit_approved")


# --------------------------------------------------------------------------- ballot grids

GRID_HEADER_ROW = 3  # 0-based: ballot numbers
GRID_INVALID_ROW = 4  # "x" marks a whole ballot invalid
GRID_FILLED_ROW = 5  # formula: lines typed per ballot
GRID_FIRST_ROW = 6
GRID_LAST_ROW = GRID_FIRST_ROW + MAX_MEMBERS - 1
GRID_FIXED = ("TT", "Họ và tên", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Dòng không hợp lệ", "Đã nhập")
GRID_FIRST_BALLOT_COL = len(GRID_FIXED)
GRID_LAST_BALLOT_COL = GRID_FIRST_BALLOT_COL + MAX_BALLOTS - 1
GRID_INVALID_LABEL = "Hỏng cả phiếu (x)"
GRID_FILLED_LABEL = "Số dòng đã nhập"

#: The collectives' grid has the same shape; its rows follow the "Tập thể" sheet (names by formula).
CELL_HEADER_ROW, CELL_INVALID_ROW, CELL_FILLED_ROW, CELL_FIRST_ROW = 3, 4, 5, 6
CELL_LAST_ROW = CELL_FIRST_ROW + MAX_COLLECTIVES - 1
CELL_FIXED = ("TT", "Tập thể", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Dòng không hợp lệ", "Đã nhập")
CELL_FIRST_BALLOT_COL = len(CELL_FIXED)
CELL_LAST_BALLOT_COL = CELL_FIRST_BALLOT_COL + MAX_BALLOTS - 1


# --------------------------------------------------------------------------- "Kiểm phiếu tay"

TALLY_ISSUED = (2, 2)  # (row0, col0) of the value cell: C3
TALLY_RETURNED = (3, 2)
TALLY_INVALID = (4, 2)
TALLY_HEADER_ROW = 6
TALLY_FIRST_ROW = 7
TALLY_LAST_ROW = TALLY_FIRST_ROW + MAX_MEMBERS - 1
TALLY_HEADERS = ("TT", "Họ và tên", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Dòng không hợp lệ", "Cộng",
                 "Giơ tay: mức đưa ra", "Tán thành", "Không tán thành")
TALLY_HANDS_COL = 8  # I: the level put to a show of hands; J agree; K disagree


# --------------------------------------------------------------------------- outputs

RESULTS_HEADER_ROW = 9  # 0-based (row 10)
RESULTS_FIRST_ROW = 10
RESULTS_HEADERS = ("TT", "Họ và tên", "Loại", "Mẫu / tập thể", "Diện đánh giá", "Tự chấm", "Chi bộ chấm", "Khung điểm",
                   "HTXSNV", "%", "HTTNV", "%", "HTNV", "%", "KHTNV", "%", "Phiếu hợp lệ", "Trong đó dòng hỏng",
                   "Kết quả biểu quyết", "Đề xuất", "Cách tính", "Giải thích")
# Narrow enough to print landscape across one A4 at about 60% (text near 7 pt), with the reasons wrapped.
RESULTS_WIDTHS = (4, 21, 5, 9, 9, 6, 6, 8, 7, 7, 7, 7, 6, 7, 7, 7, 6, 6, 8, 8, 10, 42)
RESULTS_PROPOSAL_COL = 19  # "Đề xuất"
WARNINGS_HEADER_ROW = 3
WARNINGS_FIRST_ROW = 4
WARNINGS_HEADERS = ("Mức độ", "Mã", "Nội dung", "Vị trí", "Quy tắc")
WARNINGS_WIDTHS = (10, 28, 100, 26, 8)
OUTPUT_MAX_ROWS = MAX_MEMBERS + MAX_COLLECTIVES + 2

#: "Tổng hợp": the report's summary list, a table a machine reads back (the upper committee's input).
SUMMARY_META_ROW = 1  # 0-based: key/value pairs in row 2 (A2:J2)
SUMMARY_HEADER_ROW = 3
SUMMARY_FIRST_ROW = 4
SUMMARY_HEADERS = ("TT", "Họ và tên", "Số thẻ đảng viên", "Loại", "Chức vụ", "Nhóm", "Xếp loại CBCCVC", "Tự nhận mức",
                   "Điểm tự chấm", "Chi bộ đề xuất", "Điểm chi bộ chấm", "Cấp ủy quyết định", "Ghi chú")
SUMMARY_KEYS = ("no", "name", "member_id", "membership", "role", "group", "civil_service_level", "self_level", "self_score",
                "proposed_level", "score", "decided_level", "note")
SUMMARY_META_KEYS = ("chi_bo", "year", "rules", "fingerprint", "upper_committee")

CONF = (("Interpreter_Win", ""), ("Interpreter_Mac", ""), ("PYTHONPATH", ""), ("Conda Path", ""), ("Conda Env", ""),
        ("UDF Modules", "xlwings_addin.excel.udfs"), ("Debug UDFs", "False"), ("Use UDF Server", "False"),
        ("Show Console", "False"))
