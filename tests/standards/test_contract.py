"""The scripting contract: `hexie standards template`, `hexie evaluate FILE|-`,
POST /api/v1/evaluations and GET /api/v1/standards/ — the same JSON in and out, exit 0 when it
evaluated (met or not), exit 2 / HTTP 400 naming what was wrong."""

import io
import json

import pytest
import yaml
from django.core.management import call_command

from hexie.accounts.roles import Role
from hexie.standards import services
from hexie.standards.library import FACTS_FILE, LIBRARY_DIR
from tests.factories import XIHU, make_user

pytestmark = pytest.mark.django_db

KINDS = ["enterprise", "construction_project", "industrial_park", "town", "industry"]


@pytest.fixture(autouse=True)
def loaded():
    services._compiled.cache_clear()
    call_command("standards", "load", stdout=io.StringIO())
    yield
    services._compiled.cache_clear()


def facts_read_by(*set_ids) -> set[str]:
    """The facts the sets' items read, straight from the shipped YAML, plus the at_most
    partners needed to check them."""
    raw = yaml.safe_load((LIBRARY_DIR / "zj-baseline-v1.yaml").read_text(encoding="utf-8"))
    shared = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))["facts"]
    names = set()
    for s in raw["sets"]:
        if s["id"] not in set_ids:
            continue
        for c in s["criteria"]:
            for it in c["items"]:
                if "fact" in it:
                    names.add(it["fact"])
                else:
                    names.update(it["rule"].get("rate") or [it["rule"]["fact"]])
    partners = {shared[n]["at_most"] for n in names if n in shared and "at_most" in shared[n]}
    return names | partners


def template(*args) -> dict:
    out = io.StringIO()
    call_command("standards", "template", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def template_refused(*args) -> str:
    err = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("standards", "template", *args, stdout=io.StringIO(), stderr=err)
    assert caught.value.code == 2
    return err.getvalue()


def compliant_facts(tpl: dict) -> dict:
    """A complete compliant fact set built from a template: booleans true, every count 10,
    every number 100 (each at_most pair equal, each rate 100%)."""
    value = {"boolean": True, "integer": 10, "number": 100}
    return {name: value[spec["type"]] for name, spec in tpl["facts"].items()}


def run_evaluate(monkeypatch, text: str | None = None, path=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if path is None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
    try:
        call_command("evaluate", str(path) if path is not None else "-", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


# --- template --------------------------------------------------------------------------------

def test_template_for_a_large_enterprise():
    tpl = template("--kind", "enterprise", "--size", "large")
    assert set(tpl) == {"standard", "sets", "facts"}
    assert tpl["standard"] == "zj-baseline@1"
    assert tpl["sets"] == ["EL"]
    assert set(tpl["facts"]) == facts_read_by("EL")
    assert len(tpl["facts"]) == 26
    for name, spec in tpl["facts"].items():
        assert spec["type"] in {"boolean", "integer", "number"}, name
        assert isinstance(spec["label"], str) and spec["label"], name
        assert spec["criteria"] and all(c.startswith("EL-") for c in spec["criteria"]), name
    assert tpl["facts"]["employees_with_contract"] == {
        "type": "integer", "label": "已签订劳动合同（书面协议）的职工人数", "criteria": ["EL-06"],
        "min": 0, "at_most": "employees_total"}
    assert tpl["facts"]["satisfaction_percent"] == {
        "type": "number", "label": "职工综合满意度（%）", "criteria": ["EL-11"], "min": 0,
        "max": 100}
    assert tpl["facts"]["employees_total"]["positive"] is True
    assert tpl["facts"]["social_insurance_paid_in_full"] == {
        "type": "boolean", "label": "依法按时足额缴纳社会保险费，无欠缴、漏缴",
        "criteria": ["EL-06"]}
    assert tpl["facts"]["training_fund_total_yuan"]["criteria"] == ["EL-07"]


def test_template_medium_is_the_same_as_large():
    assert template("--kind", "enterprise", "--size", "medium") == template(
        "--kind", "enterprise", "--size", "large")


def test_template_with_platform_adds_the_ep_facts():
    plain = template("--kind", "enterprise", "--size", "large")
    platform = template("--kind", "enterprise", "--size", "large", "--platform")
    assert platform["sets"] == ["EL", "EP"]
    assert set(platform["facts"]) == facts_read_by("EL", "EP")
    added = set(platform["facts"]) - set(plain["facts"])
    assert len(added) == 12
    assert all(name.startswith("ep_") for name in added)
    assert platform["facts"]["ep_algorithm_safe"]["criteria"] == ["EP-04"]
    assert platform["facts"]["employees_total"]["criteria"] == ["EL-06", "EP-02", "EP-05"]


@pytest.mark.parametrize(("args", "sets", "count"), [
    (["--kind", "enterprise", "--size", "small"], ["ES"], 14),
    (["--kind", "enterprise", "--size", "micro", "--platform"], ["ES", "EP"], 26),
    (["--kind", "construction_project"], ["CP"], 23),
    (["--kind", "industrial_park"], ["PT"], 22),
    (["--kind", "town"], ["PT"], 22),
    (["--kind", "industry"], ["IN"], 15),
])
def test_template_for_each_kind(args, sets, count):
    tpl = template(*args)
    assert tpl["standard"] == "zj-baseline@1"
    assert tpl["sets"] == sets
    assert set(tpl["facts"]) == facts_read_by(*sets)
    assert len(tpl["facts"]) == count
    prefixes = tuple(f"{s}-" for s in sets)
    for name, spec in tpl["facts"].items():
        assert spec["type"] in {"boolean", "integer", "number"}, name
        assert spec["label"], name
        assert spec["criteria"] and all(c.startswith(prefixes) for c in spec["criteria"]), name


def test_template_of_the_scored_variant():
    tpl = template("--kind", "enterprise", "--size", "large", "--standard", "example-scored")
    assert tpl["standard"] == "example-scored@1"
    assert set(tpl["facts"]) == facts_read_by("EL")


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "school"], "unit.kind 应为 enterprise、construction_project、industrial_park、"
                           "town、industry 之一\n"),
    (["--kind", "enterprise"], "企业的 unit.size 应为 large、medium、small、micro 之一\n"),
    (["--kind", "enterprise", "--size", "huge"],
     "企业的 unit.size 应为 large、medium、small、micro 之一\n"),
    (["--kind", "town", "--standard", "zj-baseline@9"], "标准库 zj-baseline@9 不存在或尚未载入\n"),
])
def test_template_refusals_exit_2(args, message):
    assert template_refused(*args) == message


