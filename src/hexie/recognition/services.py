"""Every change of the application for recognition (认定申请, seed 四（二）) and its review
(评审评估, seed 四（三）). Each takes the acting user, checks scope and permission, enforces the
rule it names, advances the state, writes the audit event and notifies the people concerned, all
in one transaction."""

import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from hexie.accounts import selectors as accounts
from hexie.accounts.models import AssessorOrganisation, TripartiteSide
from hexie.accounts.roles import (
    RECOGNITION_APPLY,
    RECOGNITION_ASSIGN,
    RECOGNITION_DECIDE,
    RECOGNITION_VIEW,
)
from hexie.assessments.selectors import latest_submission
from hexie.campaigns.models import CongressPurpose, Pledge
from hexie.campaigns.services import CongressInput, check_congress, record_congress
from hexie.core import audit, events
from hexie.core.clauses import cite
from hexie.core.errors import DomainError
from hexie.core.refusal import refuse
from hexie.core.scoping import scope_for
from hexie.core.transitions import advance
from hexie.notifications import recipients
from hexie.notifications.services import notify
from hexie.regions import codes
from hexie.regions.models import Division
from hexie.standards.services import compiled
from hexie.units.models import Unit

from . import policy
from .models import (
    Appeal,
    Application,
    ApplicationEvent,
    CriterionOpinion,
    Recognition,
    ReviewAssignment,
)

__all__ = ["CongressInput", "appeal", "apply", "assign_reviewers", "combined_conclusion",
           "decide", "handle_appeal", "missing_sides", "reviewer_sides", "submit_review"]

SEED = cite()
RULE_ASSESS = f"{cite('4.3')}：县（市、区）协调劳动关系三方每年对申请单位开展和谐劳动关系达标评估"
RULE_PASS = f"{cite('4.3')}：评估通过即可认定其为和谐劳动关系单位"


def rules_for(application: Application) -> policy.Policy:
    """The recognition policy an application is handled under, from applying to the last
    appeal: the version in force on the day it was submitted in its unit's region (a rule
    published later never changes a case already under way)."""
    return policy.current(timezone.localdate(application.submitted_at),
                          application.unit.region_id)


def _rule_apply(unit: Unit | None = None) -> str:
    return policy.current(region=unit.region_id if unit else None).application_rule


def _rule_review(application: Application) -> str:
    return rules_for(application).review_rule


def _rule_appeal(application: Application) -> str:
    return rules_for(application).appeal_rule


def application_url(application: Application) -> str:
    return reverse("recognition:detail", args=[application.pk])


def _unit_url() -> str:
    return reverse("recognition:mine")


def _concerned_offices(unit: Unit):
    return recipients.offices_over(unit.region_id)


def _assignment_people(assignment: ReviewAssignment) -> list:
    if assignment.track == ReviewAssignment.Track.TRIPARTITE:
        return [assignment.reviewer]
    return list(recipients.organisation_members(assignment.organisation_id))


def current_assignments(application: Application):
    return application.assignments.filter(round=application.review_round)


# --- application (四（二）) ------------------------------------------------------------------

def _already_applied(unit: Unit, year: int) -> bool:
    return Application.objects.filter(unit=unit, year=year).exists()


def _duplicate(year: int, unit: Unit | None = None) -> DomainError:
    return DomainError(
        f"本单位已提交 {year} 年度认定申请，每个单位每年只能申请一次。依据：{_rule_apply(unit)}。",
        field="year", code="duplicate",
    )


def _check_application_congress(congress: CongressInput | None, pledge: Pledge,
                                 applied_on: datetime.date) -> None:
    """The second congress: approved applying, held after the pledge's congress and not after
    the application date; kind, quorum, resolution and minutes as for the pledge."""
    rule = _rule_apply(pledge.unit)
    if congress is not None and congress.held_on is not None:
        if congress.held_on > applied_on:
            raise DomainError(
                f"会议日期（{congress.held_on:%Y-%m-%d}）晚于申请日期（{applied_on:%Y-%m-%d}）："
                f"须先经大会讨论通过，再提出认定申请。依据：{rule}。",
                field="held_on", code="congress_after_application",
            )
        pledged_at = pledge.congress.held_on
        if congress.held_on <= pledged_at:
            raise DomainError(
                f"会议日期（{congress.held_on:%Y-%m-%d}）不晚于创建承诺时的大会"
                f"（{pledged_at:%Y-%m-%d}）：申请认定须经另一次大会讨论通过。依据：{rule}。",
                field="held_on", code="congress_not_after_pledge",
            )
    check_congress(congress, applied_on, rule=rule, region=pledge.unit.region_id)


