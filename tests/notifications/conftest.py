import pytest

from hexie.accounts.roles import Role
from tests.factories import XIHU, make_user


def _office_with_mail(name):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    user.email = f"{name}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def alice(db):
    return _office_with_mail("alice")


@pytest.fixture
def bob(db):
    return _office_with_mail("bob")
