"""Registry services: every change checks the rules and the actor's scope, and is audited; a
refused change changes nothing and leaves no audit event."""

from decimal import Decimal

import pytest
from django.http import Http404

from hexie.accounts.roles import Role
from hexie.core.audit import verify
from hexie.core.errors import DomainError, NotPermitted
from hexie.core.models import AuditEvent
from hexie.units import services
from hexie.units.models import Kind, Unit
from hexie.units.services import UnitInvalid
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user
from tests.factories import credit_code as new_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def enterprise_data(**overrides):
    # C manufacturing: X 299 < 300 → small; Y 2000万 ≥ 2000 → medium; lowest tier → small
    data = {"kind": "enterprise", "name": "西湖示例制造有限公司", "credit_code": new_code(),
            "region_code": XIHU_TOWN, "industry": "C13", "employees": 299,
            "revenue_yuan": "20000000", "assets_yuan": "", "platform": "否",
            "address": "西湖区示例路 1 号"}
    return data | overrides


def events(action=None):
    qs = AuditEvent.objects.order_by("id")
    return qs.filter(action=action) if action else qs


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


# --- create -----------------------------------------------------------------------------

def test_create_enterprise_derives_the_size_and_is_audited(office):
    data = enterprise_data()
    unit = services.create_unit(office, data)
    unit = fresh(unit)
    assert (unit.kind, unit.name, unit.credit_code, unit.region_id) == (
        "enterprise", "西湖示例制造有限公司", data["credit_code"], XIHU_TOWN)
    assert (unit.industry, unit.industry_section, unit.employees) == ("C13", "C", 299)
    assert unit.revenue_yuan == Decimal("20000000")
    assert unit.assets_yuan is None
    assert (unit.size_derived, unit.size, unit.size_override) == ("small", "small", "")
    event = events().get()
    assert event.action == "units.create"
    assert (event.object_type, event.object_id) == ("units.unit", str(unit.pk))
    assert (event.actor_id, event.actor_username) == (office.pk, office.username)
    assert event.region_code == XIHU_TOWN
    assert event.before is None
    assert event.after["credit_code"] == data["credit_code"]
    assert event.after["size"] == "small"
    assert event.after["employees"] == 299
    assert verify().ok


def test_create_each_kind(office):
    project = services.create_unit(office, {
        "kind": "construction_project", "name": "示例工程", "project_code": "2026-330106-47-01-1",
        "contractor_credit_code": new_code(), "region_code": XIHU_TOWN,
        "start_date": "2026-03-01", "end_date": "2027-12-31", "workers": "350"})
    park = services.create_unit(office, {"kind": "industrial_park", "name": "示例园区",
                                         "region_code": XIHU_TOWN})
    town = services.create_unit(office, {"kind": "town", "region_code": XIHU_TOWN})
    industry = services.create_unit(office, {"kind": "industry", "name": "示例协会",
                                             "industry": "I65", "region_code": XIHU})
    assert (project.workers, str(project.end_date)) == (350, "2027-12-31")
    assert (park.kind, town.name, industry.region_id) == ("industrial_park", "北山街道", XIHU)
    assert [e.object_id for e in events("units.create")] == [
        str(u.pk) for u in (project, park, town, industry)]
    assert all(u.size == "" for u in (project, park, town, industry))


def test_duplicate_credit_code_is_refused_naming_the_field(office):
    existing = UnitFactory()
    with pytest.raises(UnitInvalid) as exc:
        services.create_unit(office, enterprise_data(credit_code=existing.credit_code.lower()))
    assert exc.value.field == "credit_code"
    assert exc.value.errors == [{"field": "credit_code", "label": "统一社会信用代码",
                                 "message": "该统一社会信用代码已登记"}]
    assert str(exc.value.message) == "统一社会信用代码：该统一社会信用代码已登记"
    assert Unit.objects.count() == 1
    assert not events().exists()


def test_invalid_create_names_every_field_and_writes_nothing(office):
    with pytest.raises(UnitInvalid) as exc:
        services.create_unit(office, enterprise_data(employees="abc", revenue_yuan="-1",
                                                     region_code="330106999"))
    assert {(e["field"], e["message"]) for e in exc.value.errors} == {
        ("employees", "应为整数"), ("revenue_yuan", "不能为负数"),
        ("region_code", "区划代码 330106999 不存在")}
    assert not Unit.objects.exists()
    assert not events().exists()


