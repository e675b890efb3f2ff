"""The printable sheet of a round's links: an A4 grid of QR codes (segno), each with its short
URL and the unit's name, drawn with fpdf2 in the documents app's vendored CJK face (never a
system font). Made once, when the links are issued: the tokens exist in clear only then."""

import io

import segno
from fpdf import FPDF

from hexie.printing.layout import FACES, FONT_DIR, MissingGlyph

COLUMNS, ROWS = 3, 4
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, TOP, BOTTOM = 12.0, 24.0, 16.0
QR_MM = 38.0


class _Sheet(FPDF):
    def __init__(self, header: str, footer: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.header_text, self.footer_text = header, footer
        self.add_font("sans", "", str(FONT_DIR / FACES["sans"]))
        self.add_font("sans-bold", "", str(FONT_DIR / FACES["sans-bold"]))
        self.set_auto_page_break(False)
        self.set_creator("Hexie")
        self.set_lang("zh-CN")

    def normalize_text(self, text: str) -> str:
        """Refuse a character the face lacks instead of printing an empty box."""
        cmap = self.current_font.cmap
        missing = [c for c in text if c not in "\n\r\t" and ord(c) not in cmap]
        if missing:
            raise MissingGlyph("".join(missing), self.font_family)
        return super().normalize_text(text)

    def header(self):
        self.set_font("sans-bold", size=12)
        self.set_xy(MARGIN_X, 9)
        self.cell(PAGE_W - 2 * MARGIN_X, 7, self.header_text, align="C")

    def footer(self):
        self.set_font("sans", size=8)
        self.set_xy(MARGIN_X, PAGE_H - 12)
        self.cell(PAGE_W - 2 * MARGIN_X, 5, self.footer_text, align="L")
        self.set_xy(MARGIN_X, PAGE_H - 12)
        self.cell(PAGE_W - 2 * MARGIN_X, 5, f"{self.page_no()}", align="R")


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def links_pdf(*, unit_name: str, title: str, valid_until: str, urls: list[str],
              voice_url: str) -> bytes:
    """One cell per link: the unit, the QR code, the URL, how to use it."""
    pdf = _Sheet(f"{unit_name} · {title}",
                 f"匿名反映问题（不记名，直达县级三方办公室）：{voice_url}")
    pdf.set_title(f"{unit_name} {title}")
    cell_w = (PAGE_W - 2 * MARGIN_X) / COLUMNS
    cell_h = (PAGE_H - TOP - BOTTOM) / ROWS
    per_page = COLUMNS * ROWS
    for index, url in enumerate(urls):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = MARGIN_X + (slot % COLUMNS) * cell_w
        y = TOP + (slot // COLUMNS) * cell_h
        pdf.set_draw_color(180, 180, 180)
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.rect(x + 1, y + 1, cell_w - 2, cell_h - 2)
        pdf.set_dash_pattern()
        pdf.set_font("sans-bold", size=8.5)
        pdf.set_xy(x + 2, y + 3)
        pdf.cell(cell_w - 4, 4.5, unit_name[:40], align="C")
        pdf.image(_qr_png(url), x=x + (cell_w - QR_MM) / 2, y=y + 8.5, w=QR_MM, h=QR_MM)
        pdf.set_font("sans", size=6.5)
        pdf.set_xy(x + 2, y + 8.5 + QR_MM + 0.5)
        pdf.cell(cell_w - 4, 3.5, url, align="C")
        pdf.set_font("sans", size=7.5)
        pdf.set_xy(x + 2, y + 8.5 + QR_MM + 4.5)
        pdf.cell(cell_w - 4, 4, "扫码匿名填写 · 不记名 · 一码一次", align="C")
        pdf.set_xy(x + 2, y + 8.5 + QR_MM + 8.5)
        pdf.cell(cell_w - 4, 4, f"有效期至 {valid_until}", align="C")
    return bytes(pdf.output())
