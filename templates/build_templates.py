"""Build the docxtpl templates: the minutes, the vote-count minutes, the ballots and the pack sent up
(extract of the minutes, report, score forms, notice), for every format profile.

The templates are ordinary Word files that users may open and adjust; this script only
makes them reproducible. Every layout number (paper, margins, fonts, sizes, column widths)
comes from a format profile in ``xlwings_addin/documents/profiles/``; this file holds the
structure and the fixed Vietnamese wording, never a measurement.

Usage::

    python templates/build_templates.py                 # every profile: templates/*.docx (hd36_2018)
                                                        # and templates/hd05_2026/*.docx
    python templates/build_templates.py --profile hd05_2026 --out other-folder

or, from Python, ``build_every_profile(out_dir)`` / ``build_all(out_dir, profile="hd36_2018")``.

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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
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

#: A run holding only this is a line break (two headings in one paragraph).
LINE_BREAK = "\n"


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
        self._prev_keep: dict = {}  # per container element: its last content paragraph keeps with the next
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
        body_style = self._paragraph_style(S_BODY, size=body["size_pt"], align="justify",
                                           first_indent_mm=body["first_line_indent_mm"],
                                           space_after=body["space_after_pt"], line_pt=body["line_spacing_pt"])
        # A tab in the text runs to the right margin as a dotted line: the context writes "\t" where a
        # fact was not typed in, so the secretary fills it by hand on the printed minutes.
        page = p["page"]
        text_width = page["width_mm"] - page["margin_left_mm"] - page["margin_right_mm"]
        body_style.paragraph_format.tab_stops.add_tab_stop(Mm(text_width), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        # Left-aligned: a justified heading line that ends in a line break is stretched across the page.
        heading = self._paragraph_style(S_HEADING, S_BODY, bold=p["heading"]["bold"], size=p["heading"]["size_pt"],
                                        keep_next=True, align="left")
        heading.paragraph_format.keep_together = True
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

    def add_fingerprint_footer(self, section, tag: str = "{{ fingerprint }}") -> None:
        """Print the data fingerprint (``tag``, empty when turned off) small in the footer of every page."""
        footers = [section.footer]
        if section.different_first_page_header_footer:
            footers.append(section.first_page_footer)
        f = self.p["footer"]
        for footer in footers:
            footer.is_linked_to_previous = False
            par = footer.paragraphs[0]
            par.alignment = ALIGN[f["align"]]
            run = par.add_run(tag)
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
        if style == S_HEADING:
            # Headings keep with the next paragraph and never split; two headings in a row are one
            # paragraph with a line break (LibreOffice 7.4 leaves a chain of keep-with-next headings
            # at the foot of a page).
            keep_next = True if keep_next is None else keep_next
        # Keyed by the container's XML element (kept alive by the dict, so lxml hands back the same
        # object): python-docx wrappers are new objects on every access and their ids get reused.
        owner = container.element.body if hasattr(container, "element") and hasattr(container.element, "body") \
            else container._element
        follows_keep = self._prev_keep.get(owner, False)
        if isinstance(runs, str):
            runs = [runs] if runs else []
        for item in runs:
            text, fmt = (item, {}) if isinstance(item, str) else item
            if text == LINE_BREAK:
                # Two headings in one paragraph: both lines start at the indent of a heading.
                paragraph.add_run().add_break()
                if left_indent_mm is None and first_indent_mm is None:
                    left_indent_mm, first_indent_mm = self.p["body"]["first_line_indent_mm"], 0
                continue
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
        if style != S_TAG:
            if follows_keep:
                # LibreOffice (7.4) leaves a keep-with-next paragraph alone at the foot of a page when
                # the next one may not split (widow control) and does not fit: let the next one split,
                # so a heading is always followed by at least a line of its text on its page.
                paragraph.paragraph_format.widow_control = False
            self._prev_keep[owner] = bool(keep_next)
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
        # A 1 pt paragraph: a full-height one may not fit under a block that keeps with the next
        # paragraph (a signature row), and would drag that block onto the next page with it.
        paragraph = self.par(container, "", S_TAG)
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        self.end_paragraph(paragraph)

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
              container=None, vmargin_mm: float | None = None):
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
        # Bordered tables get a little air above and below the text; layout tables (header, signatures) none.
        if vmargin_mm is None:
            vmargin_mm = self.p["table"]["cell_vmargin_mm"] if borders else 0
        vertical = twips(vmargin_mm)
        for side, value in (("top", vertical), ("left", twips(cell_margin_mm)), ("bottom", vertical),
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

    def header_block(self, *, with_place_date: bool, with_number: bool, number_tag: str = "{{ number_line }}",
                     date_tag: str = "{{ place_date }}") -> None:
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
            condition = number_tag.strip("{} ")
            self.tag(left, f"{{%p if {condition} %}}")
            self.par(left, number_tag, S_HEADER_BLOCK, size=h["number_size_pt"])
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
            self.par(right, date_tag, S_HEADER_BLOCK, size=h["place_date_size_pt"],
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

    def signature_block(self, left: Sequence[str] | None, right: Sequence[str], container=None,
                        recipients: str | None = None, blank_lines: int | None = None,
                        widths_mm: Sequence[float] | None = None) -> None:
        """Add the two-column signature row (cantSplit) with names on the same line.

        ``left``/``right`` are [authority-or-title, title, name] tags; the left column repeats an
        empty line when it has a single heading so both names line up (minutes-format.md §1.4).
        ``recipients`` names a context list printed as "Nơi nhận:" in the left column instead
        (36-HD: underlined heading, 12 pt lines, the profile's separator, the last line ending ".").
        """
        s = self.p["signature"]
        table = self.table(list(widths_mm or (s["col_left_mm"], s["col_right_mm"])), 1, borders=False,
                           cell_margin_mm=0, container=container)
        row = table.rows[0]
        self.row_props(row, cant_split=True)
        cells = row.cells
        for cell, lines in ((cells[0], left), (cells[1], right)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            if cell is cells[0] and recipients:
                rc = self.p["recipients"]
                self.par(cell, [("Nơi nhận:", {"underline": True, "bold": rc["heading_bold"],
                                                "italic": rc["heading_italic"]})],
                         S_SIGNATURE, align="left", size=rc["heading_size_pt"], reuse_first=True)
                self.tag(cell, f"{{%p for r in {recipients} %}}")
                sep = rc["separator"]
                self.par(cell, f"- {{{{ r }}}}{{% if loop.last %}}.{{% else %}}{sep}{{% endif %}}", S_SIGNATURE,
                         align="left", size=rc["size_pt"], line_pt=rc["line_spacing_pt"], keep_next=False)
                self.tag(cell, "{%p endfor %}")
                continue
            if not lines:
                self.par(cell, "", S_SIGNATURE, reuse_first=True)
                continue
            first, second, name = lines
            first_bold = s["authority_bold"] if cell is cells[1] else s["left_title_bold"]
            self.par(cell, first, S_SIGNATURE, bold=first_bold, reuse_first=True)
            self.par(cell, second, S_SIGNATURE, bold=s["title_bold"])
            for _ in range(s["blank_lines"] if blank_lines is None else blank_lines):
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

#: Between two collectives ballots of one sheet (only Times New Roman characters: no scissors glyph).
CUT_LINE = "- - - - - - - - - - - - - - - - - - - -  (cắt theo đường này)  - - - - - - - - - - - - - - - - - - - -"

#: Keys whose cells are left-aligned text (names, posts, notes); every other cell is centred.
LEFT_KEYS = ("name", "name_line", "role", "note", "label", "value", "level", "decider", "result")


def _level_shorts() -> list[str]:
    return [level.short for level in LEVELS]


def _results_table(b: TemplateBuilder, columns: list[tuple[str, str, float]], style: str, *,
                   row_var: str, loop: str, line_pt: float, header_lines: int,
                   group_header: str = "Số phiếu (tỷ lệ %)", tail: int = 0, closing=None) -> None:
    """Add a results table with a two-row merged header (``group_header`` over the four levels).

    ``columns`` lists (key, header, width); key "level" columns are grouped under one heading
    (a tag such as "{{ annex.vote_header }}" states the base). Data cells show the vote count and,
    on a second line, its percentage. The header rows repeat on every page; data rows never split.
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
    b.par(group, group_header, style, bold=bold, reuse_first=True)
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

    def fill(data, keep):
        for i, (key, _, _) in enumerate(columns):
            cell = data.cells[i]
            b.middle(cell)
            if key.startswith("level"):
                n = key[len("level"):]
                b.par(cell, f"{{{{ {row_var}.v{n} }}}}", style, reuse_first=True, keep_next=keep)
                b.par(cell, f"{{{{ {row_var}.p{n} }}}}", style, keep_next=keep)
            else:
                b.par(cell, f"{{{{ {row_var}.{key} }}}}", style, align="left" if key in LEFT_KEYS else None,
                      reuse_first=True, keep_next=keep)

    _data_rows(b, table, f"{{%tr for {row_var} in {loop} %}}", style, fill, tail, closing)


def _data_rows(b: TemplateBuilder, table, loop_tag: str, style: str, fill, tail: int, closing=None,
               together: bool = False) -> None:
    """The loop of data rows; the last ``tail`` rows keep with the next paragraph.

    A long table must not leave what follows it (a summary, the signatures) alone on a page:
    the last rows are a variant of the data row whose paragraphs keep with the next, so the
    end of the table travels to the next page with them (Word honours this). ``fill(row, keep)``
    writes one row.

    With ``closing(cell)`` the last item is written instead in a final unsplittable row: a nested
    row of the same columns, then whatever ``closing`` adds (the summary, the signature) in the
    same cell. LibreOffice ignores keep-with-next on table rows, but never splits a row, so the
    last member always comes with the signature and the header repeats above them.
    """
    b.tag_row(table, loop_tag, style)
    if closing is not None:
        b.tag_row(table, "{%tr if loop.last %}", style)
        widths = [int(gc.get(qn("w:w"))) for gc in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        b.sync_widths(table)
        b.row_props(row, cant_split=True)
        tc_pr = merged._tc.get_or_add_tcPr()
        tc_pr.append(_border_element("w:tcBorders", ("left", "bottom", "right"), "nil"))
        mar = OxmlElement("w:tcMar")
        for side in ("top", "left", "bottom", "right"):
            _set_child(mar, f"w:{side}", **{"w:w": 0, "w:type": "dxa"})
        tc_pr.append(mar)
        b.end_paragraph(merged.paragraphs[0])  # the cell's required first paragraph: 1 pt high
        nested = b.table([w * 25.4 / 1440 for w in widths], 1, borders=True,
                         cell_margin_mm=b.p["table"]["cell_margin_mm"], container=merged)
        # The outer row's top line is already drawn: no second one above the nested row.
        _set_child(nested._tbl.tblPr.find(qn("w:tblBorders")), "w:top", **{"w:val": "nil"})
        b.row_props(nested.rows[0], cant_split=True)
        fill(nested.rows[0], None)
        closing(merged)
        b.tag_row(table, "{%tr else %}", style)
        tail = 0
    elif together:
        # Every row keeps with the next but the last: the table stays whole without dragging what
        # follows (LibreOffice ties a table whose every paragraph keeps with the next to the next one).
        b.tag_row(table, "{%tr if not loop.last %}", style)
        tail = 1
    elif tail:
        b.tag_row(table, f"{{%tr if loop.revindex <= {tail} %}}", style)
    for keep in ((True, False) if tail else (None,)):
        row = table.add_row()
        b.sync_widths(table)
        b.row_props(row, cant_split=True)
        fill(row, keep)
        if keep:
            b.tag_row(table, "{%tr else %}", style)
    if tail or closing is not None:
        b.tag_row(table, "{%tr endif %}", style)
    b.tag_row(table, "{%tr endfor %}", style)


def _simple_table(b: TemplateBuilder, columns: list[tuple[str, str, float]], style: str, *, row_var: str,
                  loop: str, line_pt: float, header_lines: int = 1, keep_together: bool = False,
                  tail: int = 0, closing=None) -> None:
    """Add a bordered table: one repeating header row, then one row per item of ``loop``.

    ``columns`` lists (key, header, width). Headers may hold tags (a base such as "/18"). With
    ``keep_together`` every paragraph keeps with the next, so a short table stays on one page with
    the sentence that follows it; ``tail`` keeps only the last rows with what follows.
    """
    table = b.table([w for _, _, w in columns], 1, borders=True, cell_margin_mm=b.p["table"]["cell_margin_mm"])
    head = table.rows[0]
    b.row_props(head, header=True, cant_split=True, min_height_mm=header_lines * line_pt * 25.4 / 72)
    bold = b.p["table"]["header_bold"]
    for cell, (_, header, _) in zip(head.cells, columns):
        b.par(cell, header, style, bold=bold, reuse_first=True, keep_next=keep_together or None)
        b.middle(cell)
    def fill(row, keep):
        for cell, (key, _, _) in zip(row.cells, columns):
            b.par(cell, f"{{{{ {row_var}.{key} }}}}", style, align="left" if key in LEFT_KEYS else None,
                  reuse_first=True, keep_next=keep)
            b.middle(cell)

    _data_rows(b, table, f"{{%tr for {row_var} in {loop} %}}", style, fill, 0 if keep_together else tail, closing,
               together=keep_together)


def _columns(widths: dict, spec: Sequence[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """(key, header) pairs with their widths from a profile table; a missing width is a profile error."""
    return [(key, header, widths[key]) for key, header in spec]


def _vote_columns(widths: dict, spec: Sequence[tuple[str, str]], after: Sequence[tuple[str, str]]) -> list:
    cols = _columns(widths, spec)
    cols += [(f"level{i}", short, widths["level"]) for i, short in enumerate(_level_shorts(), start=1)]
    return cols + _columns(widths, after)


def _bullets(b: TemplateBuilder, container, loop: str, var: str = "x", prefix: str = "", **fmt) -> None:
    """One paragraph per item of ``loop`` (the context punctuates the items)."""
    b.tag(container, f"{{%p for {var} in {loop} %}}")
    b.par(container, f"{prefix}{{{{ {var} }}}}", **fmt)
    b.tag(container, "{%p endfor %}")


def _notes(b: TemplateBuilder, loop: str) -> None:
    """A "Ghi chú:" list, left out when empty."""
    b.tag(b.doc, f"{{%p if {loop} %}}")
    b.par(b.doc, [("Ghi chú:", {"bold": True, "italic": True})], keep_next=True)
    _bullets(b, b.doc, loop, "n", "- ")
    b.tag(b.doc, "{%p endif %}")


def _landscape_section(b: TemplateBuilder, fingerprint_tag: str | None) -> None:
    """Start a landscape section (the annexes), keeping the running header and footer."""
    doc = b.doc
    new_section = doc.add_section(WD_SECTION.NEW_PAGE)
    b.end_paragraph(doc.paragraphs[-1])
    b._setup_page(new_section, landscape=b.p["annex"]["orientation"] == "landscape")
    new_section.different_first_page_header_footer = False


def _annex_closing(b: TemplateBuilder, summary: str, legend: str, signer: str = "signature"):
    """The end of a landscape annex, written into the table's last row: summary, legend, signature."""
    annex = b.p["annex"]

    def closing(cell) -> None:
        b.par(cell, summary, S_BODY, space_before=6, keep_next=True)
        b.par(cell, legend, S_BODY, italic=True, size=annex["size_pt"], line_pt=annex["line_spacing_pt"],
              first_indent_mm=0, keep_next=True)
        b.signature_block(None, [f"{{{{ {signer}.right_authority }}}}", f"{{{{ {signer}.right_title }}}}",
                                 f"{{{{ {signer}.right_name }}}}"], container=cell,
                          blank_lines=annex["signature_blank_lines"], widths_mm=annex["signature_cols_mm"])
    return closing


def _collective_table(b: TemplateBuilder, loop: str) -> None:
    """The small label/value results table of one collective (the level row in bold)."""
    ct = b.p["collective_table"]
    style = S_TABLE
    table = b.table([ct["label_mm"], ct["value_mm"]], 0, borders=True, cell_margin_mm=b.p["table"]["cell_margin_mm"])
    b.tag_row(table, f"{{%tr for row in {loop} %}}", style)
    b.tag_row(table, "{%tr if row.bold %}", style)
    for bold in (True, False):
        row = table.add_row()
        b.sync_widths(table)
        b.row_props(row, cant_split=True)
        b.par(row.cells[0], "{{ row.label }}", style, align="left", bold=True, reuse_first=True, keep_next=True)
        b.par(row.cells[1], "{{ row.value }}", style, align="left", bold=bold, reuse_first=True, keep_next=True)
        b.middle(*row.cells)
        if bold:
            b.tag_row(table, "{%tr else %}", style)
    b.tag_row(table, "{%tr endif %}", style)
    b.tag_row(table, "{%tr endfor %}", style)


# ---------------------------------------------------------------------------
# The minutes and the vote-count minutes
# ---------------------------------------------------------------------------


def build_minutes(profile: dict, out_path: Path) -> Path:
    """Write the meeting minutes: sections in the order of rankings, then the results annex (landscape)."""
    b = TemplateBuilder(profile)
    b.set_title("Biên bản hội nghị kiểm điểm, đánh giá, xếp loại chất lượng chi bộ, đảng viên")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section, "{{ fingerprint_minutes }}")

    b.header_block(with_place_date=profile["header"]["show_place_date_in_minutes"], with_number=True)
    b.title_block("BIÊN BẢN", "{{ subject }}")

    _bullets(b, doc, "legal_basis", "line")
    b.par(doc, "{{ opening }}")

    b.par(doc, "I. THÀNH PHẦN HỘI NGHỊ", S_HEADING)
    b.tag(doc, "{%p if guests %}")
    b.par(doc, "Đại biểu cấp trên dự hội nghị:")
    _bullets(b, doc, "guests", "g", "- ")
    b.tag(doc, "{%p endif %}")
    b.par(doc, "Đảng viên của chi bộ:", keep_next=True)
    _bullets(b, doc, "attendance", "a")
    b.par(doc, [("Chủ trì hội nghị: ", {"bold": True}),
                "đồng chí {{ chair.name }}{% if chair.title %}, {{ chair.title }}{% endif %}."])
    b.par(doc, [("Thư ký hội nghị: ", {"bold": True}),
                "đồng chí {{ secretary.name }}{% if secretary.title %}, {{ secretary.title }}{% endif %}."])

    b.par(doc, ["II. NỘI DUNG HỘI NGHỊ", LINE_BREAK, "1. Khai mạc hội nghị, thông qua chương trình và cách đánh giá, "
                "xếp loại"], S_HEADING)
    b.par(doc, "{{ program }}")
    _bullets(b, doc, "method", "line")

    # One section per ranking, in the order of result.order.
    b.tag(doc, "{%p for s in sections %}")
    b.par(doc, "{{ s.heading }}", S_HEADING)
    _bullets(b, doc, "s.lines", "line")
    b.tag(doc, "{%p if s.is_collective %}")
    b.par(doc, [("Ý kiến thảo luận, góp ý: ", {"italic": True}), "{{ s.opinions }}"])
    b.tag(doc, "{%p if s.comment %}")
    b.par(doc, [("Nhận xét của chi bộ: ", {"italic": True}), "{{ s.comment }}"])
    b.tag(doc, "{%p endif %}")
    b.par(doc, [("{{ s.table_title }}", {"italic": True})], keep_next=True)
    _collective_table(b, "s.rows")
    b.par(doc, "{{ s.decision }}", space_before=6)
    _notes(b, "s.notes")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if s.is_members %}")
    b.tag(doc, "{%p for e in s.members %}")
    # A member's three paragraphs stay together.
    b.par(doc, [("{{ e.head }}", {"bold": True}), " {{ e.rest }}"], keep_next=True)
    b.par(doc, [("Ý kiến góp ý: ", {"italic": True}), "{{ e.opinions }}"])
    b.par(doc, [("Nhận xét của chi bộ: ", {"italic": True}), "{{ e.comment }}"])
    b.tag(doc, "{%p endfor %}")
    b.par(doc, [("{{ s.results_title }}", {"bold": True, "italic": True})], keep_next=True)
    _bullets(b, doc, "s.results", "line")
    _notes(b, "s.notes")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")

    b.tag(doc, "{%p for c in closing_sections %}")
    b.par(doc, "{{ c.heading }}", S_HEADING)
    _bullets(b, doc, "c.lines", "line")
    b.tag(doc, "{%p endfor %}")

    # Closing: both sentences stay with the signature row (keep_with_next).
    b.tag(doc, "{%p for line in closing %}")
    b.par(doc, "{{ line }}", keep_next=True)
    b.tag(doc, "{%p endfor %}")
    b.signature_block(
        ["{{ signature.left_title }}", "", "{{ signature.left_name }}"],
        ["{{ signature.right_authority }}", "{{ signature.right_title }}", "{{ signature.right_name }}"],
    )

    # Results annex: its own section, landscape when the profile says so.
    annex = profile["annex"]
    _landscape_section(b, "{{ fingerprint_minutes }}")
    b.par(doc, "{{ annex.title }}", S_CENTER, bold=True, size=annex["title_size_pt"], keep_next=True)
    b.par(doc, "{{ annex.caption }}", S_CENTER, italic=True, space_after=6, keep_next=True)
    # QĐ 366 years: scores, group and the show of hands; QĐ 124 years: the four vote columns.
    # The summary, the legend and the signature close the table in its last row (never alone on a page).
    closing = _annex_closing(b, "{{ annex.summary }}", "{{ annex.legend }}")
    b.tag(doc, "{%p if annex.scores %}")
    _simple_table(b, _columns(annex["columns_scores_mm"], (
        ("no", "TT"), ("name", "Họ và tên"), ("role", "Chức vụ (đảng, chính quyền, đoàn thể)"), ("kind", "Loại ĐV"),
        ("group", "Nhóm"), ("self_score", "Điểm tự chấm"), ("self_level", "Tự nhận mức"), ("score", "Điểm chi bộ chấm"),
        ("vote", "{{ annex.vote_header }}"), ("proposed", "Chi bộ đề xuất mức"), ("note", "Ghi chú"))),
        S_ANNEX, row_var="m", loop="annex.rows", line_pt=annex["line_spacing_pt"], header_lines=annex["header_row_lines"],
        closing=closing)
    b.tag(doc, "{%p else %}")
    _results_table(b, _vote_columns(annex["columns_mm"], (
        ("no", "TT"), ("name", "Họ và tên"), ("role", "Chức vụ (đảng, chính quyền, đoàn thể)"), ("kind", "Loại ĐV"),
        ("self_level", "Tự nhận mức")), (("proposed", "Chi bộ đề nghị mức"), ("note", "Ghi chú"))),
        S_ANNEX, row_var="m", loop="annex.rows", line_pt=annex["line_spacing_pt"],
        header_lines=annex["header_row_lines"], group_header="{{ annex.vote_header }}", closing=closing)
    b.tag(doc, "{%p endif %}")
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


def build_vote_count(profile: dict, out_path: Path) -> Path:
    """Write the biên bản kiểm phiếu (minutes-format.md §4.3): only what was voted on by ballot."""
    b = TemplateBuilder(profile)
    b.set_title("Biên bản kiểm phiếu đánh giá, xếp loại chất lượng")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section, "{{ fingerprint_count }}")
    b.header_block(with_place_date=profile["header"]["show_place_date_in_minutes"], with_number=False)
    b.title_block("BIÊN BẢN KIỂM PHIẾU", "{{ count.subject }}")

    b.par(doc, "{{ count.opening }}", keep_next=True)
    _bullets(b, doc, "count.counters", "c")
    b.par(doc, "{{ count.intro }}")

    b.par(doc, "I. TỔNG HỢP SỐ PHIẾU", S_HEADING)
    _bullets(b, doc, "count.totals", "t", "- ")
    b.par(doc, "{{ count.base_line }}")

    vc = profile["vote_count"]
    # "II. KẾT QUẢ KIỂM PHIẾU" is the first line of the first block's heading (no heading chain).
    b.tag(doc, "{%p for blk in count.blocks %}")
    b.tag(doc, "{%p if loop.first %}")
    b.par(doc, ["II. KẾT QUẢ KIỂM PHIẾU", LINE_BREAK, "{{ blk.heading }}"], S_HEADING)
    b.tag(doc, "{%p else %}")
    b.par(doc, "{{ blk.heading }}", S_HEADING)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if blk.is_collective %}")
    # The heading keeps with the table (a short one, kept together); the counts follow it.
    widths = vc["cell_columns_mm"]
    _simple_table(b, _columns(widths, (("no", "TT"), ("level", "Mức xếp loại chất lượng"), ("count", "Số phiếu"),
                                       ("pct", "{{ count.pct_header }}"))),
                  S_TABLE, row_var="v", loop="blk.votes", line_pt=profile["table"]["line_spacing_pt"], header_lines=2,
                  keep_together=True)
    b.par(doc, ["{{ blk.valid }} ", ("{{ blk.result }}", {"bold": True})], space_before=6)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if blk.is_members %}")
    _results_table(b, _vote_columns(vc["member_columns_mm"], (("no", "TT"), ("name", "Họ và tên")),
                                    (("proposed", "Mức được trên 1/2"), ("note", "Ghi chú"))),
                   S_ANNEX, row_var="m", loop="blk.rows", line_pt=vc["line_spacing_pt"],
                   header_lines=vc["header_row_lines"], group_header="{{ count.vote_header }}", tail=profile["table"]["keep_last_rows"])
    b.par(doc, "{{ legend }}", italic=True, size=vc["size_pt"], line_pt=vc["line_spacing_pt"], first_indent_mm=0,
          space_before=2)
    b.par(doc, "{{ blk.summary }}", space_before=6)
    b.par(doc, "{{ blk.spoiled }}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p if count.hands_note %}")
    b.par(doc, "{{ count.hands_note }}")
    b.tag(doc, "{%p endif %}")
    b.par(doc, "{{ count.closing }}", keep_next=True, space_before=6)
    b.signature_block(None, ["{{ count.signature.authority }}", "{{ count.signature.title }}",
                             "{{ count.signature.name }}"])
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


