"""Every change of the yearly online employment health check (seed 四（四）创建培育). Each takes
the acting user, checks scope and permission, enforces the rule it names, advances the state,
and writes the audit event and the notifications in the same transaction."""

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import (
    HEALTHCHECK_ANSWER,
    HEALTHCHECK_ORGANISE,
    HEALTHCHECK_VIEW,
    Role,
)
from hexie.campaigns.models import Pledge
from hexie.core import audit, events
from hexie.core.clauses import cite
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.refusal import refuse_unless
from hexie.core.scoping import scope_for
from hexie.core.transitions import advance
from hexie.monitoring.models import RiskSignal
from hexie.monitoring.services import raise_risk_signal
from hexie.notifications.recipients import offices_over, unit_admins
from hexie.notifications.services import notify
from hexie.regions import codes
from hexie.units.models import Unit

from . import policy
from .catalogue import (
    Catalogue,
    CatalogueError,
    catalogue_files,
    compile_catalogue,
    content_hash,
    read_catalogue,
)
from .evidence import check_evidence, sha256_of
from .models import CatalogueVersion, Finding, HealthCheck, HealthCheckEvent, RemediationTask

SEED = cite()
RULE_YEARLY = f"{cite('4.4')}：对申报创建单位每年开展一次线上用工体检"
RULE_ORGANISE = (f"{cite('4.4')}：县（市、区）协调劳动关系三方协同工业园区、乡镇（街道）"
                 "开展线上用工体检")
OFFICE_ROLES = (Role.COUNTY_OFFICE, Role.TOWN_OFFICE)
ANSWER_LABELS = {"yes": "是", "no": "否", "na": "不适用"}


# --- catalogue versions -------------------------------------------------------------------

def load_path(actor, path: Path | None = None) -> list[tuple[CatalogueVersion, bool]]:
    """Check and store every catalogue under ``path`` (default: the bundled ones); returns
    (version, created?). All or nothing; a stored version is never changed."""
    results = []
    with transaction.atomic():
        for file in catalogue_files(path):
            data, compiled_form = read_catalogue(file)
            digest = content_hash(data)
            existing = CatalogueVersion.objects.filter(
                catalogue_id=compiled_form.id, version=compiled_form.version).first()
            if existing is not None:
                if existing.sha256 != digest:
                    raise CatalogueError(
                        file, "version",
                        f"{compiled_form.id} 第 {compiled_form.version} 版已载入且内容不同："
                        "已载入的版本不可更改，请提高版本号")
                results.append((existing, False))
                continue
            row = CatalogueVersion.objects.create(
                catalogue_id=data["id"], version=data["version"], title=data["title"],
                issuer=data["issuer"], effective=datetime.date.fromisoformat(data["effective"]),
                source=data["source"], content=data, sha256=digest, source_file=Path(file).name,
            )
            audit.record(actor, "healthcheck.load_catalogue", row, after={
                "catalogue": row.catalogue_id, "version": row.version, "sha256": digest,
                "file": row.source_file, "items": len(compiled_form.items),
            })
            results.append((row, True))
    return results


def compiled(version: CatalogueVersion) -> Catalogue:
    return _compiled(version.pk, version.sha256)


@lru_cache(maxsize=16)
def _compiled(pk: int, sha256: str) -> Catalogue:
    row = CatalogueVersion.objects.get(pk=pk)
    return compile_catalogue(row.content, row.key)


def current_catalogue(on: datetime.date | None = None, rules=None) -> CatalogueVersion:
    """The latest loaded version of the policy's catalogue in force on ``on`` (``rules``: the
    health-check policy version deciding which catalogue; default the one in force on ``on``)."""
    on = on or timezone.localdate()
    rules = rules or policy.current(on)
    row = (CatalogueVersion.objects.filter(catalogue_id=rules.catalogue,
                                           effective__lte=on)
           .order_by("-version").first())
    if row is None:
        raise DomainError("体检目录尚未载入：请运维人员运行 hexie healthcheck load。",
                          field="catalogue", code="no_catalogue")
    return row