# --- evaluate (CLI) ---------------------------------------------------------------------------

def large_body(**changes) -> dict:
    facts = compliant_facts(template("--kind", "enterprise", "--size", "large"))
    return {"unit": {"kind": "enterprise", "size": "large", "platform": False},
            "facts": facts | changes}


def test_evaluate_a_compliant_unit_from_stdin(monkeypatch):
    code, out, err = run_evaluate(monkeypatch, json.dumps(large_body()))
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["standard"] == "zj-baseline@1"
    assert result["sets"] == ["EL"]
    assert result["meets"] is True
    assert result["evidence_complete"] is False
    assert [c["id"] for c in result["criteria"]] == [f"EL-{n:02d}" for n in range(1, 12)]
    assert all(c["met"] is True for c in result["criteria"])
    assert {"id", "met", "reasons"} <= set(result["criteria"][0])


@pytest.mark.parametrize("args", [
    ["--kind", "enterprise", "--size", "small", "--platform"],
    ["--kind", "construction_project"],
    ["--kind", "industrial_park"],
    ["--kind", "industry"],
])
def test_every_template_filled_compliantly_meets(monkeypatch, args):
    """Booleans are phrased so that true is compliant: all true (and consistent counts)
    meets the standard."""
    tpl = template(*args)
    kind = args[1]
    unit = {"kind": kind}
    if kind == "enterprise":
        unit |= {"size": args[3], "platform": True}
    code, out, _ = run_evaluate(monkeypatch,
                                json.dumps({"unit": unit, "facts": compliant_facts(tpl)}))
    assert code == 0
    result = json.loads(out)
    assert result["sets"] == tpl["sets"]
    assert result["meets"] is True


def test_evaluate_a_non_compliant_unit_still_exits_0(monkeypatch):
    body = large_body(employees_total=400, employees_with_contract=394, employees_insured=400,
                      el_training_plan=False)
    code, out, err = run_evaluate(monkeypatch, json.dumps(body))
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["meets"] is False
    failing = {c["id"]: c["reasons"] for c in result["criteria"] if not c["met"]}
    assert failing == {
        "EL-06": ["劳动合同签订率达到 100%：98.50% < 100%（394/400）"],
        "EL-07": ["职工培训制度健全，制定并实施培训计划：否"],
    }


