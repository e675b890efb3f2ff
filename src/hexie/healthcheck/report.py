"""The health-check report as PDF: the cover data, a radar chart of compliance by area (drawn
with fpdf2's line and polygon primitives), the findings by area with their legal basis and
advice, and the remediation tasks. Drawn with the documents app's page and vendored fonts
(hexie.documents.layout): never a system font."""

import math

from fpdf import FPDF

from hexie.documents.layout import OfficialDocument, chinese_date

from .models import HealthCheck

LEVELS = {"green": ("绿色（低风险）", (25, 135, 84)), "yellow": ("黄色（中风险）", (204, 150, 0)),
          "red": ("红色（高风险）", (200, 35, 51))}
RADAR_RADIUS = 42  # mm
RADAR_RINGS = (0.2, 0.4, 0.6, 0.8, 1.0)
SMALL_PT = 10.5


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
        ("提交时间", chinese_date(check.submitted_at.date()) if check.submitted_at else "—"),
    ]
    doc.table(["项目", "内容"], cover, [48, doc.spec.area[0] - 48])
    doc.ln(2)
    doc.use("sans-bold", 14)
    doc.set_text_color(*colour)
    doc.line(f"体检结论：{level_label}", align="C")
    doc.set_text_color(0, 0, 0)
    doc.use("serif", doc.spec.body_pt)

    doc.add_page()
    doc.heading("一、分领域合规情况")
    areas = [(r["name"], r["share"]) for r in check.area_results.values()
             if r.get("share") is not None]
    doc.use("serif", SMALL_PT)
    doc.paragraph("下图为各适用领域的合规比例（按条目风险权重计算，“不适用”的条目不计入）。",
                  size_pt=SMALL_PT)
    if len(areas) >= 3:
        radar(doc, areas)
    else:
        doc.paragraph("适用领域少于三个，不绘制雷达图。", size_pt=SMALL_PT)
    rows = [(r["name"], "—" if r.get("share") is None else f"{round(r['share'] * 100)}%",
             str(sum(1 for f in findings if f.area == code)))
            for code, r in check.area_results.items()]
    doc.table(["领域", "合规比例", "问题数"], rows, [80, 40, doc.spec.area[0] - 120],
              ["LEFT", "CENTER", "CENTER"])

    doc.add_page()
    doc.heading("二、发现的问题、法律依据与整改建议")
    if not findings:
        doc.paragraph("本次体检未发现问题。")
    for code, r in check.area_results.items():
        found = [f for f in findings if f.area == code]
        if not found:
            continue
        doc.use("sans-bold", 13)
        doc.line(r["name"])
        for f in found:
            doc.use("sans", 11)
            label = LEVELS.get(f.risk_level, (f.risk_level,))[0]
            for text in doc.wrap(f"{f.item_id}（{label}）{f.question}", doc.spec.area[0]):
                doc.line(text, height=6)
            for b in f.legal_basis:
                doc.paragraph(f"法律依据：{b['title']}{b['article']}——{b['requires']}",
                              indent=False, size_pt=SMALL_PT)
            doc.paragraph(f"整改建议：{f.advice}", indent=False, size_pt=SMALL_PT)
            doc.paragraph(f"应备材料：{f.evidence_expected}", indent=False, size_pt=SMALL_PT)
            doc.ln(2)

    if findings:
        doc.heading("三、整改任务")
        tasks = [(f.item_id, LEVELS.get(f.risk_level, (f.risk_level,))[0],
                  chinese_date(f.task.due_on), f.task.get_state_display())
                 for f in findings]
        doc.table(["条目", "风险等级", "整改期限", "状态"], tasks, [36, 44, 46, 30])
    doc.ln(4)
    doc.paragraph("本报告依据浙人社发〔2023〕17号《高质量推进和谐劳动关系创建活动实施方案》四（四）"
                  "由平台根据单位在线填报的答卷生成，所列法律依据为体检目录所载条款，供单位自查整改参考。",
                  size_pt=SMALL_PT)
    return doc.bytes()
