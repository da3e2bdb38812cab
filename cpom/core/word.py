"""Word files made of headings, paragraphs and `core.tables.Table`s: the printable bilans, in French, with the
same figures and formats as the page."""

import io
from collections.abc import Sequence

from django.http import HttpResponse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .tables import TEXT, Table
from .templatetags.cpom_tables import cell_text
from .text import for_xml

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def set_french(document) -> None:
    """French proofing language for the whole document (screen readers and spell checkers)."""
    for rpr in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr"):
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "fr-FR")
        lang.set(qn("w:eastAsia"), "fr-FR")


def _repeat_header(row) -> None:
    """The header row is repeated at the top of each page the table spans, and marked as a header for
    assistive technologies."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _write_cell(cell, text: str, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(for_xml(text))
    run.font.size = Pt(8)
    run.bold = bold
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_table(document, table: Table) -> None:
    document.add_heading(for_xml(table.caption), level=2)
    columns = table.columns
    grid = document.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(grid.rows[0])
    for cell, column in zip(grid.rows[0].cells, columns, strict=True):
        _write_cell(cell, column.export_label.removesuffix(" (%)"), bold=True)
    lines = [(row, False) for row in table.page_rows()]
    footer = table.page_footer()
    if footer:
        lines.append((footer, True))
    if not lines:
        _write_cell(grid.add_row().cells[0], table.empty)
    for line, is_total in lines:
        cells = grid.add_row().cells
        for index, (cell, (column, value)) in enumerate(zip(cells, line, strict=True)):
            text = value.note if value.value is None and value.note else cell_text(value.value, column.kind)
            if value.previous is not None:
                text += f" ({cell_text(value.previous, column.kind)})"
            _write_cell(cell, text, bold=is_total or index == 0, right=index > 0 and column.kind != TEXT)
    if table.previous_label:
        document.add_paragraph(for_xml(f"Entre parenthèses : {table.previous_label}.")).runs[0].font.size = Pt(8)


def tables_document(
    title: str,
    paragraphs: Sequence[str],
    tables: Sequence[Table],
    *,
    sections: Sequence[tuple[str, Sequence[str]]] = (),
) -> bytes:
    """An A4 document: its title, the opening `paragraphs` (audience, period, scope, date), then each of
    `sections` (heading, bullet points: commentary, definitions), then the tables."""
    document = Document()
    set_french(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4 (python-docx's template is US Letter)
    if max((len(t.columns) for t in tables), default=0) > 6:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(1.5))
    document.core_properties.title = for_xml(title)
    document.core_properties.language = "fr-FR"
    document.add_heading(for_xml(title), level=0)
    for text in paragraphs:
        document.add_paragraph(for_xml(text))
    for heading, points in sections:
        document.add_heading(for_xml(heading), level=1)
        for point in points:
            document.add_paragraph(for_xml(point), style="List Bullet")
    if tables:
        document.add_heading("Tableaux", level=1)
    for table in tables:
        add_table(document, table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_response(stem: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.docx"'
    return response
