"""Every change of the satisfaction surveys and the worker-voice channel.

Signed-in changes (open, reissue, close, apply) take the acting user, check scope and
permission, enforce the rule they name, audit and notify in one transaction. The anonymous
ones (an answer, a concern) are not audited: the audit log records the caller's address, and
nothing may tie an answer or a concern to a worker (D25)."""

import datetime
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from hexie.accounts.roles import SURVEYS_MANAGE, SURVEYS_VIEW
from hexie.campaigns import policy as campaign_policy
from hexie.core import audit
from hexie.core import text as text_cleaning
from hexie.core.clauses import cite
from hexie.core.errors import DomainError, OutOfScope
from hexie.core.refusal import refuse_unless
from hexie.core.scoping import scope_for
from hexie.core.transitions import advance
from hexie.monitoring.models import RiskSignal
from hexie.monitoring.services import raise_risk_signal
from hexie.notifications.recipients import offices_over
from hexie.notifications.services import notify
from hexie.standards import services as standards
from hexie.units.models import Unit

from . import policy
from .models import SurveyAnswer, SurveyApplication, SurveyComment, SurveyLink, SurveyRound
from .selectors import compute_result

SEED = cite()
RULE_SURVEY = f"{cite('3.1.sat')}：职工对各项指标综合评价满意度"
RULE_VOICE = f"{cite('4.6')}：动态管理，及时掌握劳动关系风险"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")
# Anything that looks like markup or script: a tag opener, an entity, a javascript: URL or an
# inline event handler. Refused, not neutralised: a worker's comment has no use for them.
MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&#|&[A-Za-z]+;|javascript\s*:|vbscript\s*:|"
                    r"\bon[a-z]+\s*=", re.IGNORECASE)


class LinkRefused(DomainError):
    """A survey link that cannot take an answer (unknown, expired, closed, already used)."""


# --- helpers ------------------------------------------------------------------------------

def token_digest(token: str) -> str:
    """The keyed hash stored for a link (HMAC-SHA256 with SECRET_KEY)."""
    return salted_hmac("hexie.surveys.link", token, algorithm="sha256").hexdigest()


def voice_key(unit_id: int) -> str:
    """The per-unit key of the anonymous concern URL, derived (nothing stored)."""
    return salted_hmac("hexie.surveys.voice", str(unit_id), algorithm="sha256").hexdigest()[:20]


def check_voice_key(unit_id: int, key: str) -> bool:
    return constant_time_compare(voice_key(unit_id), key or "")


def clean_text(raw, max_chars: int, field: str, *, required: bool = False) -> str:
    """Control and format characters stripped (core.text); markup refused; at most
    ``max_chars`` characters."""
    text = text_cleaning.clean_text(raw)
    if required and not text:
        raise DomainError("请填写内容。", field=field, code="required")
    if MARKUP.search(text):
        raise DomainError("内容不能包含网页代码或脚本（如 <script>、HTML 标签），请只填写文字。",
                          field=field, code="markup")
    if len(text) > max_chars:
        raise DomainError(
            f"内容不能超过 {max_chars} 个字（现为 {len(text)} 个字）。",
            field=field, code="too_long")
    return text


def body_too_big(request) -> bool:
    """Larger than the policy's limit (judged by Content-Length, before reading the body)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > policy.current().max_body_bytes


def too_big_error() -> DomainError:
    return DomainError("提交的内容过大，请缩短意见后重试。", field="comment", code="too_large")


def check_rate(bucket: str, address: str | None) -> None:
    """Flood control per client address through Django's cache. The key is a keyed hash of the
    address, so not even the cache holds it; refused attempts count too."""
    limit = policy.current().rate_limit(bucket)
    digest = salted_hmac("hexie.surveys.rate", address or "-").hexdigest()[:32]
    key = f"hexie:surveys:rate:{bucket}:{digest}"
    if cache.add(key, 1, limit.window_seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, limit.window_seconds)
            count = 1
    if count > limit.limit:
        raise DomainError(
            f"提交过于频繁：同一网络地址 {max(1, limit.window_seconds // 60)} 分钟内最多提交 "
            f"{limit.limit} 次，请稍后再试。",
            code="rate_limited")


def _check_manage(actor, unit: Unit) -> None:
    """The unit's own admin runs its surveys; offices who see them get 403, others 404."""
    refuse_unless(unit.pk in scope_for(actor, SURVEYS_MANAGE).unit_ids, actor, SURVEYS_VIEW,
                  "满意度调查只能由本单位经办人发起和管理。", unit=unit)