# ---------------------------------------------------------------------------
# Ballots
# ---------------------------------------------------------------------------


def _small_header(b: TemplateBuilder, container=None) -> None:
    """A one-line header for the small collectives ballots: the chi bộ left, the Party title right."""
    h, bl = b.p["header"], b.p["ballot"]
    table = b.table(bl["cell_header_cols_mm"], 1, borders=False, cell_margin_mm=h["cell_margin_mm"],
                    container=container)
    left, right = table.rows[0].cells
    b.par(left, "{{ party_cell_upper }}", S_HEADER_BLOCK, bold=True, size=bl["cell_header_size_pt"], reuse_first=True,
          line_pt=bl["line_spacing_pt"])
    b.par(right, h["party_title_text"], S_HEADER_BLOCK, bold=True, size=bl["cell_header_size_pt"], reuse_first=True,
          line_pt=bl["line_spacing_pt"])


def build_ballots(profile: dict, out_path: Path) -> Path:
    """Write the ballots: the member ballot (a master to copy, or one per voter), then the collectives ballots.

    The member ballot lists the reviewed members in roster order; big rosters use a compact layout
    with two members to a row, so pages grow with the roster, not with its square. The collectives
    ballot is small: several fit on an A4 sheet, with a cut line between them.
    """
    b = TemplateBuilder(profile)
    b.set_title("Phiếu đánh giá, xếp loại chất lượng đảng viên và tập thể")
    doc = b.doc
    bl = profile["ballot"]
    bold = profile["table"]["header_bold"]
    legend = "; ".join(f"{level.short}: {level.label}" for level in LEVELS) + "."
    digits_legend = "Cột " + "; ".join(f"{level.digit}: {level.label}" for level in LEVELS) + "."

    b.tag(doc, "{%p if ballot.has_members %}", reuse_first=True)
    b.tag(doc, "{%p for copy in ballot.copies %}")
    # Ballots carry the chi bộ identification but no number and no date (§4.1).
    b.header_block(with_place_date=False, with_number=False)
    b.par(doc, "{{ ballot.title }}", S_CENTER, bold=True, size=bl["title_size_pt"],
          space_before=profile["title"]["space_before_pt"])
    b.par(doc, "{{ ballot.subtitle }}", S_CENTER, italic=True, size=bl["subtitle_size_pt"])
    b.tag(doc, "{%p if ballot.master_note %}")
    b.par(doc, "{{ ballot.master_note }}", S_CENTER, italic=True, size=bl["legend_size_pt"],
          line_pt=bl["legend_line_spacing_pt"])
    b.tag(doc, "{%p endif %}")
    b.par(doc, "{{ ballot.instruction }}", italic=True, size=bl["instruction_size_pt"], space_before=6)

    b.tag(doc, "{%p if ballot.compact %}")
    # Compact: two members to a row, the level columns numbered 1-4 (the codes typed into the grid).
    cw = bl["compact_columns_mm"]
    half = [cw["no"], cw["name"]] + [cw["level"]] * len(LEVELS)
    table = b.table(half + half, 1, borders=True, cell_margin_mm=bl["compact_cell_margin_mm"])
    head = table.rows[0]
    b.row_props(head, header=True, cant_split=True, min_height_mm=bl["compact_row_height_mm"])
    texts = (["TT", "Họ và tên đảng viên"] + [str(level.digit) for level in LEVELS]) * 2
    for cell, text in zip(head.cells, texts):
        b.par(cell, text, S_BALLOT, bold=bold, size=bl["compact_header_size_pt"], reuse_first=True,
              line_pt=bl["compact_line_spacing_pt"])
        b.middle(cell)
    b.tag_row(table, "{%tr for r in ballot.pairs %}", S_BALLOT)
    row = table.add_row()
    b.sync_widths(table)
    b.row_props(row, cant_split=True, min_height_mm=bl["compact_row_height_mm"])
    per_half = 2 + len(LEVELS)
    for i, cell in enumerate(row.cells):
        side = 1 if i < per_half else 2
        text = {0: f"{{{{ r.no{side} }}}}", 1: f"{{{{ r.name{side} }}}}"}.get(i % per_half, "")
        b.par(cell, text, S_BALLOT, align="left" if i % per_half == 1 else None, size=bl["compact_size_pt"],
              reuse_first=True, line_pt=bl["compact_line_spacing_pt"])
        b.middle(cell)
    b.tag_row(table, "{%tr endfor %}", S_BALLOT)
    b.par(doc, digits_legend, italic=True, size=bl["legend_size_pt"], first_indent_mm=0, space_before=6,
          line_pt=bl["legend_line_spacing_pt"])
    b.tag(doc, "{%p else %}")
    widths = bl["member_columns_mm"]
    shorts = _level_shorts()
    table = b.table([widths["no"], widths["name"]] + [widths["level"]] * len(shorts), 1, borders=True,
                    cell_margin_mm=profile["table"]["cell_margin_mm"])
    head = table.rows[0]
    b.row_props(head, header=True, cant_split=True, min_height_mm=bl["row_height_mm"])
    for cell, text in zip(head.cells, ["TT", "Họ và tên đảng viên"] + shorts):
        b.par(cell, text, S_BALLOT, bold=bold, size=bl["table_header_size_pt"], reuse_first=True)
        b.middle(cell)
    b.tag_row(table, "{%tr for r in ballot.rows %}", S_BALLOT)
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
    b.tag(doc, "{%p endif %}")
    # The next copy, or the collectives ballots, start on a new page.
    b.tag(doc, "{%p if ballot.cell_title or not loop.last %}")
    b.page_break(doc)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")

    # Collectives ballots: several to a sheet, a cut line between two ballots of one sheet.
    b.tag(doc, "{%p if ballot.cell_title %}")
    b.tag(doc, "{%p for sheet in ballot.cell_sheets %}")
    b.tag(doc, "{%p for copy in sheet %}")
    _small_header(b)
    b.par(doc, "{{ ballot.cell_title }}", S_CENTER, bold=True, size=bl["cell_title_size_pt"],
          space_before=bl["cell_space_pt"], line_pt=bl["line_spacing_pt"])
    b.tag(doc, "{%p if ballot.cell_note %}")
    b.par(doc, "{{ ballot.cell_note }}", S_CENTER, italic=True, size=bl["legend_size_pt"],
          line_pt=bl["legend_line_spacing_pt"])
    b.tag(doc, "{%p endif %}")
    b.par(doc, "{{ ballot.cell_instruction }}", italic=True, size=bl["legend_size_pt"],
          line_pt=bl["legend_line_spacing_pt"], first_indent_mm=0, space_after=2)
    cw = bl["cell_columns_mm"]
    table = b.table([cw["no"], cw["name"]] + [cw["level"]] * len(LEVELS), 1, borders=True,
                    cell_margin_mm=profile["table"]["cell_margin_mm"])
    head = table.rows[0]
    b.row_props(head, cant_split=True, min_height_mm=bl["cell_row_height_mm"])
    for cell, text in zip(head.cells, ["TT", "Tập thể"] + _level_shorts()):
        b.par(cell, text, S_BALLOT, bold=bold, size=bl["cell_table_header_size_pt"], reuse_first=True, keep_next=True)
        b.middle(cell)
    b.tag_row(table, "{%tr for c in ballot.collectives %}", S_BALLOT)
    row = table.add_row()
    b.sync_widths(table)
    b.row_props(row, cant_split=True, min_height_mm=bl["cell_row_height_mm"])
    for i, cell in enumerate(row.cells):
        text = {0: "{{ c.no }}", 1: "{{ c.name }}"}.get(i, "")
        b.par(cell, text, S_BALLOT, align="left" if i == 1 else None, size=bl["cell_table_size_pt"],
              reuse_first=True, keep_next=True)
        b.middle(cell)
    b.tag_row(table, "{%tr endfor %}", S_BALLOT)
    b.par(doc, legend, italic=True, size=bl["legend_size_pt"], first_indent_mm=0, space_before=2,
          line_pt=bl["legend_line_spacing_pt"])
    b.tag(doc, "{%p if not loop.last %}")
    b.par(doc, CUT_LINE, S_CENTER, size=bl["legend_size_pt"], space_before=bl["cell_space_pt"],
          line_pt=bl["legend_line_spacing_pt"])
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p if not loop.last %}")
    b.page_break(doc)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


