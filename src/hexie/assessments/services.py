"""Every change of the self-assessment (seed 四（二）单位自评). Each takes the acting user, checks
scope and permission, enforces the rule it names, audits and notifies in one transaction.

A unit has at most one draft per year. Submitting freezes it; the next change by the unit
starts a new draft that copies the latest submission's facts and evidence rows (the stored
files are shared, never copied or changed)."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from hexie.accounts.roles import ASSESSMENTS_EDIT, ASSESSMENTS_VIEW
from hexie.campaigns.models import Pledge
from hexie.core import audit, events
from hexie.core.clauses import cite
from hexie.core.errors import DomainError
from hexie.core.refusal import refuse_unless
from hexie.core.scoping import scope_for
from hexie.core.transitions import advance
from hexie.notifications.recipients import offices_over, unit_admins
from hexie.notifications.services import notify
from hexie.standards import services as standards
from hexie.standards.evaluator import FactError
from hexie.units.models import Kind, Unit

from . import evidence as evidence_files
from . import policy
from .evaluation import check_present, evidence_items, live, set_ids_of, unit_profile
from .models import Evidence, SelfAssessment, SelfAssessmentEvent

SEED = cite()
RULE_SELF = f"{cite('4.2')}：创建单位对照创建标准适时开展自我评价"
RULE_PLEDGED = (f"{cite('4.1+4.2')}：单位提交创建承诺书后成为创建单位，"
                "由创建单位对照创建标准开展自我评价")
RULE_EVIDENCE = f"{cite('4.2')}：对照创建标准开展自我评价（证明材料按指标上传）"


def _check_edit(actor, unit: Unit) -> None:
    """Only the unit's own admin changes its self-assessment; offices who see it get 403,
    everyone else 404."""
    refuse_unless(unit.pk in scope_for(actor, ASSESSMENTS_EDIT).unit_ids, actor,
                  ASSESSMENTS_VIEW, "单位自评只能由本单位经办人填报。", unit=unit)


def profile_of(unit: Unit) -> dict:
    """The unit as the standards see it; an enterprise needs its size (it decides EL or ES)."""
    if unit.kind == Kind.ENTERPRISE and not unit.size:
        raise DomainError(
            "本单位尚未核定企业规模（大型、中型、小型、微型），无法确定适用的创建标准。"
            "请联系所在县（市、区）三方办公室在单位信息中核定企业规模后再开展自评。"
            f"依据：{SEED} 三、创建标准（大中型企业与小微型企业适用不同标准）。",
            field="size", code="no_size")
    return {"kind": unit.kind, "size": unit.size if unit.kind == Kind.ENTERPRISE else None,
            "platform": bool(unit.platform)}


def _library(sa: SelfAssessment):
    return standards.compiled(sa.standard_id)


def _evidence_ids(sa: SelfAssessment) -> set[str]:
    return set(sa.evidence.values_list("item_id", flat=True))


def _refresh(sa: SelfAssessment) -> None:
    """Keep a draft's live result (complete facts only) so lists can show it."""
    outcome = live(_library(sa), sa.profile, sa.facts, _evidence_ids(sa))
    if outcome["complete"]:
        sa.result = {k: v for k, v in outcome.items() if k not in ("complete", "errors",
                                                                    "missing")}
        sa.meets, sa.evidence_complete = outcome["meets"], outcome["evidence_complete"]
    else:
        sa.result, sa.meets, sa.evidence_complete = None, None, None


def _snapshot(sa: SelfAssessment) -> dict:
    data = audit.snapshot(sa)
    data.pop("result", None)  # the result is derived from the facts; keep events small
    return data


