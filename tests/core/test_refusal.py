"""One refusal helper (issue 9): inside the actor's scope a refusal is 403 with the rule's
message, outside it 404 — the helper never says that an object beyond reach exists."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from hexie.accounts.roles import UNITS_VIEW, Role
from hexie.core.errors import NotPermitted, OutOfScope
from hexie.core.refusal import forbid, refuse, refuse_unless
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory, make_user

pytestmark = pytest.mark.django_db

MESSAGE = "只有三方办公室可以核定企业规模。"


@pytest.fixture
def units():
    return UnitFactory(region_id=XIHU_TOWN), UnitFactory(region_id=NANHU_TOWN)


def test_inside_the_scope_is_403_with_the_message(units):
    inside, _ = units
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    with pytest.raises(NotPermitted) as caught:
        refuse(office, UNITS_VIEW, MESSAGE, unit=inside)
    assert str(caught.value.message) == MESSAGE
    with pytest.raises(PermissionDenied) as denied:
        forbid(caught.value)
    assert str(denied.value) == MESSAGE


def test_outside_the_scope_is_404(units):
    _, outside = units
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    with pytest.raises(OutOfScope):
        refuse(office, UNITS_VIEW, MESSAGE, unit=outside)
    assert issubclass(OutOfScope, Http404)
    with pytest.raises(OutOfScope):
        refuse(AnonymousUser(), UNITS_VIEW, MESSAGE, unit=outside)


def test_a_unit_admin_reaches_its_own_unit_by_id(units):
    inside, outside = units
    admin = make_user(Role.UNIT_ADMIN, unit=outside)
    with pytest.raises(NotPermitted):
        refuse(admin, UNITS_VIEW, MESSAGE, unit_id=outside.pk, region_code=outside.region_id)
    with pytest.raises(OutOfScope):
        refuse(admin, UNITS_VIEW, MESSAGE, unit=inside)


def test_refuse_unless_lets_the_allowed_through(units):
    inside, _ = units
    office = make_user(Role.COUNTY_OFFICE, region=XIHU)
    assert refuse_unless(True, office, UNITS_VIEW, MESSAGE, unit=inside) is None
    with pytest.raises(NotPermitted):
        refuse_unless(False, office, UNITS_VIEW, MESSAGE, unit=inside)
