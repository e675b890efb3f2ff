"""Demo data for recognition, chained by the demo loader after the self-assessment demo: a unit
applies, the county assigns reviewers, they review and the county passes it — all through the
services, so every step is real, audited and notified.

    application = demo_application(unit, admin, year)
    demo_review_and_pass(application, county_user, assessor_org)   # → Recognition (pending)
    # or leave it in review for a visitor to try the review form:
    demo_assign(application, county_user, assessor_org)
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hexie.campaigns.models import CongressKind, Pledge
from hexie.notifications.recipients import organisation_members

from . import services
from .models import Application, Recognition, ReviewAssignment

# A one-page PDF: the minutes of the congress that approved applying (the signature is checked).
DEMO_MINUTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_application(unit, admin, year: int) -> Application:
    """``admin`` applies for ``unit``'s ``year`` with a congress held today (it must come after
    the pledge's congress, so the pledge demo's meeting lies in the past). Needs the pledge and
    a submitted self-assessment meeting the standard with its evidence."""
    pledge = Pledge.objects.select_related("congress").get(unit=unit, year=year)
    today = timezone.localdate()
    held_on = max(today - datetime.timedelta(days=1), pledge.congress.held_on
                  + datetime.timedelta(days=1))
    total = max(3, min(unit.employees or 60, 120))
    return services.apply(admin, unit, year, services.CongressInput(
        kind=CongressKind.WORKERS_REPRESENTATIVE_CONGRESS, held_on=min(held_on, today),
        attendance_present=-(-total * 4 // 5), attendance_total=total,
        resolution="大会讨论通过：本单位已达到和谐劳动关系创建标准，同意向区三方办公室提出认定申请。",
        minutes=SimpleUploadedFile("认定申请职代会会议记录.pdf", DEMO_MINUTES),
    ))


def demo_assign(application: Application, county_user, assessor_org=None, partners=()):
    """The county accepts the application: ``county_user`` reviews for the government side and
    ``partners`` (members of the county's 总工会 / 企联 / 工商联) for theirs, ``assessor_org``
    (optional) for the third party; due in the policy's default period."""
    return services.assign_reviewers(county_user, application,
                                     staff=[county_user, *partners], organisation=assessor_org)


def _confirm_all(actor, assignment: ReviewAssignment) -> None:
    application = assignment.application
    result = application.self_assessment.result or {}
    opinions = {c["id"]: (True, "材料与现场核查一致") for c in result.get("criteria", [])}
    score = result.get("score")
    services.submit_review(actor, assignment, opinions, timezone.localdate(),
                           "查看劳动合同台账、工资发放记录和职代会记录，走访一线职工。", score,
                           True, "经逐条核查，达到和谐劳动关系单位创建标准，建议认定。")


def demo_review_and_pass(application: Application, county_user,
                         assessor_org=None, partners=()) -> Recognition:
    """Assign (``county_user``, ``partners`` and ``assessor_org``, whose first member reviews
    for it), review confirming every criterion, and pass: the unit gets its Recognition,
    pending notice."""
    demo_assign(application, county_user, assessor_org, partners)
    for assignment in application.assignments.filter(round=application.review_round):
        if assignment.track == ReviewAssignment.Track.TRIPARTITE:
            _confirm_all(assignment.reviewer, assignment)
        else:
            member = organisation_members(assignment.organisation_id).order_by("id").first()
            if member is None:
                raise ValueError(f"评估机构 {assignment.organisation} 没有评估人员，无法演示评审")
            _confirm_all(member, assignment)
    services.decide(county_user, application, True,
                    "经三方评审和第三方评估，各项创建标准均确认达标，认定为和谐劳动关系单位。")
    return Recognition.objects.get(application=application)
