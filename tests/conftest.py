import pytest

from hexie.regions.loader import load_divisions


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Pages resolve {% static %} without a collectstatic run (the manifest storage of
    production needs one)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def two_factor_off(settings):
    """Tests sign people in with force_login and no second factor; the two-factor tests turn
    HEXIE_REQUIRE_2FA back on (tests/accounts/test_twofactor.py)."""
    settings.HEXIE_REQUIRE_2FA = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds Zhejiang's divisions, as a real install does."""
    with django_db_blocker.unblock():
        load_divisions()
