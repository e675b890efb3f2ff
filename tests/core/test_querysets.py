"""One way to filter by scope (issue 9, point 2): ``ScopedQuerySet`` on every model that
belongs to a region or unit returns exactly the rows under a scope's prefixes or of its units.

Units sit in 西湖区北山街道 (330106002) and 西溪街道 (330106004), 滨江区西兴街道 (330108001,
a sibling county sharing "3301"), 嘉兴市南湖区建设街道 (330402007) and at county level in 西湖区
(an industry). Each scope must see its own and no neighbour's.
"""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import models

from hexie.accounts.roles import Role
from hexie.core.querysets import ScopedQuerySet
from hexie.core.scoping import EMPTY, Scope
from hexie.regions.models import Division
from hexie.units.models import Kind, Unit
from tests.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db

TOWNS = {"xihu_beishan": "330106002", "xihu_xixi": "330106004", "binjiang": "330108001",
         "nanhu": "330402007"}


@pytest.fixture
def units():
    made = {name: UnitFactory(region_id=code) for name, code in TOWNS.items()}
    made["xihu_industry"] = UnitFactory(kind=Kind.INDUSTRY, region_id="330106", credit_code=None)
    return made


def names(queryset, units) -> set[str]:
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, unit in units.items() if unit.pk in ids}


@pytest.mark.parametrize(("prefix", "expected"), [
    ("33", {"xihu_beishan", "xihu_xixi", "binjiang", "nanhu", "xihu_industry"}),
    ("3301", {"xihu_beishan", "xihu_xixi", "binjiang", "xihu_industry"}),
    ("330106", {"xihu_beishan", "xihu_xixi", "xihu_industry"}),
    ("330108", {"binjiang"}),
    ("330106002", {"xihu_beishan"}),
])
def test_in_scope_returns_exactly_the_rows_under_the_prefix(units, prefix, expected):
    assert names(Unit.objects.in_scope(Scope((prefix,))), units) == expected
    assert names(Unit.objects.within(prefix), units) == expected


def test_unit_ids_reach_units_but_not_division_rows(units):
    scope = Scope((), frozenset({units["nanhu"].pk}))
    assert names(Unit.objects.in_scope(scope), units) == {"nanhu"}
    # A division-owned model ignores unit ids: a unit id is no reach into divisions.
    assert not Division.objects.in_scope(scope).exists()


def test_empty_scope_and_anonymous_see_nothing(units):
    assert not Unit.objects.in_scope(EMPTY).exists()
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    assert not Unit.objects.visible_to(None).exists()


def test_visible_to_uses_the_users_scope_for_the_permission(units):
    county = make_user(Role.COUNTY_OFFICE, region="330106")
    admin = make_user(Role.UNIT_ADMIN, unit=units["binjiang"])
    assert names(Unit.objects.visible_to(county), units) == {
        "xihu_beishan", "xihu_xixi", "xihu_industry"}
    assert names(Unit.objects.visible_to(admin), units) == {"binjiang"}
    assert names(Unit.objects.visible_to(admin, "units.override_size"), units) == set()


def test_or_regions_adds_exactly_the_divisions_named():
    rows = Division.objects.in_scope(Scope(("330106",)), or_regions=["33", "3301"])
    codes = set(rows.values_list("code", flat=True))
    assert {"33", "3301", "330106", "330106002"} <= codes
    assert not {"330108", "3304", "330402007"} & codes


def _belongs_to_a_region_or_unit(model) -> bool:
    return any(
        isinstance(f, models.ForeignKey) and f.related_model in (Unit, Division)
        for f in model._meta.get_fields()
    )


def test_every_model_with_a_unit_or_region_has_the_scoped_manager():
    owned = [m for m in apps.get_models() if m.__module__.startswith("hexie.")
             and _belongs_to_a_region_or_unit(m)]
    assert len(owned) >= 15  # the discovery itself works (19 models today)
    for model in owned:
        assert hasattr(model.objects, "visible_to"), model.__name__
        assert isinstance(model.objects.all(), ScopedQuerySet), model.__name__


def test_every_scoped_model_names_fields_that_exist():
    """Each declared lookup resolves (a typo would only show on the first page that uses it)."""
    scope = Scope(("330106",), frozenset({1}))
    for model in apps.get_models():
        if isinstance(model.objects.all(), ScopedQuerySet):
            list(model.objects.in_scope(scope)[:1])
            list(model.objects.within("3301")[:1])
