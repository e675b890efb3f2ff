"""The four printed documents of the campaign (issue 4, point 8): the initiative letter, the
pledge, the recognition notice and the published list. Each takes objects already read through
a scoped selector and returns PDF bytes; the words are Chinese through gettext."""

from django.utils import timezone
from django.utils.translation import gettext as _

from hexie.campaigns.models import InitiativeLetter, LetterDelivery, Pledge
from hexie.core import clauses
from hexie.printing.layout import OfficialDocument, chinese_date
from hexie.publicity.models import PublishedList
from hexie.recognition.models import Recognition
from hexie.units.models import Kind

SEED_TITLE = clauses.title()


def office_name(division) -> str:
    """The county's tripartite office, as the seed names it (四（一）"三方会议办公室")."""
    return _("%(region)s协调劳动关系三方会议办公室") % {"region": division.full_name}


def _letter_parts(body: str) -> tuple[str, list[str], str]:
    """The letter's own 主送 line (a first paragraph ending with a colon), its paragraphs, and
    its own signature line (a short last paragraph naming an office, no punctuation)."""
    paragraphs = [p.strip() for p in (body or "").splitlines() if p.strip()]
    salutation = paragraphs.pop(0) if paragraphs and paragraphs[0][-1] in "：:" else ""
    signer = ""
    if paragraphs and len(paragraphs[-1]) <= 40 and paragraphs[-1].endswith(
        ("办公室", "三方", "委员会")
    ) and not any(c in paragraphs[-1] for c in "，。；！？,.;!?"):
        signer = paragraphs.pop()
    return salutation, paragraphs, signer


def initiative_letter(letter: InitiativeLetter, delivery: LetterDelivery | None = None) -> bytes:
    """The letter as the county office sent it. The unit's copy (a delivery) is addressed to the
    unit unless the letter has its own 主送 line, and ends with the delivery record (版记)."""
    issuer = office_name(letter.campaign.region)
    salutation, paragraphs, signer = _letter_parts(letter.body)
    doc = OfficialDocument(letter.title, issuer)
    doc.masthead(issuer)
    doc.title_block(letter.title)
    if salutation or delivery is not None:
        doc.addressee(salutation.rstrip("：:") if salutation else delivery.unit.name)
    for paragraph in paragraphs:
        doc.paragraph(paragraph)
    doc.signature(signer or issuer, timezone.localdate(letter.sent_at))
    if delivery is not None:
        doc.record([
            _("送达单位：%(unit)s") % {"unit": delivery.unit.name},
            _("送达日期：%(date)s") % {
                "date": chinese_date(timezone.localdate(delivery.delivered_at))},
        ])
    return doc.bytes()


# Seed 三（一）"企业创建的重点内容", the commitments a pledging unit makes.
def _commitments() -> list[str]:
    return [
        _("一、坚持党建引领，发挥党组织在和谐劳动关系创建中把关定向、团结凝聚各方力量的作用；"),
        _("二、全面落实劳动合同、集体合同制度，依法保障职工劳动报酬、休息休假、劳动安全卫生、"
          "社会保险、职业技能培训等基本权益；"),
        _("三、健全民主管理制度，落实厂务公开，建立工资集体协商和工资正常增长机制；"),
        _("四、加强劳动保护，改善劳动条件，建立劳动争议调解组织，预防化解劳动争议；"),
        _("五、加强人文关怀，培育企业关爱职工、职工热爱企业的企业文化；"),
        _("六、对照创建标准如实自评，如实提供创建材料，自觉接受协调劳动关系三方和社会监督。"),
    ]


