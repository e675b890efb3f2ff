import pytest

from hexie.accounts.roles import Role
from tests.factories import XIHU, make_user


@pytest.fixture
def alice(db):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    user.email = "alice@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def bob(db):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    user.email = "bob@example.org"
    user.save(update_fields=["email"])
    return user
