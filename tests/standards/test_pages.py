"""Standards pages: the list of libraries, a library as a tree (set → criterion → item) with
its rules, and the difference between two versions."""

import html
import io
import re

import pytest
import yaml
from django.core.management import call_command

from hexie.accounts.roles import Role
from hexie.standards import services
from hexie.standards.library import LIBRARY_DIR
from tests.factories import XIHU, make_user

pytestmark = pytest.mark.django_db

SET_TITLES = {
    "EL": "大中型企业创建标准", "ES": "小微型企业创建标准", "EP": "新业态平台企业创建标准",
    "CP": "工地项目创建标准", "PT": "工业园区、乡镇（街道）创建标准", "IN": "行业（协会）创建标准",
}


@pytest.fixture(autouse=True)
def loaded():
    services._compiled.cache_clear()
    call_command("standards", "load", stdout=io.StringIO())
    yield
    services._compiled.cache_clear()


@pytest.fixture
def office(client):
    user = make_user(Role.COUNTY_OFFICE, region=XIHU)
    client.force_login(user)
    return user


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def shipped() -> dict:
    return yaml.safe_load((LIBRARY_DIR / "zj-baseline-v1.yaml").read_text(encoding="utf-8"))


def rows_of(text: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", text, flags=re.S)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


@pytest.fixture
def version_2(tmp_path):
    """zj-baseline version 2: EL-07.3 asks for 70% (changed), EL-06.4 is gone (removed) and
    EL-11.2 is new (added)."""
    data = shipped()
    data["version"] = 2
    data["effective"] = "2024-01-01"
    el = data["sets"][0]
    el06 = next(c for c in el["criteria"] if c["id"] == "EL-06")
    el06["items"] = [i for i in el06["items"] if i["id"] != "EL-06.4"]
    el07 = next(c for c in el["criteria"] if c["id"] == "EL-07")
    next(i for i in el07["items"] if i["id"] == "EL-07.3")["rule"]["value"] = 70
    el11 = next(c for c in el["criteria"] if c["id"] == "EL-11")
    el11["items"].append({
        "id": "EL-11.2", "label": "职工满意度调查覆盖 3 名以上劳动关系协调员",
        "rule": {"fact": "labour_relations_coordinators", "op": ">=", "value": 3},
        "clause": "示例条款", "evidence": "调查记录",
    })
    path = tmp_path / "zj-baseline-v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    call_command("standards", "load", str(path), stdout=io.StringIO())
    return path


def test_list_shows_both_libraries_and_the_example_badge(client, office):
    text = page(client, "/standards/")
    rows = [r for r in rows_of(text) if "<td" in r]
    assert len(rows) == 2
    by_id = {cells(r)[1]: r for r in rows}
    assert sorted(by_id) == ["example-scored", "zj-baseline"]
    assert cells(by_id["zj-baseline"])[1:] == [
        "zj-baseline", "1", "浙江省协调劳动关系三方会议办公室", "2023-06-30", "—"]
    assert cells(by_id["example-scored"])[1:] == [
        "example-scored", "1", "Hexie 示例", "2024-01-01", "zj-baseline@1"]
    assert "示例，非正式标准" in by_id["example-scored"]
    assert "示例，非正式标准" not in by_id["zj-baseline"]
    assert 'href="/standards/zj-baseline/1/"' in by_id["zj-baseline"]
    assert 'href="/standards/example-scored/1/"' in by_id["example-scored"]


def test_list_lists_a_new_version_as_its_own_row(client, office, version_2):
    text = page(client, "/standards/")
    keys = [(cells(r)[1], cells(r)[2]) for r in rows_of(text) if "<td" in r]
    assert keys == [("example-scored", "1"), ("zj-baseline", "2"), ("zj-baseline", "1")]


def test_detail_shows_the_whole_tree(client, office):
    text = page(client, "/standards/zj-baseline/1/")
    data = shipped()
    for set_id, title in SET_TITLES.items():
        assert f"{set_id} · {title}" in text
    criterion_ids = [c["id"] for s in data["sets"] for c in s["criteria"]]
    item_ids = [i["id"] for s in data["sets"] for c in s["criteria"] for i in c["items"]]
    assert len(criterion_ids) == 45
    assert len(item_ids) == 105
    for cid in criterion_ids:
        assert f'id="{cid}"' in text
        assert f"<strong>{cid}</strong>" in text
    for iid in item_ids:
        assert f'<span class="font-monospace">{iid}</span>' in text
    # the tree order: sets in file order, each criterion inside its set's card
    positions = [text.index(f'id="set-{s}"') for s in SET_TITLES]
    assert positions == sorted(positions)
    assert positions[0] < text.index('id="EL-11"') < positions[1] < text.index('id="ES-01"')


def test_detail_shows_rule_text_with_thresholds(client, office):
    text = page(client, "/standards/zj-baseline/1/")
    assert ("training_fund_frontline_yuan / training_fund_total_yuan ≥ 60%（分母为 0 时视为未达标）"
            in text)
    assert ("employees_with_contract / employees_total ≥ 100%（分母为 0 时视为无效输入）" in text)
    assert ("enterprises_collective_contract_filed / enterprises_total ≥ 90%（分母为 0 时不适用）"
            in text)
    assert "satisfaction_percent ≥ 90" in text
    assert "satisfaction_percent ≥ 85" in text
    assert "labour_relations_coordinators ≥ 2" in text
    assert "依法按时足额缴纳社会保险费，无欠缴、漏缴（social_insurance_paid_in_full）= 是" in text
    assert text.count("倡导性，不影响达标") == 1                     # ES-05.2
    assert "一票否决" not in text
    assert "示例，非正式标准" not in text


def test_detail_of_the_scored_example(client, office):
    text = page(client, "/standards/example-scored/1/")
    assert "示例，非正式标准" in text
    assert "上级 zj-baseline@1" in text
    assert "及格分 85 / 100" in text
    assert text.count('<span class="badge text-bg-danger">一票否决</span>') == 3
    for vetoed in ("EL-06.1", "EL-06.3", "EL-06.4"):
        li = re.search(rf'{re.escape(vetoed)}</span>(.*?)</li>', text, flags=re.S).group(1)
        assert "一票否决" in li
    el11 = re.search(r"EL-11\.1</span>(.*?)</li>", text, flags=re.S).group(1)
    assert '<span class="badge text-bg-info">16 分</span>' in el11
    el06 = re.search(r"EL-06\.1</span>(.*?)</li>", text, flags=re.S).group(1)
    assert '<span class="badge text-bg-info">8 分</span>' in el06
    assert text.count('<span class="badge text-bg-info">') == 24     # EL items with points
    for set_id, title in SET_TITLES.items():
        assert f"{set_id} · {title}" in text


@pytest.mark.parametrize("url", ["/standards/zj-baseline/9/", "/standards/no-such/1/",
                                 "/standards/diff/?a=zj-baseline@1&b=zj-baseline@9",
                                 "/standards/diff/?a=zj-baseline@x&b=zj-baseline@1"])
def test_unknown_version_is_404(client, office, url):
    assert client.get(url).status_code == 404


def test_diff_shows_changed_removed_and_added_rows(client, office, version_2):
    text = page(client, "/standards/diff/?a=zj-baseline@1&b=zj-baseline@2")
    rows = {cells(r)[0]: cells(r)[1:] for r in rows_of(text) if "<td" in r}
    assert sorted(rows) == ["EL-06.4", "EL-07.3", "EL-11.2"]
    assert rows["EL-07.3"] == [
        "修改",
        "规则：training_fund_frontline_yuan / training_fund_total_yuan ≥ 60%"
        "（分母为 0 时视为未达标） → training_fund_frontline_yuan / training_fund_total_yuan"
        " ≥ 70%（分母为 0 时视为未达标）",
    ]
    assert rows["EL-06.4"] == ["删除", "按时足额支付职工劳动报酬，无拖欠工资"]
    assert rows["EL-11.2"] == [
        "新增", "职工满意度调查覆盖 3 名以上劳动关系协调员 labour_relations_coordinators ≥ 3"]
    assert '<option value="zj-baseline@1" selected>' in text
    assert '<option value="zj-baseline@2" selected>' in text


def test_diff_reversed(client, office, version_2):
    text = page(client, "/standards/diff/?a=zj-baseline@2&b=zj-baseline@1")
    rows = {cells(r)[0]: cells(r)[1] for r in rows_of(text) if "<td" in r}
    assert rows == {"EL-06.4": "新增", "EL-07.3": "修改", "EL-11.2": "删除"}


def test_diff_of_a_version_with_itself(client, office):
    text = page(client, "/standards/diff/?a=zj-baseline@1&b=zj-baseline@1")
    assert "两个版本的内容相同" in text
    assert "<tbody>" not in text


def test_diff_of_the_variant_against_its_parent_shows_points(client, office):
    text = page(client, "/standards/diff/?a=zj-baseline@1&b=example-scored@1")
    rows = {cells(r)[0]: cells(r)[1:] for r in rows_of(text) if "<td" in r}
    assert len(rows) == 24                                   # the EL items that carry points
    assert rows["EL-06.3"] == ["修改", "分值：0 → 6一票否决：否 → 是"]
    assert rows["EL-01.1"] == ["修改", "分值：0 → 4"]


def test_diff_without_a_choice_shows_only_the_form(client, office):
    text = page(client, "/standards/diff/")
    assert "两个版本的内容相同" not in text
    assert text.count('<option value="zj-baseline@1"') == 2
    assert text.count('<option value="example-scored@1"') == 2


@pytest.mark.parametrize("url", ["/standards/", "/standards/zj-baseline/1/",
                                 "/standards/diff/?a=zj-baseline@1&b=zj-baseline@1"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/standards/")
