"""The draft annex of the committee's decision (.docx, python-docx): lists per level and group.

Layout after HD 36-HD/VPTW as used in the chi bộ's documents: the committee's header on the left
("ĐẢNG BỘ …" over "ĐẢNG ỦY …" and a star), "ĐẢNG CỘNG SẢN VIỆT NAM" on the right, Times New Roman
13-14 pt. A subject is listed at the level the committee decided where typed, else at the level the
pooled cap suggests, and every difference from the chi bộ's proposal is written in the note column:
the draft never hides a change.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Optional
from xml.sax.saxutils import escape

from ..core.levels import LEVELS
from ..core.vnformat import date_long_vn, date_short_vn, decimal_vn, upper_vn
from ..io.files import write_new_file
from .columns import LEVEL_LABELS
from .model import Aggregate
from .pool import GROUP_ORDER, group_label, member_group
from .xlsxpatch import rewrite_parts

FONT = "Times New Roman"
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def _font(run, size: float = 14, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(container, text: str = "", size: float = 14, bold=False, italic=False, underline=False, align="left",
          space_after: float = 0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = container.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if text:
        _font(p.add_run(text), size, bold, italic, underline)
    return p


def _date_line(locality: str, when: Optional[date], year: Optional[int]) -> str:
    place = f"{locality}, " if locality else ""
    if when is None:
        return f"{place}ngày     tháng     năm {year or ''}".rstrip()
    return f"{place}{date_long_vn(when)}"


def _no_borders(table) -> None:
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.makeelement(qn("w:tblBorders"), {})
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "nil"})
        borders.append(el)
    tbl_pr.append(borders)


def _header(doc, committee: str, upper_body: str, locality: str, when: Optional[date], year: Optional[int]) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(first.add_run(upper_vn(upper_body or "Đảng bộ ……………")), 14)
    _para(left, upper_vn(committee or "Đảng ủy ……………"), 14, bold=True, align="center")
    _para(left, "*", 14, align="center")
    r = right.paragraphs[0]
    r.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(r.add_run("ĐẢNG CỘNG SẢN VIỆT NAM"), 15, bold=True, underline=True)
    _para(right, "", 8)
    _para(right, _date_line(locality, when, year), 14, italic=True, align="center")


_TABLE_STYLES = {"AnnexCell": (False, False), "AnnexCellCentre": (False, True), "AnnexHead": (True, True)}
_PLACEHOLDER = "XEPLOAI-TABLE-{}"
_PLACEHOLDER_RE = re.compile(rb"<w:p><w:r><w:t>XEPLOAI-TABLE-(\d+)</w:t></w:r></w:p>")


def _add_table_styles(doc) -> None:
    """Paragraph styles for the table cells: Times New Roman 13 pt, no spacing (bold and centred for the header).

    A commune's list has 250,000 cells; a style named once instead of the font written in every run
    makes the document a third of the size and the annex several times faster to write.
    """
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name, (bold, centre) in _TABLE_STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(13), bold
        fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
        if centre:
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(doc, tables: list, headers: list[str], rows: list[list[str]], widths_cm: list[float]) -> None:
    """A bordered table with a repeated header row, written as WordprocessingML text.

    python-docx's per-cell API costs milliseconds a cell and even one parse of a commune-wide table
    takes seconds, so the body gets a placeholder paragraph and the table's text goes into
    ``tables``; ``_put_tables`` puts it in place of the placeholder in the saved document.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    twips = [int(w * 567) for w in widths_cm]  # 1 cm = 567 twentieths of a point
    centred = {0} | {j for j, h in enumerate(headers) if h in ("Nhóm", "Điểm")}

    def opening(j: int, style: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="{twips[j]}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'

    body_open = [opening(j, "AnnexCellCentre" if j in centred else "AnnexCell") for j in range(len(twips))]
    head_open = [opening(j, "AnnexHead") for j in range(len(twips))]

    def cell(start: list[str], j: int, text) -> str:
        text = str(text)
        run = f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
        return f"{start[j]}{run}</w:p></w:tc>"

    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    head = ('<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
            + "".join(cell(head_open, j, h) for j, h in enumerate(headers)) + "</w:tr>")
    body = "".join("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cell(body_open, j, v) for j, v in enumerate(row)) + "</w:tr>"
                   for row in rows)
    tables.append(f'<w:tbl><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblBorders>{border}</w:tblBorders>'
                  f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>'
                  + "".join(f'<w:gridCol w:w="{t}"/>' for t in twips) + f"</w:tblGrid>{head}{body}</w:tbl>")
    doc.element.body.append(parse_xml(f'<w:p {nsdecls("w")}><w:r><w:t>{_PLACEHOLDER.format(len(tables) - 1)}</w:t></w:r></w:p>'))
    # Keep the section properties last in the body (Word requires them at the end).
    sect = doc.element.body.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr")
    if sect is not None:
        doc.element.body.append(sect)


def _put_tables(data: bytes, tables: list[str]) -> bytes:
    """The saved .docx with each placeholder paragraph replaced by its table."""
    found: list[int] = []

    def table(m) -> bytes:
        found.append(int(m.group(1)))
        return tables[found[-1]].encode("utf-8")

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        out = rewrite_parts(src, lambda name, body: _PLACEHOLDER_RE.sub(table, body) if name == "word/document.xml" else body)
    if sorted(found) != list(range(len(tables))):  # never a document with a table missing
        raise RuntimeError("phụ lục: không đặt được bảng vào văn bản")
    return out


def _score(v) -> str:
    return decimal_vn(v) if v is not None else ""


def _member_note(proposed: str, shown: str, decided: str, tie: bool) -> str:
    notes = []
    if not decided and shown != proposed:
        notes.append(f"Chi bộ đề xuất {proposed}; gợi ý theo tỷ lệ chung")
    elif decided and decided != proposed and proposed:
        notes.append(f"Chi bộ đề xuất {proposed}")
    if tie:
        notes.append("bằng điểm ở ranh giới tỷ lệ, cấp ủy chọn")
    return "; ".join(notes)


def annex_bytes(agg: Aggregate, committee: str = "", upper_body: str = "", decision_no: str = "",
                decision_date: Optional[date] = None, locality: str = "") -> bytes:
    """The annex as .docx bytes."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(2), Cm(2), Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    _add_table_styles(doc)
    tables: list[str] = []
    committee = committee or agg.committee
    upper_body = upper_body or agg.upper_body
    locality = locality or next((c.locality for c in agg.cells if c.locality), "")
    year = agg.review_year
    cells = [c for c in agg.cells if c.review_year == year]
    ties = {(c.file, c.name) for p in agg.pools for c in p.candidates if c.boundary_tie}
    all_decided = all(m.decided for c in cells for m in c.members if m.reviewed) and any(c.members for c in cells)

    _header(doc, committee, upper_body, locality, decision_date, year)
    if not all_decided:
        _para(doc, "DỰ THẢO", 13, bold=True, align="right", space_after=0)
    _para(doc, "", 8)
    _para(doc, "DANH SÁCH", 14, bold=True, align="center")
    _para(doc, f"tổ chức đảng, đảng viên được đánh giá, xếp loại chất lượng năm {year or ''}".rstrip(), 14, bold=True, align="center")
    number = f"{decision_no}" if decision_no else "       -QĐ/ĐU"
    when = date_short_vn(decision_date) if decision_date else "     /     /" + str(year or "")
    who = f" của {committee}" if committee else ""
    _para(doc, f"(Kèm theo Quyết định số {number}, ngày {when}{who})", 14, italic=True, align="center", space_after=6)
    _para(doc, "-----", 14, align="center", space_after=6)
    if not all_decided:
        _para(doc, "Mức của đảng viên, tập thể chưa có quyết định là mức đề xuất của chi bộ, đã tính tỷ lệ Hoàn thành xuất sắc "
                   "nhiệm vụ chung toàn đảng bộ theo từng nhóm; mọi thay đổi so với đề xuất đều ghi ở cột Ghi chú. "
                   "Cấp ủy xem xét, quyết định.", 13, italic=True, align="justify", space_after=6)

    # A. Collectives.
    _para(doc, "A. TỔ CHỨC ĐẢNG, TẬP THỂ", 14, bold=True, space_after=4)
    colls = [(c, t) for c in cells for t in c.collectives if t.reviewed]
    for i, lvl in enumerate(LEVELS):
        rows = []
        for c, t in colls:
            shown = t.decided or agg.collective_suggestion(c, t)
            if shown != lvl.code:
                continue
            rows.append([str(len(rows) + 1), t.name, t.kind_label, c.party_cell if t.kind != "chi_bo" else "", _score(t.score),
                         _member_note(t.proposed, shown, t.decided, (c.file, t.name) in ties)])
        _para(doc, f"{ROMAN[i]}. {LEVEL_LABELS[lvl.code]}: {len(rows)}", 14, bold=True, space_after=3)
        if rows:
            _table(doc, tables, ["TT", "Tên tổ chức đảng, tập thể", "Loại", "Thuộc chi bộ", "Điểm", "Ghi chú"], rows,
                   [1.0, 5.0, 2.5, 3.5, 1.5, 3.0])
        _para(doc, "", 6)

    # B. Members, per level and group.
    _para(doc, "B. ĐẢNG VIÊN", 14, bold=True, space_after=4)
    members = [(c, m) for c in cells for m in c.members if m.reviewed]
    for i, lvl in enumerate(LEVELS):
        at_level = [(c, m) for c, m in members if (m.decided or agg.suggestion(c, m)) == lvl.code]
        _para(doc, f"{ROMAN[i]}. {LEVEL_LABELS[lvl.code]}: {len(at_level)} đồng chí", 14, bold=True, space_after=3)
        groups = sorted({member_group(c, m.group) for c, m in at_level},
                        key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER))
        for k, g in enumerate(groups, 1):
            in_group = [(c, m) for c, m in at_level if member_group(c, m.group) == g]
            if len(groups) > 1 or g != "all":
                _para(doc, f"{k}. {group_label(g)}: {len(in_group)} đồng chí", 14, bold=True, italic=True, space_after=3)
            rows = []
            for c, m in in_group:
                shown = m.decided or agg.suggestion(c, m)
                rows.append([str(len(rows) + 1), m.name, c.party_cell, m.role, _score(m.score),
                             _member_note(m.proposed, shown, m.decided, (c.file, m.name) in ties)])
            _table(doc, tables, ["TT", "Họ và tên", "Chi bộ", "Chức vụ", "Điểm", "Ghi chú"], rows, [1.0, 4.0, 4.0, 3.5, 1.5, 2.5])
            _para(doc, "", 6)

    unranked = [(c, m) for c in cells for m in c.members if not m.reviewed]
    if unranked:
        _para(doc, "C. ĐẢNG VIÊN KHÔNG ĐÁNH GIÁ, XẾP LOẠI", 14, bold=True, space_after=4)
        rows = [[str(i), m.name, c.party_cell, m.not_reviewed_reason] for i, (c, m) in enumerate(unranked, 1)]
        _table(doc, tables, ["TT", "Họ và tên", "Chi bộ", "Lý do"], rows, [1.0, 4.5, 5.0, 6.0])
    out = io.BytesIO()
    doc.save(out)
    return _put_tables(out.getvalue(), tables)


def write_annex(agg: Aggregate, out: Path, **kw) -> Path:
    return write_new_file(annex_bytes(agg, **kw), out)
