"""Demo data: a complete, standard-meeting self-assessment with a small real PDF for every
item that asks for evidence, made through the services like a unit admin would."""

from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

from hexie.standards import services as standards

from . import services
from .evaluation import evidence_items, set_ids_of
from .models import SelfAssessment


def compliant_facts(lib, profile: dict, headcount: int = 100) -> dict:
    """Facts that meet every rule of the unit's sets: booleans true, every rate at 100%
    (numerator = denominator: ``headcount`` people, or ``headcount`` × 100 yuan), every
    single-fact rule at its threshold."""
    facts: dict = {}
    thresholds: dict = {}
    for set_id in set_ids_of(lib, profile):
        for item in lib.sets[set_id].items:
            if item.fact:
                facts[item.fact] = True
            elif item.rule.rate:
                for name in item.rule.rate:
                    money = lib.facts[name].type == "number"
                    facts[name] = headcount * 100 if money else headcount
            else:
                bound = item.rule.value + (1 if item.rule.op == ">" else 0)
                thresholds[item.rule.fact] = max(thresholds.get(item.rule.fact, bound), bound)
    for name, bound in thresholds.items():
        value = -(-bound.numerator // bound.denominator)  # the bound, rounded up
        facts[name] = value
    for name in list(facts):
        if lib.facts[name].type == "number":
            facts[name] = float(facts[name])
    return facts


def tiny_pdf(title: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, title)
    return bytes(pdf.output())


def submit_demo_self_assessment(unit, actor, year) -> SelfAssessment:
    """``actor`` (the unit's admin) fills in, attaches and submits a meeting self-assessment
    for ``unit``'s pledged ``year``."""
    sa = services.start_draft(actor, unit, year)
    lib = standards.compiled(sa.standard_id)
    sa = services.save_draft(actor, sa, compliant_facts(lib, sa.profile,
                                                        unit.employees or 100))
    have = set(sa.evidence.values_list("item_id", flat=True))
    for item_id in evidence_items(lib, sa.profile):
        if item_id not in have:
            content = tiny_pdf(f"Hexie demo evidence {unit.pk} {year} {item_id}")
            services.upload_evidence(actor, sa, item_id, SimpleUploadedFile(
                f"{item_id}.pdf", content, content_type="application/pdf"))
    return services.submit(actor, sa)
