"""The catalogue as data: it loads, every item cites a real article of a whitelisted law, the
loader names file, path and problem, versions are immutable, items apply by kind and size, and
the scoring thresholds hold exactly at their bounds."""

import copy
import re
from fractions import Fraction

import pytest
import yaml
from django.core.management import call_command

from hexie.core.models import AuditEvent
from hexie.healthcheck import services
from hexie.healthcheck.catalogue import (
    CATALOGUE_DIR,
    CatalogueError,
    compile_catalogue,
    read_catalogue,
)
from hexie.healthcheck.models import CatalogueVersion

BUNDLED = CATALOGUE_DIR / "zj-healthcheck-v1.yaml"
# The laws a reviewer checked the citations against (national, current versions; D26). The
# catalogue's own whitelist must not name anything else.
REAL_LAWS = {
    "劳动合同法": "《中华人民共和国劳动合同法》（2012年修正）",
    "劳动法": "《中华人民共和国劳动法》（2018年修正）",
    "社会保险法": "《中华人民共和国社会保险法》（2018年修正）",
    "工资支付暂行规定": "《工资支付暂行规定》（劳部发〔1994〕489号）",
    "保障农民工工资支付条例": "《保障农民工工资支付条例》（国务院令第724号，2019年）",
    "职工带薪年休假条例": "《职工带薪年休假条例》（国务院令第514号，2007年）",
    "女职工劳动保护特别规定": "《女职工劳动保护特别规定》（国务院令第619号，2012年）",
    "未成年工特殊保护规定": "《未成年工特殊保护规定》（劳部发〔1994〕498号）",
    "禁止使用童工规定": "《禁止使用童工规定》（国务院令第364号，2002年）",
    "职业病防治法": "《中华人民共和国职业病防治法》（2018年修正）",
    "安全生产法": "《中华人民共和国安全生产法》（2021年修正）",
    "劳务派遣暂行规定": "《劳务派遣暂行规定》（人力资源社会保障部令第22号，2014年）",
    "工伤保险条例": "《工伤保险条例》（2010年修订）",
    "国务院关于职工工作时间的规定": "《国务院关于职工工作时间的规定》（1995年修订）",
    "新就业形态指导意见":
        "《关于维护新就业形态劳动者劳动保障权益的指导意见》（人社部发〔2021〕56号）",
}
AREAS = ["LC", "WG", "WH", "RL", "SI", "RD", "TD", "SP", "OS", "DO", "PW"]


@pytest.fixture
def data():
    return yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))


def write(tmp_path, data, name="cat.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- the bundled catalogue -------------------------------------------------------------------

def test_bundled_catalogue_compiles_with_the_eleven_areas(data):
    _, cat = read_catalogue(BUNDLED)
    assert list(cat.areas) == AREAS
    assert {i.area for i in cat.items} == set(AREAS)  # every area has items
    assert len(cat.items) >= 30


def test_every_item_cites_law_and_article_of_a_whitelisted_real_law(data):
    assert data["laws"] == REAL_LAWS
    article = re.compile(r"^(第[一二三四五六七八九十百]+条|[一二三]（[一二三四五六七八九十]+）)$")
    for item in data["items"]:
        assert item["legal_basis"], item["id"]
        for basis in item["legal_basis"]:
            assert basis["law"] in REAL_LAWS, (item["id"], basis["law"])
            assert article.match(basis["article"]), (item["id"], basis["article"])
            assert len(basis["requires"]) >= 8, (item["id"], "paraphrase what it requires")
        assert item["question"].endswith("。") and item["advice"] and item["evidence"]
        assert item["risk"] in ("red", "yellow")


def test_the_articles_named_in_the_brief_are_cited_as_such(data):
    cited = {(b["law"], b["article"]) for i in data["items"] for b in i["legal_basis"]}
    for pair in [("劳动合同法", "第十条"), ("劳动合同法", "第八十二条"),
                 ("劳动合同法", "第三十条"), ("劳动合同法", "第四条"),
                 ("劳动合同法", "第四十三条"), ("劳动合同法", "第六十六条"),
                 ("劳务派遣暂行规定", "第四条"), ("劳动法", "第四十一条"), ("劳动法", "第四十四条"),
                 ("社会保险法", "第五十八条"), ("职工带薪年休假条例", "第三条"),
                 ("女职工劳动保护特别规定", "第五条"), ("未成年工特殊保护规定", "第六条"),
                 ("职业病防治法", "第三十五条")]:
        assert pair in cited, pair


def test_load_command_loads_once_then_reports_unchanged(db, capsys):
    call_command("healthcheck", "load")
    call_command("healthcheck", "load")
    out = capsys.readouterr().out
    assert "已载入：zj-healthcheck@1" in out and "未变化：zj-healthcheck@1" in out
    assert CatalogueVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="healthcheck.load_catalogue").count() == 1


