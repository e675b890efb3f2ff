"""Validating a whole batch of import rows at once; UnitValidator stays the reference.

A row takes the vectorised path only when it is an enterprise whose every field is already in
the plain form the validator would return unchanged: no surrounding spaces, digits only, an
upper-case credit code with a correct check character, a known town code, a parseable industry.
That is the common case for machine-made files and it is checked column by column with Polars.
Every other row — another kind, a value with spaces or commas, anything wrong — goes through
``UnitValidator.clean``, which cleans it or names its errors exactly as the pages and the API
do. A hypothesis test (tests/units/test_batch_validation.py) checks that the two paths give the
same result for every row, so the import accepts exactly what the form accepts.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from . import credit_code as cc
from .industry import IndustryCodeError
from .industry import parse as parse_industry
from .models import Kind
from .size import WAN, rule_for
from .validation import COLUMNS, LABELS, UnitValidator, parse_bool, parse_kind

FIELDS = tuple(name for name, _ in COLUMNS)
_NOT_FOR_ENTERPRISES = ("project_code", "contractor_credit_code", "start_date", "end_date",
                        "workers")
# Python's str.strip() whitespace is Unicode White_Space plus \x1c-\x1f (Rust's \s lacks those).
_EDGE_SPACE = r"^[\s\x1c-\x1f]|[\s\x1c-\x1f]$"
_CONTROL = r"[\x00-\x1f]"
_CREDIT = r"^[1-9ANY][0-9A-HJ-NPQRTUWXY][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_COUNT = r"^[0-9]{1,10}$"
_MONEY = r"^[0-9]{1,16}(\.[0-9]{1,2})?$"
_TIER_NAMES = ("large", "medium", "small", "micro")
_CENTS_PER_WAN = WAN * 100

# Output columns (the model's) and their types; "_row" is the file row.
SCHEMA: dict[str, pl.DataType] = {
    "_row": pl.Int64, "kind": pl.String, "name": pl.String, "region_id": pl.String,
    "credit_code": pl.String, "industry": pl.String, "industry_section": pl.String,
    "employees": pl.Int64, "revenue_yuan": pl.String, "assets_yuan": pl.String,
    "size_derived": pl.String, "platform": pl.Boolean, "project_code": pl.String,
    "contractor_credit_code": pl.String, "address": pl.String, "start_date": pl.Date,
    "end_date": pl.Date, "workers": pl.Int64,
}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line/row number in the file, the header being row 1
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def _money_text(value) -> str | None:
    return None if value is None else format(value, "f")


def _cents(column: str) -> pl.Expr:
    parts = pl.col(column).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64, strict=False)
    fraction = (parts.struct.field("field_1").fill_null("").str.pad_end(2, "0")
                .cast(pl.Int64, strict=False))
    return whole * 100 + fraction


def _tier(value: pl.Expr, prefix: str) -> pl.Expr:
    large, medium, small = (pl.col(f"_{prefix}{t}") for t in "lms")
    return (pl.when(large.is_null()).then(0)
            .when(value >= large).then(0).when(value >= medium).then(1)
            .when(value >= small).then(2).otherwise(3))


class BatchValidator:
    """Cleans batches for one import: the division table, the actor's scope and the parsed
    low-cardinality values (kinds, industries, platform flags, regions) are kept across
    batches."""

    def __init__(self, validator: UnitValidator, covers_region: Callable[[str], bool]):
        self.validator = validator
        self.covers_region = covers_region
        self.towns = [code for code, (level, _) in validator.divisions.items()
                      if level == "town"]
        self._kinds: dict[str, str | None] = {}
        self._platforms: dict[str, bool | None] = {}
        self._industries: dict[str, dict | None] = {}
        self._covered: dict[str, bool] = {}

    # --- low-cardinality values, parsed once each by the reference parsers ---------------

    def _kind(self, text: str) -> str | None:
        if text not in self._kinds:
            try:
                self._kinds[text] = parse_kind(text)
            except ValueError:
                self._kinds[text] = None
        return self._kinds[text]

    def _platform(self, text: str) -> bool | None:
        if text not in self._platforms:
            try:
                self._platforms[text] = parse_bool(text or "")
            except ValueError:
                self._platforms[text] = None
        return self._platforms[text]

    def _industry(self, text: str) -> dict | None:
        """The industry's code, section and size thresholds (cents for Y and Z), or None when
        it does not parse."""
        if text not in self._industries:
            try:
                industry = parse_industry(text)
            except IndustryCodeError:
                self._industries[text] = None
                return None
            rule = rule_for(industry)
            entry = {"_code": industry.code, "_section": industry.section,
                     "_has_rule": rule is not None,
                     "_needs_z": rule is not None and "Z" in rule.indicators}
            for prefix, indicator, unit in (("x", "X", 1), ("y", "Y", _CENTS_PER_WAN),
                                            ("z", "Z", _CENTS_PER_WAN)):
                bounds = rule.thresholds.get(indicator) if rule else None
                for tier, bound in zip("lms", bounds or (None, None, None), strict=True):
                    value = None
                    if bound is not None:
                        exact = Decimal(str(bound)) * unit
                        value = int(exact) if exact == exact.to_integral_value() else None
                        if value is None:  # a bound finer than a cent: leave to the validator
                            entry["_has_rule"] = None
                    entry[f"_{prefix}{tier}"] = value
            self._industries[text] = entry
        return self._industries[text]

    def covers(self, region: str) -> bool:
        if region not in self._covered:
            self._covered[region] = self.covers_region(region)
        return self._covered[region]

    # --- the batch --------------------------------------------------------------------------

    def clean(self, frame: pl.DataFrame, present: Sequence[str]
              ) -> tuple[pl.DataFrame, list[RowError]]:
        """``frame``: one string column per field (all of FIELDS, "" where the file has none)
        and ``_row``; blank and over-long rows already removed. ``present``: the fields the
        file has columns for, in the file's order (the validator reports in that order).
        Returns the accepted rows (SCHEMA) and the problems."""
        if frame.height == 0:
            return pl.DataFrame(schema=SCHEMA), []
        fast = self._fast_mask(frame)
        plain = frame.filter(fast)
        accepted = [self._clean_plain(plain)] if plain.height else []
        problems: list[RowError] = []
        slow = frame.filter(~fast)
        if slow.height:
            cleaned = []
            for row in slow.select("_row", *present).iter_rows(named=True):
                n = row.pop("_row")
                out, errors = self.validator.clean(row)
                if errors:
                    problems.extend(RowError(n, LABELS.get(e.field, e.field), e.message)
                                    for e in errors)
                    continue
                cleaned.append(self._output_row(n, out))
            if cleaned:
                accepted.append(pl.DataFrame(cleaned, schema=SCHEMA, orient="row"))
        result = pl.concat(accepted) if accepted else pl.DataFrame(schema=SCHEMA)
        # Scope: after validation, as for a single unit.
        outside = [r for r in result.get_column("region_id").unique().to_list()
                   if not self.covers(r)]
        if outside:
            bad = result.filter(pl.col("region_id").is_in(outside))
            problems.extend(RowError(n, LABELS["region_code"], f"区划 {r} 不在您的管辖范围内")
                            for n, r in bad.select("_row", "region_id").iter_rows())
            result = result.filter(~pl.col("region_id").is_in(outside))
        return result.sort("_row"), problems

    @staticmethod
    def _output_row(n: int, out: dict) -> tuple:
        return (
            n, out["kind"], out["name"], out["region_id"], out.get("credit_code"),
            out.get("industry", ""), out.get("industry_section", ""), out.get("employees"),
            _money_text(out.get("revenue_yuan")), _money_text(out.get("assets_yuan")),
            out.get("size_derived", ""), out.get("platform", False), out.get("project_code"),
            out.get("contractor_credit_code", ""), out.get("address", ""),
            out.get("start_date"), out.get("end_date"), out.get("workers"),
        )

    def _fast_mask(self, frame: pl.DataFrame) -> pl.Series:
        col = pl.col
        kinds = [t for t in frame.get_column("kind").unique().to_list()
                 if self._kind(t) == Kind.ENTERPRISE]
        platforms = [t for t in frame.get_column("platform").unique().to_list()
                     if self._platform(t) is not None]
        industries = [t for t in frame.get_column("industry").unique().to_list()
                      if (entry := self._industry(t)) is not None
                      and entry["_has_rule"] is not None]
        plain = [~col(f).str.contains(_EDGE_SPACE) for f in ("name", "address")]
        needs_z = [t for t in industries if self._industries[t]["_needs_z"]]
        employees = col("employees").cast(pl.Int64, strict=False)
        mask = pl.all_horizontal(
            col("kind").is_in(kinds),
            *[col(f) == "" for f in _NOT_FOR_ENTERPRISES],
            col("name") != "", *plain,
            ~col("name").str.contains(_CONTROL), ~col("address").str.contains(_CONTROL),
            col("name").str.len_chars() <= 200, col("address").str.len_chars() <= 200,
            col("region_code").is_in(self.towns),
            col("industry").is_in(industries),
            col("platform").is_in(platforms),
            col("employees").str.contains(_COUNT), col("revenue_yuan").str.contains(_MONEY),
            (col("assets_yuan") == "") | col("assets_yuan").str.contains(_MONEY),
            col("credit_code").str.contains(_CREDIT),
            employees >= 1, employees <= 2_000_000_000,
            self._check_character_ok(),
            ~(col("industry").is_in(needs_z) & (col("assets_yuan") == "")),
        )
        return frame.select(mask.fill_null(False)).to_series()

    @staticmethod
    def _check_character_ok() -> pl.Expr:
        code = pl.col("credit_code")
        total = sum(
            code.str.slice(i, 1).replace_strict(cc._VALUE, default=0, return_dtype=pl.Int64) * w
            for i, w in enumerate(cc._WEIGHTS)
        )
        check = code.str.slice(17, 1).replace_strict(cc._VALUE, default=-1,
                                                     return_dtype=pl.Int64)
        return ((31 - total % 31) % 31) == check

    def _clean_plain(self, plain: pl.DataFrame) -> pl.DataFrame:
        col = pl.col
        table = pl.DataFrame(
            [{"industry": t, **self._industries[t]}
             for t in plain.get_column("industry").unique().to_list()],
            schema={"industry": pl.String, "_code": pl.String, "_section": pl.String,
                    "_has_rule": pl.Boolean, "_needs_z": pl.Boolean,
                    **{f"_{p}{t}": pl.Int64 for p in "xyz" for t in "lms"}},
        )
        platforms = {t: self._platforms[t] for t in plain.get_column("platform").unique()}
        joined = plain.join(table, on="industry", how="left", maintain_order="left")
        employees = col("employees").cast(pl.Int64)
        assets = pl.when(col("assets_yuan") == "").then(None).otherwise(col("assets_yuan"))
        worst = pl.max_horizontal(_tier(employees, "x"), _tier(_cents("revenue_yuan"), "y"),
                                  _tier(_cents("assets_yuan"), "z"))
        size = (pl.when(col("_has_rule"))
                .then(worst.replace_strict(dict(enumerate(_TIER_NAMES)), return_dtype=pl.String))
                .otherwise(pl.lit("")))
        return joined.select(
            "_row", pl.lit(Kind.ENTERPRISE.value).alias("kind"), "name",
            col("region_code").alias("region_id"), "credit_code",
            col("_code").alias("industry"), col("_section").alias("industry_section"),
            employees.alias("employees"), "revenue_yuan", assets.alias("assets_yuan"),
            size.alias("size_derived"),
            col("platform").replace_strict(platforms, return_dtype=pl.Boolean).alias("platform"),
            pl.lit(None, pl.String).alias("project_code"),
            pl.lit("").alias("contractor_credit_code"), "address",
            pl.lit(None, pl.Date).alias("start_date"), pl.lit(None, pl.Date).alias("end_date"),
            pl.lit(None, pl.Int64).alias("workers"),
        ).cast(SCHEMA)