# ---------------------------------------------------------------------------
# The pack sent up: extract, report, score forms, notice
# ---------------------------------------------------------------------------


def _collectives_results(b: TemplateBuilder, loop: str, widths: dict) -> None:
    _simple_table(b, _columns(widths, (("no", "TT"), ("name", "Tập thể"), ("self_level", "Tự xếp loại"),
                                       ("result", "Kết quả"), ("proposed", "Chi bộ đề nghị"),
                                       ("decider", "Cấp quyết định"))),
                  S_TABLE, row_var="c", loop=loop, line_pt=b.p["table"]["line_spacing_pt"], keep_together=True)


def build_extract(profile: dict, out_path: Path) -> Path:
    """Write the trích biên bản: the facts of the meeting and the results lists, signed for the chi bộ."""
    b = TemplateBuilder(profile)
    b.set_title("Trích biên bản hội nghị kiểm điểm, đánh giá, xếp loại chất lượng")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section, "{{ fingerprint_minutes }}")
    b.header_block(with_place_date=True, with_number=False)
    b.title_block("TRÍCH BIÊN BẢN", "{{ extract.subject }}")
    b.par(doc, "{{ extract.opening }}")
    _bullets(b, doc, "extract.attendance", "a")
    b.par(doc, "{{ extract.chair_line }}")
    b.par(doc, "{{ extract.intro }}")
    ex = profile["extract"]
    b.par(doc, "1. Kết quả đánh giá, xếp loại tập thể", S_HEADING)
    _collectives_results(b, "extract.collectives", ex["collective_columns_mm"])
    b.par(doc, "2. Kết quả đánh giá, xếp loại đảng viên", S_HEADING, space_before=6)
    b.par(doc, "{{ extract.members_line }}")
    b.tag(doc, "{%p if annex.scores %}")
    _simple_table(b, _columns(ex["member_columns_scores_mm"], (
        ("no", "TT"), ("name", "Họ và tên"), ("role", "Chức vụ"), ("group", "Nhóm"), ("result", "Điểm chi bộ chấm"),
        ("proposed", "Chi bộ đề xuất"), ("note", "Ghi chú"))),
        S_ANNEX, row_var="m", loop="extract.members", line_pt=profile["annex"]["line_spacing_pt"], header_lines=2, tail=profile["table"]["keep_last_rows"])
    b.tag(doc, "{%p else %}")
    _simple_table(b, _columns(ex["member_columns_mm"], (
        ("no", "TT"), ("name", "Họ và tên"), ("role", "Chức vụ"), ("result", "{{ extract.result_header }}"),
        ("proposed", "Chi bộ đề nghị"), ("note", "Ghi chú"))),
        S_ANNEX, row_var="m", loop="extract.members", line_pt=profile["annex"]["line_spacing_pt"], header_lines=3, tail=profile["table"]["keep_last_rows"])
    b.tag(doc, "{%p endif %}")
    b.par(doc, "{{ extract.legend }}", italic=True, size=profile["annex"]["size_pt"],
          line_pt=profile["annex"]["line_spacing_pt"], first_indent_mm=0, space_before=4)
    _bullets(b, doc, "extract.quota", "q")
    _notes(b, "extract.notes")
    b.par(doc, "{{ extract.status }}")
    b.par(doc, [("{{ extract.source }}", {"italic": True})], keep_next=True)
    b.signature_block(None, ["{{ signature.right_authority }}", "{{ signature.right_title }}",
                             "{{ signature.right_name }}"], recipients="extract.recipients")
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


