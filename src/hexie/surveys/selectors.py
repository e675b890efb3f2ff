"""Reads of the surveys, always through the scope choke point; the round result as aggregate
queries (one query for a whole round, whatever its size)."""

import math

from django.db.models import Count, F, Sum
from django.shortcuts import get_object_or_404

from hexie.accounts.roles import MONITORING_VIEW, SURVEYS_VIEW
from hexie.monitoring.models import RiskSignal

from . import policy
from .models import SurveyAnswer, SurveyApplication, SurveyComment, SurveyRound


def rounds_for(user):
    return SurveyRound.objects.visible_to(user, SURVEYS_VIEW).select_related("unit")


def get_round(user, pk) -> SurveyRound:
    return get_object_or_404(rounds_for(user), pk=pk)


def answer_count(rnd: SurveyRound) -> int:
    return SurveyAnswer.objects.filter(round=rnd).count()


def shuffled_comments(rnd: SurveyRound) -> list[str]:
    """The comments in a random order, text only (no date, no key, no order of arrival)."""
    return list(SurveyComment.objects.filter(round=rnd).order_by("?")
                .values_list("text", flat=True))


def concerns_for(user):
    """Worker-voice risk signals for the offices (monitoring.view); the unit admin has no
    such permission, so this is empty for them."""
    return (RiskSignal.objects.filter(source=RiskSignal.Source.WORKER_VOICE)
            .visible_to(user, MONITORING_VIEW).select_related("unit"))


def applications_of(rnd: SurveyRound):
    return SurveyApplication.objects.filter(round=rnd).select_related("applied_by")


def satisfaction_source(self_assessment) -> SurveyApplication | None:
    """The hook for the self-assessment page: the survey round whose result is the draft's
    current ``satisfaction_percent`` ("来源：满意度调查第 N 轮"), or None when the value was typed
    in (or changed after the round was applied)."""
    value = (self_assessment.facts or {}).get("satisfaction_percent")
    if value is None:
        return None
    latest = (SurveyApplication.objects.filter(unit_id=self_assessment.unit_id,
                                               year=self_assessment.year)
              .select_related("round", "applied_by").order_by("-id").first())
    if latest is None or float(latest.percent) != float(value):
        return None
    return latest


# --- the result ---------------------------------------------------------------------------

def wilson(successes: float, n: float, z: float) -> tuple[float, float] | None:
    """Wilson score interval of a share (n may be an effective, non-integer sample size)."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percent_down(successes: int, total: int) -> str | None:
    """Two decimals rounded DOWN, exactly (89.999… never becomes 90.00)."""
    if total <= 0:
        return None
    hundredths = successes * 10000 // total
    whole, cents = divmod(hundredths, 100)
    return f"{whole}.{cents:02d}"


def _pct(interval):
    return None if interval is None else [round(interval[0] * 100, 2), round(interval[1] * 100, 2)]


def result_from_counts(rnd: SurveyRound, n: int, satisfied: list[int], y: int,
                       y2: int) -> dict:
    """The result from the aggregate counts (``satisfied[i]``: answers satisfied on dimension
    i; ``y``, ``y2``: sum and sum of squares of each worker's satisfied count). Overall =
    satisfied answers / all dimension answers; its interval is Wilson on the effective sample
    size under a design effect with the worker as cluster (a worker's answers are correlated);
    never narrower than the naive interval that treats the n·k answers as independent (D25)."""
    rules = policy.for_round(rnd)
    z = rules.z
    k = len(rnd.dimensions)
    dims = [{"code": code, "label": label, "n": n, "satisfied": sat,
             "percent": percent_down(sat, n), "ci": _pct(wilson(sat, n, z))}
            for (code, label), sat in zip(rnd.dimensions, satisfied, strict=True)]
    total = n * k
    naive = wilson(y, total, z)
    ci, deff = naive, 1.0
    if n >= 1 and total:
        p = y / total
        var_q = (y2 / (k * k) - n * p * p) / (n - 1) if n >= 2 else 0.0  # of a worker's share
        if p * (1 - p) > 0 and var_q > 0:
            n_eff = min(float(total), max(1.0, p * (1 - p) / (var_q / n)))
        else:
            # All answers alike (p = 0 or 1) or one worker: the correlation cannot be
            # estimated, so count workers, not answers (the widest, fully correlated case).
            n_eff = float(n) if p * (1 - p) == 0 else float(total)
        deff = total / n_eff
        ci = wilson(p * n_eff, n_eff, z)
    minimum = rnd.minimum_sample
    return {
        "n": n, "k": k, "answers_total": total, "satisfied": y,
        "percent": percent_down(y, total), "ci": _pct(ci), "ci_naive": _pct(naive),
        "design_effect": round(deff, 3), "dimensions": dims, "minimum_sample": minimum,
        "meets_minimum": n >= minimum, "set_id": rnd.set_id,
        "pass_line": round(rules.sets[rnd.set_id].expected_share * 100, 2)
        if rnd.set_id in rules.sets else None,
    }


def compute_result(rnd: SurveyRound) -> dict:
    """One aggregate query of integer sums over the round's answers: the count, per dimension
    the satisfied bit of the mask, and the sum and sum of squares of satisfied per worker."""
    k = len(rnd.dimensions)
    aggregates = {"n": Count("pk"), "y": Sum("satisfied"),
                  "y2": Sum(F("satisfied") * F("satisfied"))}
    for i in range(k):
        aggregates[f"s{i}"] = Sum(F("satisfied_mask").bitrightshift(i).bitand(1))
    got = SurveyAnswer.objects.filter(round_id=rnd.pk).aggregate(**aggregates)
    return result_from_counts(rnd, got["n"], [got[f"s{i}"] or 0 for i in range(k)],
                              got["y"] or 0, got["y2"] or 0)


def result_of(rnd: SurveyRound) -> dict:
    """The frozen result of a closed round, the live one of an open round."""
    return rnd.result if rnd.result is not None else compute_result(rnd)