# --- loader errors name file, path and problem ---------------------------------------------

@pytest.mark.parametrize("change, path, problem", [
    (lambda d: d["items"][0]["legal_basis"][0].update(law="劳动合同条例"),
     "items[0].legal_basis[0].law", "不在 laws 白名单中"),
    (lambda d: d["items"][0]["legal_basis"][0].update(article="第10条"),
     "items[0].legal_basis[0].article", "结构不符"),
    (lambda d: d["items"][0].update(legal_basis=[]), "items[0].legal_basis", "结构不符"),
    (lambda d: d["items"][0].update(area="XX"), "items[0].area", "未在 areas 中定义"),
    (lambda d: d["items"][1].update(id=d["items"][0]["id"]), "items[1].id", "重复"),
    (lambda d: d["items"][0].update(id="HC-WG-99"), "items[0].id", "应以 HC-LC- 开头"),
    (lambda d: d["items"][0].update(prefill={"fact": "no_such_fact"}),
     "items[0].prefill.fact", "不存在"),
    (lambda d: d["items"][0].update(prefill={"fact": "employees_total"}),
     "items[0].prefill.fact", "须为是/否"),
    (lambda d: d["items"][0].update(prefill={"fact": "employees_total", "op": "=="}),
     "items[0].prefill", "other 或 value"),
    (lambda d: d["items"][0].update(risk="orange"), "items[0].risk", "结构不符"),
    (lambda d: d["items"][0].update(applies_to={"kinds": ["shop"]}),
     "items[0].applies_to.kinds[0]", "结构不符"),
    (lambda d: d["scoring"].update(yellow_from=40), "scoring.yellow_from", "不能高于红色起点"),
    (lambda d: d.pop("laws"), "", "结构不符"),
    (lambda d: d["areas"].append({"code": "LC", "name": "重复"}), "areas[11].code", "重复"),
])
def test_loader_errors_name_file_path_and_problem(db, tmp_path, data, change, path, problem):
    change(data)
    file = write(tmp_path, data)
    with pytest.raises(CatalogueError) as err:
        services.load_path(None, file)
    assert err.value.file == str(file)
    assert err.value.path == path
    assert problem in err.value.problem
    assert CatalogueVersion.objects.count() == 0


