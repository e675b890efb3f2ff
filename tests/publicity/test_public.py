"""The public pages, without signing in: published lists by year and region, search, CSV and
JSON downloads of exactly the filtered result, the open notices, and readable refusals of bad
parameters. Nothing unpublished and nothing of a removed unit is ever shown."""

import csv
import dataclasses
import io
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hexie.publicity import policy, services
from hexie.units.models import Kind
from tests.factories import NANHU, NANHU_TOWN, XIHU, XIHU_TOWN, UnitFactory

from .conftest import make_recognition, open_past_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(office, other_office, recognition, second, year):
    """西湖区 published last year's list (one unit removed after an upheld objection);
    南湖区 published its own; one more 西湖区 recognition of this year stays unpublished."""
    removed = make_recognition(UnitFactory(region_id=XIHU_TOWN, name="被撤销有限公司"), year)
    notice = open_past_notice(office, year, [recognition.pk, removed.pk])
    made = services.record_objection(office, notice, removed, received_on=notice.starts_on,
                                     channel="letter", content="拖欠工资。")
    services.handle_objection(office, made, upheld=True, finding="查实。", answer="成立。")
    services.close_notice(office, notice)
    xihu = services.publish_list(office, XIHU, year, f"西湖区 {year} 年度名单")
    south = make_recognition(UnitFactory(region_id=NANHU_TOWN, name="南湖和谐纺织有限公司",
                                         kind=Kind.ENTERPRISE), year - 1)
    nanhu = services.publish_list(other_office, NANHU, year - 1, f"南湖区 {year - 1} 年度名单")
    unpublished = make_recognition(UnitFactory(region_id=XIHU_TOWN, name="尚未公布有限公司"),
                                   year + 1)
    return {"xihu": xihu, "nanhu": nanhu, "removed": removed, "south": south,
            "unpublished": unpublished}


def names(response):
    return [e.unit_name for e in response.context["page"]]


def test_public_page_needs_no_sign_in(client, world, year):
    response = client.get("/public/")
    assert response.status_code == 200
    assert sorted(names(response)) == ["南湖和谐纺织有限公司", "西湖和谐科技有限公司",
                                       "西湖第二制造有限公司"]
    body = response.content.decode()
    assert "被撤销有限公司" not in body and "尚未公布有限公司" not in body
    assert f"西湖区 {year} 年度名单" in body and "共 3 个单位" in body
    assert f'href="/documents/lists/{world["xihu"].pk}.pdf"' in body


def test_filters_by_year_city_county_and_search(client, world, year, recognition):
    assert sorted(names(client.get(f"/public/?year={year}"))) == [
        "西湖和谐科技有限公司", "西湖第二制造有限公司"]
    assert names(client.get("/public/?city=3304")) == ["南湖和谐纺织有限公司"]
    assert names(client.get(f"/public/?county={NANHU}")) == ["南湖和谐纺织有限公司"]
    assert sorted(names(client.get(f"/public/?city=3301&county={XIHU}"))) == [
        "西湖和谐科技有限公司", "西湖第二制造有限公司"]
    assert names(client.get("/public/?q=第二制造")) == ["西湖第二制造有限公司"]
    assert names(client.get("/public/?q=和谐")) == ["西湖和谐科技有限公司", "南湖和谐纺织有限公司"]
    code = recognition.unit.credit_code
    assert names(client.get(f"/public/?q={code[-8:].lower()}")) == ["西湖和谐科技有限公司"]
    assert names(client.get("/public/?q=撤销")) == []
    # A search never matches across the name and the code.
    assert names(client.get(f"/public/?q=公司{code[:2]}")) == []
    assert names(client.get(f"/public/?year={year}&city=3304")) == []


