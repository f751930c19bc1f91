"""The review as a PDF: real (searchable) text, charts as images, page numbers and a footer on
every page naming the viewer and the time of export, so a printed copy says whose view it was.
"""

import io
from pathlib import Path

from fpdf import FPDF, FontFace

from payoff.app.review import charts
from payoff.app.review.document import Chart, Figures, Paragraph, Review, Table

# A Unicode font: names and units (–, ·, µ, ë) must print as they are. Debian's fonts-dejavu-core.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
INK, MUTED, RULE, CARD = (31, 41, 51), (82, 96, 109), (217, 226, 236), (248, 250, 252)
CARDS_PER_ROW = 3
WIDE_TABLE = 8  # more columns than this are set in a smaller size so that words are not broken
PX_TO_MM = 25.4 / 96
# A table row cannot continue on the next page, so a cell's text stops here (a third of a page in the
# narrowest column); the HTML and Markdown exports carry it whole. Notes written today are capped lower.
CELL_MAX_CHARS = 900


def _font_dir() -> Path:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists():
            return folder
    raise RuntimeError("The PDF export needs the DejaVu fonts: install them with `apt-get install fonts-dejavu-core`.")


class _Document(FPDF):
    def __init__(self, review: Review) -> None:
        super().__init__(format="A4")
        self.review = review
        folder = _font_dir()
        self.add_font("DejaVu", "", folder / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", folder / "DejaVuSans-Bold.ttf")
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=18)
        self.set_title(review.title)
        self.set_author("Payoff")
        self.set_creation_date(review.exported_at)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7.5)
        self.set_text_color(*MUTED)
        self.cell(self.epw * 0.8, 5, self.review.footer)
        self.cell(self.epw * 0.2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def text_style(self, size: float, bold: bool = False, color=INK) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*color)

    def keep_room(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit, so a heading never ends a page alone."""
        if self.will_page_break(height):
            self.add_page()


def _heading(pdf: _Document, title: str) -> None:
    pdf.keep_room(40)
    pdf.ln(4)
    pdf.text_style(13, bold=True)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(3)


def _paragraph(pdf: _Document, block: Paragraph) -> None:
    pdf.text_style(10)
    pdf.multi_cell(0, 5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _card_lines(pdf: _Document, text: str, width: float, size: float, bold: bool = False) -> int:
    pdf.text_style(size, bold)
    return len(pdf.multi_cell(width, 4, text, dry_run=True, output="LINES")) if text else 0


def _figures(pdf: _Document, block: Figures) -> None:
    gap = 3
    width = (pdf.epw - gap * (CARDS_PER_ROW - 1)) / CARDS_PER_ROW
    inner = width - 6
    items = list(block.items)
    for start in range(0, len(items), CARDS_PER_ROW):
        row = items[start : start + CARDS_PER_ROW]
        height = 6 + max(
            4 * _card_lines(pdf, f.label, inner, 8)
            + 7 * _card_lines(pdf, f.value, inner, 14, True)
            + 4 * _card_lines(pdf, f.detail, inner, 7.5)
            for f in row
        )
        pdf.keep_room(height + gap)
        top = pdf.get_y()
        for column, figure in enumerate(row):
            x = pdf.l_margin + column * (width + gap)
            pdf.set_fill_color(*CARD)
            pdf.set_draw_color(*RULE)
            pdf.rect(x, top, width, height, style="DF", round_corners=True, corner_radius=1.5)
            pdf.set_xy(x + 3, top + 3)
            pdf.text_style(8, color=MUTED)
            pdf.multi_cell(inner, 4, figure.label, align="L", new_x="LEFT", new_y="NEXT")
            pdf.text_style(14, bold=True)
            pdf.multi_cell(inner, 7, figure.value, align="L", new_x="LEFT", new_y="NEXT")
            if figure.detail:
                pdf.text_style(7.5, color=MUTED)
                pdf.multi_cell(inner, 4, figure.detail, align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(pdf.l_margin, top + height + gap)
    pdf.ln(1)


def _table(pdf: _Document, block: Table) -> None:
    if block.caption:
        pdf.keep_room(20)
        pdf.text_style(8.5, color=MUTED)
        pdf.multi_cell(0, 4.5, block.caption, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.text_style(8.5 if len(block.columns) <= WIDE_TABLE else 7.5)
    pdf.set_draw_color(*RULE)
    headings = FontFace(emphasis="BOLD", color=INK, fill_color=(240, 244, 248))
    with pdf.table(
        headings_style=headings,
        line_height=4.5,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
        padding=(1, 1.5),
        width=pdf.epw,
        col_widths=block.widths or None,
    ) as table:
        for values in (block.columns, *block.rows):
            row = table.row()
            for value in values:
                row.cell(value if len(value) <= CELL_MAX_CHARS else value[: CELL_MAX_CHARS - 1] + "…")
    pdf.ln(3)


def _chart(pdf: _Document, block: Chart) -> None:
    image = charts.png(block.spec)
    px_wide, px_high = charts.size(image)
    width = min(pdf.epw, px_wide / charts.SCALE * PX_TO_MM)
    height = px_high / px_wide * width
    pdf.keep_room(height + 14)
    pdf.text_style(10, bold=True)
    pdf.cell(0, 6, block.title, new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(image), x=pdf.l_margin, w=width, h=height, alt_text=block.title)
    if block.caption:
        pdf.text_style(8.5, color=MUTED)
        pdf.multi_cell(0, 4.5, block.caption, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


RENDER = {Paragraph: _paragraph, Figures: _figures, Table: _table, Chart: _chart}


def render(review: Review) -> bytes:
    pdf = _Document(review)
    pdf.add_page()
    pdf.text_style(18, bold=True)
    pdf.multi_cell(0, 9, review.title, align="L", new_x="LMARGIN", new_y="NEXT")
    for section in review.sections:
        _heading(pdf, section.title)
        for block in section.blocks:
            RENDER[type(block)](pdf, block)
    return bytes(pdf.output())