def test_evaluate_reads_a_file(monkeypatch, tmp_path):
    path = tmp_path / "unit.json"
    path.write_text(json.dumps(large_body(), ensure_ascii=False), encoding="utf-8")
    code, out, _ = run_evaluate(monkeypatch, path=path)
    assert code == 0
    assert json.loads(out)["meets"] is True


def test_evaluate_with_an_explicit_standard_and_evidence(monkeypatch):
    body = large_body(satisfaction_percent=80) | {"standard": "example-scored@1",
                                                  "evidence": ["EL-11.1"]}
    code, out, _ = run_evaluate(monkeypatch, json.dumps(body))
    assert code == 0
    result = json.loads(out)
    assert result["standard"] == "example-scored@1"
    assert (result["score"], result["pass_score"], result["veto_failed"]) == (84, 85, [])
    assert result["meets"] is False
    el11 = next(c for c in result["criteria"] if c["id"] == "EL-11")
    assert el11["items"][0]["evidence_attached"] is True
    assert el11["items"][0]["status"] == "not_met"


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "不是有效的 JSON：第 1 行第 2 列：Expecting property name enclosed in "
                  "double quotes\n"),
    ("", "不是有效的 JSON：第 1 行第 1 列：Expecting value\n"),
    ('{"facts": {}}', "输入无效：[unit] unit 应为对象：{\"kind\": …, \"size\": …, "
                      "\"platform\": …}\n"),
    ('{"unit": {"kind": "school"}, "facts": {}}',
     "输入无效：[unit.kind] unit.kind 应为 enterprise、construction_project、industrial_park、"
     "town、industry 之一\n"),
    ('{"unit": {"kind": "enterprise"}, "facts": {}}',
     "输入无效：[unit.size] 企业的 unit.size 应为 large、medium、small、micro 之一\n"),
    ('{"unit": {"kind": "enterprise", "size": "large", "platform": "yes"}, "facts": {}}',
     "输入无效：[unit.platform] unit.platform 应为 true 或 false\n"),
    ('{"unit": {"kind": "town"}, "facts": [1, 2]}',
     "输入无效：[facts] facts 应为对象：{事实名: 值}\n"),
    ('{"unit": {"kind": "town"}}', "输入无效：[facts] facts 应为对象：{事实名: 值}\n"),
    ('{"unit": {"kind": "town"}, "facts": {}, "standard": "zj-baseline@7"}',
     "输入无效：[standard] 标准库 zj-baseline@7 不存在或尚未载入\n"),
    ('{"unit": {"kind": "town"}, "facts": {}, "standard": "no-such"}',
     "输入无效：[standard] 标准库 no-such 不存在或尚未载入\n"),
    ('{"unit": {"kind": "town"}, "facts": {}, "colour": "red"}',
     "输入无效：[colour] 无法识别的字段：colour\n"),
    ("[1, 2]", "输入无效：请求应为 JSON 对象\n"),
])
def test_evaluate_invalid_input_exits_2(monkeypatch, text, message):
    code, out, err = run_evaluate(monkeypatch, text)
    assert code == 2
    assert out == ""
    assert err == message


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"satisfaction_percent": 100.01}, "satisfaction_percent",
     "satisfaction_percent（职工综合满意度（%）） 不能大于 100"),
    ({"employees_with_contract": 11}, "employees_with_contract",
     "employees_with_contract（已签订劳动合同（书面协议）的职工人数） 11 不能大于 "
     "employees_total（职工总数（人）） 10"),
    ({"employees_insured": -3}, "employees_insured",
     "employees_insured（已参加社会保险的职工人数） 不能小于 0"),
    ({"el_training_plan": 1}, "el_training_plan", None),
    ({"unknown_fact": 1}, "unknown_fact", "未知事实 unknown_fact"),
])
def test_evaluate_invalid_fact_names_it(monkeypatch, change, field, message):
    code, out, err = run_evaluate(monkeypatch, json.dumps(large_body(**change)))
    assert code == 2
    assert out == ""
    assert err.startswith(f"输入无效：[{field}] ")
    if message is not None:
        assert err == f"输入无效：[{field}] {message}\n"


def test_evaluate_missing_fact_names_it(monkeypatch):
    body = large_body()
    del body["facts"]["training_fund_in_place"]
    code, _, err = run_evaluate(monkeypatch, json.dumps(body))
    assert code == 2
    assert err == ("输入无效：[training_fund_in_place] 缺少必填事实 training_fund_in_place"
                   "（职工教育培训经费足额到位）\n")


