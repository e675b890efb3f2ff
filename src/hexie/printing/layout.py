"""The printed page of an official document (GB/T 9704-2012 as data/layout-gbt9704-v1.yaml
sets it out), drawn with fpdf2 in the vendored, subsetted Noto CJK SC faces (fonts/README.md).

Never a system font: the faces are loaded from this package only. A character that none of
them holds is refused before anything is drawn (MissingGlyph) rather than printed as an empty
box, since an official document must not silently alter a unit's name.
"""

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIR = Path(__file__).parent / "fonts"
LAYOUT_FILE = Path(__file__).parent / "data" / "layout-gbt9704-v1.yaml"
# family -> file. Serif Regular stands in for 仿宋 (body), Serif Bold for 小标宋 (titles),
# Sans for 黑体 (headings); none of the official faces is freely licensed (REFERENCE-DATA.md).
FACES = {
    "serif": "NotoSerifCJKsc-Regular.otf",
    "serif-bold": "NotoSerifCJKsc-Bold.otf",
    "sans": "NotoSansCJKsc-Regular.otf",
    "sans-bold": "NotoSansCJKsc-Bold.otf",
}
PT = 25.4 / 72  # one point in millimetres

# Line-breaking rules (避头尾): never start a line with a closing mark, never end one with an
# opening mark.
NO_START = set("，。、；：？！）」』》〉】〕”’…—·％%,.;:?!)]}")
NO_END = set("（「『《〈【〔“‘([{")
# Where a two-line title may break (after these characters, or before these words).
TITLE_BREAK_AFTER = set("的、与及度")
TITLE_BREAK_BEFORE = ("和谐", "关于")
_TOKENS = re.compile(r"[A-Za-z0-9@#&*+\-_./:]+| +|.", re.S)
_IGNORED = {"\n", "\r", "\t"}


class MissingGlyph(ValueError):
    """Text holds characters the document fonts do not cover."""

    def __init__(self, chars: str, face: str):
        self.chars = "".join(sorted(set(chars)))
        self.face = face
        listed = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in self.chars)
        super().__init__(_(
            "文书字体（%(face)s）未收录字符 %(chars)s：为免印出空框，未生成 PDF。请运维人员将这些"
            "字符加入 src/hexie/printing/fonts/extra-chars.txt 后运行 "
            "scripts/build_document_fonts.py。"
        ) % {"face": face, "chars": listed})


@dataclass(frozen=True)
class Layout:
    version: str
    page: tuple[float, float]
    top: float
    left: float
    area: tuple[float, float]
    body_pt: float
    lines_per_page: int
    chars_per_line: int
    indent_chars: int
    title_pt: float
    title_pitch: float
    heading_pt: float
    masthead_pt: float
    masthead_color: tuple[int, int, int]
    rule_gap: float
    rule_width: float
    date_indent_chars: int
    signature_gap_lines: int
    number_pt: float
    number_below: float
    number_indent_chars: int
    record_pt: float
    table_pt: float
    table_heading_pt: float
    table_pitch: float
    table_padding: float

    @property
    def right(self) -> float:
        return self.page[0] - self.left - self.area[0]

    @property
    def bottom(self) -> float:
        return self.page[1] - self.top - self.area[1]

    @property
    def pitch(self) -> float:
        """Body line pitch: the type area's height over its lines."""
        return self.area[1] / self.lines_per_page


@cache
def layout() -> Layout:
    with LAYOUT_FILE.open(encoding="utf-8") as handle:
        d = yaml.safe_load(handle)
    return Layout(
        version=d["version"], page=(d["page"]["width"], d["page"]["height"]),
        top=d["margins"]["top"], left=d["margins"]["left"],
        area=(d["type_area"]["width"], d["type_area"]["height"]),
        body_pt=d["body"]["size_pt"], lines_per_page=d["body"]["lines_per_page"],
        chars_per_line=d["body"]["chars_per_line"],
        indent_chars=d["body"]["paragraph_indent_chars"],
        title_pt=d["title"]["size_pt"], title_pitch=d["title"]["line_pitch_mm"],
        heading_pt=d["heading"]["size_pt"], masthead_pt=d["masthead"]["size_pt"],
        masthead_color=tuple(d["masthead"]["color"]), rule_gap=d["masthead"]["rule_gap_mm"],
        rule_width=d["masthead"]["rule_width_mm"],
        date_indent_chars=d["signature"]["date_right_indent_chars"],
        signature_gap_lines=d["signature"]["gap_lines"],
        number_pt=d["page_number"]["size_pt"], number_below=d["page_number"]["below_type_area_mm"],
        number_indent_chars=d["page_number"]["side_indent_chars"],
        record_pt=d["record"]["size_pt"],
        table_pt=d["table"]["size_pt"], table_heading_pt=d["table"]["heading_size_pt"],
        table_pitch=d["table"]["line_pitch_mm"], table_padding=d["table"]["padding_mm"],
    )


