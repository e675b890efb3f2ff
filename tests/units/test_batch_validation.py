"""The import's batch validator gives, row for row, what the shared UnitValidator gives.

The vectorised path only takes rows it can prove plain; everything else goes to the scalar
validator. Hypothesis throws rows at both that sit on every edge the fast path tests: spaces
(including U+3000 and the \\x1c–\\x1f that Python strips), case, commas, leading zeros, cents,
the check character, town versus county codes, industries whose size rule needs assets, size
thresholds ± one, and every kind. Any difference in the accepted values or in the errors
fails the test.
"""

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hexie.units import credit_code as cc
from hexie.units.batchvalidation import FIELDS, BatchValidator, RowError
from hexie.units.validation import LABELS, UnitValidator
from tests.factories import NANHU_TOWN, XIHU, XIHU_TOWN, XIHU_TOWN_2

pytestmark = pytest.mark.django_db

VALID_CODES = [cc.make("91330106", f"MA2H7K{n:02d}") for n in range(10)] + [
    cc.make("A1330106", "MA2H7K3P"), cc.make("N2330106", "12345678"),
    cc.make("Y1330106", "ABCDEFGH"),
]


def _bad_check(code: str) -> str:
    wrong = cc.ALPHABET[(cc.ALPHABET.index(code[-1]) + 1) % 31]
    return code[:-1] + wrong


SPACES = ["", " ", "\u3000", "\t", "\x1c", "\xa0"]
codes = st.one_of(
    st.sampled_from(VALID_CODES),
    st.sampled_from(VALID_CODES).map(str.lower),
    st.sampled_from(VALID_CODES).map(_bad_check),
    st.sampled_from(VALID_CODES).map(lambda c: c[:17]),
    st.sampled_from(["", "91330106MA2H7K3PXZ", "I1330106MA2H7K3P0X", "913301O6MA2H7K3P0X"]),
)
# Industries: sizes by X and Y (C, F52, I65), by Y only (A), by Y and Z (E48, K7010), sections
# alone (one ambiguous), no rule, lower case, invalid.
industries = st.sampled_from(["C1711", "C13", "F5212", "I6513", "A0111", "E4811", "K7010",
                              "K", "C", "F", "S9421", "c1711", "C 1711", "Z99", "", "7010",
                              "D4411", "A1711"])
counts = st.one_of(
    st.sampled_from(["0", "1", "9", "10", "19", "20", "49", "50", "99", "100", "299", "300",
                     "999", "1000", "2000000000", "2000000001", "-3", "1,000", "12.0",
                     "00350", " 350", "abc", "", "1e3", "３５０"]),
    st.integers(min_value=1, max_value=5000).map(str),
)
money = st.one_of(
    st.sampled_from(["0", "1000000", "999999.99", "1000000.00", "3000000", "2999999.99",
                     "20000000", "19999999.99", "50000000", "200000000", "400000000",
                     "399999999.99", "1000000000", "12.5", "12.345", "-1", "1,000,000",
                     "1e6", "", " ", "0012.50", "9999999999999999.99", "99999999999999999"]),
    st.integers(min_value=0, max_value=10**11).map(lambda n: f"{n // 100}.{n % 100:02d}"),
)
names = st.one_of(
    st.sampled_from(["杭州测试制造有限公司", "Example Co", "甲", "", "  ", "西湖\x07科技"]),
    st.tuples(st.sampled_from(SPACES), st.sampled_from(["乙有限公司", "丙"]),
              st.sampled_from(SPACES)).map("".join),
    st.just("长" * 200), st.just("长" * 201),
)
rows = st.fixed_dictionaries({
    "kind": st.sampled_from(["企业", "enterprise", "ENTERPRISE", " 企业", "工地项目", "乡镇",
                             "工业园区", "行业（协会）", "公司", ""]),
    "name": names,
    "credit_code": codes,
    "region_code": st.sampled_from([XIHU_TOWN, XIHU_TOWN_2, NANHU_TOWN, XIHU, "330106999",
                                    f" {XIHU_TOWN}", "", "33"]),
    "industry": industries,
    "employees": counts,
    "revenue_yuan": money,
    "assets_yuan": money,
    "platform": st.sampled_from(["否", "是", "", "yes", "N", "maybe", " 是"]),
    "project_code": st.sampled_from(["", "", "", "P-1", " "]),
    "contractor_credit_code": st.sampled_from(["", "", "", VALID_CODES[0]]),
    "address": st.sampled_from(["", "某路 1 号", " 某路", "路\n2 号", "长" * 201]),
    "start_date": st.sampled_from(["", "", "", "2026-03-01", "2026/3/1"]),
    "end_date": st.sampled_from(["", "", "", "2027-12-31", "2025-01-01"]),
    "workers": st.sampled_from(["", "", "", "350", "-1"]),
})

# Rows that are mostly plain, so the vectorised path and its size thresholds are exercised
# (a row of independent random fields is almost never clean).
BOUNDARY_COUNTS = ["1", "7", "8", "9", "10", "19", "20", "49", "50", "99", "100", "199", "200",
                   "299", "300", "999", "1000", "1001", "2000000000"]
