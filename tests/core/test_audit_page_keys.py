"""The audit page and API at scale (issue 10 speed target, docs/benchmarks.md): with a date
filter the list is newest first by time (the ``at`` index reads just the window), the page's
keys are read first and then its rows, and both still show exactly the events in scope."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hexie.accounts.roles import Role
from hexie.core import audit_selectors
from hexie.core.audit_api import AuditCursorPagination
from tests.core.test_audit_read import SHANGHAI, record
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/audit-events/"


def at(day, hour=12):
    return datetime.datetime(2026, 5, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def county():
    return make_user(Role.COUNTY_OFFICE, region=XIHU)


def test_ordering_is_by_time_only_when_a_date_is_given():
    assert audit_selectors.ordering_for({}) == ("-id",)
    assert audit_selectors.ordering_for({"date_from": datetime.date(2026, 5, 1)}) == ("-at",
                                                                                      "-id")
    assert audit_selectors.ordering_for({"date_to": datetime.date(2026, 5, 1)}) == ("-at", "-id")


def test_a_date_filtered_page_is_newest_first_by_time(county):
    # Given events whose time is not in id order (an archive-era clock skew), one outside scope
    late = record(at=at(3))
    early = record(at=at(1))
    middle = record(at=at(2))
    record(at=at(2), region=NANHU_TOWN)
    client = Client()
    client.force_login(county)

    page = client.get("/audit/", {"date_from": "2026-05-01", "date_to": "2026-05-03"})
    unfiltered = client.get("/audit/")

    assert [e.pk for e in page.context["page"].object_list] == [late.pk, middle.pk, early.pk]
    assert [e.pk for e in unfiltered.context["page"].object_list] == [middle.pk, early.pk,
                                                                      late.pk]
    # the rows are whole events (read after their keys), with their changes in words
    assert all(e.hash and hasattr(e, "changes") for e in page.context["page"].object_list)


def test_the_api_pages_by_time_with_a_date_filter(county):
    events = [record(at=at(1 + i % 5, hour=i)) for i in range(7)]
    api = APIClient()
    api.force_authenticate(county)
    seen, url = [], API + "?date_from=2026-05-01&date_to=2026-05-31"
    AuditCursorPagination.page_size, old = 3, AuditCursorPagination.page_size
    try:
        while url:
            body = api.get(url).json()
            seen += [(item["at"], item["id"]) for item in body["results"]]
            assert all(item["hash"] for item in body["results"])
            url = body["next"]
    finally:
        AuditCursorPagination.page_size = old
    expected = sorted(((e.at, e.pk) for e in events), reverse=True)
    assert [pk for _, pk in seen] == [pk for _, pk in expected]


def test_keys_then_rows_keep_the_scope(county):
    mine = record(actor="clerk", region=XIHU_TOWN)
    record(actor="clerk", region=NANHU_TOWN)
    api = APIClient()
    api.force_authenticate(county)
    assert [item["id"] for item in api.get(API, {"actor": "clerk"}).json()["results"]] == [
        mine.pk]