# --- helpers ------------------------------------------------------------------------------

def profile_of(unit: Unit) -> dict:
    return {"kind": unit.kind, "size": unit.size or "", "platform": bool(unit.platform)}


def applicable_items(check: HealthCheck):
    """The catalogue items that apply to the unit as it is now (as it was, once submitted)."""
    profile = check.profile if check.state != HealthCheck.State.OPEN else profile_of(check.unit)
    return compiled(check.catalogue).applicable(profile["kind"], profile["size"],
                                                profile["platform"])


def _office_recipients(unit: Unit):
    return offices_over(unit.region_id, roles=OFFICE_ROLES)


def _check_url(check: HealthCheck) -> str:
    return reverse("healthcheck:detail", args=[check.pk])


# --- organise -----------------------------------------------------------------------------

@dataclass(frozen=True)
class OrganiseResult:
    created: list[HealthCheck]
    existing: int


def organise(actor, year, units: list[Unit] | None = None) -> OrganiseResult:
    """A county or town/park office gives every unit in its scope that pledged for ``year``
    (or the ``units`` it names, pledged or not) its check of the year; units that have one
    already keep it (idempotent)."""
    scope = scope_for(actor, HEALTHCHECK_ORGANISE)
    if not scope.region_prefixes:
        if not scope_for(actor, HEALTHCHECK_VIEW).is_empty:
            raise NotPermitted(
                "只有县（市、区）三方办公室和工业园区、乡镇（街道）可以组织线上用工体检。")
        raise OutOfScope()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("体检年度应为四位年份。", field="year") from None
    # The policy in force today for the organising office's (broadest) division.
    rules = policy.current(region=min(scope.region_prefixes, key=len))
    this_year = timezone.localdate().year
    if not rules.first_year <= year <= this_year:
        raise DomainError(f"体检年度应在 {rules.first_year} 年至 {this_year} 年之间。"
                          f"依据：{RULE_YEARLY}。", field="year")
    if units is None:
        candidates = list(Unit.objects.in_scope(scope).filter(pledges__year=year)
                          .distinct().order_by("pk"))
        if not candidates:
            raise DomainError(
                f"范围内没有提交 {year} 年度创建承诺书的单位；未承诺的单位可逐个添加。",
                field="units", code="no_units")
    else:
        candidates = []
        for unit in units:
            refuse_unless(scope.covers_region(unit.region_id), actor, HEALTHCHECK_VIEW,
                          "只能为本办公室所辖区划内的单位组织体检。", unit=unit)
            candidates.append(unit)
        if not candidates:
            raise DomainError("请选择要添加体检的单位。", field="units", code="no_units")
    catalogue = current_catalogue(rules=rules)
    with transaction.atomic():
        ids = [u.pk for u in candidates]
        have = set(HealthCheck.objects.filter(year=year, unit_id__in=ids)
                   .values_list("unit_id", flat=True))
        pledged = set(Pledge.objects.filter(year=year, unit_id__in=ids)
                      .values_list("unit_id", flat=True))
        new = []
        for unit in candidates:
            if unit.pk in have:
                continue
            region = next(p for p in scope.region_prefixes if codes.is_within(unit.region_id, p))
            new.append(HealthCheck(unit=unit, year=year, catalogue=catalogue,
                                   organised_by=actor, organised_region=region,
                                   policy_id=rules.policy_id,
                                   pledged=unit.pk in pledged, profile=profile_of(unit)))
        if not new:
            return OrganiseResult([], len(have))
        try:
            with transaction.atomic():
                HealthCheck.objects.bulk_create(new, batch_size=1000)
        except IntegrityError as exc:  # a concurrent organise of the same units
            raise DomainError("其他办公室正在为同一批单位组织体检，请刷新后重试。",
                              field="units", code="concurrent") from exc
        made = list(HealthCheck.objects.filter(year=year, unit_id__in=[c.unit_id for c in new])
                    .select_related("unit").order_by("pk"))
        audit.record(actor, "healthcheck.organise", None,
                     object_type=HealthCheck._meta.label_lower, object_id="",
                     object_repr=f"{year} 年度线上用工体检 {len(made)} 家",
                     after={"year": year, "catalogue": catalogue.key, "rule": RULE_ORGANISE,
                            "checks": [c.pk for c in made], "units": [c.unit_id for c in made],
                            "not_pledged": [c.unit_id for c in made if not c.pledged]},
                     region_code=scope.region_prefixes[0])
        events.record_each(made, HealthCheckEvent.Type.ORGANISED, actor,
                           lambda c: {"year": year, "catalogue": catalogue.key})
        for check in made:
            notify(unit_admins(check.unit_id), "healthcheck.organised",
                   f"请完成 {year} 年度线上用工体检",
                   "所在地三方办公室已为本单位安排本年度线上用工体检，请在单位自评前在线填报。",
                   _check_url(check))
    return OrganiseResult(made, len(have))


