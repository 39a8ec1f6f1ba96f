"""Build the docxtpl templates for the minutes, the vote-count minutes and the ballots.

The templates are ordinary Word files that users may open and adjust; this script only
makes them reproducible. Every layout number (paper, margins, fonts, sizes, column widths)
comes from a format profile in ``xlwings_addin/documents/profiles/``; this file holds the
structure and the fixed Vietnamese wording, never a measurement.

Usage::

    python templates/build_templates.py                # rebuild templates/*.docx (hd36_2018)
    python templates/build_templates.py --profile hd05_2026 --out hd05-templates

or, from Python, ``build_all(out_dir, profile="hd36_2018")``.

Template rules that matter (shared reference minutes-format.md §6):

- every Jinja tag is written in a single run, so docxtpl never meets a split tag;
- row loops use ``{%tr for %}`` / ``{%tr endfor %}`` alone in their own row;
- paragraph-level loops and conditions use ``{%p ... %}`` alone in their own paragraph;
- the templates hold no logic beyond loops and ifs: the caller passes ready-made strings.

The build is deterministic: core-property dates and zip timestamps are fixed, so a rebuild
yields the same parts (a test compares a fresh build with the committed files).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    # Running as a plain script from a checkout: make the package importable.
    sys.path.insert(0, str(REPO_ROOT))

from xlwings_addin.core.levels import LEVELS  # noqa: E402  (needs the path fix above)

PROFILE_DIR = REPO_ROOT / "xlwings_addin" / "documents" / "profiles"
DEFAULT_PROFILE = "hd36_2018"
TEMPLATE_DIR = Path(__file__).resolve().parent

MINUTES = "bien_ban_hoi_nghi.docx"
VOTE_COUNT = "bien_ban_kiem_phieu.docx"
BALLOTS = "phieu_danh_gia.docx"

# Fixed metadata and zip timestamps: a rebuild must not differ only by the clock.
FIXED_DATETIME = datetime(2024, 1, 1, 0, 0, 0)
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# Paragraph style names (English identifiers; users see them in Word's style list).
S_BODY = "Minutes Body"
S_HEADING = "Minutes Heading"
S_CENTER = "Minutes Center"
S_HEADER_BLOCK = "Header Block"
S_TABLE = "Table Text"
S_ANNEX = "Annex Text"
S_BALLOT = "Ballot Text"
S_SIGNATURE = "Signature"
S_TAG = "Template Tag"


# ---------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------


def load_profile(profile: str | Path | dict = DEFAULT_PROFILE) -> dict:
    """Return a format profile: a dict as given, a JSON path, or a profile name."""
    if isinstance(profile, dict):
        return profile
    path = Path(profile)
    if path.suffix != ".json":
        path = PROFILE_DIR / f"{profile}.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def twips(mm: float) -> int:
    """Convert millimetres to twentieths of a point, the unit of most OOXML widths."""
    return round(mm * 1440 / 25.4)


# ---------------------------------------------------------------------------
# Low-level XML helpers
# ---------------------------------------------------------------------------


def _set_child(parent, tag: str, **attrs: str):
    """Return ``parent``'s child ``tag`` (created if missing) with ``attrs`` set."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for key, value in attrs.items():
        el.set(qn(key), str(value))
    return el


