"""Every download × every role, inside and outside the scope. Written out from DOMAIN.md §1 and
D18 independently of roles.py: letters are the region's (offices and partners); the unit's copy
(the delivery) and the pledge are also the unit's own; a recognition notice is the offices' and
the unit's, not the partner's; the published list is public. Outside: 404."""

import pytest
from django.urls import reverse

from hexie.recognition.models import Recognition
from hexie.units.models import Unit
from tests.campaigns.test_scope_matrix import make

pytestmark = pytest.mark.django_db

CHANNELS = ("letter", "delivery", "pledge", "recognition", "list")
NONE = {"letter": 404, "delivery": 404, "pledge": 404, "recognition": 404, "list": 200}
FOLLOW = dict.fromkeys(CHANNELS, 200)
EXPECTED = {
    "province": FOLLOW,
    "city": FOLLOW,
    "county": FOLLOW,
    "other_county": NONE,
    "town": FOLLOW,
    "other_town": NONE,
    "partner": FOLLOW | {"recognition": 404},
    "other_partner": NONE,
    "coordinator": NONE,
    "assessor": NONE,
    "unit_admin": NONE | {"delivery": 200, "pledge": 200, "recognition": 200},
    "other_unit_admin": NONE,
}


def url(channel, world):
    return {
        "letter": reverse("documents:letter", args=[world["letter"].pk]),
        "delivery": reverse("documents:delivery", args=[world["delivery"].pk]),
        "pledge": reverse("documents:pledge", args=[world["pledge"].pk]),
        "recognition": reverse("documents:recognition", args=[world["recognition"].pk]),
        "list": reverse("documents:published_list", args=[world["list"].pk]),
    }[channel]


@pytest.fixture
def quick_pdfs(monkeypatch):
    """The matrix is about who gets what; rendering is test_pdfs.py's (and below)."""
    from hexie.documents import pdfs

    for name in ("initiative_letter", "pledge", "recognition_notice", "published_list"):
        monkeypatch.setattr(pdfs, name, lambda *args, **kwargs: b"%PDF-1.4 matrix")


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_download_for_every_role(client, world, unit, who, quick_pdfs):
    client.force_login(make(who, unit))
    got = {channel: client.get(url(channel, world)).status_code for channel in CHANNELS}
    assert got == EXPECTED[who]


def test_anonymous_gets_only_the_public_list(client, world):
    for channel in ("letter", "delivery", "pledge", "recognition"):
        response = client.get(url(channel, world))
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.get(url("list", world))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")


def test_a_download_is_an_inline_pdf_with_its_chinese_name(client, world, unit_admin):
    client.force_login(unit_admin)
    response = client.get(url("pledge", world))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert "%E5%88%9B%E5%BB%BA%E6%89%BF%E8%AF%BA%E4%B9%A6" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_a_removed_recognition_has_no_notice(client, world, office):
    Recognition.objects.filter(pk=world["recognition"].pk).update(
        state=Recognition.State.REMOVED)
    client.force_login(office)
    assert client.get(url("recognition", world)).status_code == 404


def test_unknown_ids_are_404(client, office, db):
    client.force_login(office)
    for name in ("letter", "delivery", "pledge", "recognition"):
        assert client.get(reverse(f"documents:{name}", args=[999999])).status_code == 404
    assert client.get(reverse("documents:published_list", args=[999999])).status_code == 404


def test_a_name_the_fonts_cannot_show_stops_the_download_with_its_reason(client, world,
                                                                         unit_admin):
    Unit.objects.filter(pk=world["pledge"].unit_id).update(name="杭州𠮷野家餐饮有限公司")
    client.force_login(unit_admin)
    response = client.get(url("pledge", world))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "未收录字符" in page and "U+20BB7" in page