# --- answering ----------------------------------------------------------------------------

def _own_check(actor, check: HealthCheck, message: str) -> None:
    refuse_unless(check.unit_id in scope_for(actor, HEALTHCHECK_ANSWER).unit_ids, actor,
                  HEALTHCHECK_VIEW, message, unit=check.unit)


def _clean_answers(check: HealthCheck, answers: dict) -> dict:
    items = {i.id: i for i in applicable_items(check)}
    cleaned = {}
    for key, value in (answers or {}).items():
        if value in (None, ""):
            continue
        item = items.get(key)
        if item is None:
            raise DomainError(f"条目 {key} 不在本单位适用的体检目录中。", field=key,
                              code="unknown_item")
        if value not in ANSWER_LABELS:
            raise DomainError(f"条目 {key} 的回答应为“是”“否”或“不适用”。", field=key)
        if value == "na" and not item.allow_na:
            raise DomainError(f"条目 {key} 不能选“不适用”：每个适用单位都须回答是或否。",
                              field=key, code="na_not_allowed")
        cleaned[key] = value
    return cleaned


def save_answers(actor, check: HealthCheck, answers: dict) -> HealthCheck:
    """The unit admin saves (part of) its answers; nothing is scored until it submits."""
    _own_check(actor, check, "线上用工体检只能由本单位经办人填报。")
    with transaction.atomic():
        locked = HealthCheck.objects.select_for_update().get(pk=check.pk)
        if locked.state != HealthCheck.State.OPEN:
            raise DomainError(f"当前状态为“{locked.get_state_display()}”，不能修改答卷。",
                              field="state", code="illegal_transition")
        cleaned = _clean_answers(locked, answers)
        before = {"answers": locked.answers}
        merged = {**locked.answers, **cleaned}
        if merged == locked.answers:
            return locked
        locked.answers = merged
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answers", "answered_by", "answered_at"])
        audit.record(actor, "healthcheck.answer", locked, before=before,
                     after={"answers": merged}, region_code=locked.unit.region_id)
        events.record(locked, HealthCheckEvent.Type.ANSWERS_SAVED, actor, answered=len(merged))
    return locked


def latest_self_assessment(unit_id: int):
    """The unit's latest self-assessment, submitted or draft (its facts are the suggestions)."""
    from hexie.assessments.models import SelfAssessment

    return (SelfAssessment.objects.filter(unit_id=unit_id)
            .order_by("-year", "-updated_at", "-id").first())


def prefill(check: HealthCheck) -> dict:
    """Suggestions from the unit's latest self-assessment: {item id: {"answer", "fact",
    "source"}}. Shown for the unit to confirm; nothing is saved."""
    assessment = latest_self_assessment(check.unit_id)
    if assessment is None:
        return {}
    facts = assessment.facts or {}
    source = {"self_assessment": assessment.pk, "year": assessment.year,
              "state": assessment.state}
    out = {}
    for item in applicable_items(check):
        answer = item.suggest(facts)
        if answer is not None:
            out[item.id] = {"answer": answer, "fact": item.prefill["fact"], "source": source}
    return out


