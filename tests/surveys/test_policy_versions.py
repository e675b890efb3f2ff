"""A survey round keeps the policy version it was opened under: a later version that counts
only 非常满意 as satisfied changes rounds opened after it, never the answers of an open round."""

from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from hexie.core import policies
from hexie.core.models import PolicyVersion
from hexie.surveys import policy, services
from hexie.surveys.models import SurveyAnswer

from .conftest import answer_all


@pytest.fixture(autouse=True)
def fresh_cache():
    """The version loaded here is rolled back with the test; so is what the cache saw."""
    policies.forget()
    yield
    policies.forget()


def test_an_open_round_reads_its_answers_under_its_own_version(tmp_path, unit, unit_admin,
                                                               year, opened):
    shipped = PolicyVersion.objects.get(name="surveys", version="zj-survey-v1")
    assert (opened.round.policy_version, opened.round.policy_id) == ("zj-survey-v1", shipped.pk)
    shipped_file = Path(policy.__file__).parent / "data" / "policy" / "survey-policy-v1.yaml"
    data = yaml.safe_load(shipped_file.read_text(encoding="utf-8"))
    data.update(version="zj-survey-v2", effective_from=timezone.localdate(),
                satisfied_levels=[5])
    path = tmp_path / "survey-policy-v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    new, created = policies.load_all(extra=[("surveys", path)])[-1]
    assert created

    answer_all(opened, 1, levels=[4] * len(opened.round.dimensions))  # 满意 on every dimension
    assert SurveyAnswer.objects.get(round=opened.round).satisfied == len(opened.round.dimensions)

    later = services.open_round(unit_admin, unit, links=20, valid_days=14, year=year)
    assert (later.round.policy_version, later.round.policy_id) == ("zj-survey-v2", new.pk)
    answer_all(later, 1, levels=[4] * len(later.round.dimensions))
    assert SurveyAnswer.objects.get(round=later.round).satisfied == 0
