"""The health-check report as PDF: the cover data, a radar chart of compliance by area (drawn
with fpdf2's line and polygon primitives), the findings by area with their legal basis and
advice, and the remediation tasks. Drawn with the printing app's page and vendored fonts
(hexie.printing.layout): never a system font."""

import math

from django.utils import timezone
from fpdf import FPDF

from hexie.core import clauses
from hexie.printing.layout import OfficialDocument, chinese_date

from .models import HealthCheck

LEVELS = {"green": ("绿色（低风险）", (25, 135, 84)), "yellow": ("黄色（中风险）", (204, 150, 0)),
          "red": ("红色（高风险）", (200, 35, 51))}
RADAR_RADIUS = 42  # mm
RADAR_RINGS = (0.2, 0.4, 0.6, 0.8, 1.0)
SMALL_PT = 10.5
SMALL_LINE = 5.6  # mm


def _draw_line(doc, x1, y1, x2, y2):
    # OfficialDocument.line writes a line of text; the geometric line is FPDF's.
    FPDF.line(doc, x1, y1, x2, y2)


def radar(doc: OfficialDocument, axes: list[tuple[str, float]]) -> None:
    """A radar chart of (label, share 0–1) at the current position, one axis per area."""
    n = len(axes)
    top = doc.get_y() + 4
    cx = doc.l_margin + doc.spec.area[0] / 2
    cy = top + RADAR_RADIUS + 12
    if cy + RADAR_RADIUS + 14 > doc.page_break_trigger:
        doc.add_page()
        top = doc.get_y() + 4
        cy = top + RADAR_RADIUS + 12

    def point(i, r):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    doc.set_draw_color(190, 190, 190)
    doc.set_line_width(0.2)
    for ring in RADAR_RINGS:
        doc.polygon([point(i, RADAR_RADIUS * ring) for i in range(n)], style="D")
    for i in range(n):
        _draw_line(doc, cx, cy, *point(i, RADAR_RADIUS))
    doc.use("sans", 7)
    for ring in RADAR_RINGS:
        doc.set_xy(cx + 0.8, cy - RADAR_RADIUS * ring - 2.6)
        doc.cell(10, 3, f"{round(ring * 100)}%")
    shape = [point(i, RADAR_RADIUS * max(share, 0.0)) for i, (_, share) in enumerate(axes)]
    doc.set_draw_color(13, 110, 253)
    doc.set_fill_color(13, 110, 253)
    with doc.local_context(fill_opacity=0.25):
        doc.polygon(shape, style="F")
    doc.set_line_width(0.6)
    doc.polygon(shape, style="D")
    for x, y in shape:
        doc.ellipse(x - 0.9, y - 0.9, 1.8, 1.8, style="F")
    doc.set_line_width(0.2)
    doc.set_draw_color(0, 0, 0)
    doc.set_fill_color(255, 255, 255)  # tables drawn later fill with the current colour
    doc.use("sans", 9)
    for i, (label, share) in enumerate(axes):
        x, y = point(i, RADAR_RADIUS + 5)
        text = f"{label} {round(share * 100)}%"
        w = doc.width(text) + 1
        if abs(x - cx) < 2:
            left = x - w / 2
        elif x > cx:
            left = x
        else:
            left = x - w
        doc.set_xy(left, y - 2.2)
        doc.cell(w, 4.4, text)
    doc.set_xy(doc.l_margin, cy + RADAR_RADIUS + 12)
    doc.use("serif", doc.spec.body_pt)


def _small(doc: OfficialDocument, text: str, *, indent: float = 0.0,
           family: str = "serif") -> None:
    """A block of small text at a compact pitch (the body pitch is for official letters)."""
    doc.use(family, SMALL_PT)
    width = doc.spec.area[0] - indent
    for text_line in doc.wrap(text, width):
        doc.line(text_line, x=doc.l_margin + indent, width=width, height=SMALL_LINE)


def _room(doc: OfficialDocument, needed: float) -> None:
    """Start a new page unless ``needed`` mm are left (keeps a heading with what follows)."""
    if doc.get_y() + needed > doc.page_break_trigger:
        doc.add_page()


def _subheading(doc: OfficialDocument, text: str, size: float = 13) -> None:
    doc.use("sans-bold", size)
    doc.line(text, height=size * 0.6)


