"""Loading standard libraries: every mistake in a library file is refused with the file, the
path inside it and the problem; a loaded version is immutable, a new version is a new row, and
an evaluation made with a version keeps its result when a newer version arrives."""

import copy
import datetime
import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from hexie.core.models import AuditEvent
from hexie.standards import services
from hexie.standards.contract import evaluate_request
from hexie.standards.library import (
    LIBRARY_DIR,
    LibraryError,
    compile_library,
    content_hash,
    read_yaml,
)
from hexie.standards.models import StandardLibrary

BASELINE = LIBRARY_DIR / "zj-baseline-v1.yaml"
SCORED = LIBRARY_DIR / "example-scored-v1.yaml"


def raw(path: Path = BASELINE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write(folder: Path, data: dict, name: str = "zj-baseline-v1.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refusal(path: Path, parent=None) -> LibraryError:
    with pytest.raises(LibraryError) as caught:
        compile_library(read_yaml(path), path, parent=parent)
    return caught.value


def criterion(data: dict, set_index: int, criterion_id: str) -> dict:
    found = data["sets"][set_index]["criteria"]
    return next(c for c in found if c["id"] == criterion_id)


def item(data: dict, item_id: str) -> dict:
    for s in data["sets"]:
        for c in s["criteria"]:
            for it in c["items"]:
                if it["id"] == item_id:
                    return it
    raise KeyError(item_id)


# --- the shipped copy is the starting point ------------------------------------------------

def test_a_redumped_copy_of_the_baseline_compiles(tmp_path):
    data = raw()
    # the indices the paths below rely on
    assert data["sets"][0]["id"] == "EL"
    assert data["sets"][0]["criteria"][5]["id"] == "EL-06"
    assert data["sets"][0]["criteria"][5]["items"][0]["id"] == "EL-06.1"
    assert data["sets"][0]["criteria"][10]["items"][0]["id"] == "EL-11.1"
    lib = compile_library(read_yaml(write(tmp_path, data)), tmp_path / "zj-baseline-v1.yaml")
    assert lib.key == "zj-baseline@1"
    assert sorted(lib.sets) == ["CP", "EL", "EP", "ES", "IN", "PT"]
    assert sum(len(s.criteria) for s in lib.sets.values()) == 45


# --- errors name the file, the path and the problem ----------------------------------------

def test_unknown_fact_in_a_rate_rule(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["rate"][0] = "employees_with_contrakt"
    path = write(tmp_path, data)
    error = refusal(path)
    assert error.file == str(path)
    assert error.path == "sets[0].criteria[5].items[0].rule.rate[0]"
    assert error.problem == "未知事实 employees_with_contrakt"
    assert str(error) == (f"{path}: sets[0].criteria[5].items[0].rule.rate[0]: "
                          "未知事实 employees_with_contrakt")


def test_unknown_fact_in_a_rate_denominator(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][1]["rule"]["rate"][1] = "staff_total"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[1].rule.rate[1]"
    assert error.problem == "未知事实 staff_total"


def test_unknown_fact_in_a_fact_rule(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][10]["items"][0]["rule"]["fact"] = "happiness_percent"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[10].items[0].rule.fact"
    assert error.problem == "未知事实 happiness_percent"


def test_unknown_fact_in_a_qualitative_item(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][0]["items"][0]["fact"] = "el_party_is_great"
    path = write(tmp_path, data)
    error = refusal(path)
    assert error.file == str(path)
    assert error.path == "sets[0].criteria[0].items[0].fact"
    assert error.problem == "未知事实 el_party_is_great"


def test_qualitative_item_must_name_a_boolean_fact(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][0]["items"][0]["fact"] = "employees_total"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[0].items[0].fact"
    assert error.problem == "定性指标需要布尔事实，employees_total 是 integer"


def test_unknown_operator(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["op"] = "=>"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[0].rule.op"
    assert error.problem == "未知运算符 =>（应为 >= > <= < ==）"


def test_unknown_zero_mode(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["zero"] = "ignore"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[0].rule.zero"
    assert error.problem == "未知零分母处理 ignore（应为 met、not_met、na、invalid）"


def test_zero_mode_on_a_fact_rule(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][10]["items"][0]["rule"]["zero"] = "met"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[10].items[0].rule.zero"
    assert error.problem == "只有比率规则才有零分母处理"


def test_duplicate_criterion_id(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][1]["id"] = "EL-01"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[1].id"
    assert error.problem == "标识 EL-01 重复"


def test_duplicate_item_id(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][0]["items"][1]["id"] = "EL-01.1"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[0].items[1].id"
    assert error.problem == "标识 EL-01.1 重复"


def test_duplicate_set_id(tmp_path):
    data = raw()
    data["sets"].append(copy.deepcopy(data["sets"][0]))
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[6].id"
    assert error.problem == "标识 EL 重复"


def test_rate_threshold_above_100(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["value"] = 100.5
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[0].rule.value"
    assert error.problem == "比率阈值 100.5 超出 0–100"


def test_rate_threshold_below_0(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["value"] = -1
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[0].rule.value"
    assert error.problem == "比率阈值 -1 超出 0–100"


def test_satisfaction_threshold_beyond_the_facts_max(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][10]["items"][0]["rule"]["value"] = 120
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[10].items[0].rule.value"
    assert error.problem == "阈值 120 超出事实 satisfaction_percent 的取值范围"


def test_threshold_with_three_decimals(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][10]["items"][0]["rule"]["value"] = 89.995
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[10].items[0].rule.value"
    assert error.problem == "阈值最多保留两位小数"


def test_item_id_not_prefixed_by_its_criterion(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][0]["items"][1]["id"] = "EL-02.9"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[0].items[1].id"
    assert error.problem == "指标标识 EL-02.9 应形如 EL-01.1"


def test_criterion_id_not_prefixed_by_its_set(tmp_path):
    data = raw()
    data["sets"][1]["criteria"][0]["id"] = "EL-12"
    error = refusal(write(tmp_path, data))
    assert data["sets"][1]["id"] == "ES"
    assert error.path == "sets[1].criteria[0].id"
    assert error.problem == "条目标识 EL-12 应形如 ES-01"


def test_unknown_set_id(tmp_path):
    data = raw()
    data["sets"][5]["id"] = "XX"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[5].id"
    assert error.problem == "未知标准集合 XX（应为 EL、ES、EP、CP、PT、IN）"


def test_quantitative_item_without_clause(tmp_path):
    data = raw()
    target = data["sets"][0]["criteria"][3]["items"][1]
    assert target["id"] == "EL-04.2"
    del target["clause"]
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[3].items[1].clause"
    assert error.problem == "定量指标必须注明所依据的条款"


def test_item_with_both_rule_and_fact(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][3]["items"][1]["fact"] = "el_mediation_body_established"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[3].items[1]"
    assert error.problem == "指标必须有且只有 rule 或 fact 之一"


def test_schema_error_missing_title_at_the_root(tmp_path):
    data = raw()
    del data["title"]
    error = refusal(write(tmp_path, data))
    assert error.path == ""
    assert error.problem == "结构不符：'title' is a required property"
    assert "（根）" in str(error)


def test_schema_error_missing_title_in_a_criterion(tmp_path):
    data = raw()
    del data["sets"][2]["criteria"][3]["title"]
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[2].criteria[3]"
    assert error.problem == "结构不符：'title' is a required property"


def test_schema_error_extra_key(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][2]["weight"] = 3
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[2]"
    assert error.problem == ("结构不符：Additional properties are not allowed "
                             "('weight' was unexpected)")


def test_schema_error_wrong_type(tmp_path):
    data = raw()
    data["version"] = "1"
    error = refusal(write(tmp_path, data))
    assert error.path == "version"
    assert error.problem == "结构不符：'1' is not of type 'integer'"


def test_schema_error_invalid_date(tmp_path):
    data = raw()
    data["effective"] = "2023-13-01"
    error = refusal(write(tmp_path, data))
    assert error.path == "effective"
    assert error.problem == "结构不符：'2023-13-01' is not a 'date'"


def test_yaml_syntax_error_names_the_line(tmp_path):
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    number = lines.index("version: 1") + 1
    lines[number - 1] = "version: 1: 2"
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = refusal(path)
    assert error.file == str(path)
    assert error.path == f"第 {number} 行"
    assert error.problem == "YAML 格式错误：mapping values are not allowed here"


def test_boolean_fact_in_a_rate(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["rate"][0] = "social_insurance_paid_in_full"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[0].rule.rate[0]"
    assert error.problem == "定量规则不能使用布尔事实 social_insurance_paid_in_full"


def test_rate_mixing_an_integer_and_a_number_fact(tmp_path):
    data = raw()
    data["sets"][0]["criteria"][5]["items"][0]["rule"]["rate"][1] = "training_fund_total_yuan"
    error = refusal(write(tmp_path, data))
    assert error.path == "sets[0].criteria[5].items[0].rule.rate"
    assert error.problem == "比率的分子和分母必须是同一类型的事实"


def test_library_fact_never_used(tmp_path):
    data = raw()
    data["facts"]["el_unused_fact"] = {"type": "boolean", "label": "从未使用"}
    error = refusal(write(tmp_path, data))
    assert error.path == "facts.el_unused_fact"
    assert error.problem == "定义了但没有任何指标使用"


def test_library_fact_shadowing_a_shared_fact(tmp_path):
    data = raw()
    data["facts"]["employees_total"] = {"type": "integer", "label": "重名"}
    error = refusal(write(tmp_path, data))
    assert error.path == "facts.employees_total"
    assert error.problem == "与共享事实词典重名"


# --- variants -----------------------------------------------------------------------------

def test_shipped_variant_compiles_on_its_parent(tmp_path, baseline):
    lib = compile_library(read_yaml(write(tmp_path, raw(SCORED), "v.yaml")),
                          tmp_path / "v.yaml", parent=baseline)
    assert lib.key == "example-scored@1"
    assert lib.parent == ("zj-baseline", 1)
    assert lib.scoring.pass_score == 85
    assert lib.scoring.total == 100
    assert [i for i, it in lib._items.items() if it.veto] == ["EL-06.1", "EL-06.3", "EL-06.4"]


def test_variant_naming_a_nonexistent_item_in_points(tmp_path, baseline):
    data = raw(SCORED)
    data["scoring"]["points"]["EL-99.1"] = 1
    path = write(tmp_path, data, "example-scored-v1.yaml")
    error = refusal(path, baseline)
    assert error.file == str(path)
    assert error.path == "scoring.points.EL-99.1"
    assert error.problem == "上级标准库中没有指标 EL-99.1"


def test_variant_naming_a_nonexistent_item_in_veto(tmp_path, baseline):
    data = raw(SCORED)
    data["scoring"]["veto"].append("EL-06.9")
    error = refusal(write(tmp_path, data, "example-scored-v1.yaml"), baseline)
    assert error.path == "scoring.veto[3]"
    assert error.problem == "上级标准库中没有指标 EL-06.9"


def test_variant_pass_score_above_its_total(tmp_path, baseline):
    data = raw(SCORED)
    data["scoring"]["pass_score"] = 101
    error = refusal(write(tmp_path, data, "example-scored-v1.yaml"), baseline)
    assert error.path == "scoring.pass_score"
    assert error.problem == "及格分 101 高于总分 100"


def test_variant_adding_sets(tmp_path, baseline):
    data = raw(SCORED)
    data["sets"] = [raw()["sets"][0]]
    error = refusal(write(tmp_path, data, "example-scored-v1.yaml"), baseline)
    assert error.path == "sets"
    assert error.problem == "派生标准库只能增加计分（scoring），不能改写条目"


def test_variant_without_its_parent_loaded(tmp_path):
    error = refusal(write(tmp_path, raw(SCORED), "example-scored-v1.yaml"))
    assert error.path == "parent"
    assert error.problem == "上级标准库 zj-baseline 第 1 版尚未载入"


def test_variant_without_scoring(tmp_path, baseline):
    data = raw(SCORED)
    del data["scoring"]
    error = refusal(write(tmp_path, data, "example-scored-v1.yaml"), baseline)
    assert error.path == "scoring"
    assert error.problem == "派生标准库必须设定计分（scoring）"


def test_scoring_outside_a_variant(tmp_path):
    data = raw()
    data["scoring"] = {"pass_score": 1, "points": {"EL-01.1": 1}}
    error = refusal(write(tmp_path, data))
    assert error.path == "scoring"
    assert error.problem == "计分只能在派生标准库中设定（需要 parent）"


# --- the database side ---------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _fresh_compiled_cache():
    """compiled() caches by primary key, and test rollbacks reuse keys on SQLite."""
    services._compiled.cache_clear()
    yield
    services._compiled.cache_clear()


def load(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("standards", "load", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused_load(*args) -> str:
    err = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("standards", "load", *[str(a) for a in args], stdout=io.StringIO(),
                     stderr=err)
    assert caught.value.code == 2
    return err.getvalue()


def version_2(folder: Path, *, effective="2024-01-01", satisfaction=95) -> Path:
    """zj-baseline version 2: EL-11.1 asks for a higher satisfaction."""
    data = raw()
    data["version"] = 2
    data["effective"] = effective
    item(data, "EL-11.1")["rule"]["value"] = satisfaction
    return write(folder, data, "zj-baseline-v2.yaml")


def load_events():
    return list(AuditEvent.objects.filter(action="standards.load").order_by("id"))


@pytest.mark.django_db
def test_load_stores_both_shipped_libraries_with_an_audit_event_each():
    assert StandardLibrary.objects.count() == 0
    out, err = load()
    assert err == ""
    assert out.splitlines() == [
        "已载入：zj-baseline@1 浙江省和谐劳动关系创建标准（省级基线）",
        "已载入：example-scored@1 示例：大中型企业计分制创建标准（仅用于演示计分机制，"
        "非正式标准，分值为虚构）",
    ]
    rows = {r.key: r for r in StandardLibrary.objects.all()}
    assert sorted(rows) == ["example-scored@1", "zj-baseline@1"]
    base, scored = rows["zj-baseline@1"], rows["example-scored@1"]
    assert base.parent is None and base.example is False
    assert base.effective == datetime.date(2023, 6, 30)
    assert base.source_file == "zj-baseline-v1.yaml"
    assert base.sha256 == content_hash(read_yaml(BASELINE), base.facts)
    assert scored.parent_id == base.pk and scored.example is True
    assert scored.facts is None
    events = load_events()
    assert [(e.object_type, e.object_id) for e in events] == [
        ("standards.standardlibrary", str(base.pk)),
        ("standards.standardlibrary", str(scored.pk)),
    ]
    assert events[0].after == {"library": "zj-baseline", "version": 1, "sha256": base.sha256,
                               "file": "zj-baseline-v1.yaml"}
    assert events[0].actor_username == "system"


@pytest.mark.django_db
def test_loading_again_creates_nothing():
    load()
    before = list(StandardLibrary.objects.values_list("pk", "sha256", "loaded_at"))
    out, _ = load()
    assert out.splitlines() == [
        "未变化：zj-baseline@1 浙江省和谐劳动关系创建标准（省级基线）",
        "未变化：example-scored@1 示例：大中型企业计分制创建标准（仅用于演示计分机制，"
        "非正式标准，分值为虚构）",
    ]
    assert list(StandardLibrary.objects.values_list("pk", "sha256", "loaded_at")) == before
    assert len(load_events()) == 2


@pytest.mark.django_db
def test_a_reformatted_copy_with_the_same_content_is_unchanged(tmp_path):
    load()
    out, _ = load(write(tmp_path, raw()))
    assert out == "未变化：zj-baseline@1 浙江省和谐劳动关系创建标准（省级基线）\n"
    assert StandardLibrary.objects.count() == 2


@pytest.mark.django_db
def test_same_version_with_different_content_is_refused(tmp_path):
    load()
    stored = StandardLibrary.objects.get(library_id="zj-baseline", version=1)
    data = raw()
    item(data, "EL-11.1")["rule"]["value"] = 95
    path = write(tmp_path, data)
    err = refused_load(path)
    assert err == (f"标准库有误：{path}: version: zj-baseline 第 1 版已载入且内容不同："
                   "已载入的版本不可更改，请提高版本号\n")
    assert StandardLibrary.objects.count() == 2
    again = StandardLibrary.objects.get(pk=stored.pk)
    assert (again.content, again.sha256) == (stored.content, stored.sha256)
    assert len(load_events()) == 2


@pytest.mark.django_db
def test_a_version_conflict_in_a_directory_stores_nothing(tmp_path):
    load()
    folder = tmp_path / "libs"
    version_2(folder).rename(folder / "a-v2.yaml")               # valid, checked first
    data = raw()
    item(data, "EL-06.1")["rule"]["value"] = 99
    conflict = write(folder, data, "b-v1-changed.yaml")
    err = refused_load(folder)
    assert err == (f"标准库有误：{conflict}: version: zj-baseline 第 1 版已载入且内容不同："
                   "已载入的版本不可更改，请提高版本号\n")
    assert sorted(r.key for r in StandardLibrary.objects.all()) == [
        "example-scored@1", "zj-baseline@1"]
    assert len(load_events()) == 2


@pytest.mark.django_db
def test_a_new_version_is_a_new_row_and_the_old_one_stays_identical(tmp_path):
    load()
    v1 = StandardLibrary.objects.get(library_id="zj-baseline", version=1)
    v1_bytes = json.dumps(v1.content, sort_keys=True, ensure_ascii=False)
    v1_sha, v1_loaded = v1.sha256, v1.loaded_at

    out, _ = load(version_2(tmp_path))
    assert out == "已载入：zj-baseline@2 浙江省和谐劳动关系创建标准（省级基线）\n"
    assert StandardLibrary.objects.count() == 3
    v2 = StandardLibrary.objects.get(library_id="zj-baseline", version=2)
    assert v2.pk != v1.pk
    assert v2.source_file == "zj-baseline-v2.yaml"
    assert v2.sha256 != v1_sha

    v1_again = StandardLibrary.objects.get(pk=v1.pk)
    assert json.dumps(v1_again.content, sort_keys=True, ensure_ascii=False) == v1_bytes
    assert v1_again.sha256 == v1_sha
    assert v1_again.loaded_at == v1_loaded
    assert content_hash(v1_again.content, v1_again.facts) == v1_sha
    assert services.compiled(v1.pk).item("EL-11.1").rule.value == 90
    assert services.compiled(v2.pk).item("EL-11.1").rule.value == 95
    assert [e.after["version"] for e in load_events()] == [1, 1, 2]


@pytest.mark.django_db
def test_a_stored_version_cannot_be_saved_again():
    load()
    row = StandardLibrary.objects.get(library_id="zj-baseline", version=1)
    row.title = "改过的标题"
    with pytest.raises(ValueError, match="immutable"):
        row.save()
    assert StandardLibrary.objects.get(pk=row.pk).title == "浙江省和谐劳动关系创建标准（省级基线）"


@pytest.mark.django_db
def test_one_bad_file_in_a_directory_stores_nothing(tmp_path):
    folder = tmp_path / "libs"
    write(folder, raw())                                          # good
    bad = raw(SCORED)
    bad["scoring"]["veto"] = ["EL-06.1", "EL-77.1"]
    bad_path = write(folder, bad, "example-scored-v1.yaml")       # bad, loaded second
    err = refused_load(folder)
    assert err == (f"标准库有误：{bad_path}: scoring.veto[1]: 上级标准库中没有指标 EL-77.1\n")
    assert StandardLibrary.objects.count() == 0
    assert load_events() == []


@pytest.mark.django_db
def test_a_bad_file_before_a_good_one_stores_nothing(tmp_path):
    folder = tmp_path / "libs"
    bad = raw()
    bad["sets"][0]["criteria"][0]["items"][0]["fact"] = "el_nonexistent"
    bad_path = write(folder, bad, "a-bad.yaml")
    good = raw()
    good["id"] = "zj-other"
    write(folder, good, "b-good.yaml")
    err = refused_load(folder)
    assert err == (f"标准库有误：{bad_path}: sets[0].criteria[0].items[0].fact: "
                   "未知事实 el_nonexistent\n")
    assert StandardLibrary.objects.count() == 0
    assert load_events() == []


@pytest.mark.django_db
def test_a_yaml_error_is_refused_by_the_command(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: zj-baseline\nversion: [1\n", encoding="utf-8")
    err = refused_load(path)
    assert err.startswith(f"标准库有误：{path}: 第 3 行: YAML 格式错误：")
    assert StandardLibrary.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_a_mapping_is_refused_by_name(tmp_path):
    """A YAML list (or a bare string) is not a library: the command should refuse it naming
    the file, like every other mistake, not crash."""
    path = tmp_path / "list.yaml"
    path.write_text("- id: zj-baseline\n- version: 1\n", encoding="utf-8")
    err = refused_load(path)
    assert err == f"标准库有误：{path}: （根）: 文件内容应为一个标准库（YAML 映射）\n"
    assert StandardLibrary.objects.count() == 0


@pytest.mark.django_db
def test_resolve_picks_the_newest_version_in_force(tmp_path):
    load()
    load(version_2(tmp_path, effective="2024-01-01"))
    v1 = StandardLibrary.objects.get(library_id="zj-baseline", version=1)
    v2 = StandardLibrary.objects.get(library_id="zj-baseline", version=2)
    assert services.resolve("zj-baseline") == v2
    assert services.resolve() == v2                     # the default standard
    assert services.resolve("zj-baseline", on=datetime.date(2023, 12, 31)) == v1
    assert services.resolve("zj-baseline@1") == v1
    assert services.resolve("zj-baseline@2") == v2
    assert services.resolve("example-scored").key == "example-scored@1"
    with pytest.raises(services.StandardNotFound):
        services.resolve("zj-baseline@3")
    with pytest.raises(services.StandardNotFound):
        services.resolve("zj-baseline@latest")
    with pytest.raises(services.StandardNotFound):
        services.resolve("no-such-standard")


@pytest.mark.django_db
def test_a_version_not_yet_in_force_is_not_picked(tmp_path):
    load()
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    load(version_2(tmp_path, effective=future))
    assert services.resolve("zj-baseline").key == "zj-baseline@1"
    assert services.resolve("zj-baseline@2").key == "zj-baseline@2"
    assert services.resolve(
        "zj-baseline", on=datetime.date.today() + datetime.timedelta(days=30)
    ).key == "zj-baseline@2"


LARGE_FACTS = {
    "employees_total": 400, "employees_with_contract": 400, "employees_insured": 400,
    "social_insurance_paid_in_full": True, "wages_paid_on_time_in_full": True,
    "labour_relations_coordinators": 3, "training_fund_total_yuan": 10000.00,
    "training_fund_frontline_yuan": 7000.00, "training_fund_in_place": True,
    "satisfaction_percent": 92.50,
    **{name: True for name in (
        "el_party_organisation_effective", "el_law_abiding_integrity",
        "el_trade_union_functioning", "el_collective_contract_signed",
        "el_democratic_management", "el_congress_approves_rules",
        "el_mediation_body_established", "el_dispute_early_warning", "el_wage_growth_linked",
        "el_skill_based_pay", "el_employment_rules_lawful", "el_training_plan",
        "el_corporate_culture", "el_humanistic_care", "el_employees_committed",
        "el_rational_expression")},
}


@pytest.mark.django_db
def test_an_evaluation_with_version_1_is_unchanged_by_version_2(tmp_path):
    load()
    body = {"unit": {"kind": "enterprise", "size": "large"}, "facts": LARGE_FACTS,
            "standard": "zj-baseline@1"}
    before = evaluate_request(body)
    assert before["standard"] == "zj-baseline@1"
    assert before["meets"] is True

    load(version_2(tmp_path, satisfaction=95))              # stricter: 92.50 no longer meets

    after = evaluate_request(body)
    assert after == before
    newer = evaluate_request({**body, "standard": "zj-baseline@2"})
    assert newer["standard"] == "zj-baseline@2"
    assert newer["meets"] is False
    el11 = next(c for c in newer["criteria"] if c["id"] == "EL-11")
    assert el11["met"] is False
    assert el11["reasons"] == ["职工综合满意度达到 90% 以上：92.50 < 95"]
    default = evaluate_request({k: v for k, v in body.items() if k != "standard"})
    assert default["standard"] == "zj-baseline@2"


@pytest.mark.django_db
def test_a_failed_load_leaves_no_stale_compiled_library(tmp_path):
    """A load that fails after compiling a new parent must not leave that compiled parent
    cached under a primary key the next load reuses (SQLite reuses rolled-back keys)."""
    load()
    failing = tmp_path / "failing"
    version_2(failing, satisfaction=95)
    variant = raw(SCORED)
    variant["version"] = 2
    variant["parent"] = {"id": "zj-baseline", "version": 2}
    variant["scoring"]["veto"] = ["EL-88.1"]
    write(failing, variant, "example-scored-v2.yaml")
    refused_load(failing)
    assert StandardLibrary.objects.count() == 2

    out, _ = load(version_2(tmp_path / "fixed", satisfaction=80))
    assert out == "已载入：zj-baseline@2 浙江省和谐劳动关系创建标准（省级基线）\n"
    v2 = services.resolve("zj-baseline@2")
    assert v2.content["sets"][0]["criteria"][10]["items"][0]["rule"]["value"] == 80
    assert services.compiled(v2.pk).item("EL-11.1").rule.value == 80