def dimension_set_for(unit: Unit) -> str:
    """EL or ES through the standards library (DOMAIN.md §2); only enterprises are surveyed."""
    rules = policy.current(region=unit.region_id)
    if unit.kind not in rules.surveyed_kinds:
        raise DomainError(
            f"创建标准只对企业设有职工满意度指标，{unit.get_kind_display()}不开展满意度调查。"
            f"依据：{RULE_SURVEY}。", field="unit",
            code="not_surveyed")
    if not unit.size:
        raise DomainError(
            "本单位尚未核定企业规模，无法确定适用大中型（8 项）还是小微型（6 项）满意度指标。"
            f"请联系所在县（市、区）三方办公室核定企业规模。依据：{RULE_SURVEY}。",
            field="size", code="no_size")
    try:
        lib = standards.compiled(standards.resolve().pk)
    except standards.StandardNotFound:
        raise DomainError("默认创建标准库尚未载入，请联系管理员执行 hexie standards load。",
                          field="standard", code="no_standard") from None
    sets = lib.sets_for(unit.kind, unit.size, bool(unit.platform))
    chosen = next((s for s in sets if s in rules.sets), None)
    if chosen is None:
        raise DomainError("本单位适用的创建标准没有满意度指标。", field="unit", code="not_surveyed")
    return chosen


def _new_tokens(count: int) -> list[str]:
    return [secrets.token_urlsafe(16) for _ in range(count)]


@dataclass
class OpenedRound:
    """A round and its tokens: the only time the tokens exist in clear."""

    round: SurveyRound
    tokens: list[str]


# --- rounds -------------------------------------------------------------------------------

def open_round(actor, unit: Unit, *, links, valid_days, year) -> OpenedRound:
    """Open a round with ``links`` single-use links valid for ``valid_days`` days."""
    _check_manage(actor, unit)
    rules = policy.current(region=unit.region_id)
    set_id = dimension_set_for(unit)
    try:
        links, valid_days, year = int(links), int(valid_days), int(year)
    except (TypeError, ValueError):
        raise DomainError("链接数、有效天数和年度应为整数。", field="links") from None
    first = campaign_policy.current(region=unit.region_id).first_year
    if not first <= year <= timezone.localdate().year:
        raise DomainError(f"调查年度应在 {first} 年（{SEED}施行）至今年之间。", field="year")
    workforce = unit.employees or 0
    if workforce <= 0:
        raise DomainError("单位信息中没有职工人数，无法确定链接数和最低样本量。请先在单位信息中"
                          "填写职工人数。", field="links", code="no_workforce")
    minimum = rules.minimum_sample(workforce, set_id)
    top = min(workforce, rules.max_links)
    if not minimum <= links <= top:
        raise DomainError(
            f"链接数应在最低样本量 {minimum} 至 {top}（每名职工一个链接，且不超过 "
            f"{rules.max_links}）之间。依据：{rules.minimum_rule}。", field="links")
    if not rules.validity_min <= valid_days <= rules.validity_max:
        raise DomainError(f"有效天数应在 {rules.validity_min} 至 {rules.validity_max} 天之间。",
                          field="valid_days")
    tokens = _new_tokens(links)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # numbers in sequence
        last = SurveyRound.objects.filter(unit=unit).order_by("-number").first()
        rnd = SurveyRound.objects.create(
            unit=unit, year=year, number=(last.number + 1) if last else 1, set_id=set_id,
            dimensions=[[d.code, d.label] for d in rules.sets[set_id].dimensions],
            policy_version=rules.version, policy_id=rules.policy_id,
            workforce=workforce, minimum_sample=minimum,
            link_count=links, opened_by=actor,
            valid_until=timezone.now() + datetime.timedelta(days=valid_days),
        )
        # Shuffled before insert, so link ids follow no order the PDF shows.
        digests = [token_digest(t) for t in tokens]
        secrets.SystemRandom().shuffle(digests)
        SurveyLink.objects.bulk_create([SurveyLink(round=rnd, token_hash=d) for d in digests],
                                       batch_size=2000)
        audit.record(actor, "surveys.open", rnd, after=audit.snapshot(rnd),
                     region_code=unit.region_id)
    return OpenedRound(rnd, tokens)