def chinese_date(day: datetime.date) -> str:
    """成文日期 in Arabic numerals, no leading zeros (2023年5月6日)."""
    return f"{day.year}年{day.month}月{day.day}日"


class OfficialDocument(FPDF):
    """An A4 page with the GB/T 9704 type area, page numbers and the four faces."""

    def __init__(self, title: str, author: str = ""):
        self.spec = layout()
        super().__init__(orientation="P", unit="mm", format=self.spec.page)
        s = self.spec
        self.set_margins(s.left, s.top, s.right)
        self.c_margin = 0  # text starts exactly at the type area's edge
        # A hair under the bottom margin, so the 22nd line is not pushed over by rounding.
        self.set_auto_page_break(True, margin=s.bottom - 0.01)
        self.set_title(title)
        self.set_author(author)
        self.set_creator("Hexie")
        self.set_lang("zh-CN")
        self.set_text_color(0, 0, 0)
        self.add_page()
        self.use("serif", s.body_pt)

    # --- fonts and the glyph check ----------------------------------------------------------

    def face(self, family: str) -> str:
        """Register a vendored face on first use (only the faces drawn get embedded)."""
        if family not in self.fonts:
            self.add_font(family, "", str(FONT_DIR / FACES[family]))
        return family

    def use(self, family: str, size_pt: float) -> None:
        self.set_font(self.face(family), size=size_pt)
        # Tighten the letter spacing of body text just enough for chars_per_line characters.
        self.base_spacing = 0.0
        if family == "serif" and size_pt == self.spec.body_pt:
            em = size_pt * PT
            self.base_spacing = min(0.0, self.spec.area[0] / self.spec.chars_per_line - em)
        self.set_char_spacing(self.base_spacing / PT)

    def check(self, text: str) -> None:
        cmap = self.current_font.cmap
        missing = [c for c in text if c not in _IGNORED and ord(c) not in cmap]
        if missing:
            raise MissingGlyph("".join(missing), self.font_family)

    def normalize_text(self, text: str) -> str:
        """Every string fpdf2 draws passes here: refuse what the current face cannot show."""
        self.check(text)
        return super().normalize_text(text)

    # --- line breaking -------------------------------------------------------------------------

    def width(self, text: str) -> float:
        """Width in mm including the current letter spacing."""
        return self.get_string_width(text)

    def wrap(self, text: str, width: float, first_indent: float = 0.0) -> list[str]:
        """Greedy character-level breaking with 避头尾; Latin words stay whole when they fit."""
        lines: list[list[str]] = [[]]
        used, limit = 0.0, width - first_indent
        for token in _TOKENS.findall(text):
            w = self.width(token)
            line = lines[-1]
            if used + w <= limit + 1e-6:
                line.append(token)
                used += w
                continue
            if token.isspace():
                lines.append([])
                used, limit = 0.0, width
                continue
            carried: list[str] = []
            if token[0] in NO_START or (line and line[-1][-1] in NO_END):
                # Carry characters over until the new line starts, and the old one ends, well.
                while len(line) > 1:
                    carried.insert(0, line.pop())
                    if carried[0][0] not in NO_START and line[-1][-1] not in NO_END:
                        break
            if w > width and not carried:  # a Latin run longer than a line: split it
                for ch in token:
                    cw = self.width(ch)
                    if used + cw > limit + 1e-6 and lines[-1]:
                        lines.append([])
                        used, limit = 0.0, width
                    lines[-1].append(ch)
                    used += cw
                continue
            lines.append([*carried, token])
            used, limit = sum(self.width(t) for t in lines[-1]), width
        return ["".join(line).strip() for line in lines if "".join(line).strip()] or [""]

    def balanced(self, text: str, width: float) -> list[str]:
        """As few lines as ``wrap`` needs, of about equal length (a title is not left with one
        character on its last line)."""
        lines = self.wrap(text, width)
        if len(lines) < 2:
            return lines
        if len(lines) == 2:  # the usual long title: break where the words allow
            best = self._title_break(text, width)
            if best:
                return best
        target = self.width(text) / len(lines)
        for step in range(40):
            trial = self.wrap(text, min(width, target + step * self.font_size / 2))
            if len(trial) == len(lines):
                return trial
        return lines

    def _title_break(self, text: str, width: float) -> list[str] | None:
        """Two lines split near the middle at a word boundary GB/T 9704 asks for ("回行时要
        做到词意完整"): after 的、与、及、年度, or before 和谐 / 关于; None if there is none."""
        middle = len(text) / 2
        cuts = [i for i in range(2, len(text) - 1)
                if text[i - 1] in TITLE_BREAK_AFTER or text.startswith(TITLE_BREAK_BEFORE, i)]
        for i in sorted(cuts, key=lambda i: abs(i - middle)):
            if abs(i - middle) > len(text) / 4:
                break
            head, tail = text[:i], text[i:]
            if (self.width(head) <= width and self.width(tail) <= width
                    and tail[0] not in NO_START and head[-1] not in NO_END):
                return [head, tail]
        return None

    # --- blocks --------------------------------------------------------------------------------

    def line(self, text: str, *, x: float | None = None, width: float | None = None,
             align: str = "L", justify: bool = False, height: float | None = None) -> None:
        """One line of text at the current position; ``justify`` spreads it over ``width``."""
        width = self.spec.area[0] if width is None else width
        height = self.spec.pitch if height is None else height
        if x is not None:
            self.set_x(x)
        spacing = self.base_spacing
        if justify and len(text) > 1:
            spacing += (width - self.width(text)) / len(text)
        self.set_char_spacing(spacing / PT)
        self.cell(width, height, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.set_char_spacing(self.base_spacing / PT)

    def paragraph(self, text: str, *, indent: bool = True, family: str = "serif",
                  size_pt: float | None = None) -> None:
        """A body paragraph: first line indented two characters, full lines justified."""
        self.use(family, size_pt or self.spec.body_pt)
        em = self.font_size + self.base_spacing
        first = self.spec.indent_chars * em if indent else 0.0
        lines = self.wrap(text.strip(), self.spec.area[0], first)
        for i, text_line in enumerate(lines):
            offset = first if i == 0 else 0.0
            self.line(text_line, x=self.l_margin + offset, width=self.spec.area[0] - offset,
                      justify=i < len(lines) - 1)

    def paragraphs(self, text: str) -> None:
        for block in (text or "").splitlines():
            if block.strip():
                self.paragraph(block)

    def heading(self, text: str) -> None:
        """A first-level heading (黑体)."""
        self.use("sans", self.spec.heading_pt)
        for text_line in self.wrap(text, self.spec.area[0]):
            self.line(text_line)
        self.use("serif", self.spec.body_pt)

    def title_block(self, text: str) -> None:
        """The title (小标宋 in place of which the Serif Bold), centred, then a blank line."""
        self.use("serif-bold", self.spec.title_pt)
        for text_line in self.balanced(text, self.spec.area[0]):
            self.line(text_line, align="C", height=self.spec.title_pitch)
        self.use("serif", self.spec.body_pt)
        self.ln(self.spec.pitch)

    def masthead(self, issuer: str) -> None:
        """The issuing authority's mark in red, centred, over a red rule (first page)."""
        s = self.spec
        self.set_text_color(*s.masthead_color)
        self.use("serif-bold", s.masthead_pt)
        size = s.masthead_pt
        while self.width(issuer) > s.area[0] and size > s.title_pt:  # a long name: smaller
            size -= 1
            self.use("serif-bold", size)
        for text_line in self.wrap(issuer, s.area[0]):
            self.line(text_line, align="C", height=size * PT * 1.4)
        self.set_text_color(0, 0, 0)
        y = self.get_y() + s.rule_gap
        self.set_draw_color(*s.masthead_color)
        self.set_line_width(s.rule_width)
        super().line(s.left, y, s.left + s.area[0], y)
        self.set_draw_color(0, 0, 0)
        self.set_y(y + s.rule_gap + 2)
        self.use("serif", s.body_pt)

    def addressee(self, name: str) -> None:
        """主送机关: flush left, ending with a full-width colon."""
        self.paragraph(f"{name}：", indent=False)

    def signature(self, issuer: str, day: datetime.date) -> None:
        """Issuer and date at the bottom right: the date four characters in from the right
        edge, the issuer centred on the date (GB/T 9704 7.3.5.1)."""
        s = self.spec
        self.use("serif", s.body_pt)
        em = self.font_size + self.base_spacing
        date = chinese_date(day)
        right_edge = s.left + s.area[0] - s.date_indent_chars * em
        date_w = self.width(date)
        centre = right_edge - date_w / 2
        issuer_lines = self.wrap(issuer, s.area[0])
        needed = (s.signature_gap_lines + len(issuer_lines) + 1) * s.pitch
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()
        else:
            self.ln(s.signature_gap_lines * s.pitch)
        for text_line in issuer_lines:
            w = self.width(text_line)
            x = min(max(centre - w / 2, s.left), s.left + s.area[0] - w)
            self.line(text_line, x=x, width=w + 0.5)
        self.line(date, x=right_edge - date_w, width=date_w + 0.5)

    def record(self, lines: list[str]) -> None:
        """版记: ruled lines of record below the text (who received it, when), in 4号."""
        s = self.spec
        self.use("serif", s.record_pt)
        pitch = s.record_pt * PT * 1.8
        wrapped = [w for text in lines for w in self.wrap(text, s.area[0] - self.font_size)]
        if self.get_y() + s.pitch + len(wrapped) * pitch > self.page_break_trigger:
            self.add_page()
        else:
            self.ln(s.pitch)
        y = self.get_y()
        self.set_line_width(0.35)
        super().line(s.left, y, s.left + s.area[0], y)
        for text_line in wrapped:
            self.line(text_line, x=s.left + self.font_size / 2, height=pitch)
        y = self.get_y()
        super().line(s.left, y, s.left + s.area[0], y)
        self.use("serif", s.body_pt)

    def table(self, headings: list[str], rows, widths: list[float],
              aligns: list[str] | None = None) -> None:
        """A ruled table over pages, the heading row repeated on each; cells wrap."""
        s = self.spec
        aligns = aligns or ["LEFT"] * len(headings)
        pad = s.table_padding
        self.use("serif", s.table_pt)
        heading_style = FontFace(family=self.face("sans-bold"), size_pt=s.table_heading_pt,
                                 fill_color=(235, 235, 235))
        with super().table(col_widths=widths, width=sum(widths), line_height=s.table_pitch,
                           padding=pad, headings_style=heading_style, repeat_headings=1,
                           text_align="CENTER", v_align="MIDDLE", first_row_as_headings=True,
                           align="LEFT") as table:
            head = table.row()
            for text in headings:
                head.cell(text)
            for values in rows:
                row = table.row()
                for text, w, align in zip(values, widths, aligns, strict=True):
                    self.use("serif", s.table_pt)
                    wrapped = "\n".join(self.wrap(str(text), w - 2 * pad - 0.5))
                    row.cell(wrapped, align=align)
        self.use("serif", s.body_pt)

    # --- page furniture ------------------------------------------------------------------------

    def footer(self) -> None:
        """Page number "— n —" 7 mm below the type area: odd pages right, even pages left, one
        character in."""
        s = self.spec
        family, size, spacing = self.font_family, self.font_size_pt, self.base_spacing
        self.set_font(self.face("serif"), size=s.number_pt)
        self.set_char_spacing(0)
        text = f"— {self.page_no()} —"
        w = self.get_string_width(text)
        em = s.number_pt * PT
        y = s.top + s.area[1] + s.number_below
        x = (s.left + s.area[0] - em - w) if self.page_no() % 2 else (s.left + em)
        self.set_xy(x, y)
        self.cell(w, s.number_pt * PT, text)
        self.set_font(family, size=size)
        self.base_spacing = spacing
        self.set_char_spacing(spacing / PT)

    def bytes(self) -> bytes:
        return bytes(self.output())