def submit(actor, check: HealthCheck, answers: dict | None = None,
           today: datetime.date | None = None) -> HealthCheck:
    """Score the check, record a finding and a remediation task for each failed item and a
    red risk signal for each red finding (seed 四（六）动态管理 reads them later)."""
    _own_check(actor, check, "线上用工体检只能由本单位经办人提交。")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = HealthCheck.objects.select_for_update().select_related("unit", "catalogue") \
            .get(pk=check.pk)
        if locked.state == HealthCheck.State.OPEN and answers:
            locked.answers = {**locked.answers, **_clean_answers(locked, answers)}
        if locked.state != HealthCheck.State.OPEN:  # refused with the state's name
            advance(locked, "submit", "提交体检", rule=RULE_YEARLY)
        items = applicable_items(locked)
        missing = [i.id for i in items if locked.answers.get(i.id) not in ANSWER_LABELS]
        if missing:
            raise DomainError(
                f"还有 {len(missing)} 个适用条目未回答（{'、'.join(missing[:5])}"
                f"{'等' if len(missing) > 5 else ''}），请全部回答后再提交。",
                field=missing[0], code="unanswered")
        catalogue = compiled(locked.catalogue)
        result = catalogue.evaluate(items, locked.answers)
        before = audit.snapshot(locked)
        locked.profile = profile_of(locked.unit)
        locked.answers = {i.id: locked.answers[i.id] for i in items}
        locked.score = round(float(result.risk), 1)
        locked.level = result.level
        locked.area_results = result.areas
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        advance(locked, "submit", "提交体检", rule=RULE_YEARLY)
        if not result.failed:
            advance(locked, "close", "完成体检")
            locked.closed_at = locked.submitted_at
        locked.save()
        signals = 0
        for item in result.failed:
            finding = Finding.objects.create(
                health_check=locked, item_id=item.id, area=item.area,
                area_name=catalogue.areas[item.area], question=item.question,
                risk_level=item.risk, legal_basis=[b.as_dict() for b in item.legal_basis],
                evidence_expected=item.evidence, advice=item.advice,
            )
            RemediationTask.objects.create(
                finding=finding, unit=locked.unit,
                due_on=today + datetime.timedelta(days=catalogue.remediation_days[item.risk]),
            )
            if item.risk == "red":
                basis = "；".join(f"{b.title}{b.article}" for b in item.legal_basis)
                raise_risk_signal(
                    actor, locked.unit, source=RiskSignal.Source.HEALTH_CHECK,
                    level=RiskSignal.Level.RED, area=catalogue.areas[item.area],
                    summary=f"{locked.year} 年度线上用工体检 {item.id}：{item.question}"
                            f"（回答：否）。依据：{basis}",
                    reference=f"healthcheck.finding:{finding.pk}", detected_on=today,
                )
                signals += 1
        audit.record(actor, "healthcheck.submit", locked, before=before,
                     after=audit.snapshot(locked) | {"findings": len(result.failed),
                                                     "risk_signals": signals,
                                                     "catalogue": locked.catalogue.key},
                     region_code=locked.unit.region_id)
        events.record(locked, HealthCheckEvent.Type.SUBMITTED, actor, score=locked.score,
                      level=locked.level, level_label=str(locked.get_level_display()),
                      findings=len(result.failed))
        if locked.state == HealthCheck.State.CLOSED:
            events.record(locked, HealthCheckEvent.Type.CLOSED, actor, findings=0)
        level = locked.get_level_display()
        title = f"{locked.unit.name} {locked.year} 年度线上用工体检已提交：{level}"
        body = (f"风险分 {locked.score}，发现问题 {len(result.failed)} 项"
                f"（其中高风险 {signals} 项）。")
        notify(unit_admins(locked.unit_id), "healthcheck.submitted", title, body,
               _check_url(locked))
        notify(_office_recipients(locked.unit), "healthcheck.submitted", title, body,
               _check_url(locked))
    return locked


# --- remediation --------------------------------------------------------------------------

