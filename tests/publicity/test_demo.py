"""The publicity demo: notice, one dismissed objection, close after the period, publish."""

import pytest

from hexie.publicity.demo import demo_notice_and_publish
from hexie.publicity.models import Objection, PublicNotice, PublishedList
from hexie.recognition.models import Recognition
from tests.factories import XIHU, XIHU_TOWN, UnitFactory

from .conftest import make_recognition

pytestmark = pytest.mark.django_db


def test_demo_notices_and_publishes_once(office, today):
    for n in range(2):
        make_recognition(UnitFactory(region_id=XIHU_TOWN, name=f"演示单位{n}有限公司"),
                         today.year, recognised_on=today)
    published = demo_notice_and_publish(XIHU, today.year, office)
    assert published is not None and published.entry_count == 2
    assert PublicNotice.objects.get().state == PublicNotice.State.CLOSED
    assert Objection.objects.get().state == Objection.State.DISMISSED
    assert set(Recognition.objects.values_list("state", flat=True)) == {"published"}
    assert demo_notice_and_publish(XIHU, today.year, office) == published
    assert PublishedList.objects.count() == 1 and PublicNotice.objects.count() == 1


def test_demo_without_recognitions_does_nothing(office, today):
    assert demo_notice_and_publish(XIHU, today.year, office) is None
    assert not PublicNotice.objects.exists()