BOUNDARY_MONEY = ["0", "500000", "499999.99", "1000000", "999999.99", "3000000", "2999999.99",
                  "5000000", "8000000", "20000000", "19999999.99", "50000000", "100000000",
                  "200000000", "400000000", "399999999.99", "800000000", "2000000000",
                  "9999999999999999.99", "0.01"]
plain_rows = st.fixed_dictionaries({
    "kind": st.sampled_from(["enterprise", "企业"]),
    "name": st.sampled_from(["杭州测试制造有限公司", "Example Co", "甲"]),
    "credit_code": st.one_of(st.sampled_from(VALID_CODES), codes),
    "region_code": st.sampled_from([XIHU_TOWN, XIHU_TOWN_2, NANHU_TOWN]),
    "industry": industries,
    "employees": st.one_of(st.sampled_from(BOUNDARY_COUNTS), counts),
    "revenue_yuan": st.sampled_from(BOUNDARY_MONEY),
    "assets_yuan": st.one_of(st.just(""), st.sampled_from(BOUNDARY_MONEY)),
    "platform": st.sampled_from(["否", "是", ""]),
    "project_code": st.just(""), "contractor_credit_code": st.just(""),
    "address": st.sampled_from(["", "某路 1 号"]), "start_date": st.just(""),
    "end_date": st.just(""), "workers": st.just(""),
})


def frame_of(raw_rows: list[dict]) -> pl.DataFrame:
    data = {name: [r.get(name, "") for r in raw_rows] for name in FIELDS}
    data["_row"] = list(range(2, len(raw_rows) + 2))
    return pl.DataFrame(data, schema={**{n: pl.String for n in FIELDS}, "_row": pl.Int64})


def comparable(row: tuple) -> tuple:
    """Money as Decimal: the fast path keeps the file's text ("0012.50"), the validator a
    Decimal; the database stores the same number."""
    values = list(row)
    for i in (8, 9):
        values[i] = None if values[i] is None else Decimal(values[i])
    return tuple(values)


def reference(validator: UnitValidator, raw_rows: list[dict], covers) -> tuple[dict, list]:
    accepted, problems = {}, []
    for n, raw in enumerate(raw_rows, start=2):
        out, errors = validator.clean(raw)
        if errors:
            problems += [RowError(n, LABELS.get(e.field, e.field), e.message) for e in errors]
        elif not covers(out["region_id"]):
            problems.append(RowError(n, LABELS["region_code"],
                                     f"区划 {out['region_id']} 不在您的管辖范围内"))
        else:
            accepted[n] = comparable(BatchValidator._output_row(n, out))
    return accepted, problems


@pytest.fixture(scope="module")
def scalar(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return UnitValidator.from_database()


def in_xihu(region: str) -> bool:
    return region.startswith(XIHU)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(rows, plain_rows), min_size=1, max_size=25), st.booleans())
def test_batch_equals_the_row_validator(scalar, raw_rows, whole_province):
    raw_rows = [{name: raw[name] for name in FIELDS} for raw in raw_rows]  # file order
    covers = (lambda region: True) if whole_province else in_xihu
    batch = BatchValidator(scalar, covers)
    result, problems = batch.clean(frame_of(raw_rows), FIELDS)
    expected_accepted, expected_problems = reference(scalar, raw_rows, covers)
    got = {row[0]: comparable(row) for row in result.iter_rows()}
    assert got == expected_accepted
    assert sorted(problems, key=lambda e: e.row) == expected_problems


def test_plain_enterprise_rows_take_the_vectorised_path(scalar, monkeypatch):
    """The fast path is really used for the common row (else the benchmark measures the slow
    one): a validator that refuses to run proves no row reached it."""
    rows = [{"kind": "enterprise", "name": f"测试{n}有限公司", "credit_code": code,
             "region_code": XIHU_TOWN, "industry": "C1711", "employees": "350",
             "revenue_yuan": "50000000.50", "assets_yuan": "", "platform": "否"}
            for n, code in enumerate(VALID_CODES)]

    def refuse(raw):
        raise AssertionError(f"row went to the scalar validator: {raw}")

    monkeypatch.setattr(scalar, "clean", refuse)
    result, problems = BatchValidator(scalar, lambda r: True).clean(frame_of(rows), FIELDS)
    assert problems == []
    assert result.height == len(VALID_CODES)
    assert set(result.get_column("size_derived")) == {"medium"}  # X 350, Y 5000万 (C)


def test_missing_columns_are_absent_not_blank_for_the_reference(scalar):
    """A file without the assets column: a construction enterprise still needs assets."""
    raw = {"kind": "企业", "name": "建筑有限公司", "credit_code": VALID_CODES[0],
           "region_code": XIHU_TOWN, "industry": "E4811", "employees": "100",
           "revenue_yuan": "60000000"}
    present = list(raw)
    result, problems = BatchValidator(scalar, lambda r: True).clean(frame_of([raw]), present)
    assert result.height == 0
    assert [(p.row, p.column) for p in problems] == [(2, "资产总额（元）")]