def build_report(profile: dict, out_path: Path) -> Path:
    """Write the báo cáo kết quả to the đảng ủy, with the summary list (the "Tổng hợp" rows) as its annex."""
    b = TemplateBuilder(profile)
    b.set_title("Báo cáo kết quả kiểm điểm, đánh giá, xếp loại chất lượng")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section, "{{ fingerprint_report }}")
    b.header_block(with_place_date=True, with_number=True, number_tag="{{ report.number_line }}")
    b.title_block("BÁO CÁO", "{{ report.subject }}")
    rp = profile["report"]
    _bullets(b, doc, "report.legal_basis", "line")
    b.par(doc, "{{ report.intro }}")
    b.par(doc, "I. TÌNH HÌNH CHUNG", S_HEADING)
    _bullets(b, doc, "report.general", "g")
    # The chi bộ itself is always among the collectives, so the list is never empty.
    b.par(doc, ["II. KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI", LINE_BREAK, "1. Đối với tập thể"], S_HEADING)
    _collectives_results(b, "report.collectives", rp["collective_columns_mm"])
    b.par(doc, "2. Đối với đảng viên", S_HEADING, space_before=6)
    _simple_table(b, _columns(rp["totals_columns_mm"], (("level", "Mức xếp loại chất lượng"), ("count", "Số đảng viên"),
                                                        ("pct", "{{ report.totals_header }}"))),
                  S_TABLE, row_var="t", loop="report.totals", line_pt=profile["table"]["line_spacing_pt"],
                  header_lines=2, keep_together=True)
    b.par(doc, "", S_TAG)
    _bullets(b, doc, "report.quota", "q")
    b.tag(doc, "{%p if report.not_reviewed %}")
    b.par(doc, "Đảng viên không đánh giá, xếp loại:", keep_next=True)
    _bullets(b, doc, "report.not_reviewed", "n", "- ")
    b.tag(doc, "{%p endif %}")
    _notes(b, "report.notes")
    b.par(doc, "III. ĐỀ NGHỊ", S_HEADING)
    b.par(doc, "{{ report.proposal }}", keep_next=True)
    b.signature_block(None, ["{{ signature.right_authority }}", "{{ signature.right_title }}",
                             "{{ signature.right_name }}"], recipients="report.recipients")

    # The summary list: the rows of the workbook's "Tổng hợp" sheet, on landscape pages.
    annex = profile["annex"]
    _landscape_section(b, "{{ fingerprint_report }}")
    b.par(doc, "{{ report.annex_title }}", S_CENTER, bold=True, size=annex["title_size_pt"], keep_next=True)
    b.par(doc, "{{ report.annex_caption }}", S_CENTER, italic=True, space_after=6, keep_next=True)
    closing = _annex_closing(b, "{{ report.summary }}", "{{ report.legend }}")
    b.tag(doc, "{%p if report.scores %}")
    _simple_table(b, _columns(rp["annex_columns_scores_mm"], (
        ("no", "TT"), ("name_line", "Họ và tên"), ("membership", "Loại ĐV"), ("role", "Chức vụ"), ("group", "Nhóm"),
        ("civil_service_level", "Xếp loại CBCCVC"), ("self_level", "Tự nhận mức"), ("self_score", "Điểm tự chấm"),
        ("score", "Điểm chi bộ chấm"), ("chi_bo", "Chi bộ biểu quyết"), ("proposed_level", "Mức đề xuất"),
        ("note", "Ghi chú"))),
        S_ANNEX, row_var="m", loop="report.rows", line_pt=annex["line_spacing_pt"], header_lines=annex["header_row_lines"],
        closing=closing)
    b.tag(doc, "{%p else %}")
    _simple_table(b, _columns(rp["annex_columns_mm"], (
        ("no", "TT"), ("name_line", "Họ và tên"), ("membership", "Loại ĐV"), ("role", "Chức vụ"),
        ("civil_service_level", "Xếp loại CBCCVC"), ("self_level", "Tự nhận mức"), ("chi_bo", "Kết quả bỏ phiếu"),
        ("proposed_level", "Chi bộ đề nghị"), ("note", "Ghi chú"))),
        S_ANNEX, row_var="m", loop="report.rows", line_pt=annex["line_spacing_pt"], header_lines=annex["header_row_lines"],
        closing=closing)
    b.tag(doc, "{%p endif %}")
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


