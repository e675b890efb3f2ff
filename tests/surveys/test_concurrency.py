"""Two submits of one token at the same moment, on separate connections: one is counted."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from hexie.surveys import services
from hexie.surveys.models import SurveyAnswer, SurveyLink

from .conftest import ALL_SATISFIED_EL


@pytest.fixture(scope="module", autouse=True)
def _restore_divisions(django_db_blocker):
    """A transactional test flushes every table, divisions included: put them back for the
    tests that run after this module (as tests/browser/conftest.py does)."""
    yield
    from hexie.regions.loader import load_divisions

    with django_db_blocker.unblock():
        load_divisions()


def _submit_waiting_for_the_writer(token) -> str:
    """Submit; on SQLite wait for the other writer as a file database's busy timeout does.

    The in-memory test database shares one cache between connections, where a second writer
    gets "database table is locked" at once instead of waiting (the file database of a real
    install waits, settings.py). Only that error is retried; any other one fails the test."""
    for _ in range(250):
        try:
            services.submit_answer(token, ALL_SATISFIED_EL)
            return "ok"
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the other writer never let go")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_of_one_token_count_once(unit, unit_admin, year):
    """Threads on their own connections (PostgreSQL: truly concurrent; SQLite: serialised by
    its IMMEDIATE transactions) — exactly one is accepted."""
    opened = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)
    token = opened.tokens[0]
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            outcomes.append(_submit_waiting_for_the_writer(token))
        except services.LinkRefused as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "used"]
    assert SurveyAnswer.objects.count() == 1
    assert SurveyLink.objects.filter(used=True).count() == 1