def _set_rfonts(rpr, font: str) -> None:
    """Set all four font slots and drop theme fonts, which would override them."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _insert_in_order(parent, child, successors: Sequence[str]) -> None:
    """Insert ``child`` before the first existing element named in ``successors`` (schema order)."""
    for name in successors:
        found = parent.find(qn(name))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _border_element(tag: str, sides: Iterable[str], val: str, size_eighths: int = 0, space: int = 0):
    """Build a ``w:tblBorders``/``w:pBdr`` element with the same line on every side listed."""
    el = OxmlElement(tag)
    for side in sides:
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), val)
        if val != "nil":
            b.set(qn("w:sz"), str(size_eighths))
            b.set(qn("w:space"), str(space))
            b.set(qn("w:color"), "000000")
        el.append(b)
    return el


# ---------------------------------------------------------------------------
# Document skeleton: styles, page, header, footer
# ---------------------------------------------------------------------------



def _format_paragraph(pf, *, align=None, first_indent_mm=None, left_indent_mm=None, right_indent_mm=None,
                      space_before=None, space_after=None, line_pt=None, keep_next=None) -> None:
    """Set the paragraph-format values that are given (None leaves Word's value), for styles and paragraphs."""
    if align is not None:
        pf.alignment = ALIGN[align]
    if first_indent_mm is not None:
        pf.first_line_indent = Mm(first_indent_mm)
    if left_indent_mm is not None:
        pf.left_indent = Mm(left_indent_mm)
    if right_indent_mm is not None:
        pf.right_indent = Mm(right_indent_mm)
    if space_before is not None:
        pf.space_before = Pt(space_before)
    if space_after is not None:
        pf.space_after = Pt(space_after)
    if line_pt is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    if keep_next is not None:
        pf.keep_with_next = keep_next

class TemplateBuilder:
    """Write one template with python-docx, using the numbers of a format profile."""

    def __init__(self, profile: dict):
        self.p = profile
        self.doc = Document()
        self.font = profile["font"]["name"]
        self._drop_thumbnail()
        self._tune_settings()
        self._setup_fonts()
        self._setup_styles()
        self._setup_page(self.doc.sections[0], landscape=False)
        self._set_core_properties()

    # -- package hygiene -------------------------------------------------------

    def _drop_thumbnail(self) -> None:
        # python-docx's stock package carries a preview picture of its own sample page;
        # Explorer would show it for our template, so drop the relationship (and the part).
        rels = self.doc.part.package.rels
        for key, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del rels[key]

    def _tune_settings(self) -> None:
        settings = self.doc.settings.element
        preview = settings.find(qn("w:savePreviewPicture"))
        if preview is not None:
            settings.remove(preview)
        # Word 2013+ layout: tables start at the margin instead of hanging out by the
        # cell padding, so fixed widths line up with the text block.
        for cs in settings.iter(qn("w:compatSetting")):
            if cs.get(qn("w:name")) == "compatibilityMode":
                cs.set(qn("w:val"), "15")

    def _setup_fonts(self) -> None:
        """Put the profile font in all four rFonts slots of docDefaults and every style.

        python-docx's stock styles use theme fonts (Calibri/Cambria); a run that falls back
        to them on another machine breaks the party layout (minutes-format.md §6.3).
        """
        styles_el = self.doc.styles.element
        rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_rfonts(rpr_default, self.font)
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), self.p["font"]["lang"])
            lang.set(qn("w:eastAsia"), self.p["font"]["lang"])
        for rfonts in list(styles_el.iter(qn("w:rFonts"))):
            _set_rfonts(rfonts.getparent(), self.font)
        ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr_default.find(qn("w:spacing"))
        if spacing is not None:
            ppr_default.remove(spacing)

    def _paragraph_style(self, name: str, base: str = "Normal", *, size=None, bold=None, italic=None,
                         align=None, first_indent_mm=None, space_before=None, space_after=None,
                         line_pt=None, keep_next=None):
        styles = self.doc.styles
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        self._format_style(style, size=size, bold=bold, italic=italic, align=align,
                           first_indent_mm=first_indent_mm, space_before=space_before,
                           space_after=space_after, line_pt=line_pt, keep_next=keep_next)
        return style

    @staticmethod
    def _format_style(style, *, size=None, bold=None, italic=None, align=None, first_indent_mm=None,
                      space_before=None, space_after=None, line_pt=None, keep_next=None):
        if size is not None:
            style.font.size = Pt(size)
        if bold is not None:
            style.font.bold = bold
        if italic is not None:
            style.font.italic = italic
        _format_paragraph(style.paragraph_format, align=align, first_indent_mm=first_indent_mm,
                          space_before=space_before, space_after=space_after, line_pt=line_pt, keep_next=keep_next)

    def _setup_styles(self) -> None:
        p = self.p
        body, table, annex, ballot = p["body"], p["table"], p["annex"], p["ballot"]
        normal = self.doc.styles["Normal"]
        _set_rfonts(normal.element.get_or_add_rPr(), self.font)
        self._format_style(normal, size=body["size_pt"], align="left", space_before=0, space_after=0,
                           line_pt=body["line_spacing_pt"])
        normal.paragraph_format.widow_control = True
        self._paragraph_style(S_BODY, size=body["size_pt"], align="justify",
                              first_indent_mm=body["first_line_indent_mm"], space_after=body["space_after_pt"],
                              line_pt=body["line_spacing_pt"])
        self._paragraph_style(S_HEADING, S_BODY, bold=p["heading"]["bold"], size=p["heading"]["size_pt"],
                              keep_next=True)
        self._paragraph_style(S_CENTER, size=body["size_pt"], align="center", first_indent_mm=0,
                              line_pt=body["line_spacing_pt"])
        self._paragraph_style(S_HEADER_BLOCK, size=p["header"]["upper_body_size_pt"], align="center",
                              first_indent_mm=0, line_pt=p["header"]["line_spacing_pt"])
        self._paragraph_style(S_TABLE, size=table["size_pt"], align="center", first_indent_mm=0,
                              line_pt=table["line_spacing_pt"])
        self._paragraph_style(S_ANNEX, size=annex["size_pt"], align="center", first_indent_mm=0,
                              line_pt=annex["line_spacing_pt"])
        self._paragraph_style(S_BALLOT, size=ballot["table_size_pt"], align="center", first_indent_mm=0,
                              line_pt=ballot["line_spacing_pt"])
        self._paragraph_style(S_SIGNATURE, size=p["signature"]["size_pt"], align="center", first_indent_mm=0,
                              line_pt=body["line_spacing_pt"], keep_next=True)
        # Tag paragraphs vanish on rendering; keep them small so the template stays readable.
        self._paragraph_style(S_TAG, size=body["size_pt"], align="left", first_indent_mm=0,
                              line_pt=body["line_spacing_pt"])

    def _setup_page(self, section, *, landscape: bool) -> None:
        page = self.p["page"]
        width, height = Mm(page["width_mm"]), Mm(page["height_mm"])
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = height, width
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = width, height
        section.top_margin = Mm(page["margin_top_mm"])
        section.bottom_margin = Mm(page["margin_bottom_mm"])
        section.left_margin = Mm(page["margin_left_mm"])
        section.right_margin = Mm(page["margin_right_mm"])
        section.header_distance = Mm(page["header_distance_mm"])
        section.footer_distance = Mm(page["footer_distance_mm"])
        section.gutter = Mm(0)

    def _set_core_properties(self) -> None:
        cp = self.doc.core_properties
        cp.author = "xlwings_addin"
        cp.last_modified_by = "xlwings_addin"
        cp.comments = f"Mẫu docxtpl, bố cục theo hồ sơ định dạng {self.p['name']}"
        cp.created = FIXED_DATETIME
        cp.modified = FIXED_DATETIME
        cp.revision = 1

    def set_title(self, title: str) -> None:
        self.doc.core_properties.title = title

    # -- running header (page number) and footer (data fingerprint) -------------

    def add_page_number_header(self, section) -> None:
        """Centre a PAGE field in the header from page 2 on; page 1 has none (titlePg)."""
        section.different_first_page_header_footer = bool(self.p["page"]["page_number_from_page_2"])
        header = section.header
        header.is_linked_to_previous = False
        par = header.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = Pt(self.p["page_number"]["size_pt"])
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"), ("end", None)):
            run = par.add_run()
            run.font.size = size
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            elif kind == "text":
                run.text = text
            else:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                run._r.append(fld)
        if section.different_first_page_header_footer:
            section.first_page_header.is_linked_to_previous = False

    def add_fingerprint_footer(self, section) -> None:
        """Print the data fingerprint small in the footer of every page, page 1 included."""
        footers = [section.footer]
        if section.different_first_page_header_footer:
            footers.append(section.first_page_footer)
        f = self.p["footer"]
        for footer in footers:
            footer.is_linked_to_previous = False
            par = footer.paragraphs[0]
            par.alignment = ALIGN[f["align"]]
            run = par.add_run("{{ fingerprint }}")
            run.font.size = Pt(f["size_pt"])
            run.font.italic = f["italic"]

    # -- paragraphs ---------------------------------------------------------------

    def par(self, container, runs: Any = "", style: str = S_BODY, *, align=None, bold=None, italic=None,
            size=None, first_indent_mm=None, left_indent_mm=None, right_indent_mm=None, space_before=None,
            space_after=None, line_pt=None, keep_next=None, reuse_first: bool = False):
        """Add a paragraph of one or more runs; each run is ``text`` or ``(text, {bold, italic, size})``.

        A Jinja tag must sit wholly inside one run (docxtpl rule), so callers pass every tag
        as its own run or inside a single run's text.
        """
        if reuse_first and len(container.paragraphs) == 1 and not container.paragraphs[0].text:
            paragraph = container.paragraphs[0]
            paragraph.style = self.doc.styles[style]
        else:
            paragraph = container.add_paragraph(style=style)
        if isinstance(runs, str):
            runs = [runs] if runs else []
        for item in runs:
            text, fmt = (item, {}) if isinstance(item, str) else item
            run = paragraph.add_run(text)
            run_bold = fmt.get("bold", bold)
            run_italic = fmt.get("italic", italic)
            run_size = fmt.get("size", size)
            if run_bold is not None:
                run.font.bold = run_bold
            if run_italic is not None:
                run.font.italic = run_italic
            if run_size is not None:
                run.font.size = Pt(run_size)
            if fmt.get("underline"):
                run.font.underline = True
        _format_paragraph(paragraph.paragraph_format, align=align, first_indent_mm=first_indent_mm,
                          left_indent_mm=left_indent_mm, right_indent_mm=right_indent_mm, space_before=space_before,
                          space_after=space_after, line_pt=line_pt, keep_next=keep_next)
        return paragraph

    def tag(self, container, text: str, reuse_first: bool = False):
        """Add a paragraph that holds only a ``{%p ... %}`` tag (removed on rendering)."""
        return self.par(container, text, S_TAG, reuse_first=reuse_first)

    def optional_list(self, container, items: str, var: str, heading: str, line: str) -> None:
        """A heading and one paragraph per item, all left out when ``items`` is empty."""
        self.tag(container, f"{{%p if {items} %}}")
        self.par(container, heading)
        self.tag(container, f"{{%p for {var} in {items} %}}")
        self.par(container, line)
        self.tag(container, "{%p endfor %}")
        self.tag(container, "{%p endif %}")

    def page_break(self, container) -> None:
        paragraph = self.par(container, "", S_TAG)
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def end_paragraph(self, paragraph) -> None:
        """Shrink a structural paragraph (section end, body end) so it cannot push a page."""
        ppr = paragraph._p.get_or_add_pPr()
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph.paragraph_format.line_spacing = Pt(1)
        paragraph.paragraph_format.space_before = Pt(0)
        paragraph.paragraph_format.space_after = Pt(0)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            _insert_in_order(ppr, rpr, ("w:sectPr", "w:pPrChange"))
        _set_child(rpr, "w:sz", **{"w:val": "2"})
        _set_child(rpr, "w:szCs", **{"w:val": "2"})

    # -- tables -------------------------------------------------------------------

    def table(self, widths_mm: Sequence[float], rows: int, *, borders: bool, cell_margin_mm: float,
              container=None):
        """Add a fixed-layout table: tblLayout fixed, every gridCol and every tcW set.

        LibreOffice (and sometimes Word) ignores widths unless all three agree
        (minutes-format.md §6.3). Borderless tables state "nil" borders explicitly so a
        user's default table style cannot draw lines around the header or signatures.
        """
        container = container or self.doc
        tbl_obj = container.add_table(rows=rows, cols=len(widths_mm))
        tbl = tbl_obj._tbl
        widths = [twips(w) for w in widths_mm]
        tbl_pr = tbl.tblPr
        for child in list(tbl_pr):
            tbl_pr.remove(child)
        _set_child(tbl_pr, "w:tblW", **{"w:w": sum(widths), "w:type": "dxa"})
        _set_child(tbl_pr, "w:tblInd", **{"w:w": 0, "w:type": "dxa"})
        sides = ("top", "left", "bottom", "right", "insideH", "insideV")
        if borders:
            size = round(self.p["table"]["border_width_pt"] * 8)
            tbl_pr.append(_border_element("w:tblBorders", sides, "single", size))
        else:
            tbl_pr.append(_border_element("w:tblBorders", sides, "nil"))
        _set_child(tbl_pr, "w:tblLayout", **{"w:type": "fixed"})
        margins = OxmlElement("w:tblCellMar")
        for side, value in (("top", 0), ("left", twips(cell_margin_mm)), ("bottom", 0),
                            ("right", twips(cell_margin_mm))):
            _set_child(margins, f"w:{side}", **{"w:w": value, "w:type": "dxa"})
        tbl_pr.append(margins)
        _set_child(tbl_pr, "w:tblLook", **{"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0,
                                           "w:firstColumn": 0, "w:lastColumn": 0, "w:noHBand": 1,
                                           "w:noVBand": 1})
        for grid_col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
            grid_col.set(qn("w:w"), str(width))
        self.sync_widths(tbl_obj)
        return tbl_obj

    @staticmethod
    def sync_widths(table) -> None:
        """Set every cell's tcW from the grid (after merges a cell spans several columns)."""
        tbl = table._tbl
        grid = [int(gc.get(qn("w:w"))) for gc in tbl.tblGrid.findall(qn("w:gridCol"))]
        for tr in tbl.findall(qn("w:tr")):
            col = 0
            for tc in tr.findall(qn("w:tc")):
                tc_pr = tc.get_or_add_tcPr()
                span_el = tc_pr.find(qn("w:gridSpan"))
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                tcw = tc_pr.find(qn("w:tcW"))
                if tcw is None:
                    tcw = OxmlElement("w:tcW")
                    tc_pr.insert(0, tcw)
                tcw.set(qn("w:w"), str(sum(grid[col:col + span])))
                tcw.set(qn("w:type"), "dxa")
                col += span

    @staticmethod
    def row_props(row, *, header: bool = False, cant_split: bool = False, min_height_mm: float | None = None):
        tr_pr = row._tr.get_or_add_trPr()
        if cant_split:
            _set_child(tr_pr, "w:cantSplit")
        if min_height_mm:
            _set_child(tr_pr, "w:trHeight", **{"w:val": twips(min_height_mm), "w:hRule": "atLeast"})
        if header:
            _set_child(tr_pr, "w:tblHeader")

    @staticmethod
    def middle(*cells) -> None:
        for cell in cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def tag_row(self, table, text: str, style: str = S_TABLE):
        """Add a row holding one ``{%tr ... %}`` tag in a cell that spans the whole width."""
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1]) if len(row.cells) > 1 else row.cells[0]
        self.par(merged, text, style, align="left", reuse_first=True)
        self.sync_widths(table)
        return row

    # -- shared blocks --------------------------------------------------------------

    def header_block(self, *, with_place_date: bool, with_number: bool) -> None:
        """Add the 36-HD header: issuing body on the left, the Party title and date on the right."""
        h = self.p["header"]
        table = self.table([h["left_col_mm"], h["right_col_mm"]], 1, borders=False,
                           cell_margin_mm=h["cell_margin_mm"])
        left, right = table.rows[0].cells
        self.par(left, "{{ upper_body }}", S_HEADER_BLOCK, size=h["upper_body_size_pt"],
                 bold=h["upper_body_bold"], reuse_first=True)
        self.par(left, "{{ party_cell_upper }}", S_HEADER_BLOCK, size=h["party_cell_size_pt"],
                 bold=h["party_cell_bold"])
        self.par(left, h["asterisk"], S_HEADER_BLOCK, size=h["upper_body_size_pt"])
        if with_number:
            self.tag(left, "{%p if number_line %}")
            self.par(left, "{{ number_line }}", S_HEADER_BLOCK, size=h["number_size_pt"])
            self.tag(left, "{%p endif %}")
        self.par(right, h["party_title_text"], S_HEADER_BLOCK, size=h["party_title_size_pt"], bold=True,
                 reuse_first=True)
        # The rule under the title is the bottom border of a thin empty paragraph, indented
        # so it is as long as the title; a drawn line would float away when users edit.
        indent = max((h["right_col_mm"] - h["rule_length_mm"]) / 2, 0)
        rule = self.par(right, "", S_HEADER_BLOCK, left_indent_mm=indent, right_indent_mm=indent, line_pt=2)
        ppr = rule._p.get_or_add_pPr()
        pbdr = _border_element("w:pBdr", ("bottom",), "single", round(h["rule_width_pt"] * 8), 1)
        _insert_in_order(ppr, pbdr, ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                                     "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                                     "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                                     "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc"))
        if with_place_date:
            self.par(right, "{{ place_date }}", S_HEADER_BLOCK, size=h["place_date_size_pt"],
                     italic=h["place_date_italic"], space_before=h["place_date_space_before_pt"])
        for cell in (left, right):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP

    def title_block(self, doc_type: str, subject_runs: Any) -> None:
        t = self.p["title"]
        self.par(self.doc, doc_type, S_CENTER, bold=True, size=t["doc_type_size_pt"],
                 space_before=t["space_before_pt"], keep_next=True)
        self.par(self.doc, subject_runs, S_CENTER, bold=True, size=t["subject_size_pt"], keep_next=True)
        self.par(self.doc, t["subject_rule_text"], S_CENTER, size=t["subject_size_pt"],
                 space_after=t["space_after_pt"])

    def signature_block(self, left: Sequence[str] | None, right: Sequence[str], container=None) -> None:
        """Add the two-column signature row (cantSplit) with names on the same line.

        ``left``/``right`` are [authority-or-title, title, name] tags; the left column repeats an
        empty line when it has a single heading so both names line up (minutes-format.md §1.4).
        """
        s = self.p["signature"]
        table = self.table([s["col_left_mm"], s["col_right_mm"]], 1, borders=False, cell_margin_mm=0,
                           container=container)
        row = table.rows[0]
        self.row_props(row, cant_split=True)
        cells = row.cells
        for cell, lines in ((cells[0], left), (cells[1], right)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            if not lines:
                self.par(cell, "", S_SIGNATURE, reuse_first=True)
                continue
            first, second, name = lines
            first_bold = s["authority_bold"] if cell is cells[1] else s["left_title_bold"]
            self.par(cell, first, S_SIGNATURE, bold=first_bold, reuse_first=True)
            self.par(cell, second, S_SIGNATURE, bold=s["title_bold"])
            for _ in range(s["blank_lines"]):
                self.par(cell, "", S_SIGNATURE)
            self.par(cell, name, S_SIGNATURE, bold=s["name_bold"], keep_next=False)
        # A small gap above the signatures, as a spacing on the first paragraphs.
        for cell in cells:
            cell.paragraphs[0].paragraph_format.space_before = Pt(s["space_before_pt"])

    def save(self, path: Path) -> Path:
        """Save with fixed zip timestamps so the same profile always gives the same file."""
        buf = io.BytesIO()
        self.doc.save(buf)
        buf.seek(0)
        out = io.BytesIO()
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                fixed.compress_type = zipfile.ZIP_DEFLATED
                fixed.external_attr = 0o644 << 16
                dst.writestr(fixed, src.read(info.filename))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.getvalue())
        return path


