"""The public pages (社会公众, no sign-in): published lists by year and region, searchable, with
CSV and JSON downloads of exactly the filtered result, and the notices now in their period.

Only published entries (snapshots taken at publication) and notices in their period are ever
read here; a bad query parameter is a Chinese message with status 400, never a 500.
"""

import csv
import datetime
import json
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from hexie.core.api import refusal_body
from hexie.core.errors import DomainError
from hexie.core.pagination import CappedPaginator
from hexie.units.models import Kind

from . import policy, selectors

# The page counts at most this many matches ("共 10,000+ 个单位", as D17's unit list): an exact
# count of a whole province's ten years is the slowest part of the page. The downloads are
# always complete.
COUNT_CAP = 10_000
KIND_LABELS = {code: str(label) for code, label in Kind.choices}
# Column order of both downloads: (JSON key, CSV header).
COLUMNS = [
    ("year", "认定年度"), ("region_code", "区划代码"), ("region_name", "所在地区"),
    ("unit_name", "单位名称"), ("identifier", "统一社会信用代码/项目代码"),
    ("kind", "单位类型"), ("list_title", "公布名单"), ("published_on", "公布日期"),
]


def _filter_or_error(request):
    try:
        return selectors.parse_public_filter(request.GET), None
    except DomainError as exc:
        return selectors.PublicFilter(), exc


def index(request):
    public_filter, error = _filter_or_error(request)
    context = {
        "years": selectors.published_years(), "cities": selectors.cities(),
        "counties": selectors.counties_of(public_filter.city), "filter": public_filter,
        "error": error, "notice_count": selectors.open_notices().count(),
        "kinds": KIND_LABELS,
    }
    if error is None:
        entries = selectors.published_entries(public_filter).select_related("published_list")
        context["page"] = CappedPaginator(entries, policy.current().page_size,
                                          cap=COUNT_CAP).get_page(request.GET.get("page"))
        context["lists"] = selectors.published_lists(public_filter)[:100]
        params = public_filter.as_params()
        context["query"] = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return render(request, "publicity/public/index.html", context, status=400 if error else 200)


def counties(request):
    """The county options of a city (htmx, on changing the city select)."""
    city = request.GET.get("city") or ""
    return render(request, "publicity/public/_county_options.html", {
        "counties": selectors.counties_of(city) if city.isdigit() else [],
    })


def notices(request):
    today = timezone.localdate()
    open_notices = list(selectors.open_notices(today))
    for notice in open_notices:
        notice.units = list(selectors.on_notice(notice)[:2000])
        notice.contact = selectors.notice_contact(notice)
    return render(request, "publicity/public/notices.html", {
        "notices": open_notices, "today": today, "kinds": KIND_LABELS,
    })


def _rows(public_filter):
    """The filtered entries as dicts, streamed from the database in chunks."""
    fields = ("year", "region_code", "region_name", "unit_name", "identifier",
              "kind", "published_list__title", "published_list__published_at")
    rows = selectors.published_entries(public_filter).values_list(*fields)
    for year, code, region, name, ident, kind, title, at in rows.iterator(chunk_size=2000):
        yield {"year": year, "region_code": code, "region_name": region, "unit_name": name,
               "identifier": ident, "kind": KIND_LABELS.get(kind, kind), "list_title": title,
               "published_on": timezone.localdate(at).isoformat()}


def _filename(public_filter, suffix: str) -> str:
    parts = ["和谐劳动关系单位名单"]
    if public_filter.year:
        parts.append(str(public_filter.year))
    if public_filter.region:
        parts.append(public_filter.region)
    name = "-".join(parts) + f".{suffix}"
    return f"attachment; filename=\"hexie-list.{suffix}\"; filename*=UTF-8''{quote(name)}"


def _bad_request(error) -> HttpResponse:
    return HttpResponse(str(error.message), status=400, content_type="text/plain; charset=utf-8")


class _Echo:
    def write(self, value):
        return value


def download_csv(request):
    public_filter, error = _filter_or_error(request)
    if error is not None:
        return _bad_request(error)
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # the BOM: Excel then reads the file as UTF-8
        yield writer.writerow([header for _key, header in COLUMNS])
        for row in _rows(public_filter):
            yield writer.writerow([row[key] for key, _header in COLUMNS])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(public_filter, "csv")
    return response


def download_json(request):
    public_filter, error = _filter_or_error(request)
    if error is not None:
        return HttpResponse(json.dumps(refusal_body(error), ensure_ascii=False),
                            status=400, content_type="application/json; charset=utf-8")

    def stream():
        head = {"filters": public_filter.as_params(),
                "generated_at": datetime.datetime.now(datetime.UTC).isoformat()}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
        first = True
        for row in _rows(public_filter):
            yield ("" if first else ",") + json.dumps(row, ensure_ascii=False)
            first = False
        yield "]}"

    response = StreamingHttpResponse(stream(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = _filename(public_filter, "json")
    return response
