"""Policies as dated data (issue 9 point 5): the loader, the resolver and the immutable
versions. The reminder policy of notifications serves as the example (the smallest schema)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from hexie.core import clauses, policies
from hexie.core.models import PolicyVersion
from hexie.notifications import policy as reminder_policy
from hexie.notifications.reminders import lead_days

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Versions loaded inside a test are rolled back with it; so is what the cache saw."""
    policies.forget()
    yield
    policies.forget()


def write(tmp_path, name="reminders.yaml", *, version="test-v2", effective=TODAY, prefix=None,
          lead="[5, 2]", rule="{cite:4.3}：测试用提醒规则"):
    lines = [f"version: {version}", f"effective_from: {effective:%Y-%m-%d}",
             "source: 测试", "reminders:", f'  rule: "{rule}"', f"  lead_days: {lead}"]
    if prefix is not None:
        lines.insert(2, f'region_prefix: "{prefix}"')
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path):
    return policies.load_all(extra=[("notifications", path)])[-1]


def test_every_shipped_policy_is_loaded_by_migrate():
    names = set(PolicyVersion.objects.values_list("name", flat=True))
    assert names == {"campaigns", "recognition", "surveys", "assessments", "publicity",
                     "healthcheck", "notifications"}
    row = PolicyVersion.objects.get(name="recognition")
    assert row.effective_from == datetime.date(2023, 6, 30) and row.region_prefix == ""
    assert row.source_file == "hexie/recognition/data/policy/recognition-policy-v1.yaml"
    assert row.sha256 == policies.canonical_sha256(row.content)


def test_a_version_applies_from_its_effective_date_inclusive(tmp_path):
    row, created = load(write(tmp_path, effective=TODAY))
    assert created
    assert policies.resolve("notifications", on=TODAY).pk == row.pk  # exactly today: in force
    assert policies.resolve("notifications", on=TODAY - DAY).version == "zj-reminder-v1"
    assert reminder_policy.current().reminder_lead_days == (5, 2)
    assert reminder_policy.current(TODAY - DAY).reminder_lead_days == (3, 1)
    assert lead_days(TODAY) == (5, 2) and lead_days(TODAY - DAY) == (3, 1)


def test_a_version_not_yet_in_force_changes_nothing_today(tmp_path):
    load(write(tmp_path, effective=TODAY + DAY))
    assert reminder_policy.current().version == "zj-reminder-v1"
    assert reminder_policy.current(TODAY + DAY).version == "test-v2"


def test_the_longest_region_prefix_wins_and_a_later_province_version_supersedes(tmp_path):
    load(write(tmp_path, "hz.yaml", version="hz-v1", effective=TODAY - 10 * DAY, prefix="3301",
               lead="[7]"))
    load(write(tmp_path, "xihu.yaml", version="xihu-v1", effective=TODAY - 10 * DAY,
               prefix="330106", lead="[6]"))
    at = TODAY - 5 * DAY
    assert policies.resolve("notifications", at, "330106001").version == "xihu-v1"
    assert policies.resolve("notifications", at, "330102001").version == "hz-v1"
    assert policies.resolve("notifications", at, "330402001").version == "zj-reminder-v1"
    assert policies.resolve("notifications", at).version == "zj-reminder-v1"  # province
    # A later province-wide version replaces the earlier regional ones everywhere.
    load(write(tmp_path, "zj.yaml", version="zj-v2", effective=TODAY, lead="[4]"))
    assert policies.resolve("notifications", TODAY, "330106001").version == "zj-v2"
    assert policies.resolve("notifications", TODAY - DAY, "330106001").version == "xihu-v1"


def test_loading_again_changes_nothing():
    before = list(PolicyVersion.objects.order_by("pk").values_list("pk", "sha256"))
    results = policies.load_all()
    assert results and not any(created for __, created in results)
    assert list(PolicyVersion.objects.order_by("pk").values_list("pk", "sha256")) == before


def test_the_command_loads_a_new_file_once(tmp_path, capsys):
    path = write(tmp_path)
    call_command("policies", "load", f"notifications={path}")
    assert "已载入：notifications test-v2" in capsys.readouterr().out
    call_command("policies", "load", f"notifications={path}")
    assert "未变化：notifications test-v2" in capsys.readouterr().out
    assert PolicyVersion.objects.filter(version="test-v2").count() == 1


def test_a_loaded_version_is_never_rewritten(tmp_path):
    load(write(tmp_path, lead="[5, 2]"))
    with pytest.raises(policies.PolicyError) as err:
        load(write(tmp_path, "again.yaml", lead="[9]"))
    assert "不能改写" in str(err.value) and "rewriting" in str(err.value)
    assert reminder_policy.current().reminder_lead_days == (5, 2)


def test_two_versions_from_the_same_day_for_the_same_region_are_refused(tmp_path):
    load(write(tmp_path))
    with pytest.raises(policies.PolicyError) as err:
        load(write(tmp_path, "other.yaml", version="test-v3", lead="[9]"))
    assert "test-v2" in str(err.value)


def test_a_schema_error_names_the_field(tmp_path):
    with pytest.raises(policies.PolicyError) as err:
        load(write(tmp_path, lead='[3, "soon"]'))
    assert "reminders.lead_days.1" in str(err.value)
    assert not PolicyVersion.objects.filter(version="test-v2").exists()


def test_a_missing_effective_date_is_refused(tmp_path):
    path = tmp_path / "undated.yaml"
    path.write_text("version: x\nsource: s\nreminders: {rule: r, lead_days: [1]}\n",
                    encoding="utf-8")
    with pytest.raises(policies.PolicyError) as err:
        load(path)
    assert "effective_from" in str(err.value)


def test_clauses_are_cited_from_one_place(tmp_path):
    row, __ = load(write(tmp_path))
    assert row.content["reminders"]["rule"] == "浙人社发〔2023〕17号 四（三）：测试用提醒规则"
    assert clauses.cite("4.3") == "浙人社发〔2023〕17号 四（三）"
    with pytest.raises(policies.PolicyError) as err:
        load(write(tmp_path, "bad.yaml", version="test-v9", rule="{cite:9.9}：无此条"))
    assert "9.9" in str(err.value)


def test_a_version_row_is_immutable():
    row = PolicyVersion.objects.get(name="recognition")
    row.version = "changed"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.filter(pk=row.pk).update(version="changed")
    assert PolicyVersion.objects.get(pk=row.pk).version == "zj-recognition-v1"


def test_no_version_in_force_is_a_clear_error():
    with pytest.raises(policies.PolicyError) as err:
        policies.resolve("notifications", on=datetime.date(2020, 1, 1))
    assert "hexie policies load" in str(err.value)