@pytest.mark.parametrize("query,message", [
    ("year=abc", "年度应为四位数字"),
    ("year=20251", "年度应为四位数字"),
    ("city=9999", "所选地市不存在"),
    ("county=330199", "所选县（市、区）不存在"),
    (f"city=3304&county={XIHU}", "不在所选地市内"),
    ("q=" + "长" * 101, "不能超过 100 个字"),
])
def test_bad_parameters_are_readable(client, world, query, message):
    page = client.get(f"/public/?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    csv_download = client.get(f"/public/download.csv?{query}")
    assert csv_download.status_code == 400 and message in csv_download.content.decode()
    json_download = client.get(f"/public/download.json?{query}")
    assert json_download.status_code == 400 and message in json_download.json()["detail"]
    api = APIClient().get(f"/api/v1/public/published-entries/?{query}")
    assert api.status_code == 400
    assert set(api.json()) == {"detail", "field", "code", "errors"}
    assert message in api.json()["detail"]
    assert json_download.json() == api.json()


def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_is_the_filtered_result_with_a_bom(client, world, year, recognition):
    response = client.get(f"/public/download.csv?year={year}&q=和谐")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["认定年度", "区划代码", "所在地区", "单位名称", "统一社会信用代码/项目代码",
                       "单位类型", "公布名单", "公布日期"]
    assert rows[1][:6] == [str(year), XIHU_TOWN, "杭州市西湖区北山街道", "西湖和谐科技有限公司",
                           recognition.unit.credit_code, "企业"]
    assert len(rows) == 2
    everything = read_csv(client.get("/public/download.csv"))
    assert len(everything) == 4
    assert not any("被撤销" in cell or "尚未公布" in cell for row in everything for cell in row)


def test_json_is_the_filtered_result(client, world, year):
    response = client.get(f"/public/download.json?county={NANHU}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(b"".join(response.streaming_content))
    assert data["filters"] == {"city": "3304", "county": NANHU}
    assert [r["unit_name"] for r in data["results"]] == ["南湖和谐纺织有限公司"]
    assert data["results"][0]["year"] == year - 1 and data["results"][0]["kind"] == "企业"
    everything = json.loads(b"".join(client.get("/public/download.json").streaming_content))
    assert len(everything["results"]) == 3
    assert "被撤销" not in json.dumps(everything, ensure_ascii=False)


def test_public_api_lists_published_entries_anonymously(world, year):
    api = APIClient()
    response = api.get(f"/api/v1/public/published-entries/?year={year}")
    assert response.status_code == 200
    assert sorted(r["unit_name"] for r in response.json()["results"]) == [
        "西湖和谐科技有限公司", "西湖第二制造有限公司"]
    assert response.json()["results"][0]["kind_label"] == "企业"
    assert api.post("/api/v1/public/published-entries/", {}).status_code == 405


def test_open_notices_are_public_with_how_to_object(client, office, recognition, second, year,
                                                    today):
    past = open_past_notice(office, year, [second.pk])
    running = services.open_notice(office, XIHU, year, [recognition.pk], title="正在进行的公示",
                                   body="公示说明文字")
    response = Client().get("/public/notices/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "正在进行的公示" in body and "西湖和谐科技有限公司" in body
    assert f'data-testid="notice-{past.pk}"' not in body
    assert f'data-testid="notice-{running.pk}"' in body
    assert "西湖第二制造有限公司" not in body
    assert "杭州市西湖区协调劳动关系三方会议办公室" in body
    assert f"{running.starts_on:%Y-%m-%d} 至 {running.ends_on:%Y-%m-%d}" in body
    assert "正在公示（1）" in client.get("/public/").content.decode()


def test_a_removed_unit_leaves_the_public_notice(client, office, recognition, second, year):
    notice = services.open_notice(office, XIHU, year, title="公示")
    made = services.record_objection(office, notice, recognition, received_on=notice.starts_on,
                                     channel="phone", content="异议。", contact="秘密电话")
    services.handle_objection(office, made, upheld=True, finding="查实。", answer="成立。")
    body = client.get("/public/notices/").content.decode()
    assert "西湖第二制造有限公司" in body
    assert "西湖和谐科技有限公司" not in body and "秘密电话" not in body


def test_county_options_for_a_city(client, db):
    body = client.get("/public/counties/?city=3304").content.decode()
    assert NANHU in body and XIHU not in body
    assert client.get("/public/counties/?city=abc").status_code == 200


def test_login_page_links_to_the_public_page(client, db):
    body = client.get("/login/").content.decode()
    assert 'href="/public/"' in body


def test_public_page_pages(client, office, year, monkeypatch):
    for n in range(3):
        make_recognition(UnitFactory(region_id=XIHU_TOWN, name=f"分页测试{n}有限公司"), year)
    services.publish_list(office, XIHU, year, "名单")
    small = dataclasses.replace(policy.current(), page_size=2)
    monkeypatch.setattr(policy, "current", lambda: small)
    first = client.get("/public/?q=分页")
    second_page = client.get("/public/?q=分页&page=2")
    assert first.context["page"].paginator.num_pages == 2
    assert len(names(first)) == 2 and len(names(second_page)) == 1
    assert "q=%E5%88%86%E9%A1%B5&page=2" in first.content.decode()


def test_public_page_queries_do_not_grow_with_the_rows(client, world, office, year,
                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/public/")
    for _ in range(5):
        make_recognition(UnitFactory(region_id=XIHU_TOWN), year + 2)
    services.publish_list(office, XIHU, year + 2, "再一份名单")
    with django_assert_max_num_queries(8):
        client.get("/public/")
    with django_assert_max_num_queries(8):
        client.get("/public/notices/")