def test_create_outside_the_scope_is_rolled_back(office):
    with pytest.raises(DomainError) as exc:
        services.create_unit(office, enterprise_data(region_code=NANHU_TOWN,
                                                     credit_code=new_code(NANHU)))
    assert exc.value.field == "region_code"
    assert exc.value.code == "out_of_scope"
    assert not Unit.objects.exists()
    assert not events().exists()


def test_roles_without_create_permission_are_refused():
    partner = make_user(Role.PARTNER, region=XIHU)
    with pytest.raises(NotPermitted):
        services.create_unit(partner, enterprise_data())
    assert not Unit.objects.exists()
    assert not events().exists()


# --- update -----------------------------------------------------------------------------

def test_update_recomputes_the_size_across_a_threshold(office):
    unit = services.create_unit(office, enterprise_data())
    assert unit.size == "small"
    updated = services.update_unit(office, unit, {"employees": "300"})
    # X 300 ≥ 300 and Y 2000万 ≥ 2000: both exactly on the medium bound (inclusive)
    assert (updated.size_derived, updated.size) == ("medium", "medium")
    unit = fresh(unit)
    assert (unit.employees, unit.size_derived, unit.size) == (300, "medium", "medium")
    event = events("units.update").get()
    assert event.object_id == str(unit.pk)
    assert (event.before["employees"], event.after["employees"]) == (299, 300)
    assert (event.before["size"], event.after["size"]) == ("small", "medium")
    assert (event.before["size_derived"], event.after["size_derived"]) == ("small", "medium")
    assert event.before["name"] == event.after["name"] == "西湖示例制造有限公司"
    assert verify().ok


def test_update_below_the_threshold_goes_back_down(office):
    unit = services.create_unit(office, enterprise_data(employees=300))
    assert unit.size == "medium"
    services.update_unit(office, unit, {"revenue_yuan": "19999999.99"})
    assert fresh(unit).size == "small"  # Y one fen under 2000万


def test_refused_update_changes_nothing_and_writes_no_event(office):
    unit = services.create_unit(office, enterprise_data())
    before = Unit.objects.filter(pk=unit.pk).values().get()
    count = events().count()
    with pytest.raises(UnitInvalid) as exc:
        services.update_unit(office, unit, {"employees": "-5", "name": "改了名字"})
    assert exc.value.field == "employees"
    assert exc.value.errors == [{"field": "employees", "label": "职工人数",
                                 "message": "不能为负数"}]
    assert Unit.objects.filter(pk=unit.pk).values().get() == before
    assert events().count() == count


def test_update_to_a_duplicate_credit_code_is_refused(office):
    other = UnitFactory()
    unit = services.create_unit(office, enterprise_data())
    with pytest.raises(UnitInvalid) as exc:
        services.update_unit(office, unit, {"credit_code": other.credit_code})
    assert exc.value.field == "credit_code"
    assert fresh(unit).credit_code != other.credit_code
    assert not events("units.update").exists()


def test_kind_cannot_change(office):
    unit = services.create_unit(office, enterprise_data())
    with pytest.raises(UnitInvalid) as exc:
        services.update_unit(office, unit, {"kind": "industry"})
    assert exc.value.field == "kind"
    assert fresh(unit).kind == "enterprise"


def test_moving_a_unit_out_of_the_scope_is_refused(office):
    unit = services.create_unit(office, enterprise_data())
    with pytest.raises(DomainError) as exc:
        services.update_unit(office, unit, {"region_code": NANHU_TOWN})
    assert exc.value.code == "out_of_scope"
    assert fresh(unit).region_id == XIHU_TOWN
    assert not events("units.update").exists()


def test_update_without_a_change_writes_no_event(office):
    unit = services.create_unit(office, enterprise_data())
    services.update_unit(office, unit, {"name": "西湖示例制造有限公司", "employees": 299})
    assert not events("units.update").exists()


def test_update_outside_the_scope_is_not_found(office):
    unit = UnitFactory(region_id=NANHU_TOWN)
    with pytest.raises(Http404):
        services.update_unit(office, unit, {"employees": "10"})
    assert fresh(unit).employees == 350


def test_unit_admin_may_correct_figures_but_not_identity():
    unit = UnitFactory(industry="C13", employees=299, revenue_yuan=20_000_000,
                       size_derived="small", size="small")
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    services.update_unit(admin, unit, {"employees": 300})
    assert fresh(unit).size == "medium"
    with pytest.raises(NotPermitted) as exc:
        services.update_unit(admin, fresh(unit), {"credit_code": new_code()})
    assert exc.value.field == "credit_code"
    assert events("units.update").count() == 1


# --- size override ----------------------------------------------------------------------