def _locked(rnd: SurveyRound) -> SurveyRound:
    return SurveyRound.objects.select_for_update().select_related("unit").get(pk=rnd.pk)


def reissue_links(actor, rnd: SurveyRound) -> OpenedRound:
    """The PDF was lost: the unused links are withdrawn and as many new ones issued (answers
    already given stay)."""
    _check_manage(actor, rnd.unit)
    with transaction.atomic():
        rnd = _locked(rnd)
        if rnd.state != SurveyRound.State.OPEN:
            raise DomainError("调查已结束，不能重新生成链接。", field="state", code="closed")
        unused = SurveyLink.objects.filter(round=rnd, used=False)
        count = unused.count()
        unused.delete()
        tokens = _new_tokens(count)
        SurveyLink.objects.bulk_create(
            [SurveyLink(round=rnd, token_hash=token_digest(t)) for t in tokens], batch_size=2000)
        audit.record(actor, "surveys.reissue_links", rnd, after={"reissued": count},
                     region_code=rnd.unit.region_id)
    return OpenedRound(rnd, tokens)


def close_round(actor, rnd: SurveyRound) -> SurveyRound:
    """Stop answers and freeze the result. The row lock waits for answers in flight (they hold
    a share lock on the round, _CONSUME_AND_INSERT), so the frozen result counts every
    accepted answer."""
    _check_manage(actor, rnd.unit)
    with transaction.atomic():
        rnd = _locked(rnd)
        before = audit.snapshot(rnd)
        advance(rnd, "close", "结束调查", rule=RULE_SURVEY)
        rnd.closed_by, rnd.closed_at = actor, timezone.now()
        rnd.result = compute_result(rnd)
        rnd.save()
        audit.record(actor, "surveys.close", rnd, before=before, after=audit.snapshot(rnd),
                     region_code=rnd.unit.region_id)
        notify(offices_over(rnd.unit.region_id), "surveys.closed",
               f"{rnd.unit.name} 满意度调查第 {rnd.number} 轮已结束",
               body=f"有效答卷 {rnd.result['n']} 份，综合满意度 {rnd.result['percent'] or '—'}%。",
               url=reverse("surveys:detail", args=[rnd.pk]))
    return rnd


def apply_to_self_assessment(actor, rnd: SurveyRound) -> SurveyApplication:
    """Write a closed round's overall share into the unit's self-assessment draft of the
    round's year (``satisfaction_percent``), through the self-assessment's own draft service,
    and keep the provenance."""
    from hexie.assessments import services as assessments

    _check_manage(actor, rnd.unit)
    if rnd.state != SurveyRound.State.CLOSED:
        raise DomainError("调查尚未结束：结束调查、结果固定后才能写入单位自评。",
                          field="state", code="not_closed")
    result = rnd.result
    if not result["meets_minimum"]:
        raise DomainError(
            f"有效答卷 {result['n']} 份，少于最低样本量 {rnd.minimum_sample} 份，本轮结果不能用于"
            f"单位自评。依据：{RULE_SURVEY}；{policy.current().minimum_rule}。",
            field="answers", code="below_minimum")
    percent = Decimal(result["percent"])
    with transaction.atomic():
        draft = assessments.start_draft(actor, rnd.unit, rnd.year)
        draft = assessments.save_draft(actor, draft, {"satisfaction_percent": float(percent)})
        made = SurveyApplication.objects.create(
            round=rnd, self_assessment=draft, unit=rnd.unit, year=rnd.year, percent=percent,
            answers=result["n"], applied_by=actor)
        audit.record(actor, "surveys.apply", made, after=audit.snapshot(made),
                     region_code=rnd.unit.region_id)
    return made


