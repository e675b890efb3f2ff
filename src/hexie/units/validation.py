"""One validator for a unit's fields, shared by the pages, the API and the bulk import.

It takes raw values (strings from a file, typed values from a form or JSON), returns the cleaned
model values or a list of errors that each name the field, in Chinese. Keeping it in one place
means a row the import accepts is exactly a unit the form would accept.
"""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from . import credit_code as cc
from .industry import IndustryCodeError
from .industry import parse as parse_industry
from .models import Kind
from .size import classify, rule_for

# Field name, Chinese header/label. The order is the import template's column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "单位类型"),
    ("name", "单位名称"),
    ("credit_code", "统一社会信用代码"),
    ("region_code", "所在区划代码"),
    ("industry", "行业代码"),
    ("employees", "职工人数"),
    ("revenue_yuan", "营业收入（元）"),
    ("assets_yuan", "资产总额（元）"),
    ("platform", "是否平台企业"),
    ("project_code", "项目代码"),
    ("contractor_credit_code", "总承包单位信用代码"),
    ("address", "地址"),
    ("start_date", "开工日期"),
    ("end_date", "竣工日期"),
    ("workers", "务工人数"),
)
LABELS = dict(COLUMNS)

_REQUIRED = {
    Kind.ENTERPRISE: {"name", "credit_code", "region_code", "industry", "employees",
                      "revenue_yuan"},
    Kind.CONSTRUCTION_PROJECT: {"name", "project_code", "contractor_credit_code", "region_code",
                                "start_date", "end_date", "workers"},
    Kind.INDUSTRIAL_PARK: {"name", "region_code"},
    Kind.TOWN: {"region_code"},
    Kind.INDUSTRY: {"name", "industry", "region_code"},
}
_OPTIONAL = {
    Kind.ENTERPRISE: {"assets_yuan", "platform", "address"},
    Kind.CONSTRUCTION_PROJECT: {"address"},
    Kind.INDUSTRIAL_PARK: {"credit_code", "address"},
    Kind.TOWN: {"name", "address"},
    Kind.INDUSTRY: {"credit_code", "address"},
}
ALLOWED = {kind: _REQUIRED[kind] | _OPTIONAL[kind] | {"kind"} for kind in _REQUIRED}
# Kinds bound to a town-level division (9 digits); an industry may sit at any level.
_TOWN_LEVEL_KINDS = {Kind.ENTERPRISE, Kind.CONSTRUCTION_PROJECT, Kind.INDUSTRIAL_PARK, Kind.TOWN}

_KIND_BY_TEXT = {k.value: k for k in Kind} | {
    unicodedata.normalize("NFKC", str(k.label)): k for k in Kind
}
_KIND_BY_TEXT |= {"乡镇": Kind.TOWN, "街道": Kind.TOWN, "行业": Kind.INDUSTRY,
                  "协会": Kind.INDUSTRY, "园区": Kind.INDUSTRIAL_PARK,
                  "工地": Kind.CONSTRUCTION_PROJECT}
_TRUE = {"1", "true", "t", "yes", "y", "是", "√"}
_FALSE = {"0", "false", "f", "no", "n", "否", ""}
MAX_MONEY = Decimal("9999999999999999.99")


class FieldError(NamedTuple):
    field: str
    message: str


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_count(value) -> int:
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError("应为整数")
        number = int(value)
    else:
        text = str(value).strip().replace(",", "")
        if text.endswith(".0"):
            text = text[:-2]
        try:
            number = int(text)
        except ValueError:
            raise ValueError("应为整数") from None
    if number < 0:
        raise ValueError("不能为负数")
    if number > 2_000_000_000:
        raise ValueError("数值过大")
    return number