# ---------------------------------------------------------------------------
# Shared table pieces
# ---------------------------------------------------------------------------


def _level_shorts() -> list[str]:
    return [level.short for level in LEVELS]


def _results_table(b: TemplateBuilder, columns: list[tuple[str, str, float]], style: str, *,
                   row_var: str, loop: str, line_pt: float, header_lines: int) -> None:
    """Add a results table with a two-row merged header ("Số phiếu" over the four levels).

    ``columns`` lists (key, header, width); key "level" columns are grouped under one
    "Số phiếu (tỷ lệ %)" heading. Data cells show the vote count and, on a second line,
    its percentage. The header rows repeat on every page; data rows never split.
    """
    widths = [w for _, _, w in columns]
    table = b.table(widths, 2, borders=True, cell_margin_mm=b.p["table"]["cell_margin_mm"])
    top, sub = table.rows
    level_idx = [i for i, (key, _, _) in enumerate(columns) if key.startswith("level")]
    first_level, last_level = level_idx[0], level_idx[-1]
    # Merge first: python-docx moves cell content on merge.
    for i, (key, _, _) in enumerate(columns):
        if i not in level_idx:
            top.cells[i].merge(sub.cells[i])
    group = top.cells[first_level].merge(top.cells[last_level])
    b.sync_widths(table)
    bold = b.p["table"]["header_bold"]
    top_cells = {}
    col = 0
    for tc in top._tr.findall(qn("w:tc")):
        top_cells[col] = tc
        span = tc.tcPr.find(qn("w:gridSpan"))
        col += int(span.get(qn("w:val"))) if span is not None else 1
    for i, (key, header, _) in enumerate(columns):
        if i in level_idx:
            continue
        cell = _Cell(top_cells[i], table)
        b.par(cell, header, style, bold=bold, reuse_first=True)
        b.middle(cell)
    b.par(group, "Số phiếu (tỷ lệ %)", style, bold=bold, reuse_first=True)
    b.middle(group)
    sub_col = 0
    for tc in sub._tr.findall(qn("w:tc")):
        if sub_col in level_idx:
            cell = _Cell(tc, table)
            b.par(cell, columns[sub_col][1], style, bold=bold, reuse_first=True)
            b.middle(cell)
        sub_col += 1
    # LibreOffice shrinks a repeated header whose cells merge vertically and cuts off the
    # last line of a wrapped heading; a minimum height on the top row keeps it whole.
    b.row_props(top, header=True, cant_split=True, min_height_mm=header_lines * line_pt * 25.4 / 72)
    b.row_props(sub, header=True, cant_split=True)

    b.tag_row(table, f"{{%tr for {row_var} in {loop} %}}", style)
    data = table.add_row()
    b.sync_widths(table)
    b.row_props(data, cant_split=True)
    for i, (key, _, _) in enumerate(columns):
        cell = data.cells[i]
        b.middle(cell)
        if key.startswith("level"):
            n = key[len("level"):]
            b.par(cell, f"{{{{ {row_var}.v{n} }}}}", style, reuse_first=True)
            b.par(cell, f"{{{{ {row_var}.p{n} }}}}", style)
        elif key in ("name", "role", "note"):
            b.par(cell, f"{{{{ {row_var}.{key} }}}}", style, align="left", reuse_first=True)
        else:
            b.par(cell, f"{{{{ {row_var}.{key} }}}}", style, reuse_first=True)
    b.tag_row(table, "{%tr endfor %}", style)