def build_forms(profile: dict, out_path: Path) -> Path:
    """Write the pre-filled cover pages (QĐ 366): Mẫu 01 per collective, Mẫu 2A/2B/2C per member.

    Each page carries the form's code, the identification lines and part B (the scores and the
    proposed level) from the workbook; part A (the narrative review) is written by the member.
    """
    b = TemplateBuilder(profile)
    b.set_title("Bản kiểm điểm, tự đánh giá, xếp loại (phần ghi sẵn)")
    doc = b.doc
    fm = profile["forms"]
    b.tag(doc, "{%p for f in forms %}", reuse_first=True)
    b.par(doc, [("{{ f.code }}", {"italic": True})], S_HEADER_BLOCK, align="right", size=fm["code_size_pt"])
    b.header_block(with_place_date=True, with_number=False, date_tag="{{ place_blank_date }}")
    b.par(doc, "{{ f.title }}", S_CENTER, bold=True, size=profile["title"]["doc_type_size_pt"],
          space_before=fm["title_space_before_pt"], keep_next=True)
    b.tag(doc, "{%p if f.name_line %}")
    b.par(doc, "{{ f.name_line }}", S_CENTER, bold=True, keep_next=True)
    b.tag(doc, "{%p endif %}")
    b.par(doc, "{{ f.year_line }}", S_CENTER, bold=True, keep_next=True)
    b.tag(doc, "{%p if f.kind_line %}")
    b.par(doc, "{{ f.kind_line }}", S_CENTER, italic=True)
    b.tag(doc, "{%p endif %}")
    b.par(doc, "", S_TAG, space_after=profile["title"]["space_after_pt"])
    _bullets(b, doc, "f.ident", "i", space_after=0)
    # One page per form: tighter paragraph spacing than the minutes (the signature must fit below).
    tight = fm["space_after_pt"]
    b.par(doc, [("{{ f.narrative }}", {"italic": True})], space_before=4, space_after=tight)
    b.par(doc, ["B. NỘI DUNG TỰ ĐÁNH GIÁ, XẾP LOẠI", LINE_BREAK, "I. Đánh giá theo các nhóm tiêu chí"], S_HEADING,
          space_after=tight)
    b.par(doc, "{{ f.frame }}", space_after=tight)
    _bullets(b, doc, "f.scores", "s", space_after=0)
    b.par(doc, "II. Đề xuất xếp loại mức chất lượng", S_HEADING, space_after=tight)
    _simple_table(b, _columns(fm["levels_columns_mm"], (("label", "Mức xếp loại chất lượng"),
                                                        ("mark", "Tự đề xuất (đánh dấu X)"))),
                  S_TABLE, row_var="l", loop="f.levels", line_pt=profile["table"]["line_spacing_pt"], keep_together=True)
    b.tag(doc, "{%p if f.annex_note %}")
    b.par(doc, [("{{ f.annex_note }}", {"italic": True})], space_before=6)
    b.tag(doc, "{%p endif %}")
    b.signature_block(None, ["{{ f.signer_authority }}", "{{ f.signer_title }}", "{{ f.signer_name }}"],
                      blank_lines=fm["signature_blank_lines"])
    b.tag(doc, "{%p if not f.last %}")
    b.page_break(doc)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