def apply(actor, unit: Unit, year: int, congress: CongressInput | None) -> Application:
    """The unit admin applies for recognition of ``year`` on the latest submitted
    self-assessment, with the congress that approved applying."""
    if unit.pk not in scope_for(actor, RECOGNITION_APPLY).unit_ids:
        refuse(actor, RECOGNITION_VIEW, "认定申请只能由本单位经办人提出。", unit=unit)
    rule = _rule_apply(unit)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("创建年度应为四位年份。", field="year") from None
    pledge = Pledge.objects.select_related("congress").filter(unit=unit, year=year).first()
    if pledge is None:
        raise DomainError(f"本单位未提交 {year} 年度创建承诺书，不能申请认定。依据：{rule}。",
                          field="year", code="no_pledge")
    if _already_applied(unit, year):
        raise _duplicate(year, unit)
    assessment = latest_submission(unit.pk, year)
    if assessment is None:
        raise DomainError(f"本单位尚未提交 {year} 年度单位自评，不能申请认定。依据：{rule}。",
                          field="self_assessment", code="no_self_assessment")
    if not assessment.meets:
        raise DomainError(
            f"最近一次提交的单位自评（第 {assessment.sequence} 次）未达到创建标准，不能申请认定。"
            f"依据：{rule}。", field="self_assessment", code="standard_not_met",
        )
    if not assessment.evidence_complete:
        raise DomainError(
            f"最近一次提交的单位自评（第 {assessment.sequence} 次）证明材料不齐全，不能申请认定。"
            f"依据：{rule}。", field="self_assessment", code="evidence_incomplete",
        )
    today = timezone.localdate()
    _check_application_congress(congress, pledge, today)
    with transaction.atomic():
        try:
            __, made = record_congress(
                actor, unit, congress, purpose=CongressPurpose.APPLICATION,
                file_stem=f"{unit.pk}-application-{year}",
                cited_by=lambda record: Application.objects.create(
                    unit=unit, pledge=pledge, year=year, self_assessment=assessment,
                    congress=record, submitted_by=actor),
            )
        except IntegrityError as exc:  # a concurrent application of the same unit and year
            raise _duplicate(year, unit) from exc
        audit.record(actor, "recognition.apply", made,
                     after=audit.snapshot(made) | {"rule": rule}, region_code=unit.region_id)
        events.record(made, ApplicationEvent.Type.SUBMITTED, actor, year=year,
                      self_assessment_sequence=assessment.sequence,
                      congress_held_on=congress.held_on)
        notify(_concerned_offices(unit), "recognition.applied",
               f"{unit.name} 提出 {year} 年度和谐劳动关系单位认定申请",
               "请受理并指派评审人员。", application_url(made))
        notify(recipients.unit_admins(unit.pk), "recognition.applied",
               f"已提交 {year} 年度认定申请", "等待县（市、区）三方办公室受理。", _unit_url())
    return made


# --- reviewers (四（三）) --------------------------------------------------------------------

def reviewer_sides(staff, unit: Unit) -> dict:
    """Each proposed tripartite reviewer's ``(side, partner organisation or None)``: the county
    office's own staff sit on the government side, members of the county's partner
    organisations on the union or enterprise side. Refused, naming the field ``staff``, when a
    person's account is deactivated or they are neither (another county's partner, say)."""
    inactive = [str(s) for s in staff if not s.is_active]
    if inactive:
        raise DomainError(
            "评审人员“" + "、".join(inactive) + "”的账号已停用，不能指派。",
            field="staff", code="reviewer_inactive",
        )
    sides = {s: accounts.tripartite_side(s, unit.region_id) for s in staff}
    outside = [str(s) for s, side in sides.items() if side is None]
    if outside:
        raise DomainError(
            "评审人员“" + "、".join(outside) + "”不是本县（市、区）三方办公室人员，"
            "也不是本县（市、区）总工会、企业联合会/企业家协会或工商联的人员。"
            f"依据：{RULE_ASSESS}。", field="staff", code="staff_outside",
        )
    return sides