def _member_columns(widths: dict, *, with_role: bool, with_score: bool, shorts: list[str]) -> list:
    cols: list[tuple[str, str, float]] = [("no", "TT", widths["no"]), ("name", "Họ và tên", widths["name"])]
    if with_role:
        cols += [("role", "Chức vụ (đảng, chính quyền, đoàn thể)", widths["role"]),
                 ("kind", "Loại ĐV", widths["kind"]),
                 ("self_level", "Tự nhận mức", widths["self_level"])]
        if with_score:
            cols.append(("self_score", "Điểm tự chấm", widths["self_score"]))
    cols += [(f"level{i}", short, widths["level"]) for i, short in enumerate(shorts, start=1)]
    cols += [("proposed", "Chi bộ đề nghị mức", widths["proposed"]), ("note", "Ghi chú", widths["note"])]
    return cols


# ---------------------------------------------------------------------------
# The three templates
# ---------------------------------------------------------------------------


def build_minutes(profile: dict, out_path: Path) -> Path:
    """Write the meeting minutes with the results annex in a landscape section."""
    b = TemplateBuilder(profile)
    b.set_title("Biên bản hội nghị kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section)

    b.header_block(with_place_date=profile["header"]["show_place_date_in_minutes"], with_number=True)
    b.title_block("BIÊN BẢN", "{{ subject }}")

    # A. Opening facts.
    b.tag(doc, "{%p for line in legal_basis %}")
    b.par(doc, "{{ line }}")
    b.tag(doc, "{%p endfor %}")
    b.par(doc, "{{ opening }}")

    b.par(doc, "I. THÀNH PHẦN HỘI NGHỊ", S_HEADING)
    b.optional_list(doc, "guests", "g", "Đại biểu cấp trên dự hội nghị:",
                    "- Đồng chí {{ g.name }}{% if g.title %}, {{ g.title }}{% endif %}.")
    b.par(doc, "Đảng viên của chi bộ:")
    b.par(doc, "- {{ attendance.total }}")
    b.par(doc, "- {{ attendance.present }}")
    b.par(doc, "- {{ attendance.absent }}")
    b.tag(doc, "{%p for a in absentees %}")
    b.par(doc, "+ Đồng chí {{ a.name }}, lý do: {{ a.reason }};")
    b.tag(doc, "{%p endfor %}")
    b.par(doc, [("Chủ trì hội nghị: ", {"bold": True}),
                "đồng chí {{ chair.name }}{% if chair.title %}, {{ chair.title }}{% endif %}."])
    b.par(doc, [("Thư ký hội nghị: ", {"bold": True}),
                "đồng chí {{ secretary.name }}{% if secretary.title %}, {{ secretary.title }}{% endif %}."])

    # B. Contents.
    b.par(doc, "II. NỘI DUNG HỘI NGHỊ", S_HEADING)
    b.par(doc, "1. Khai mạc hội nghị", S_HEADING)
    b.par(doc, "Đồng chí {{ chair.name }} tuyên bố lý do, giới thiệu đại biểu; hội nghị thống nhất "
               "thông qua chương trình.")
    b.par(doc, "2. Kiểm điểm tập thể chi bộ", S_HEADING)
    b.par(doc, "Đồng chí {{ chair.name }} trình bày báo cáo kiểm điểm tập thể chi bộ năm {{ year }}: "
               "kết quả đạt được; hạn chế, khuyết điểm và nguyên nhân; kết quả khắc phục hạn chế, "
               "khuyết điểm đã được chỉ ra; phương hướng, biện pháp khắc phục.")
    b.par(doc, "Hội nghị thảo luận, góp ý vào báo cáo kiểm điểm của tập thể chi bộ.")
    b.par(doc, ["Chi bộ tự đánh giá, xếp loại: ", ("{{ cell.self_level }}", {"bold": True}), "."])
    b.par(doc, "3. Kiểm điểm cá nhân đảng viên", S_HEADING)
    b.par(doc, "Từng đảng viên trình bày bản kiểm điểm cá nhân, tự nhận mức xếp loại chất lượng; "
               "hội nghị góp ý cho từng đồng chí. Mức tự nhận của từng đồng chí ghi tại danh sách kèm theo.")
    b.par(doc, "4. Đánh giá, xếp loại chất lượng", S_HEADING)
    b.par(doc, "Hình thức đánh giá: {{ voting_method }}.")
    b.optional_list(doc, "vote_counters", "c", "Hội nghị bầu Ban kiểm phiếu gồm các đồng chí:",
                    "- Đồng chí {{ c.name }}, {{ c.role }};")
    b.par(doc, "{{ rules_line }}")
    b.par(doc, [("a) Đối với chi bộ: ", {"italic": True}),
                "số đảng viên chính thức tham gia đánh giá {{ cell.voters }} đồng chí. Kết quả:"], keep_next=True)
    b.tag(doc, "{%p for v in cell.votes %}")
    b.par(doc, "- {{ v.level }}: {{ v.count }} phiếu, tỷ lệ {{ v.pct }};")
    b.tag(doc, "{%p endfor %}")
    b.par(doc, "{{ cell.sentence }}")
    b.par(doc, [("b) Đối với đảng viên: ", {"italic": True}), "{{ members_sentence }}"])
    b.par(doc, "{{ summary }}")
    b.optional_list(doc, "not_reviewed", "n", "Đảng viên không đánh giá, xếp loại:",
                    "- Đồng chí {{ n.name }}, lý do: {{ n.reason }};")
    b.tag(doc, "{%p if quota_advice %}")
    b.par(doc, "{{ quota_advice }}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p for w in warnings %}")
    b.par(doc, "- {{ w }}")
    b.tag(doc, "{%p endfor %}")
    b.par(doc, "{{ status_note }}")
    b.par(doc, "5. Kết luận hội nghị", S_HEADING)
    b.tag(doc, "{%p if guests %}")
    b.par(doc, "Đại biểu cấp trên phát biểu ý kiến chỉ đạo hội nghị.")
    b.tag(doc, "{%p endif %}")
    b.par(doc, "Đồng chí {{ chair.name }} tiếp thu ý kiến, kết luận hội nghị; đề ra phương hướng, nhiệm vụ "
               "và giải pháp khắc phục hạn chế, khuyết điểm trong năm tới.")

    # C. Closing: both sentences stay with the signature row (keep_with_next).
    b.par(doc, "Hội nghị kết thúc hồi {{ end_time }} cùng ngày.", keep_next=True)
    b.par(doc, "Biên bản đã được đọc lại trước hội nghị và được hội nghị nhất trí thông qua.", keep_next=True)
    b.signature_block(
        ["{{ signature.left_title }}", "", "{{ signature.left_name }}"],
        ["{{ signature.right_authority }}", "{{ signature.right_title }}", "{{ signature.right_name }}"],
    )

    # Results annex: its own section, landscape when the profile says so.
    annex = profile["annex"]
    landscape = annex["orientation"] == "landscape"
    new_section = doc.add_section(WD_SECTION.NEW_PAGE)
    b.end_paragraph(doc.paragraphs[-1])
    b._setup_page(new_section, landscape=landscape)
    new_section.different_first_page_header_footer = False
    b.par(doc, "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {{ year }}", S_CENTER,
          bold=True, size=annex["title_size_pt"], keep_next=True)
    b.par(doc, "{{ annex_caption }}", S_CENTER, italic=True, space_after=6, keep_next=True)
    shorts = _level_shorts()
    # Two tables: with the self-score column (QĐ 366 years) and without it (QĐ 124 years).
    b.tag(doc, "{%p if show_scores %}")
    rows = {"row_var": "m", "loop": "members", "line_pt": annex["line_spacing_pt"],
            "header_lines": annex["header_row_lines"]}
    _results_table(b, _member_columns(annex["columns_with_score_mm"], with_role=True, with_score=True,
                                      shorts=shorts), S_ANNEX, **rows)
    b.tag(doc, "{%p else %}")
    _results_table(b, _member_columns(annex["columns_mm"], with_role=True, with_score=False, shorts=shorts),
                   S_ANNEX, **rows)
    b.tag(doc, "{%p endif %}")
    # Summary and legend travel with the signature so it never stands alone on a page.
    b.par(doc, "{{ summary }}", space_before=6, keep_next=True)
    b.par(doc, "{{ legend }}", italic=True, size=annex["size_pt"], line_pt=annex["line_spacing_pt"],
          first_indent_mm=0, keep_next=True)
    b.signature_block(None, ["{{ signature.right_authority }}", "{{ signature.right_title }}",
                             "{{ signature.right_name }}"])
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


def build_vote_count(profile: dict, out_path: Path) -> Path:
    """Write the biên bản kiểm phiếu (minutes-format.md §4.3)."""
    b = TemplateBuilder(profile)
    b.set_title("Biên bản kiểm phiếu đánh giá, xếp loại chất lượng chi bộ và đảng viên")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section)
    b.header_block(with_place_date=True, with_number=False)
    b.title_block("BIÊN BẢN KIỂM PHIẾU", "đánh giá, xếp loại chất lượng chi bộ và đảng viên năm {{ year }}")

    b.par(doc, "Tại {{ subject }} của {{ party_cell }} (khai mạc hồi {{ start_time }}), "
               "Ban kiểm phiếu do hội nghị bầu gồm các đồng chí:")
    b.tag(doc, "{%p for c in vote_counters %}")
    b.par(doc, "{{ loop.index }}. Đồng chí {{ c.name }}, {{ c.role }};")
    b.tag(doc, "{%p endfor %}")
    b.par(doc, "Ban kiểm phiếu đã tiến hành kiểm phiếu đánh giá, xếp loại chất lượng chi bộ và đảng viên "
               "năm {{ year }}. Kết quả như sau:")

    b.par(doc, "I. TỔNG HỢP SỐ PHIẾU", S_HEADING)
    b.par(doc, "- {{ attendance.total }}")
    b.par(doc, "- {{ attendance.present }}")
    b.par(doc, "- {{ attendance.absent }}")
    b.par(doc, "- Số phiếu phát ra: {{ count_summary.issued }} phiếu.")
    b.par(doc, "- Số phiếu thu về: {{ count_summary.returned }} phiếu.")
    b.par(doc, "- Số phiếu hợp lệ: {{ count_summary.valid }} phiếu.")
    b.par(doc, "- Số phiếu không hợp lệ: {{ count_summary.invalid }} phiếu"
               "{% if count_summary.invalid_reason %} ({{ count_summary.invalid_reason }}){% endif %}.")
    b.par(doc, "{{ rules_line }}")

    b.par(doc, "II. KẾT QUẢ KIỂM PHIẾU", S_HEADING)
    b.par(doc, "1. Đánh giá, xếp loại chất lượng chi bộ", S_HEADING)
    b.par(doc, "Số đảng viên chính thức tham gia đánh giá: {{ cell.voters }} đồng chí.", keep_next=True)
    vc = profile["vote_count"]
    widths = vc["cell_columns_mm"]
    table = b.table([widths["no"], widths["level"], widths["count"], widths["pct"]], 1, borders=True,
                    cell_margin_mm=profile["table"]["cell_margin_mm"])
    head = table.rows[0]
    b.row_props(head, header=True, cant_split=True, min_height_mm=vc["cell_row_height_mm"])
    bold = profile["table"]["header_bold"]
    # keep_with_next on every cell paragraph holds this short table together with the
    # "Mức chi bộ đề nghị" line that follows it.
    for cell, text in zip(head.cells, ("TT", "Mức xếp loại chất lượng", "Số phiếu", "Tỷ lệ %")):
        b.par(cell, text, S_TABLE, bold=bold, reuse_first=True, keep_next=True)
        b.middle(cell)
    b.tag_row(table, "{%tr for v in cell.votes %}")
    row = table.add_row()
    b.sync_widths(table)
    b.row_props(row, cant_split=True, min_height_mm=vc["cell_row_height_mm"])
    for i, (cell, text) in enumerate(zip(row.cells, ("{{ loop.index }}", "{{ v.level }}", "{{ v.count }}",
                                                      "{{ v.pct }}"))):
        b.par(cell, text, S_TABLE, align="left" if i == 1 else None, reuse_first=True, keep_next=True)
        b.middle(cell)
    b.tag_row(table, "{%tr endfor %}")
    b.par(doc, ["Mức chi bộ đề nghị: ", ("{{ cell.proposed }}", {"bold": True}), "."], space_before=6)

    b.par(doc, "2. Đánh giá, xếp loại chất lượng đảng viên", S_HEADING)
    cols = _member_columns(vc["member_columns_mm"], with_role=False, with_score=False, shorts=_level_shorts())
    _results_table(b, cols, S_ANNEX, row_var="m", loop="members", line_pt=vc["line_spacing_pt"],
                   header_lines=vc["header_row_lines"])
    b.par(doc, "{{ summary }}", space_before=6)
    b.optional_list(doc, "not_reviewed", "n", "Đảng viên không đánh giá, xếp loại:",
                    "- Đồng chí {{ n.name }}, lý do: {{ n.reason }};")
    b.par(doc, "{{ legend }}", italic=True, size=vc["size_pt"], line_pt=vc["line_spacing_pt"], first_indent_mm=0,
          keep_next=True)
    b.par(doc, "Biên bản kiểm phiếu được lập xong và công bố trước hội nghị.", keep_next=True, space_before=6)
    b.signature_block(None, ["{{ counter_signature.authority }}", "{{ counter_signature.title }}",
                             "{{ counter_signature.name }}"])
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