# --- anonymous: answers and concerns ------------------------------------------------------

_LINK_BY_DIGEST = """
SELECT l.id, l.used, r.id, r.unit_id, r.year, r.number, r.set_id, r.state, r.valid_until,
       r.dimensions, r.policy_id
FROM surveys_surveylink l JOIN surveys_surveyround r ON r.id = l.round_id
WHERE l.token_hash = %s
"""


def _link_by_digest(digest: str) -> SurveyLink | None:
    """The link and its round in one query. On PostgreSQL as plain SQL: building the ORM query
    cost 0.5 ms of CPU per answer, a third of the endpoint's own work (docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        return next(iter(SurveyLink.objects.select_related("round").filter(
            token_hash=digest)[:1]), None)
    with connection.cursor() as cursor:
        cursor.execute(_LINK_BY_DIGEST, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    link_id, used, round_id, unit_id, year, number, set_id, state, valid_until, dims, pv = row
    rnd = SurveyRound(id=round_id, unit_id=unit_id, year=year, number=number, set_id=set_id,
                      state=state, valid_until=valid_until, policy_id=pv,
                      dimensions=json.loads(dims) if isinstance(dims, str) else dims)
    return SurveyLink(id=link_id, round=rnd, token_hash=digest, used=used)


def find_link(token: str) -> SurveyLink:
    """The link of ``token`` if it can still take an answer; otherwise LinkRefused saying why."""
    if not TOKEN_RE.match(token or ""):
        raise LinkRefused("链接无效：请核对二维码或链接是否完整。", field="token", code="invalid")
    link = _link_by_digest(token_digest(token))
    if link is None:
        raise LinkRefused("链接无效：请核对二维码或链接是否完整。", field="token", code="invalid")
    rnd = link.round
    if rnd.state != SurveyRound.State.OPEN:
        raise LinkRefused("本轮调查已结束，感谢关注。", field="token", code="closed")
    if timezone.now() > rnd.valid_until:
        raise LinkRefused("链接已过期：本轮调查已超过有效期。", field="token", code="expired")
    if link.used:
        raise LinkRefused("该链接已使用：每个链接只能提交一次，您的答卷已经计入。",
                          field="token", code="used")
    return link


def parse_levels(rnd: SurveyRound, answers) -> str:
    """The answer digits in the round's order; every dimension answered on the scale."""
    values = policy.for_round(rnd).level_values
    if not isinstance(answers, dict):
        raise DomainError("answers 应为对象：{指标代码: 1–5}", field="answers")
    codes = [code for code, _ in rnd.dimensions]
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        raise DomainError(f"无法识别的指标：{unknown[0]}", field=unknown[0])
    digits = []
    for code, label in rnd.dimensions:
        raw = answers.get(code)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value not in values or isinstance(raw, bool):
            raise DomainError(f"请为“{label}”选择一项满意程度。", field=code,
                              code="required")
        digits.append(str(value))
    return "".join(digits)


def score(levels: str, rules: policy.Policy | None = None) -> tuple[int, int]:
    """How many dimensions are satisfied, and which (bit i = dimension i), under ``rules``
    (the round's policy version; default today's)."""
    satisfied = {str(v) for v in (rules or policy.current()).satisfied_levels}
    mask = sum(1 << i for i, digit in enumerate(levels) if digit in satisfied)
    return mask.bit_count(), mask