def missing_sides(sides) -> list[str]:
    """The labels of the tripartite sides (政府方、工会方、企业方) no reviewer sits on. The
    review may go ahead without one (a county may have no partner accounts yet); the pages
    show the gap as a warning."""
    present = set(sides)
    return [str(label) for value, label in TripartiteSide.choices if value not in present]


def assign_reviewers(actor, application: Application, staff=(), organisation=None,
                     due_on: datetime.date | None = None) -> list[ReviewAssignment]:
    """The county office accepts the application (or an accepted appeal) and assigns the
    tripartite reviewers — its own staff and members of the county's partner organisations
    (总工会、企联、工商联), each on their side — and, optionally, a third-party organisation."""
    unit = application.unit
    if not scope_for(actor, RECOGNITION_ASSIGN).covers_region(unit.region_id):
        refuse(actor, RECOGNITION_VIEW, "只有本县（市、区）三方办公室可以指派评审人员。", unit=unit)
    rule = _rule_review(application)
    staff = list(dict.fromkeys(s for s in (staff or ()) if s is not None))
    if not staff:
        raise DomainError("请至少指派一名三方评审人员（本县（市、区）三方办公室人员或本县"
                          f"总工会、企联、工商联人员）。依据：{rule}。", field="staff",
                          code="no_staff")
    sides = reviewer_sides(staff, unit)
    if organisation is not None and not isinstance(organisation, AssessorOrganisation):
        raise DomainError("第三方评估机构不存在。", field="organisation")
    today = timezone.localdate()
    due_on = due_on or today + datetime.timedelta(days=rules_for(application).review_due_days)
    if due_on < today:
        raise DomainError("评审截止日期不能早于今天。", field="due_on")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = audit.snapshot(locked)
        if locked.state == Application.State.APPEALED:
            if current_assignments(locked).exists():
                raise DomainError("本轮评审人员已指派，不能重复指派。", field="state",
                                  code="illegal_transition")
        else:
            advance(locked, "start_review", "受理并指派评审人员", rule=RULE_ASSESS)
            locked.save(update_fields=["state"])
        made = [ReviewAssignment(application=locked, track=ReviewAssignment.Track.TRIPARTITE,
                                 reviewer=s, side=sides[s][0], partner_organisation=sides[s][1],
                                 due_on=due_on, assigned_by=actor,
                                 round=locked.review_round) for s in staff]
        if organisation is not None:
            made.append(ReviewAssignment(
                application=locked, track=ReviewAssignment.Track.THIRD_PARTY,
                organisation=organisation, due_on=due_on, assigned_by=actor,
                round=locked.review_round,
            ))
        for assignment in made:
            assignment.save()
        missing = missing_sides(side for side, _org in sides.values())
        audit.record(actor, "recognition.assign", locked, before=before,
                     after=audit.snapshot(locked) | {
                         "assignments": [audit.snapshot(a) for a in made], "rule": rule,
                         "missing_sides": missing},
                     region_code=unit.region_id)
        events.record(locked, ApplicationEvent.Type.REVIEWERS_ASSIGNED, actor,
                      round=locked.review_round,
                      staff=[f"{a.reviewer_label}（{a.get_side_display()}）"
                             for a in made if a.track == ReviewAssignment.Track.TRIPARTITE],
                      organisation=organisation.name if organisation else None, due_on=due_on)
        url = reverse("recognition:reviews")
        people = [p for a in made for p in _assignment_people(a)]
        notify(people, "recognition.assigned",
               f"评审任务：{unit.name} {locked.year} 年度认定申请",
               f"请于 {due_on:%Y-%m-%d} 前完成逐条评审和实地核查。", url)
        notify(recipients.unit_admins(unit.pk), "recognition.in_review",
               f"{locked.year} 年度认定申请已受理，进入评审", "", _unit_url())
    application.refresh_from_db()
    return made


def _can_fill(actor, assignment: ReviewAssignment) -> bool:
    if assignment.track == ReviewAssignment.Track.TRIPARTITE:
        return assignment.reviewer_id == actor.pk
    return accounts.works_for_organisation(actor, assignment.organisation_id)