def test_override_size_with_a_reason_is_audited(office):
    unit = services.create_unit(office, enterprise_data())
    services.override_size(office, unit, "large", "集团合并报表口径，经核实为大型企业")
    unit = fresh(unit)
    assert (unit.size_derived, unit.size_override, unit.size) == ("small", "large", "large")
    assert unit.size_override_reason == "集团合并报表口径，经核实为大型企业"
    event = events("units.override_size").get()
    assert event.object_id == str(unit.pk)
    assert (event.before["size"], event.after["size"]) == ("small", "large")
    assert (event.before["size_override"], event.after["size_override"]) == ("", "large")
    assert event.after["reason"] == "集团合并报表口径，经核实为大型企业"


def test_override_without_a_reason_is_refused(office):
    unit = services.create_unit(office, enterprise_data())
    for reason in ("", "   ", None):
        with pytest.raises(DomainError) as exc:
            services.override_size(office, unit, "large", reason)
        assert exc.value.field == "size_override_reason"
        assert "理由" in str(exc.value.message)
    unit = fresh(unit)
    assert (unit.size_override, unit.size) == ("", "small")
    assert not events("units.override_size").exists()


def test_override_of_a_non_enterprise_is_refused(office):
    park = services.create_unit(office, {"kind": "industrial_park", "name": "示例园区",
                                         "region_code": XIHU_TOWN})
    with pytest.raises(DomainError) as exc:
        services.override_size(office, park, "large", "理由")
    assert exc.value.field == "size_override"
    assert fresh(park).size == ""
    assert not events("units.override_size").exists()


def test_override_with_an_unknown_size_is_refused(office):
    unit = services.create_unit(office, enterprise_data())
    with pytest.raises(DomainError) as exc:
        services.override_size(office, unit, "huge", "理由")
    assert exc.value.field == "size_override"
    assert fresh(unit).size == "small"


def test_clearing_the_override_restores_the_derived_size(office):
    unit = services.create_unit(office, enterprise_data())
    services.override_size(office, unit, "micro", "实际用工远少于申报")
    assert fresh(unit).size == "micro"
    services.override_size(office, fresh(unit), "", "核定有误，恢复测算规模")
    unit = fresh(unit)
    assert (unit.size_override, unit.size_override_reason, unit.size) == ("", "", "small")
    cleared = events("units.override_size").last()
    assert (cleared.before["size"], cleared.after["size"]) == ("micro", "small")
    assert cleared.after["reason"] == "核定有误，恢复测算规模"


def test_override_survives_an_update_that_changes_the_derived_size(office):
    unit = services.create_unit(office, enterprise_data())
    services.override_size(office, unit, "large", "核定")
    services.update_unit(office, fresh(unit), {"employees": "300"})
    unit = fresh(unit)
    assert (unit.size_derived, unit.size_override, unit.size) == ("medium", "large", "large")


def test_finance_has_no_derived_size_until_an_office_sets_it(office):
    unit = services.create_unit(office, enterprise_data(industry="J6620"))
    assert (unit.size_derived, unit.size) == ("", "")
    services.override_size(office, unit, "medium", "金融业按金融业标准划分")
    assert fresh(unit).size == "medium"


def test_only_offices_override_the_size():
    unit = UnitFactory()
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    with pytest.raises(NotPermitted):
        services.override_size(admin, unit, "large", "自己说是大型")
    assert fresh(unit).size == "medium"
    assert not events().exists()


# --- delete -----------------------------------------------------------------------------

def test_delete_is_audited_with_the_before_snapshot(office):
    unit = services.create_unit(office, enterprise_data())
    pk = unit.pk
    services.delete_unit(office, unit)
    assert not Unit.objects.filter(pk=pk).exists()
    event = events("units.delete").get()
    assert (event.object_type, event.object_id, event.object_repr) == (
        "units.unit", str(pk), "西湖示例制造有限公司")
    assert event.before["credit_code"] == unit.credit_code
    assert event.after is None
    assert event.region_code == XIHU_TOWN
    assert verify().ok and verify().checked == 2


def test_delete_by_a_unit_admin_is_refused():
    unit = UnitFactory()
    admin = make_user(Role.UNIT_ADMIN, unit=unit)
    with pytest.raises(NotPermitted):
        services.delete_unit(admin, unit)
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert not events().exists()


def test_delete_outside_the_scope_is_not_found(office):
    unit = UnitFactory(region_id=NANHU_TOWN)
    with pytest.raises(Http404):
        services.delete_unit(office, unit)
    assert Unit.objects.filter(pk=unit.pk, kind=Kind.ENTERPRISE).exists()
    assert not events().exists()