def test_broken_yaml_names_the_line(db, tmp_path):
    file = tmp_path / "bad.yaml"
    file.write_text("id: x\nitems: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        services.load_path(None, file)
    assert "YAML 格式错误" in err.value.problem and "行" in err.value.path


def test_one_bad_file_stores_nothing(db, tmp_path, data):
    write(tmp_path, data, "a.yaml")
    broken = copy.deepcopy(data)
    broken["version"] = 2
    broken["items"][0]["area"] = "XX"
    write(tmp_path, broken, "b.yaml")
    with pytest.raises(CatalogueError):
        services.load_path(None, tmp_path)
    assert CatalogueVersion.objects.count() == 0


# --- immutability --------------------------------------------------------------------------

def test_a_loaded_version_cannot_change(db, tmp_path, data):
    services.load_path(None, BUNDLED)
    data["items"][0]["advice"] = "改过的建议。改过的建议。"
    with pytest.raises(CatalogueError) as err:
        services.load_path(None, write(tmp_path, data))
    assert err.value.path == "version" and "不可更改" in err.value.problem
    row = CatalogueVersion.objects.get()
    assert row.content["items"][0]["advice"] != data["items"][0]["advice"]
    with pytest.raises(ValueError):
        row.save()


def test_a_new_version_is_a_new_row_and_becomes_current(db, tmp_path, data):
    first = services.load_path(None, BUNDLED)[0][0]
    data["version"] = 2
    second = services.load_path(None, write(tmp_path, data))[0][0]
    assert second.pk != first.pk and CatalogueVersion.objects.count() == 2
    assert services.current_catalogue() == second


# --- applicability -------------------------------------------------------------------------

def ids(cat, kind, size="", platform=False):
    return {i.id for i in cat.applicable(kind, size, platform)}


def test_items_apply_by_kind_size_and_platform():
    _, cat = read_catalogue(BUNDLED)
    medium = ids(cat, "enterprise", "medium")
    small = ids(cat, "enterprise", "small")
    assert "HC-SP-03" in medium and "HC-SP-03" not in small  # 女职工较多: large and medium
    assert "HC-SP-03" in ids(cat, "enterprise", "")  # size unknown: asked rather than missed
    assert "HC-SP-03" in ids(cat, "construction_project")  # sizes narrow enterprises only
    assert {"HC-WG-05", "HC-WG-06"} & medium == set()
    assert {"HC-WG-05", "HC-WG-06"} <= ids(cat, "construction_project")
    assert {"HC-PW-01", "HC-PW-02"} & medium == set()
    assert {"HC-PW-01", "HC-PW-02"} <= ids(cat, "enterprise", "small", platform=True)
    assert "HC-PW-01" not in ids(cat, "industrial_park", platform=True)
    assert "HC-LC-01" in ids(cat, "town") and "HC-LC-01" in ids(cat, "industry")


# --- scoring boundaries --------------------------------------------------------------------

def synthetic(yellow_items=0, red_items=0, yellow_from=10, red_from=30, forces=True):
    items = []
    for n in range(yellow_items):
        items.append({"id": f"HC-LC-{n:02d}", "area": "LC", "question": "是否合规的问题。",
                      "evidence": "材料", "risk": "yellow", "advice": "整改的建议。",
                      "legal_basis": [{"law": "劳动法", "article": "第三十六条",
                                       "requires": "每日工作不超过八小时。"}]})
    for n in range(red_items):
        items.append({"id": f"HC-WG-{n:02d}", "area": "WG", "question": "是否合规的问题。",
                      "evidence": "材料", "risk": "red", "advice": "整改的建议。",
                      "legal_basis": [{"law": "劳动法", "article": "第五十条",
                                       "requires": "工资按月以货币支付。"}]})
    return compile_catalogue({
        "id": "t", "version": 1, "title": "t", "issuer": "t", "effective": "2023-06-30",
        "source": "t", "laws": {"劳动法": "《劳动法》"},
        "areas": [{"code": "LC", "name": "劳动合同"}, {"code": "WG", "name": "工资"}],
        "scoring": {"weights": {"red": 3, "yellow": 1}, "yellow_from": yellow_from,
                    "red_from": red_from, "red_item_forces_red": forces},
        "remediation_days": {"red": 30, "yellow": 60}, "items": items,
    }, "synthetic.yaml")


def score(cat, failed_ids):
    answers = {i.id: "no" if i.id in failed_ids else "yes" for i in cat.items}
    return cat.evaluate(list(cat.items), answers)


@pytest.mark.parametrize("n_items, n_failed, risk, level", [
    (10, 0, Fraction(0), "green"),
    (11, 1, Fraction(100, 11), "green"),  # 9.09: just below yellow_from
    (10, 1, Fraction(10), "yellow"),  # exactly at yellow_from
    (7, 2, Fraction(200, 7), "yellow"),  # 28.57: just below red_from
    (10, 3, Fraction(30), "red"),  # exactly at red_from
    (10, 10, Fraction(100), "red"),
])
def test_thresholds_are_inclusive(n_items, n_failed, risk, level):
    cat = synthetic(yellow_items=n_items)
    result = score(cat, {f"HC-LC-{n:02d}" for n in range(n_failed)})
    assert result.risk == risk and result.level == level


def test_the_level_is_decided_on_the_exact_fraction_not_the_rounded_score():
    # 1 of 3 fails: 33.33…, shown as 33.3; a threshold of 33.34 is not reached, 33.3 is.
    failed = {"HC-LC-00"}
    assert score(synthetic(yellow_items=3, red_from=33.34), failed).level == "yellow"
    assert score(synthetic(yellow_items=3, red_from=33.3), failed).level == "red"


def test_a_failed_red_item_makes_the_check_red_whatever_the_score():
    cat = synthetic(yellow_items=40, red_items=1)
    result = score(cat, {"HC-WG-00"})
    assert result.risk == Fraction(300, 43) and result.risk < 10
    assert result.level == "red"
    assert synthetic(yellow_items=40, red_items=1, forces=False).evaluate(
        list(cat.items), {i.id: "no" if i.id == "HC-WG-00" else "yes" for i in cat.items}
    ).level == "green"


def test_weights_and_not_applicable_items():
    cat = synthetic(yellow_items=3, red_items=1, forces=False)
    answers = {"HC-LC-00": "no", "HC-LC-01": "na", "HC-LC-02": "yes", "HC-WG-00": "yes"}
    result = cat.evaluate(list(cat.items), answers)
    assert result.risk == Fraction(100, 5)  # 1 failed of weight 1 + 1 + 3 (na left out)
    assert result.areas["LC"]["share"] == 0.5 and result.areas["WG"]["share"] == 1.0


# --- prefill rules ---------------------------------------------------------------------------

def test_prefill_rules_read_facts():
    _, cat = read_catalogue(BUNDLED)
    contract, wages = cat.item("HC-LC-01"), cat.item("HC-WG-01")
    assert contract.suggest({"employees_total": 10, "employees_with_contract": 10}) == "yes"
    assert contract.suggest({"employees_total": 10, "employees_with_contract": 9}) == "no"
    assert contract.suggest({"employees_total": 10}) is None
    assert wages.suggest({"wages_paid_on_time_in_full": True}) == "yes"
    assert wages.suggest({"wages_paid_on_time_in_full": False}) == "no"
    assert wages.suggest({}) is None
    assert cat.item("HC-LC-02").suggest({"employees_total": 3}) is None  # no rule