def _scored_total(application: Application):
    """The pinned library's maximum points, or None when it has no scoring."""
    lib = compiled(application.self_assessment.standard_id)
    return Fraction(str(lib.scoring.total)) if lib.scoring else None


def submit_review(actor, assignment: ReviewAssignment, opinions: dict, site_visit_on,
                  site_visit_notes: str = "", score=None, recommend_pass=None,
                  comment: str = "") -> ReviewAssignment:
    """A reviewer confirms or rejects every criterion, records the site visit and, where the
    library has points, gives a score."""
    application = assignment.application
    unit = application.unit
    if not actor.is_authenticated or not _can_fill(actor, assignment):
        refuse(actor, RECOGNITION_VIEW,
               "只有被指派的评审人员（或被指派机构的评估人员）可以提交评审意见。", unit=unit)
    rule = _rule_review(application)
    criteria = application.self_assessment.result.get("criteria", [])
    wanted = [c["id"] for c in criteria]
    opinions = dict(opinions or {})
    unknown = sorted(set(opinions) - set(wanted))
    if unknown:
        raise DomainError("标准条目“" + "、".join(unknown) + "”不在本单位的创建标准中。",
                          field="opinions")
    missing = [c for c in wanted if c not in opinions or opinions[c][0] is None]
    if missing:
        raise DomainError("请对每一条标准给出确认或不确认意见，尚缺：" + "、".join(missing) + "。"
                          f"依据：{rule}。", field="opinions", code="opinion_missing")
    unexplained = [c for c in wanted if not opinions[c][0] and not (opinions[c][1] or "").strip()]
    if unexplained:
        raise DomainError("不确认达标的条目须填写意见：" + "、".join(unexplained) + "。",
                          field="opinions", code="rejection_without_comment")
    today = timezone.localdate()
    if site_visit_on is None:
        raise DomainError(f"请填写实地核查日期。依据：{rule}。", field="site_visit_on",
                          code="no_site_visit")
    if site_visit_on > today:
        raise DomainError("实地核查日期不能晚于今天。", field="site_visit_on")
    applied_on = timezone.localdate(application.submitted_at)
    if site_visit_on < applied_on:
        raise DomainError(
            f"实地核查日期（{site_visit_on:%Y-%m-%d}）早于申请日期（{applied_on:%Y-%m-%d}）。",
            field="site_visit_on",
        )
    total = _scored_total(application)
    if total is None:
        if score not in (None, ""):
            raise DomainError("本单位适用的标准库不计分，请不要填写评分。", field="score")
        score = None
    else:
        if score in (None, ""):
            raise DomainError(f"本单位适用的标准库计分，请填写评分（0–{total}）。",
                              field="score", code="no_score")
        try:
            score = Decimal(str(score))
        except InvalidOperation:
            raise DomainError("评分应为数字。", field="score") from None
        if not score.is_finite() or score != score.quantize(Decimal("0.01")):
            raise DomainError("评分最多保留两位小数。", field="score")
        if not 0 <= Fraction(score) <= total:
            raise DomainError(f"评分应在 0 至 {total} 分之间。", field="score",
                              code="score_out_of_range")
    if recommend_pass is None:
        raise DomainError("请选择是否建议通过。", field="recommend_pass")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        before = audit.snapshot(locked)
        if locked.round != Application.objects.values_list(
                "review_round", flat=True).get(pk=application.pk):
            raise DomainError("本评审任务属于已结束的评审轮次，不能再提交。", field="state",
                              code="illegal_transition")
        advance(locked, "submit", "提交评审意见", rule=rule)
        locked.site_visit_on = site_visit_on
        locked.site_visit_notes = (site_visit_notes or "").strip()
        locked.score = score
        locked.recommend_pass = bool(recommend_pass)
        locked.comment = (comment or "").strip()
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        locked.save()
        CriterionOpinion.objects.bulk_create([
            CriterionOpinion(assignment=locked, criterion_id=c, confirmed=bool(opinions[c][0]),
                             comment=(opinions[c][1] or "").strip()) for c in wanted
        ])
        audit.record(actor, "recognition.review", locked, before=before,
                     after=audit.snapshot(locked) | {
                         "opinions": {c: bool(opinions[c][0]) for c in wanted}, "rule": rule},
                     region_code=unit.region_id)
        events.record(application, ApplicationEvent.Type.REVIEW_SUBMITTED, actor,
                      track=locked.track, track_label=str(locked.get_track_display()),
                      recommend_pass=locked.recommend_pass, score=locked.score)
        notify(_concerned_offices(unit), "recognition.reviewed",
               f"{unit.name} 的评审意见已提交（{locked.get_track_display()}）", "",
               application_url(application))
    return locked


