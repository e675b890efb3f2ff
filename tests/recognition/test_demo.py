"""The demo functions the demo loader chains after the self-assessment demo."""

import pytest

pytestmark = pytest.mark.django_db


def test_demo_chain(unit, unit_admin, assessment, year, office, organisation, assessor):
    from hexie.recognition import demo

    application = demo.demo_application(unit, unit_admin, year)
    assert application.state == "submitted"
    recognition = demo.demo_review_and_pass(application, office, organisation)
    assert recognition.state == "pending" and recognition.unit == unit
    application.refresh_from_db()
    assert application.state == "passed"
    assert application.assignments.filter(submitted_by=assessor).count() == 1