def test_evaluate_missing_file(monkeypatch, tmp_path):
    code, out, err = run_evaluate(monkeypatch, path=tmp_path / "nope.json")
    assert (code, out) == (2, "")
    assert err == f"无法读取 {tmp_path / 'nope.json'}：No such file or directory\n"


def test_evaluate_a_file_not_in_utf8_exits_2(monkeypatch, tmp_path):
    """A file saved by Windows Notepad as "Unicode" (UTF-16) is invalid input: exit 2 with a
    message, not a traceback."""
    path = tmp_path / "unit.json"
    path.write_bytes(json.dumps(large_body()).encode("utf-16"))
    code, out, err = run_evaluate(monkeypatch, path=path)
    assert code == 2
    assert out == ""
    assert str(path) in err


# --- the API ----------------------------------------------------------------------------------

@pytest.fixture
def office(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


def post(client, body):
    return client.post("/api/v1/evaluations", data=json.dumps(body),
                       content_type="application/json")


@pytest.mark.parametrize("changes", [{}, {"employees_with_contract": 9,
                                          "el_training_plan": False}],
                         ids=["meets", "does-not-meet"])
def test_api_gives_the_same_json_as_the_cli(client, office, monkeypatch, changes):
    body = large_body(**changes) | {"evidence": ["EL-06.1"]}
    response = post(client, body)
    assert response.status_code == 200
    code, out, _ = run_evaluate(monkeypatch, json.dumps(body))
    assert code == 0
    assert response.json() == json.loads(out)
    assert response.json()["meets"] is (not changes)


def test_api_scored_variant_matches_the_cli(client, office, monkeypatch):
    body = large_body(social_insurance_paid_in_full=False) | {"standard": "example-scored"}
    response = post(client, body)
    assert response.status_code == 200
    code, out, _ = run_evaluate(monkeypatch, json.dumps(body))
    assert code == 0
    assert response.json() == json.loads(out)
    assert response.json()["veto_failed"] == ["EL-06.3"]
    assert response.json()["meets"] is False


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"facts": {}}, "unit", "unit 应为对象：{\"kind\": …, \"size\": …, \"platform\": …}"),
    ({"unit": {"kind": "enterprise"}, "facts": {}}, "unit.size",
     "企业的 unit.size 应为 large、medium、small、micro 之一"),
    ({"unit": {"kind": "town"}, "facts": "x"}, "facts", "facts 应为对象：{事实名: 值}"),
    ({"unit": {"kind": "town"}, "facts": {}, "standard": "zj-baseline@3"}, "standard",
     "标准库 zj-baseline@3 不存在或尚未载入"),
    ({"unit": {"kind": "enterprise", "size": "small"}, "facts": {"staff": 1}}, "staff",
     "未知事实 staff"),
    ({"unit": {"kind": "enterprise", "size": "small"}, "facts": {}}, "employees_insured",
     "缺少必填事实 employees_insured（已参加社会保险的职工人数）"),
    ({"unit": {"kind": "town"}, "facts": {}, "evidence": "EL-01.1"}, "evidence",
     "evidence 应为已附证明材料的指标标识列表"),
])
def test_api_invalid_input_is_400_with_detail_and_field(client, office, body, field, detail):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": "invalid", "field": field,
                               "errors": {field: [detail]}}


def test_api_invalid_fact_400(client, office):
    response = post(client, large_body(satisfaction_percent=100.01))
    assert response.status_code == 400
    detail = "satisfaction_percent（职工综合满意度（%）） 不能大于 100"
    assert response.json() == {"detail": detail, "code": "invalid",
                               "field": "satisfaction_percent",
                               "errors": {"satisfaction_percent": [detail]}}


def test_api_anonymous_is_refused(client):
    # 401: the API asks for a bearer token (issue 10 §5)
    assert post(client, large_body()).status_code == 401
    assert client.get("/api/v1/standards/").status_code == 401


def test_api_lists_the_standards(client, office):
    response = client.get("/api/v1/standards/")
    assert response.status_code == 200
    rows = {r["key"]: r for r in response.json()}
    assert sorted(rows) == ["example-scored@1", "zj-baseline@1"]
    base, scored = rows["zj-baseline@1"], rows["example-scored@1"]
    assert (base["id"], base["version"], base["parent"], base["example"]) == (
        "zj-baseline", 1, None, False)
    assert (scored["id"], scored["version"], scored["parent"], scored["example"]) == (
        "example-scored", 1, "zj-baseline@1", True)
    assert base["effective"] == "2023-06-30"
    assert base["title"] == "浙江省和谐劳动关系创建标准（省级基线）"
    assert len(base["sha256"]) == 64