# --- combined conclusion (三方评审为主、社会评估为补充) -------------------------------------

def _share(values: list[bool]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def _pct(value: Fraction | None) -> str | None:
    return None if value is None else f"{float(value * 100):.1f}"


def combined_conclusion(application: Application) -> dict:
    """Per criterion: the share of each track's reviewers confirming it, combined with the
    region's weights (the tripartite review alone when no third party took part); the combined
    score is the weighted mean of the tracks' mean scores (under ``rules_for(application)``)."""
    rules = rules_for(application)
    weights = rules.weights_for(application.unit.region_id)
    submitted = list(current_assignments(application).filter(
        state=ReviewAssignment.State.SUBMITTED).select_related(
        "reviewer", "partner_organisation", "organisation").prefetch_related("opinions"))
    tracks = {ReviewAssignment.Track.TRIPARTITE: [], ReviewAssignment.Track.THIRD_PARTY: []}
    for a in submitted:
        tracks[a.track].append(a)
    tri, third = tracks[ReviewAssignment.Track.TRIPARTITE], tracks[
        ReviewAssignment.Track.THIRD_PARTY]
    w_t, w_3 = (weights.tripartite, weights.third_party) if third else (Fraction(1), Fraction(0))
    rows = []
    for criterion in application.self_assessment.result.get("criteria", []):
        cid = criterion["id"]

        def votes(assignments, cid=cid):
            return [o.confirmed for a in assignments for o in a.opinions.all()
                    if o.criterion_id == cid]

        t_share, p_share = _share(votes(tri)), _share(votes(third))
        combined = None
        if t_share is not None:
            combined = t_share * w_t + (p_share or 0) * w_3
        rows.append({
            "id": cid, "title": criterion.get("title", ""),
            "self_met": criterion.get("met"),
            "tripartite": _pct(t_share), "third_party": _pct(p_share),
            "combined": _pct(combined),
            "confirmed": combined is not None and combined >= rules.confirm_share,
        })

    def mean_score(assignments):
        scores = [Fraction(a.score) for a in assignments if a.score is not None]
        return Fraction(sum(scores), len(scores)) if scores else None

    t_score, p_score = mean_score(tri), mean_score(third)
    if t_score is None or p_score is None:
        score = t_score
    else:
        score = t_score * w_t + p_score * w_3
    lib = compiled(application.self_assessment.standard_id)
    return {
        "round": application.review_round,
        "weights": {"tripartite": str(w_t), "third_party": str(w_3),
                    "region": {"tripartite": str(weights.tripartite),
                               "third_party": str(weights.third_party)}},
        "confirm_share": str(rules.confirm_share),
        "reviewers": {"tripartite": len(tri), "third_party": len(third)},
        # Who reviewed for which side (seed 四（三）: government, trade union and enterprise
        # representatives), and the sides no submitted opinion came from.
        "sides": {value: sum(a.side == value for a in tri)
                  for value in TripartiteSide.values},
        "tripartite_reviewers": [
            {"reviewer": a.reviewer_label, "side": a.side,
             "side_label": str(a.get_side_display()),
             "recommend_pass": a.recommend_pass} for a in tri],
        "missing_sides": missing_sides(a.side for a in tri),
        "criteria": rows,
        "all_confirmed": bool(rows) and all(r["confirmed"] for r in rows),
        "score": None if score is None else f"{float(score):.2f}",
        "tripartite_score": None if t_score is None else f"{float(t_score):.2f}",
        "third_party_score": None if p_score is None else f"{float(p_score):.2f}",
        "pass_score": None if not lib.scoring else f"{lib.scoring.pass_score:g}",
        "score_reached": (score is None or not lib.scoring
                          or score >= Fraction(str(lib.scoring.pass_score))),
        "tripartite_recommend_pass": sum(bool(a.recommend_pass) for a in tri),
        "third_party_recommend_pass": sum(bool(a.recommend_pass) for a in third),
        "policy_version": rules.version,
    }


# --- decision ------------------------------------------------------------------------------

def decide(actor, application: Application, passed: bool, reason: str) -> Application:
    """The county office decides pass or fail with a reason, on the combined conclusion; a pass
    makes the unit a 和谐劳动关系单位 of the year, pending public notice."""
    unit = application.unit
    if not scope_for(actor, RECOGNITION_DECIDE).covers_region(unit.region_id):
        refuse(actor, RECOGNITION_VIEW, "只有本县（市、区）三方办公室可以作出认定决定。", unit=unit)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related(
            "unit", "self_assessment").get(pk=application.pk)
        before = audit.snapshot(locked)
        action = "作出认定决定"
        transition = "pass_review" if passed else "fail_review"
        advance(locked, transition, action, rule=RULE_ASSESS)
        assignments = current_assignments(locked)
        if not assignments.exists():
            raise DomainError(f"尚未指派评审人员，不能作出认定决定。依据：{RULE_ASSESS}。",
                              field="state", code="illegal_transition")
        open_count = assignments.filter(state=ReviewAssignment.State.ASSIGNED).count()
        if open_count:
            raise DomainError(
                f"还有 {open_count} 项评审任务未提交评审意见，不能作出认定决定。"
                f"依据：{RULE_ASSESS}。",
                field="state", code="reviews_open",
            )
        if not reason:
            raise DomainError("请填写认定决定的理由。", field="reason", code="no_reason")
        conclusion = combined_conclusion(locked)
        if passed and not conclusion["all_confirmed"]:
            refused = [r["id"] for r in conclusion["criteria"] if not r["confirmed"]]
            raise DomainError(
                "综合评审结论中以下条目未确认达标，不能认定通过：" + "、".join(refused)
                + f"。依据：{RULE_PASS}；{_rule_review(locked)}。", field="passed",
                code="conclusion_not_met",
            )
        if passed and not conclusion["score_reached"]:
            raise DomainError(
                f"综合评分 {conclusion['score']} 低于及格分 {conclusion['pass_score']}，"
                f"不能认定通过。依据：{RULE_PASS}。", field="passed", code="score_below_pass",
            )
        locked.conclusion = conclusion
        locked.review_policy_version = conclusion["policy_version"]
        locked.review_policy_id = rules_for(locked).policy_id
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        recognition = None
        if passed:
            county = Division.objects.get(code=codes.county_of(unit.region_id))
            recognition = Recognition.objects.create(
                unit=unit, year=locked.year, application=locked, region=county,
                recognised_on=timezone.localdate(),
            )
        audit.record(actor, "recognition.decide", locked, before=before,
                     after=audit.snapshot(locked) | {"rule": RULE_ASSESS},
                     region_code=unit.region_id)
        if passed:
            events.record(locked, ApplicationEvent.Type.PASSED, actor,
                          score=conclusion["score"], reason=reason[:200])
        else:
            events.record(locked, ApplicationEvent.Type.FAILED, actor, reason=reason[:200])
        if recognition is not None:
            audit.record(actor, "recognition.recognise", recognition,
                         after=audit.snapshot(recognition) | {"rule": RULE_PASS},
                         region_code=unit.region_id)
        verdict = "通过" if passed else "未通过"
        notify(recipients.unit_admins(unit.pk), "recognition.decided",
               f"{locked.year} 年度认定申请评审{verdict}", f"理由：{reason}", _unit_url())
        reviewers = [p for a in assignments.select_related("reviewer")
                     for p in _assignment_people(a)]
        notify(list(_concerned_offices(unit)) + reviewers, "recognition.decided",
               f"{unit.name} {locked.year} 年度认定申请：评审{verdict}", f"理由：{reason}",
               application_url(locked))
    return locked


# --- appeal --------------------------------------------------------------------------------

def appeal_deadline(application: Application) -> datetime.date | None:
    if application.decided_at is None:
        return None
    return timezone.localdate(application.decided_at) + datetime.timedelta(
        days=rules_for(application).appeal_window_days)


def appeal(actor, application: Application, reason: str) -> Appeal:
    """The unit admin appeals a fail within the window, once per application."""
    unit = application.unit
    if unit.pk not in scope_for(actor, RECOGNITION_APPLY).unit_ids:
        refuse(actor, RECOGNITION_VIEW, "申诉只能由本单位经办人提出。", unit=unit)
    rule = _rule_appeal(application)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state != Application.State.FAILED:
            raise DomainError(
                f"当前状态为“{locked.get_state_display()}”，只有评审未通过的申请可以申诉。依据：{rule}。",
                field="state", code="illegal_transition",
            )
        if Appeal.objects.filter(application=locked).exists():
            raise DomainError(f"本申请已提出过申诉，每份申请只能申诉一次。依据：{rule}。",
                              field="state", code="duplicate")
        deadline = appeal_deadline(locked)
        if timezone.localdate() > deadline:
            raise DomainError(
                f"申诉期已于 {deadline:%Y-%m-%d} 届满，不能再申诉；可于下一年度重新申请。"
                f"依据：{rule}。",
                field="state", code="appeal_window_closed",
            )
        if not reason:
            raise DomainError("请填写申诉理由。", field="reason")
        made = Appeal.objects.create(application=locked, reason=reason, filed_by=actor)
        audit.record(actor, "recognition.appeal", made,
                     after=audit.snapshot(made) | {"rule": rule}, region_code=unit.region_id)
        events.record(locked, ApplicationEvent.Type.APPEALED, actor, reason=reason[:200])
        notify(_concerned_offices(unit), "recognition.appealed",
               f"{unit.name} 对 {locked.year} 年度认定结果提出申诉", reason,
               application_url(locked))
    return made


def handle_appeal(actor, appeal_obj: Appeal, accept: bool, answer: str) -> Appeal:
    """The county accepts an appeal (the application goes back to review, new round) or
    rejects it with an answer (the fail stands)."""
    unit = appeal_obj.application.unit
    if not scope_for(actor, RECOGNITION_DECIDE).covers_region(unit.region_id):
        refuse(actor, RECOGNITION_VIEW, "只有本县（市、区）三方办公室可以处理申诉。", unit=unit)
    rule = _rule_appeal(appeal_obj.application)
    answer = (answer or "").strip()
    if not accept and not answer:
        raise DomainError("驳回申诉须填写答复。", field="answer", code="no_answer")
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal_obj.pk)
        application = Application.objects.select_for_update().get(pk=locked.application_id)
        before = audit.snapshot(locked)
        app_before = audit.snapshot(application)
        if accept:
            advance(locked, "accept", "受理申诉", rule=rule)
            advance(application, "appeal", "受理申诉并重新评审", rule=rule)
            application.review_round += 1
            application.save(update_fields=["state", "review_round"])
        else:
            advance(locked, "reject", "驳回申诉", rule=rule)
        locked.answer = answer
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.save()
        audit.record(actor, "recognition.handle_appeal", locked, before=before,
                     after=audit.snapshot(locked) | {"rule": rule}, region_code=unit.region_id)
        if accept:
            events.record(application, ApplicationEvent.Type.APPEAL_ACCEPTED, actor,
                          round=application.review_round, answer=answer[:200])
        else:
            events.record(application, ApplicationEvent.Type.APPEAL_REJECTED, actor,
                          answer=answer[:200])
        if accept:
            audit.record(actor, "recognition.reopen", application, before=app_before,
                         after=audit.snapshot(application), region_code=unit.region_id)
        title = (f"{application.year} 年度认定申请的申诉已受理，将重新评审" if accept
                 else f"{application.year} 年度认定申请的申诉已驳回")
        notify(recipients.unit_admins(unit.pk), "recognition.appeal_handled", title,
               answer, _unit_url())
    appeal_obj.refresh_from_db()
    return locked


# --- for the publicity service ---------------------------------------------------------------

def move_recognitions(recs: list[Recognition], transition: str, label: str, *, rule: str,
                      **links) -> None:
    """Advance ``recs`` through ``transition`` and set ``links`` (the notice or the published
    list they now belong to) in one bulk update. Publicity owns the notice and the list and
    calls this from its own audited service, inside its transaction, with the rows it has
    locked; recognition owns the rows and their state machine."""
    for rec in recs:
        advance(rec, transition, label, rule=rule)
        for name, value in links.items():
            setattr(rec, name, value)
    Recognition.objects.bulk_update(recs, ["state", *links], batch_size=1000)