def close_task(actor, task: RemediationTask, evidence: UploadedFile | None,
               note: str = "") -> RemediationTask:
    """The unit says it has remedied a finding and uploads the evidence."""
    unit = task.unit
    refuse_unless(task.unit_id in scope_for(actor, HEALTHCHECK_ANSWER).unit_ids, actor,
                  HEALTHCHECK_VIEW, "整改任务只能由本单位经办人提交。", unit=unit)
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写整改说明（做了什么、何时完成）。", field="note")
    with transaction.atomic():
        locked = RemediationTask.objects.select_for_update().select_related(
            "finding", "finding__health_check").get(pk=task.pk)
        advance(locked, "submit", "提交整改材料", rule=RULE_YEARLY)
        kind = check_evidence(evidence)
        before = audit.snapshot(locked)
        if locked.evidence:
            locked.evidence.delete(save=False)
        suffix = "." + evidence.name.rsplit(".", 1)[-1].lower()
        locked.evidence.save(f"{locked.unit_id}-task-{locked.pk}{suffix}", evidence, save=False)
        locked.evidence_name = (evidence.name or "")[-255:]
        locked.evidence_type = kind
        locked.evidence_sha256 = sha256_of(evidence)
        locked.note = note
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        locked.save()
        audit.record(actor, "healthcheck.close_task", locked, before=before,
                     after=audit.snapshot(locked), region_code=unit.region_id)
        events.record(locked.finding.health_check, HealthCheckEvent.Type.TASK_SUBMITTED, actor,
                      item_id=locked.finding.item_id, file_name=locked.evidence_name)
        notify(_office_recipients(unit), "healthcheck.task_submitted",
               f"{unit.name} 提交了整改材料：{locked.finding.item_id}",
               note[:200], reverse("healthcheck:tasks"))
    return locked


def follow_up(actor, task: RemediationTask, accept: bool, note: str = "") -> RemediationTask:
    """The county or town/park office accepts the remediation or sends it back with a note;
    when every task of the check is accepted, the check is complete."""
    unit = task.unit
    refuse_unless(scope_for(actor, HEALTHCHECK_ORGANISE).covers_region(unit.region_id), actor,
                  HEALTHCHECK_VIEW,
                  "只有所在县（市、区）或工业园区、乡镇（街道）办公室可以跟进整改。", unit=unit)
    note = (note or "").strip()
    if not accept and not note:
        raise DomainError("退回整改时请写明原因和要求。", field="note")
    with transaction.atomic():
        locked = RemediationTask.objects.select_for_update().select_related(
            "finding", "finding__health_check").get(pk=task.pk)
        before = audit.snapshot(locked)
        if accept:
            advance(locked, "accept", "通过整改", rule=RULE_YEARLY)
        else:
            advance(locked, "reopen", "退回整改", rule=RULE_YEARLY)
            locked.rounds += 1
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.review_note = note
        locked.save()
        audit.record(actor, "healthcheck.follow_up", locked, before=before,
                     after=audit.snapshot(locked) | {"accepted": accept},
                     region_code=unit.region_id)
        check = HealthCheck.objects.select_for_update().get(pk=locked.finding.health_check_id)
        if accept:
            events.record(check, HealthCheckEvent.Type.TASK_ACCEPTED, actor,
                          item_id=locked.finding.item_id)
        else:
            events.record(check, HealthCheckEvent.Type.TASK_RETURNED, actor,
                          item_id=locked.finding.item_id, note=note[:200])
        if accept and not RemediationTask.objects.filter(
                finding__health_check=check).exclude(state=RemediationTask.State.ACCEPTED
                                                     ).exists():
            check_before = audit.snapshot(check)
            advance(check, "close", "完成体检")
            check.closed_at = timezone.now()
            check.save(update_fields=["state", "closed_at"])
            audit.record(actor, "healthcheck.close", check, before=check_before,
                         after=audit.snapshot(check), region_code=unit.region_id)
            events.record(check, HealthCheckEvent.Type.CLOSED, actor,
                          findings=check.findings.count())
        verdict = "已通过" if accept else "被退回"
        notify(unit_admins(unit.pk), "healthcheck.task_reviewed",
               f"整改任务 {locked.finding.item_id} {verdict}", note, _check_url(check))
    return locked
