"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
REGISTERING_AUTHORITIES = frozenset("123456789ANY")
# The embedded organisation code (GB 11714) has its own check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code) -> str:
    return str(code or "").strip().upper()


def problem(code: str) -> str | None:
    """Why ``code`` (already normalised) is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"含有不允许的字符：{''.join(bad)}（不使用 I、O、S、V、Z）"
    if code[0] not in REGISTERING_AUTHORITIES:
        return f"第 1 位登记管理部门代码 {code[0]} 不存在"
    if not code[2:8].isdigit():
        return "第 3–8 位应为登记管理机关行政区划码（6 位数字）"
    if check_character(code[:17]) != code[17]:
        return "校验位（第 18 位）不正确，请核对代码是否抄录有误"
    return None


def is_valid(code) -> bool:
    return problem(normalise(code)) is None


def organisation_code_warning(code) -> str | None:
    """A warning (never a refusal, REFERENCE-DATA.md) when the embedded GB 11714 check
    character fails; shown beside the code on the unit's page. None for a code that is not a
    valid credit code at all (its problem is reported instead)."""
    code = normalise(code)
    if problem(code) is not None:
        return None
    body, check = code[8:16], code[16]
    try:
        total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    except ValueError:
        return _("内嵌组织机构代码格式异常")
    expected = 11 - total % 11
    expected_char = "X" if expected == 10 else "0" if expected == 11 else str(expected)
    if expected_char != check:
        return _("内嵌组织机构代码校验位不符（仅提示，不影响登记）")
    return None


def make(prefix8: str, body8: str) -> str:
    """Build a valid code from the first 8 characters and an 8-character organisation body;
    used by the synthetic data generator and tests."""
    bad = {c for c in prefix8 + body8 if c not in _VALUE}
    if len(prefix8) != 8 or len(body8) != 8 or bad:
        raise ValueError(f"cannot build a credit code from {prefix8!r} + {body8!r}")
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    expected = 11 - total % 11
    org_check = "X" if expected == 10 else "0" if expected == 11 else str(expected)
    first17 = prefix8 + body8 + org_check
    return first17 + check_character(first17)