def render(check: HealthCheck) -> bytes:
    """The report of a submitted check (its findings and tasks as they are now)."""
    unit = check.unit
    doc = OfficialDocument(f"{unit.name} {check.year} 年度线上用工体检报告", "Hexie")
    doc.title_block(f"{check.year} 年度线上用工体检报告")
    level_label, colour = LEVELS.get(check.level, (check.level, (0, 0, 0)))
    findings = list(check.findings.select_related("task").order_by("item_id"))
    reds = sum(1 for f in findings if f.risk_level == "red")
    cover = [
        ("单位名称", unit.name),
        ("统一社会信用代码", unit.credit_code or "—"),
        ("所在区划", unit.region.full_name if unit.region_id else "—"),
        ("体检年度", f"{check.year} 年"),
        ("体检目录", f"{check.catalogue.title}（{check.catalogue.key}）"),
        ("风险分", f"{check.score}（0–100，越低越好）"),
        ("风险等级", level_label),
        ("发现问题", f"{len(findings)} 项，其中高风险 {reds} 项"),
        ("提交时间", chinese_date(timezone.localdate(check.submitted_at))
         if check.submitted_at else "—"),
    ]
    doc.table(["项目", "内容"], cover, [48, doc.spec.area[0] - 48])
    doc.ln(4)
    doc.use("sans-bold", 14)
    doc.set_text_color(*colour)
    doc.line(f"体检结论：{level_label}", align="C")
    doc.set_text_color(0, 0, 0)
    doc.ln(2)
    scoring = check.catalogue.content["scoring"]
    forces = "；任一高风险条目回答“否”即为红色。" if scoring["red_item_forces_red"] else "。"
    _small(doc, f"说明：风险分为回答“否”的条目权重占已回答“是”“否”条目权重的百分比（高风险条目权重 "
                f"{scoring['weights']['red']}，中风险条目权重 {scoring['weights']['yellow']}，"
                f"“不适用”不计入）。风险分 {scoring['red_from']} 以上为红色、"
                f"{scoring['yellow_from']} 以上为黄色，其余为绿色{forces}")

    doc.add_page()
    doc.heading("一、分领域合规情况")
    _small(doc, "下图为各适用领域的合规比例（按条目风险权重计算，“不适用”的条目不计入）。")
    results = check.area_results.values()
    areas = [(r["name"], r["share"]) for r in results if r.get("share") is not None]
    if len(areas) >= 3:
        radar(doc, areas)
    else:
        _small(doc, "适用领域少于三个，不绘制雷达图：" + "；".join(
            f"{name} {round(share * 100)}%" for name, share in areas))
    skipped = [r["name"] for r in results if r.get("share") is None]
    if skipped:
        _small(doc, "未纳入本单位体检的领域（不适用）：" + "、".join(skipped) + "。")
    doc.ln(4)

    _room(doc, 40)
    doc.heading("二、发现的问题、法律依据与整改建议")
    if not findings:
        _small(doc, "本次体检未发现问题。")
    for code, r in check.area_results.items():
        found = [f for f in findings if f.area == code]
        if not found:
            continue
        _room(doc, 30)
        _subheading(doc, r["name"])
        for f in found:
            _room(doc, 24)
            label = LEVELS.get(f.risk_level, (f.risk_level,))[0]
            _small(doc, f"{f.item_id} · {label}：{f.question}", family="sans")
            for b in f.legal_basis:
                _small(doc, f"法律依据：{b['title']}{b['article']}——{b['requires']}", indent=4)
            _small(doc, f"整改建议：{f.advice}", indent=4)
            _small(doc, f"应备材料：{f.evidence_expected}", indent=4)
            doc.ln(2)

    if findings:
        _room(doc, 50)
        doc.heading("三、整改任务")
        tasks = [(f.item_id, LEVELS.get(f.risk_level, (f.risk_level,))[0],
                  chinese_date(f.task.due_on), f.task.get_state_display())
                 for f in findings]
        doc.table(["条目", "风险等级", "整改期限", "状态"], tasks, [36, 44, 46, 30])
    doc.ln(4)
    _small(doc, f"本报告依据{clauses.title()}{clauses.clause('4.4')}"
                "由平台根据单位在线填报的答卷生成，所列法律依据为体检目录所载条款，供单位自查整改参考。")
    return doc.bytes()