def start_draft(actor, unit: Unit, year) -> SelfAssessment:
    """Continue the year's open draft, or start one: pinned to the default standard library
    in force today, the unit's profile as it is now, and the latest submission's facts and
    evidence when there is one."""
    _check_edit(actor, unit)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("创建年度应为四位年份。", field="year") from None
    pledge = Pledge.objects.filter(unit=unit, year=year).first()
    if pledge is None:
        raise DomainError(
            f"本单位尚未提交 {year} 年度创建承诺书，不是该年度的创建单位，不能开展自评。"
            f"请先提交创建承诺书。依据：{RULE_PLEDGED}。", field="year", code="not_pledged")
    existing = SelfAssessment.objects.filter(unit=unit, year=year,
                                             state=SelfAssessment.State.DRAFT).first()
    if existing is not None:
        return existing
    profile = profile_of(unit)
    try:
        row = standards.resolve()
    except standards.StandardNotFound:
        raise DomainError("默认创建标准库尚未载入，请联系管理员执行 hexie standards load。",
                          field="standard", code="no_standard") from None
    lib = standards.compiled(row.pk)
    from .selectors import latest_submission

    previous = latest_submission(unit.pk, year)
    needed = set(lib.facts_for(set_ids_of(lib, profile)))
    facts = {k: v for k, v in (previous.facts if previous else {}).items() if k in needed}
    with transaction.atomic():
        try:
            with transaction.atomic():
                sa = SelfAssessment.objects.create(
                    unit=unit, pledge=pledge, year=year, standard=row, profile=profile,
                    facts=facts, created_by=actor)
        except IntegrityError:  # a concurrent start of the same draft
            return SelfAssessment.objects.get(unit=unit, year=year,
                                              state=SelfAssessment.State.DRAFT)
        copied = []
        if previous is not None:
            asks = evidence_items(lib, profile)
            copied = [Evidence(self_assessment=sa, item_id=e.item_id, file=e.file.name,
                               original_name=e.original_name, file_type=e.file_type,
                               size=e.size, sha256=e.sha256, uploaded_by=e.uploaded_by)
                      for e in previous.evidence.all() if e.item_id in asks]
            Evidence.objects.bulk_create(copied)
        _refresh(sa)
        sa.save(update_fields=["result", "meets", "evidence_complete"])
        audit.record(actor, "assessments.start", sa, after=_snapshot(sa) | {
            "standard": lib.key, "copied_from": previous.pk if previous else None,
            "evidence_copied": len(copied), "rule": RULE_SELF,
        }, region_code=unit.region_id)
        events.record(sa, SelfAssessmentEvent.Type.STARTED, actor, standard=lib.key,
                      copied_from_sequence=previous.sequence if previous else None,
                      evidence_copied=len(copied))
    return sa


def _working_draft(actor, sa: SelfAssessment) -> SelfAssessment:
    """The locked draft a change applies to: ``sa`` itself, or after a submission the year's
    new draft (started from the latest submission)."""
    _check_edit(actor, sa.unit)
    if sa.state != SelfAssessment.State.DRAFT:
        sa = start_draft(actor, sa.unit, sa.year)
    locked = SelfAssessment.objects.select_for_update().select_related("unit").get(pk=sa.pk)
    if locked.state != SelfAssessment.State.DRAFT:  # submitted meanwhile
        raise DomainError("该自评已提交，请刷新页面后在新的草稿中修改。", field="state",
                          code="submitted")
    return locked


def clean_facts(lib, profile: dict, facts) -> dict:
    """Refuse an unknown fact or a present value the evaluator would refuse (the first, in the
    evaluator's order); ``None`` means "not filled in yet"."""
    if not isinstance(facts, dict):
        raise DomainError("facts 应为对象：{事实名: 值}", field="facts")
    _, errors, _ = check_present(lib, set_ids_of(lib, profile),
                                 {k: v for k, v in facts.items() if v is not None})
    if errors:
        name = sorted(errors)[0]
        raise DomainError(f"{errors[name]}。依据：{RULE_SELF}。", field=name,
                          code="unknown_fact" if name not in lib.facts_for(
                              set_ids_of(lib, profile)) else "invalid_fact")
    return facts


def save_draft(actor, sa: SelfAssessment, facts: dict) -> SelfAssessment:
    """Merge ``facts`` into the draft (a ``None`` value clears that fact). Partial facts are
    fine; a present value that is invalid is refused naming the fact, and nothing changes."""
    with transaction.atomic():
        draft = _working_draft(actor, sa)
        lib = _library(draft)
        if not isinstance(facts, dict):
            raise DomainError("facts 应为对象：{事实名: 值}", field="facts")
        merged = dict(draft.facts)
        for name, value in facts.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        clean_facts(lib, draft.profile, merged)
        if merged == draft.facts:
            return draft
        before = _snapshot(draft)
        changed = sum(1 for k in set(merged) | set(draft.facts)
                      if merged.get(k) != draft.facts.get(k))
        draft.facts = merged
        _refresh(draft)
        draft.save()
        audit.record(actor, "assessments.save_draft", draft, before=before,
                     after=_snapshot(draft), region_code=draft.unit.region_id)
        events.record(draft, SelfAssessmentEvent.Type.FACTS_SAVED, actor, changed=changed)
    return draft