def build_notice(profile: dict, out_path: Path) -> Path:
    """Write the thông báo kết quả xếp loại (after the đảng ủy's decision)."""
    b = TemplateBuilder(profile)
    b.set_title("Thông báo kết quả xếp loại chất lượng")
    doc = b.doc
    section = doc.sections[0]
    b.add_page_number_header(section)
    b.add_fingerprint_footer(section, "")
    b.header_block(with_place_date=True, with_number=True, number_tag="{{ notice.number_line }}")
    b.title_block("THÔNG BÁO", "{{ notice.subject }}")
    nt = profile["notice"]
    b.par(doc, "{{ notice.basis }}")
    b.par(doc, "{{ notice.intro }}")
    b.tag(doc, "{%p if notice.collectives %}")
    b.par(doc, "1. Tập thể", S_HEADING)
    _simple_table(b, _columns(nt["collective_columns_mm"], (("no", "TT"), ("name", "Tập thể"),
                                                           ("level", "Mức xếp loại chất lượng"))),
                  S_TABLE, row_var="c", loop="notice.collectives", line_pt=profile["table"]["line_spacing_pt"],
                  keep_together=True)
    b.par(doc, "2. Đảng viên", S_HEADING, space_before=6)
    b.tag(doc, "{%p endif %}")
    def closing(cell) -> None:
        # The list ends with the totals and the signature in its last row: never a signature alone.
        b.par(cell, "{{ notice.legend }}", italic=True, size=profile["annex"]["size_pt"],
              line_pt=profile["annex"]["line_spacing_pt"], first_indent_mm=0, space_before=4, keep_next=True)
        b.par(cell, "{{ notice.totals }}", keep_next=True)
        b.par(cell, "{{ notice.closing }}", keep_next=True)
        b.signature_block(None, ["{{ signature.right_authority }}", "{{ signature.right_title }}",
                                 "{{ signature.right_name }}"], container=cell, recipients="notice.recipients")

    _simple_table(b, _columns(nt["member_columns_mm"], (("no", "TT"), ("name", "Họ và tên"), ("role", "Chức vụ"),
                                                       ("decided", "Mức xếp loại"), ("note", "Ghi chú"))),
                  S_TABLE, row_var="m", loop="notice.rows", line_pt=profile["table"]["line_spacing_pt"], closing=closing)
    b.end_paragraph(b.par(doc, "", S_TAG))
    return b.save(out_path)