def build_ballots(profile: dict, out_path: Path) -> Path:
    """Write the blank ballots: one page per member ballot, then the chi bộ ballots.

    ``ballot.copies`` (a list) repeats each page; rows come from ``ballot_rows`` in roster
    order. A page break separates ballots so each one can be cut or handed out alone.
    """
    b = TemplateBuilder(profile)
    b.set_title("Phiếu đánh giá, xếp loại chất lượng đảng viên và chi bộ")
    doc = b.doc
    bl = profile["ballot"]
    shorts = _level_shorts()
    legend = "; ".join(f"{level.short}: {level.label}" for level in LEVELS) + "."

    # Member ballots.
    b.tag(doc, "{%p for copy in ballot.copies %}", reuse_first=True)
    # Ballots carry the chi bộ identification but no number and no date (§4.1).
    b.header_block(with_place_date=False, with_number=False)
    b.par(doc, "{{ ballot.title }}", S_CENTER, bold=True, size=bl["title_size_pt"],
          space_before=profile["title"]["space_before_pt"])
    b.par(doc, "{{ ballot.subtitle }}", S_CENTER, italic=True, size=bl["subtitle_size_pt"])
    b.par(doc, "{{ ballot.instruction }}", italic=True, size=bl["instruction_size_pt"], space_before=6)
    widths = bl["member_columns_mm"]
    table = b.table([widths["no"], widths["name"]] + [widths["level"]] * len(shorts), 1, borders=True,
                    cell_margin_mm=profile["table"]["cell_margin_mm"])
    head = table.rows[0]
    b.row_props(head, header=True, cant_split=True, min_height_mm=bl["row_height_mm"])
    bold = profile["table"]["header_bold"]
    for cell, text in zip(head.cells, ["TT", "Họ và tên đảng viên"] + shorts):
        b.par(cell, text, S_BALLOT, bold=bold, size=bl["table_header_size_pt"], reuse_first=True)
        b.middle(cell)
    b.tag_row(table, "{%tr for r in ballot_rows %}", S_BALLOT)
    row = table.add_row()
    b.sync_widths(table)
    b.row_props(row, cant_split=True, min_height_mm=bl["row_height_mm"])
    for i, cell in enumerate(row.cells):
        text = {0: "{{ r.no }}", 1: "{{ r.name }}"}.get(i, "")
        b.par(cell, text, S_BALLOT, align="left" if i == 1 else None, reuse_first=True)
        b.middle(cell)
    b.tag_row(table, "{%tr endfor %}", S_BALLOT)
    b.par(doc, legend, italic=True, size=bl["legend_size_pt"], first_indent_mm=0, space_before=6,
          line_pt=bl["legend_line_spacing_pt"])
    # Always a break: the chi bộ ballots (or the next copy) start on a new page.
    b.page_break(doc)
    b.tag(doc, "{%p endfor %}")

    # Chi bộ ballots (skipped when no title is given).
    b.tag(doc, "{%p if ballot.cell_title %}")
    b.tag(doc, "{%p for copy in ballot.copies %}")
    # Ballots carry the chi bộ identification but no number and no date (§4.1).
    b.header_block(with_place_date=False, with_number=False)
    b.par(doc, "{{ ballot.cell_title }}", S_CENTER, bold=True, size=bl["title_size_pt"],
          space_before=profile["title"]["space_before_pt"])
    b.par(doc, "{{ ballot.subtitle }}", S_CENTER, italic=True, size=bl["subtitle_size_pt"])
    b.par(doc, "Đồng chí đánh dấu (X) vào một ô tương ứng với mức xếp loại đề nghị cho chi bộ. Phiếu đánh dấu "
               "nhiều ô hoặc không đánh dấu ô nào là phiếu không hợp lệ.",
          italic=True, size=bl["instruction_size_pt"], space_before=6)
    widths = bl["cell_columns_mm"]
    table = b.table([widths["no"], widths["level"], widths["box"]], 1 + len(LEVELS), borders=True,
                    cell_margin_mm=profile["table"]["cell_margin_mm"])
    for cell, text in zip(table.rows[0].cells, ("TT", "Mức xếp loại chất lượng", "Đánh dấu (X)")):
        b.par(cell, text, S_BALLOT, bold=bold, reuse_first=True)
        b.middle(cell)
    b.row_props(table.rows[0], cant_split=True, min_height_mm=bl["row_height_mm"])
    for index, level in enumerate(LEVELS, start=1):
        row = table.rows[index]
        b.row_props(row, cant_split=True, min_height_mm=bl["cell_row_height_mm"])
        b.par(row.cells[0], str(index), S_BALLOT, reuse_first=True)
        b.par(row.cells[1], level.label, S_BALLOT, align="left", reuse_first=True)
        b.par(row.cells[2], "", S_BALLOT, reuse_first=True)
        b.middle(*row.cells)
    b.tag(doc, "{%p if not loop.last %}")
    b.page_break(doc)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


BUILDERS = {
    MINUTES: build_minutes,
    VOTE_COUNT: build_vote_count,
    BALLOTS: build_ballots,
}


def build_all(out_dir: str | Path = TEMPLATE_DIR, profile: str | Path | dict = DEFAULT_PROFILE) -> list[Path]:
    """Build the three templates into ``out_dir`` and return their paths."""
    prof = load_profile(profile)
    out = Path(out_dir)
    return [builder(prof, out / name) for name, builder in BUILDERS.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo lại các mẫu Word (docxtpl) từ hồ sơ định dạng.")
    parser.add_argument("--profile", default=DEFAULT_PROFILE,
                        help="tên hồ sơ định dạng (hd36_2018, hd05_2026) hoặc đường dẫn tệp JSON")
    parser.add_argument("--out", default=str(TEMPLATE_DIR), help="thư mục ghi các mẫu")
    args = parser.parse_args(argv)
    for path in build_all(args.out, args.profile):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