def pledge(pledge_obj: Pledge) -> bytes:
    """创建承诺书: the unit, the year, the pledge and the congress that decided it."""
    unit, congress = pledge_obj.unit, pledge_obj.congress
    title = _("和谐劳动关系创建承诺书")
    doc = OfficialDocument(title, unit.name)
    doc.title_block(title)
    doc.addressee(office_name(pledge_obj.campaign.region))
    doc.paragraph(_(
        "本单位%(unit)s（%(id_label)s：%(identifier)s）经%(kind)s讨论确定，自愿参加 %(year)s 年度"
        "和谐劳动关系创建活动，依据%(seed)s，郑重承诺："
    ) % {"unit": unit.name, "id_label": _("统一社会信用代码") if unit.credit_code
         else _("项目代码"), "identifier": unit.identifier or "—",
         "kind": congress.get_kind_display(), "year": pledge_obj.year, "seed": SEED_TITLE})
    for line in _commitments():
        doc.paragraph(line)
    doc.heading(_("职工（代表）大会记录"))
    doc.paragraph(_("会议形式：%(kind)s") % {"kind": congress.get_kind_display()})
    doc.paragraph(_("会议日期：%(date)s") % {"date": chinese_date(congress.held_on)})
    doc.paragraph(_("出席人数：%(present)s 人（应出席 %(total)s 人）") % {
        "present": congress.attendance_present, "total": congress.attendance_total})
    doc.paragraph(_("会议决议：%(resolution)s") % {"resolution": congress.resolution})
    doc.signature(_("承诺单位：%(unit)s") % {"unit": unit.name}, pledge_obj.pledged_on)
    return doc.bytes()


def _state_sentence(recognition: Recognition) -> str:
    if recognition.state == Recognition.State.PUBLISHED:
        return _("经公示无异议，已向社会公布名单。")
    if recognition.state == Recognition.State.CONFIRMED:
        return _("经公示无异议，将向社会公布名单。")
    return _("本认定目前处于“%(state)s”阶段，公示期满无异议后向社会公布名单，最终以公布的名单为准。"
             ) % {"state": recognition.get_state_display()}


def recognition_notice(recognition: Recognition) -> bytes:
    """认定通知书 of one Recognition (any state but removed, which the selector refuses)."""
    issuer = office_name(recognition.region)
    title = _("和谐劳动关系单位认定通知书")
    doc = OfficialDocument(title, issuer)
    doc.masthead(issuer)
    doc.title_block(title)
    doc.addressee(recognition.unit.name)
    doc.paragraph(_(
        "根据%(seed)s，经单位申请、%(region)s协调劳动关系三方评审评估，你单位被认定为 %(year)s 年度"
        "和谐劳动关系单位。"
    ) % {"seed": SEED_TITLE, "region": recognition.region.full_name,
         "year": recognition.year})
    doc.paragraph(_state_sentence(recognition))
    doc.paragraph(_("希望你单位珍惜荣誉，持续深化和谐劳动关系创建，落实各项创建标准，"
                    "在构建和谐劳动关系中发挥示范引领作用。"))
    doc.signature(issuer, recognition.recognised_on)
    return doc.bytes()


def published_list(plist: PublishedList) -> bytes:
    """The county's published list: an introduction, then every entry in a table that runs
    over pages with its heading row repeated."""
    issuer = office_name(plist.region)
    doc = OfficialDocument(plist.title, issuer)
    doc.title_block(plist.title)
    doc.paragraph(_(
        "根据%(seed)s，经单位申请、评审评估和社会公示，现将%(region)s %(year)s 年度和谐劳动关系单位"
        "名单（共 %(count)s 家）公布如下。"
    ) % {"seed": SEED_TITLE, "region": plist.region.full_name, "year": plist.year,
         "count": plist.entry_count})
    kinds = dict(Kind.choices)
    rows = (
        (str(n), e.unit_name, e.identifier or "—", str(kinds.get(e.kind, e.kind)), e.region_name)
        for n, e in enumerate(plist.entries.order_by("region_code", "id").iterator(), start=1)
    )
    doc.ln(doc.spec.pitch / 2)
    headings = [_("序号"), _("单位名称"), _("统一社会信用代码 / 项目代码"), _("类型"),
                _("所在区划")]
    doc.table(headings, rows, widths=[11, 52, 44, 19, 30],
              aligns=["CENTER", "LEFT", "CENTER", "CENTER", "LEFT"])
    doc.signature(issuer, timezone.localdate(plist.published_at))
    return doc.bytes()
