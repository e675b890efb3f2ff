import pytest

from hexie.regions.loader import load_divisions


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds Zhejiang's divisions, as a real install does."""
    with django_db_blocker.unblock():
        load_divisions()