def parse_money(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("应为金额数字")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("应为金额数字（单位：元）") from None
    if not number.is_finite():
        raise ValueError("应为金额数字（单位：元）")
    if number < 0:
        raise ValueError("不能为负数")
    if number > MAX_MONEY:
        raise ValueError("数值过大")
    if number.as_tuple().exponent < -2:
        raise ValueError("最多保留两位小数")
    return number


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("应填“是”或“否”")


def _is_false(value) -> bool:
    try:
        return parse_bool(value) is False
    except ValueError:
        return False


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError("应为日期，格式如 2026-03-01") from None


def parse_kind(value) -> str:
    kind = _KIND_BY_TEXT.get(unicodedata.normalize("NFKC", str(value or "")).strip())
    if kind is None:
        raise ValueError("应为：企业、工地项目、工业园区、乡镇（街道）或行业（协会）")
    return kind.value


class UnitValidator:
    """Validates one unit's raw fields against the division table it was built with."""

    def __init__(self, divisions: dict[str, tuple[str, str]]):
        self.divisions = divisions  # code -> (level, name)

    @classmethod
    def from_database(cls) -> "UnitValidator":
        from hexie.regions.models import Division

        rows = Division.objects.values_list("code", "level", "name")
        return cls({code: (level, name) for code, level, name in rows})

    def clean(self, raw: dict) -> tuple[dict, list[FieldError]]:
        errors: list[FieldError] = []
        try:
            kind = parse_kind(raw.get("kind"))
        except ValueError as exc:
            return {}, [FieldError("kind", str(exc))]

        allowed = ALLOWED[kind]
        for name, value in raw.items():
            if name not in allowed and name in LABELS and not is_blank(value) and not (
                name == "platform" and _is_false(value)
            ):
                errors.append(FieldError(name, f"不适用于单位类型“{Kind(kind).label}”，请留空"))
        for name in _REQUIRED[kind]:
            if is_blank(raw.get(name)):
                errors.append(FieldError(name, "必填"))
        if errors:
            return {}, errors

        out: dict = {"kind": kind}
        self._clean_common(kind, raw, out, errors)
        if kind == Kind.ENTERPRISE:
            self._clean_enterprise(raw, out, errors)
        elif kind == Kind.CONSTRUCTION_PROJECT:
            self._clean_project(raw, out, errors)
        elif kind == Kind.INDUSTRY:
            try:
                industry = parse_industry(raw["industry"])
                out["industry"], out["industry_section"] = industry.code, industry.section
            except IndustryCodeError as exc:
                errors.append(FieldError("industry", str(exc)))
        return out, errors

    def _clean_common(self, kind, raw, out, errors):
        name = str(raw.get("name") or "").strip()
        if len(name) > 200:
            errors.append(FieldError("name", "不能超过 200 个字"))
        for field in ("name", "address"):
            if any(ord(c) < 32 for c in str(raw.get(field) or "")):
                errors.append(FieldError(field, "含有不可见的控制字符"))
        region_code = str(raw.get("region_code") or "").strip()
        level, division_name = self.divisions.get(region_code, (None, ""))
        if level is None:
            errors.append(FieldError("region_code", f"区划代码 {region_code} 不存在"))
        elif kind in _TOWN_LEVEL_KINDS and level != "town":
            errors.append(
                FieldError("region_code", "应为乡镇（街道）级 9 位区划代码")
            )
        out["region_id"] = region_code
        if kind == Kind.TOWN and not name:
            name = division_name
        out["name"] = name
        out["address"] = str(raw.get("address") or "").strip()[:200]
        code = cc.normalise(raw.get("credit_code"))
        if code:
            problem = cc.problem(code)
            if problem:
                errors.append(FieldError("credit_code", f"统一社会信用代码{problem}"))
        out["credit_code"] = code or None

    def _clean_enterprise(self, raw, out, errors):
        industry = None
        try:
            industry = parse_industry(raw["industry"])
            out["industry"], out["industry_section"] = industry.code, industry.section
        except IndustryCodeError as exc:
            errors.append(FieldError("industry", str(exc)))
        for name, parser in (("employees", parse_count), ("revenue_yuan", parse_money),
                             ("assets_yuan", parse_money)):
            value = raw.get(name)
            if is_blank(value):
                out[name] = None
                continue
            try:
                out[name] = parser(value)
            except ValueError as exc:
                errors.append(FieldError(name, str(exc)))
        try:
            out["platform"] = parse_bool(raw.get("platform") or "")
        except ValueError as exc:
            errors.append(FieldError("platform", str(exc)))
        if out.get("employees") == 0:
            errors.append(FieldError("employees", "企业职工人数不能为 0"))
        out["size_derived"] = ""
        if industry is not None and not errors:
            rule = rule_for(industry)
            if rule is not None and "Z" in rule.indicators and out["assets_yuan"] is None:
                errors.append(FieldError("assets_yuan", f"{rule.name}按资产总额划分规模，必填"))
            else:
                out["size_derived"] = classify(
                    industry, out["employees"], out["revenue_yuan"], out["assets_yuan"]
                )

    def _clean_project(self, raw, out, errors):
        out["project_code"] = str(raw["project_code"]).strip()
        if len(out["project_code"]) > 64:
            errors.append(FieldError("project_code", "不能超过 64 个字符"))
        contractor = cc.normalise(raw["contractor_credit_code"])
        problem = cc.problem(contractor)
        if problem:
            errors.append(FieldError("contractor_credit_code", f"统一社会信用代码{problem}"))
        out["contractor_credit_code"] = contractor
        for name in ("start_date", "end_date"):
            try:
                out[name] = parse_date(raw[name])
            except ValueError as exc:
                errors.append(FieldError(name, str(exc)))
        if out.get("start_date") and out.get("end_date") and out["end_date"] < out["start_date"]:
            errors.append(FieldError("end_date", "竣工日期不能早于开工日期"))
        try:
            out["workers"] = parse_count(raw["workers"])
        except ValueError as exc:
            errors.append(FieldError("workers", str(exc)))
