"""The campaign pages link each letter and pledge to its PDF."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_letter_and_pledge_pages_link_their_pdfs(client, world, office, unit_admin):
    client.force_login(office)
    detail = client.get(reverse("campaigns:detail", args=[world["campaign"].pk])).content.decode()
    assert reverse("documents:letter", args=[world["letter"].pk]) in detail
    plan = client.get(reverse("campaigns:plan", args=[world["campaign"].pk])).content.decode()
    assert reverse("documents:pledge", args=[world["pledge"].pk]) in plan
    client.force_login(unit_admin)
    letter = client.get(reverse("campaigns:letter", args=[world["delivery"].pk])).content.decode()
    assert reverse("documents:delivery", args=[world["delivery"].pk]) in letter
    pledge = client.get(reverse("campaigns:pledge")).content.decode()
    assert reverse("documents:pledge", args=[world["pledge"].pk]) in pledge