MINUTES = "bien_ban_hoi_nghi.docx"
VOTE_COUNT = "bien_ban_kiem_phieu.docx"
BALLOTS = "phieu_danh_gia.docx"
EXTRACT = "trich_bien_ban.docx"
REPORT = "bao_cao_ket_qua.docx"
FORMS = "mau_tu_danh_gia.docx"
NOTICE = "thong_bao_ket_qua.docx"

BUILDERS = {
    MINUTES: build_minutes,
    VOTE_COUNT: build_vote_count,
    BALLOTS: build_ballots,
    EXTRACT: build_extract,
    REPORT: build_report,
    FORMS: build_forms,
    NOTICE: build_notice,
}

#: Every profile gets its own set of templates: the default in templates/, the others in a subfolder.
PROFILES = ("hd36_2018", "hd05_2026")


def profile_dir(out_dir: str | Path, profile_name: str) -> Path:
    """Where the templates of a profile live under ``out_dir``."""
    out = Path(out_dir)
    return out if profile_name == DEFAULT_PROFILE else out / profile_name


def build_all(out_dir: str | Path = TEMPLATE_DIR, profile: str | Path | dict = DEFAULT_PROFILE) -> list[Path]:
    """Build every template of one profile into ``out_dir`` and return their paths."""
    prof = load_profile(profile)
    out = Path(out_dir)
    return [builder(prof, out / name) for name, builder in BUILDERS.items()]


def build_every_profile(out_dir: str | Path = TEMPLATE_DIR) -> list[Path]:
    """Build the templates of every profile (the default in ``out_dir``, the others in subfolders)."""
    paths = []
    for name in PROFILES:
        paths += build_all(profile_dir(out_dir, name), name)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo lại các mẫu Word (docxtpl) từ hồ sơ định dạng.")
    parser.add_argument("--profile", default="",
                        help="chỉ tạo cho một hồ sơ định dạng (hd36_2018, hd05_2026) hoặc tệp JSON; mặc định: mọi hồ sơ")
    parser.add_argument("--out", default=str(TEMPLATE_DIR), help="thư mục ghi các mẫu")
    args = parser.parse_args(argv)
    paths = build_all(args.out, args.profile) if args.profile else build_every_profile(args.out)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
