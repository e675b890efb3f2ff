"""The survey services: opening a round, every refusal of an anonymous answer (forged, expired,
closed, used, bad input, oversized, script, flood), the single-use guarantee, anonymity of the
stored rows, the minimum-sample and rounding boundaries, applying to the self-assessment."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from hexie.assessments.models import SelfAssessment
from hexie.core.errors import DomainError, NotPermitted, OutOfScope
from hexie.core.models import AuditEvent
from hexie.monitoring.models import RiskSignal
from hexie.notifications.models import Notification
from hexie.surveys import policy, selectors, services
from hexie.surveys.models import (
    SurveyAnswer,
    SurveyApplication,
    SurveyComment,
    SurveyLink,
    SurveyRound,
)
from hexie.units.models import Kind
from tests.factories import XIHU_TOWN, UnitFactory

from .conftest import ALL_SATISFIED_EL, answer_all

pytestmark = pytest.mark.django_db


def counted():
    return SurveyAnswer.objects.count(), SurveyComment.objects.count(), \
        SurveyLink.objects.filter(used=True).count()


# --- opening ------------------------------------------------------------------------------

def test_open_round_issues_hashed_single_use_links(opened, unit):
    rnd = opened.round
    assert rnd.set_id == "EL" and len(rnd.dimensions) == 8
    assert rnd.number == 1 and rnd.minimum_sample == 18 and rnd.link_count == 20
    assert len(set(opened.tokens)) == 20
    stored = set(SurveyLink.objects.filter(round=rnd).values_list("token_hash", flat=True))
    assert stored == {services.token_digest(t) for t in opened.tokens}
    assert not stored & set(opened.tokens)  # never the token itself
    assert AuditEvent.objects.filter(action="surveys.open", object_id=str(rnd.pk)).exists()


def test_es_unit_gets_six_dimensions(small_unit, year):
    from hexie.accounts.roles import Role
    from tests.factories import make_user

    admin = make_user(Role.UNIT_ADMIN, unit=small_unit)
    rnd = services.open_round(admin, small_unit, links=12, valid_days=7, year=year).round
    assert rnd.set_id == "ES"
    assert [c for c, _ in rnd.dimensions] == ["pay", "social_insurance", "rest_leave",
                                              "work_environment", "skills_training",
                                              "humanistic_care"]


def test_platform_enterprise_uses_its_size_set(year):
    from hexie.accounts.roles import Role
    from tests.factories import make_user

    unit = UnitFactory(region_id=XIHU_TOWN, employees=30, platform=True)
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    assert services.open_round(admin, unit, links=30, valid_days=7, year=year).round.set_id \
        == "EL"


def test_other_kinds_are_not_surveyed(year):
    from hexie.accounts.roles import Role
    from tests.factories import make_user

    park = UnitFactory(kind=Kind.INDUSTRIAL_PARK, credit_code=None, size="", employees=50)
    admin = make_user(Role.UNIT_ADMIN, unit=park)
    with pytest.raises(DomainError) as err:
        services.open_round(admin, park, links=50, valid_days=7, year=year)
    assert err.value.code == "not_surveyed" and "只对企业" in str(err.value.message)
    assert SurveyRound.objects.count() == 0


@pytest.mark.parametrize("links, ok", [(17, False), (18, True), (20, True), (21, False)])
def test_link_count_between_minimum_and_workforce(unit, unit_admin, year, links, ok):
    if ok:
        assert services.open_round(unit_admin, unit, links=links, valid_days=14,
                                   year=year).round.link_count == links
    else:
        with pytest.raises(DomainError) as err:
            services.open_round(unit_admin, unit, links=links, valid_days=14, year=year)
        assert err.value.field == "links" and "18" in str(err.value.message)
        assert SurveyRound.objects.count() == 0


@pytest.mark.parametrize("days, ok", [(0, False), (1, True), (60, True), (61, False)])
def test_validity_days_bounds(unit, unit_admin, year, days, ok):
    if ok:
        services.open_round(unit_admin, unit, links=20, valid_days=days, year=year)
    else:
        with pytest.raises(DomainError) as err:
            services.open_round(unit_admin, unit, links=20, valid_days=days, year=year)
        assert err.value.field == "valid_days"


def test_only_the_unit_admin_opens(unit, office, other_office, year):
    with pytest.raises(NotPermitted):
        services.open_round(office, unit, links=20, valid_days=14, year=year)
    with pytest.raises(OutOfScope):
        services.open_round(other_office, unit, links=20, valid_days=14, year=year)
    assert SurveyRound.objects.count() == 0


def test_rounds_are_numbered(unit, unit_admin, year, opened):
    second = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)
    assert second.round.number == 2


# --- answers: the happy path and every refusal --------------------------------------------

def test_answer_counts_once_and_consumes_the_link(opened):
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL, "食堂不错")
    assert counted() == (1, 1, 1)
    answer = SurveyAnswer.objects.get()
    assert answer.levels == "55555555" and answer.satisfied == 8
    assert answer.satisfied_mask == 0b11111111


def test_reused_link_is_refused_and_nothing_counted_twice(opened):
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)
    with pytest.raises(services.LinkRefused) as err:
        services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL, "再来一次")
    assert err.value.code == "used" and "已使用" in str(err.value.message)
    assert counted() == (1, 0, 1)


@pytest.mark.parametrize("token", ["", "short", "A" * 22, "!" * 22, "A" * 23])
def test_forged_or_unknown_token_is_refused(opened, token):
    with pytest.raises(services.LinkRefused) as err:
        services.submit_answer(token, ALL_SATISFIED_EL)
    assert err.value.code == "invalid" and "链接无效" in str(err.value.message)
    assert counted() == (0, 0, 0)


def test_expired_link_is_refused(opened):
    SurveyRound.objects.filter(pk=opened.round.pk).update(
        valid_until=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(services.LinkRefused) as err:
        services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)
    assert err.value.code == "expired" and "已过期" in str(err.value.message)
    assert counted() == (0, 0, 0)


def test_link_of_a_closed_round_is_refused(opened, unit_admin):
    services.close_round(unit_admin, opened.round)
    with pytest.raises(services.LinkRefused) as err:
        services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)
    assert err.value.code == "closed"
    assert counted() == (0, 0, 0)


@pytest.mark.parametrize("answers, field", [
    ({}, "pay"),
    (ALL_SATISFIED_EL | {"pay": 6}, "pay"),
    (ALL_SATISFIED_EL | {"pay": 0}, "pay"),
    (ALL_SATISFIED_EL | {"care": 5}, "care"),
    (ALL_SATISFIED_EL | {"rest_leave": "很好"}, "rest_leave"),
    (ALL_SATISFIED_EL | {"rest_leave": True}, "rest_leave"),
    ([5] * 8, "answers"),
])
def test_bad_answers_are_refused_and_the_link_stays_usable(opened, answers, field):
    with pytest.raises(DomainError) as err:
        services.submit_answer(opened.tokens[0], answers)
    assert err.value.field == field
    assert counted() == (0, 0, 0)
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)  # still usable
    assert counted() == (1, 0, 1)


def test_oversized_comment_is_refused(opened):
    limit = policy.current().comment_max_chars
    with pytest.raises(DomainError) as err:
        services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL, "好" * (limit + 1))
    assert err.value.code == "too_long" and str(limit) in str(err.value.message)
    assert counted() == (0, 0, 0)
    services.submit_answer(opened.tokens[1], ALL_SATISFIED_EL, "好" * limit)  # the bound
    assert counted() == (1, 1, 1)


@pytest.mark.parametrize("comment", [
    "<script>alert(1)</script>", "很好<img src=x onerror=alert(1)>", "</textarea>",
    "javascript:alert(1)", "点这里 onclick=alert(1)", "&#60;script&#62;", "&lt;b&gt;",
    "< script>",
])
def test_script_in_comment_is_refused(opened, comment):
    with pytest.raises(DomainError) as err:
        services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL, comment)
    assert err.value.code == "markup" and err.value.field == "comment"
    assert counted() == (0, 0, 0)


def test_control_characters_are_stripped(opened):
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL,
                           "  工资\x00按时\u202e发放\x1b，\r\n1 < 2 也行  ")
    assert SurveyComment.objects.get().text == "工资按时发放，\n1 < 2 也行"


def test_flood_from_one_address_is_refused(settings):
    limit = policy.current().rate_limits["answers"].limit
    for _ in range(limit):
        services.check_rate("answers", "203.0.113.9")
    with pytest.raises(DomainError) as err:
        services.check_rate("answers", "203.0.113.9")
    assert err.value.code == "rate_limited" and "过于频繁" in str(err.value.message)
    services.check_rate("answers", "203.0.113.10")  # another address is not affected
    services.check_rate("concerns", "203.0.113.9")  # nor another bucket


def test_rate_limit_is_configurable_by_settings(settings):
    settings.HEXIE_SURVEY_RATE_LIMIT = 3
    for _ in range(3):
        services.check_rate("answers", "198.51.100.1")
    with pytest.raises(DomainError):
        services.check_rate("answers", "198.51.100.1")


def test_double_submit_with_a_stale_read_counts_once(opened, monkeypatch):
    """Both requests read the link as unused; the conditional UPDATE lets one through."""
    stale = services.find_link(opened.tokens[0])
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)
    monkeypatch.setattr(services, "find_link", lambda token: stale)
    with pytest.raises(services.LinkRefused) as err:
        services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)
    assert err.value.code == "used"
    assert counted() == (1, 0, 1)


# --- anonymity ----------------------------------------------------------------------------

def test_answer_and_comment_rows_hold_nothing_that_points_back():
    """Only the random key, the round, the digits and the derived count; no FK to a link, a
    user or a unit, no date, no address."""
    answer_fields = {f.name: f for f in SurveyAnswer._meta.concrete_fields}
    assert set(answer_fields) == {"id", "round", "levels", "satisfied", "satisfied_mask"}
    assert answer_fields["round"].related_model is SurveyRound
    assert answer_fields["id"].get_internal_type() == "UUIDField"
    comment_fields = {f.name for f in SurveyComment._meta.concrete_fields}
    assert comment_fields == {"id", "round", "text"}
    link_fields = {f.name for f in SurveyLink._meta.concrete_fields}
    assert link_fields == {"id", "round", "token_hash", "used"}


def test_no_audit_event_or_address_is_written_for_an_answer(opened):
    before = AuditEvent.objects.count()
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL, "意见")
    assert AuditEvent.objects.count() == before


# --- result, closing, applying ------------------------------------------------------------

def test_percent_rounds_down():
    assert selectors.percent_down(89999, 100000) == "89.99"
    assert selectors.percent_down(9, 10) == "90.00"
    assert selectors.percent_down(2, 3) == "66.66"
    assert selectors.percent_down(1, 1) == "100.00"
    assert selectors.percent_down(0, 5) == "0.00"


def test_all_alike_answers_count_workers_not_answers(opened):
    answer_all(opened, 18)  # every answer 非常满意: the correlation cannot be estimated
    result = selectors.compute_result(opened.round)
    low, high = selectors.wilson(18, 18, 1.96)
    assert result["ci"] == [round(low * 100, 2), round(high * 100, 2)]
    assert result["design_effect"] == 8.0


def test_wilson_interval_known_value():
    low, high = selectors.wilson(90, 100, 1.96)
    assert round(low, 4) == 0.8256 and round(high, 4) == 0.9448


def test_result_per_dimension_and_overall(opened):
    # 10 answers: 9 satisfied on 7 of 8 dimensions, 1 answer satisfied nowhere
    answer_all(opened, 9, satisfied_per_answer=7)
    services.submit_answer(opened.tokens[9], dict.fromkeys(ALL_SATISFIED_EL, 1))
    result = selectors.compute_result(opened.round)
    assert result["n"] == 10 and result["k"] == 8 and result["answers_total"] == 80
    assert result["satisfied"] == 63 and result["percent"] == "78.75"
    pay = result["dimensions"][0]
    assert pay["satisfied"] == 9 and pay["percent"] == "90.00"
    care = result["dimensions"][7]
    assert care["satisfied"] == 0 and care["percent"] == "0.00"
    low, high = result["ci"]
    naive_low, naive_high = result["ci_naive"]
    assert low <= 78.75 <= high
    assert low <= naive_low and high >= naive_high  # correlated answers: never narrower
    assert result["design_effect"] >= 1


def test_score_bits():
    assert services.score("54321") == (2, 0b00011)
    assert services.score("3434") == (2, 0b1010)


def test_result_matches_a_python_loop(opened):
    import random

    rng = random.Random(5)
    codes = [c for c, _ in opened.round.dimensions]
    given = []
    for token in opened.tokens[:20]:
        answers = {c: rng.randint(1, 5) for c in codes}
        given.append(answers)
        services.submit_answer(token, answers)
    result = selectors.compute_result(opened.round)
    satisfied = sum(v >= 4 for a in given for v in a.values())
    assert result["satisfied"] == satisfied
    for i, code in enumerate(codes):
        assert result["dimensions"][i]["satisfied"] == sum(a[code] >= 4 for a in given)


def test_close_freezes_the_result(opened, unit_admin, office):
    answer_all(opened, 18)
    rnd = services.close_round(unit_admin, opened.round)
    assert rnd.state == SurveyRound.State.CLOSED and rnd.result["n"] == 18
    assert rnd.result["meets_minimum"] is True
    SurveyAnswer.objects.create(round=rnd, levels="11111111", satisfied=0,
                                satisfied_mask=0)  # behind its back
    assert selectors.result_of(SurveyRound.objects.get(pk=rnd.pk))["n"] == 18
    assert AuditEvent.objects.filter(action="surveys.close").count() == 1
    assert Notification.objects.filter(recipient=office, kind="surveys.closed").exists()
    with pytest.raises(DomainError) as err:
        services.close_round(unit_admin, rnd)
    assert err.value.code == "illegal_transition"


def test_minimum_sample_boundary(unit, unit_admin, year, pledged):
    below = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)
    answer_all(below, 17)
    closed_below = services.close_round(unit_admin, below.round)
    with pytest.raises(DomainError) as err:
        services.apply_to_self_assessment(unit_admin, closed_below)
    assert err.value.code == "below_minimum" and "18" in str(err.value.message)
    assert SurveyApplication.objects.count() == 0
    at = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)
    answer_all(at, 18)
    made = services.apply_to_self_assessment(unit_admin, services.close_round(unit_admin,
                                                                              at.round))
    assert made.answers == 18 and made.percent == Decimal("100.00")


def test_apply_rounds_down_and_keeps_provenance(unit, unit_admin, year, pledged):
    # 18 answers × 8 dimensions = 144; 129 satisfied = 89.583…%; choose levels to reach it
    opened = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)
    answer_all(opened, 9, satisfied_per_answer=8)   # 72
    answer_all_tail = opened.tokens[9:18]
    codes = [c for c, _ in opened.round.dimensions]
    for i, token in enumerate(answer_all_tail):
        s = 7 if i < 3 else 6  # 3×7 + 6×6 = 57 → 129
        services.submit_answer(token, {c: (4 if j < s else 3) for j, c in enumerate(codes)})
    rnd = services.close_round(unit_admin, opened.round)
    assert rnd.result["percent"] == "89.58"  # 89.583… rounded down
    made = services.apply_to_self_assessment(unit_admin, rnd)
    sa = SelfAssessment.objects.get(pk=made.self_assessment_id)
    assert sa.state == SelfAssessment.State.DRAFT
    assert sa.facts["satisfaction_percent"] == 89.58
    assert made.round == rnd and made.applied_by == unit_admin and made.answers == 18
    assert selectors.satisfaction_source(sa) == made
    assert AuditEvent.objects.filter(action="surveys.apply").count() == 1
    assert AuditEvent.objects.filter(action="assessments.save_draft").count() == 1
    # typed over afterwards: no longer from the survey
    sa.facts["satisfaction_percent"] = 95.0
    assert selectors.satisfaction_source(sa) is None


def test_89_999_never_becomes_90(unit, unit_admin, year, pledged):
    rnd = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year).round
    result = selectors.result_from_counts(rnd, 12500, [12500] * 8, y=89999, y2=89999 * 8)
    assert result["percent"] == "89.99"  # 89999 / 100000 = 89.999 %


def test_apply_needs_a_closed_round_and_a_pledge(opened, unit_admin):
    answer_all(opened, 18)
    with pytest.raises(DomainError) as err:
        services.apply_to_self_assessment(unit_admin, opened.round)
    assert err.value.code == "not_closed"
    rnd = services.close_round(unit_admin, opened.round)
    with pytest.raises(DomainError) as err:  # no pledge for that year: the assessments rule
        services.apply_to_self_assessment(unit_admin, rnd)
    assert err.value.code == "not_pledged"
    assert SurveyApplication.objects.count() == 0


def test_office_cannot_close_or_apply(opened, office, other_office):
    with pytest.raises(NotPermitted):
        services.close_round(office, opened.round)
    with pytest.raises(OutOfScope):
        services.close_round(other_office, opened.round)
    assert SurveyRound.objects.get().state == SurveyRound.State.OPEN


def test_reissue_replaces_only_unused_links(opened, unit_admin):
    services.submit_answer(opened.tokens[0], ALL_SATISFIED_EL)
    again = services.reissue_links(unit_admin, opened.round)
    assert len(again.tokens) == 19
    with pytest.raises(services.LinkRefused):
        services.submit_answer(opened.tokens[1], ALL_SATISFIED_EL)  # withdrawn
    services.submit_answer(again.tokens[0], ALL_SATISFIED_EL)
    assert SurveyAnswer.objects.count() == 2
    assert SurveyLink.objects.filter(round=opened.round).count() == 20


# --- worker voice -------------------------------------------------------------------------

def test_concern_becomes_a_risk_signal_for_the_county(unit, office, unit_admin):
    signal = services.submit_concern(unit, "wages", "三个月没发加班费")
    assert signal.source == RiskSignal.Source.WORKER_VOICE and signal.level == "red"
    assert signal.reference == "" and signal.unit == unit and signal.summary == "三个月没发加班费"
    assert Notification.objects.filter(recipient=office, kind="surveys.concern").exists()
    assert not Notification.objects.filter(recipient=unit_admin).exists()
    note = Notification.objects.get(recipient=office)
    assert "加班费" not in note.body and "加班费" not in note.title


@pytest.mark.parametrize("category, text, field", [
    ("", "内容", "category"), ("bogus", "内容", "category"), ("wages", "   ", "text"),
    ("wages", "<script>x</script>", "text"), ("wages", "长" * 1001, "text"),
])
def test_bad_concerns_are_refused(unit, category, text, field):
    with pytest.raises(DomainError) as err:
        services.submit_concern(unit, category, text)
    assert err.value.field == field
    assert RiskSignal.objects.count() == 0


def test_voice_key_is_checked(unit, other_unit):
    assert services.voice_unit(unit.pk, services.voice_key(unit.pk)) == unit
    with pytest.raises(OutOfScope):
        services.voice_unit(unit.pk, services.voice_key(other_unit.pk))
    with pytest.raises(OutOfScope):
        services.voice_unit(unit.pk, "")


def test_demo_loader(unit, unit_admin, year):
    from hexie.surveys.demo import load_demo_surveys

    made = load_demo_surveys(unit, unit_admin, year)
    closed, still_open = made["closed"], made["open"]
    assert closed.state == SurveyRound.State.CLOSED and closed.result["meets_minimum"]
    assert closed.result["n"] == 20
    assert still_open.state == SurveyRound.State.OPEN and len(made["open_tokens"]) == 20
    services.submit_answer(made["open_tokens"][0], ALL_SATISFIED_EL)
    assert made["concern"].source == RiskSignal.Source.WORKER_VOICE