def upload_evidence(actor, sa: SelfAssessment, item_id: str, upload) -> Evidence:
    """Attach one evidence file to one item of the unit's sets that asks for evidence."""
    with transaction.atomic():
        draft = _working_draft(actor, sa)
        lib = _library(draft)
        asks = evidence_items(lib, draft.profile)
        item_id = (item_id or "").strip()
        if item_id not in asks:
            in_sets = any(item.id == item_id for set_id in set_ids_of(lib, draft.profile)
                          for item in lib.sets[set_id].items)
            reason = (f"指标 {item_id} 不要求上传证明材料。" if in_sets
                      else f"指标 {item_id} 不属于本单位适用的创建标准。")
            raise DomainError(f"{reason}依据：{RULE_EVIDENCE}。", field="item_id",
                              code="unknown_item")
        rules = policy.current()
        if draft.evidence.filter(item_id=item_id).count() >= rules.max_files_per_item:
            raise DomainError(f"指标 {item_id} 最多上传 {rules.max_files_per_item} 个文件，"
                              "请先删除不需要的文件。", field="file", code="too_many_files")
        file_type = evidence_files.check_file(upload)
        digest = evidence_files.sha256_of(upload)
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower()
        row = Evidence(self_assessment=draft, item_id=item_id,
                       original_name=(upload.name or "")[-255:], file_type=file_type,
                       size=upload.size, sha256=digest, uploaded_by=actor)
        row.file.save(f"{draft.unit_id}-{draft.year}-{item_id}-{digest[:12]}{suffix}", upload,
                      save=False)
        try:
            row.save()
            _refresh(draft)
            draft.save(update_fields=["result", "meets", "evidence_complete", "updated_at"])
            audit.record(actor, "assessments.evidence_upload", row, after=audit.snapshot(row),
                         region_code=draft.unit.region_id)
            events.record(draft, SelfAssessmentEvent.Type.EVIDENCE_ADDED, actor,
                          item_id=item_id, file_name=row.original_name)
        except Exception:
            row.file.delete(save=False)
            raise
    return row


def remove_evidence(actor, row: Evidence) -> SelfAssessment:
    """Take a file off a draft. A submission's evidence stays; the stored file goes only when
    no other self-assessment row (an earlier submission or its copy) still refers to it."""
    sa = row.self_assessment
    _check_edit(actor, sa.unit)
    with transaction.atomic():
        draft = SelfAssessment.objects.select_for_update().select_related("unit").get(pk=sa.pk)
        if draft.state != SelfAssessment.State.DRAFT:
            raise DomainError("已提交的自评及其证明材料不能更改。依据：每次提交均完整保留。",
                              field="state", code="submitted")
        before = audit.snapshot(row)
        name = row.file.name
        row.delete()
        shared = Evidence.objects.filter(file=name).exists()
        if not shared:
            transaction.on_commit(lambda: row.file.storage.delete(name))
        _refresh(draft)
        draft.save(update_fields=["result", "meets", "evidence_complete", "updated_at"])
        audit.record(actor, "assessments.evidence_remove", row, before=before,
                     region_code=draft.unit.region_id)
        events.record(draft, SelfAssessmentEvent.Type.EVIDENCE_REMOVED, actor,
                      item_id=row.item_id, file_name=row.original_name)
    return draft


def submit(actor, sa: SelfAssessment) -> SelfAssessment:
    """Evaluate the draft with its pinned library and freeze it as the next submission."""
    _check_edit(actor, sa.unit)
    with transaction.atomic():
        draft = SelfAssessment.objects.select_for_update().select_related("unit").get(pk=sa.pk)
        if draft.state != SelfAssessment.State.DRAFT:
            advance(draft, "submit", "提交单位自评", rule=RULE_SELF)
        lib = _library(draft)
        evidence_ids = _evidence_ids(draft)
        from hexie.standards.evaluator import evaluate

        try:
            result = evaluate(lib, unit_profile(draft.profile), draft.facts, evidence_ids)
        except FactError as exc:
            raise DomainError(f"自评数据不完整或有误，不能提交：{exc.message}。依据：{RULE_SELF}。",
                              field=exc.fact, code="incomplete") from None
        before = _snapshot(draft)
        last = (SelfAssessment.objects.filter(unit_id=draft.unit_id, year=draft.year)
                .aggregate(n=Max("sequence"))["n"]) or 0
        draft.sequence = last + 1
        draft.result = result
        draft.meets = result["meets"]
        draft.evidence_complete = result["evidence_complete"]
        draft.submitted_by = actor
        draft.submitted_at = timezone.now()
        advance(draft, "submit", "提交单位自评", rule=RULE_SELF)
        draft.save()
        audit.record(actor, "assessments.submit", draft, before=before, after=_snapshot(draft) | {
            "standard": lib.key, "meets": draft.meets,
            "evidence_complete": draft.evidence_complete, "rule": RULE_SELF,
        }, region_code=draft.unit.region_id)
        events.record(draft, SelfAssessmentEvent.Type.SUBMITTED, actor, sequence=draft.sequence,
                      meets=draft.meets, evidence_complete=draft.evidence_complete,
                      standard=lib.key)
        unit = draft.unit
        verdict = "达到创建标准" if draft.meets else "未达到创建标准"
        evidence_note = "证明材料齐全" if draft.evidence_complete else "证明材料不齐全"
        notify(
            list(offices_over(unit.region_id)) + list(unit_admins(unit.pk)),
            "assessments.submitted",
            f"{unit.name} 提交了 {draft.year} 年度单位自评（第 {draft.sequence} 次）",
            f"自评结果：{verdict}，{evidence_note}。标准库：{lib.key}。",
            reverse("assessments:detail", args=[draft.pk]),
        )
    return draft