# One statement on PostgreSQL: share-lock the round while it is open (a close waits for the
# answers in flight, and an answer after a close finds it closed), consume the link only if it
# is unused, insert the answer (and the comment) only if the link was consumed. READ COMMITTED
# re-checks "NOT used" after waiting for a concurrent consumer, so one token counts once.
_CONSUME_AND_INSERT = """
WITH open_round AS (
    SELECT id FROM surveys_surveyround
    WHERE id = %(round)s AND state = 'open' AND valid_until >= %(now)s
    FOR SHARE
), consumed AS (
    UPDATE surveys_surveylink SET used = true
    WHERE id = %(link)s AND NOT used AND round_id IN (SELECT id FROM open_round)
    RETURNING round_id
), answer AS (
    INSERT INTO surveys_surveyanswer (id, round_id, levels, satisfied, satisfied_mask)
    SELECT %(answer)s, round_id, %(levels)s, %(satisfied)s, %(mask)s FROM consumed
    RETURNING round_id
), comment AS (
    INSERT INTO surveys_surveycomment (id, round_id, text)
    SELECT %(comment)s, round_id, %(text)s FROM answer WHERE %(text)s <> ''
    RETURNING round_id
)
SELECT COUNT(*) FROM answer
"""


def _consume_and_insert(link: SurveyLink, levels: str, text: str) -> bool:
    satisfied, mask = score(levels, policy.for_round(link.round))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CONSUME_AND_INSERT, {
                "round": link.round_id, "now": timezone.now(), "link": link.pk,
                "answer": uuid.uuid4(), "levels": levels, "satisfied": satisfied,
                "mask": mask, "comment": uuid.uuid4(), "text": text})
            return cursor.fetchone()[0] == 1
    # SQLite serialises writers (IMMEDIATE transactions): the same steps in one transaction.
    with transaction.atomic():
        still_open = SurveyRound.objects.filter(
            pk=link.round_id, state=SurveyRound.State.OPEN, valid_until__gte=timezone.now()
        ).exists()
        if not still_open or SurveyLink.objects.filter(pk=link.pk, used=False).update(
                used=True) != 1:
            return False
        SurveyAnswer.objects.create(round_id=link.round_id, levels=levels,
                                    satisfied=satisfied, satisfied_mask=mask)
        if text:
            SurveyComment.objects.create(round_id=link.round_id, text=text)
    return True


def submit_answer(token: str, answers, comment="") -> SurveyRound:
    """Count one answer for ``token``: the link is consumed by one conditional UPDATE in the
    same statement (PostgreSQL) or transaction (SQLite) as the insert, so a double submit
    counts once; a refusal says why (used, expired, closed)."""
    link = find_link(token)
    rnd = link.round
    levels = parse_levels(rnd, answers)
    text = clean_text(comment, policy.for_round(rnd).comment_max_chars, "comment")
    if not _consume_and_insert(link, levels, text):
        find_link(token)  # raises the reason: used meanwhile, closed, expired
        raise LinkRefused("该链接已使用：每个链接只能提交一次，您的答卷已经计入。",
                          field="token", code="used")
    return rnd


def voice_unit(unit_id, key: str) -> Unit:
    """The unit of a concern URL; a wrong key is the same 404 as an unknown unit."""
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        raise OutOfScope() from None
    if not check_voice_key(unit_id, key):
        raise OutOfScope()
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise OutOfScope()
    return unit


def submit_concern(unit: Unit, category: str, text) -> RiskSignal:
    """A worker's anonymous concern becomes a risk signal for the county office; nothing about
    the worker is kept (no name, no address, no time beyond the date)."""
    rules = policy.current(region=unit.region_id)
    cat = rules.category(category or "")
    if cat is None:
        raise DomainError("请选择反映的问题类别。", field="category", code="required")
    body = clean_text(text, rules.concern_max_chars, "text", required=True)
    with transaction.atomic():
        signal = raise_risk_signal(
            None, unit, source=RiskSignal.Source.WORKER_VOICE, level=cat.level, area=cat.label,
            summary=body, detected_on=timezone.localdate())
        notify(offices_over(unit.region_id), "surveys.concern",
               f"{unit.name} 收到一条职工匿名反映",
               body=f"类别：{cat.label}。依据：{RULE_VOICE}。",
               url=reverse("surveys:concerns"))
    return signal
