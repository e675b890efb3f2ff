"""Unified social credit code (统一社会信用代码, GB 32100-2015).

The check is re-implemented here from the standard (weights are 3^(i-1) mod 31, the check value
is (31 - sum mod 31) mod 31) so that these tests do not merely trust ``credit_code.make``.
"""

import pytest

from hexie.units import credit_code as cc

REAL_CODE = "91440300708461136T"  # a real, published code (Shenzhen)
STANDARD_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN_LETTERS = "IOSVZ"


def independent_check_character(first17: str) -> str:
    """GB 32100-2015 §5: C18 = 31 - (Σ Ci × Wi mod 31), with Wi = 3^(i-1) mod 31, and 31 → 0."""
    value = {c: i for i, c in enumerate(STANDARD_ALPHABET)}
    total = sum(value[c] * pow(3, i, 31) for i, c in enumerate(first17))
    return STANDARD_ALPHABET[(31 - total % 31) % 31]


def independent_org_check(body8: str) -> str:
    """GB 11714: C9 = 11 - (Σ Ci × Wi mod 11), weights 3 7 9 10 5 8 4 2; 10 → X, 11 → 0."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def with_check(first17: str) -> str:
    return first17 + independent_check_character(first17)


# --- the real example -----------------------------------------------------------------------


def test_real_published_code_is_valid():
    assert cc.problem(REAL_CODE) is None
    assert cc.is_valid(REAL_CODE) is True
    assert cc.organisation_code_warning(REAL_CODE) is None


def test_independent_implementation_agrees_on_real_code():
    # given the real code, when the check is computed from first principles, then it is "T"
    assert independent_check_character(REAL_CODE[:17]) == "T"
    assert cc.check_character(REAL_CODE[:17]) == "T"
    assert independent_org_check(REAL_CODE[8:16]) == "6"


@pytest.mark.parametrize("wrong", [c for c in STANDARD_ALPHABET if c != "T"])
def test_every_other_check_character_is_refused(wrong):
    # given the real code with its check character replaced
    code = REAL_CODE[:17] + wrong
    # then it is refused, and the reason is the check character
    assert cc.is_valid(code) is False
    assert "校验位" in cc.problem(code)


@pytest.mark.parametrize("wrong", FORBIDDEN_LETTERS)
def test_forbidden_letter_as_check_character_is_refused(wrong):
    code = REAL_CODE[:17] + wrong
    assert cc.is_valid(code) is False
    assert wrong in cc.problem(code)
    assert "不允许的字符" in cc.problem(code)


@pytest.mark.parametrize("position", range(17))
def test_any_single_substitution_in_the_body_is_detected(position):
    # given every possible single-character change at one of positions 1–17
    for replacement in STANDARD_ALPHABET:
        if replacement == REAL_CODE[position]:
            continue
        code = REAL_CODE[:position] + replacement + REAL_CODE[position + 1:]
        # then the code is no longer valid (weights are non-zero mod the prime 31)
        assert cc.problem(code) is not None, code


@pytest.mark.parametrize("position", range(16))
def test_adjacent_transposition_is_detected(position):
    a, b = REAL_CODE[position], REAL_CODE[position + 1]
    if a == b:
        # swapping equal characters changes nothing: the code must stay valid
        swapped = REAL_CODE
        assert cc.problem(swapped) is None
        return
    swapped = REAL_CODE[:position] + b + a + REAL_CODE[position + 2:]
    assert cc.problem(swapped) is not None


# --- registering authorities A, N, Y and the other legal first characters --------------------


@pytest.mark.parametrize("first", ["A", "N", "Y"])
@pytest.mark.parametrize("body", ["T0000001", "12345678", "MA2H0000", "00000000"])
def test_codes_starting_with_a_n_y_are_valid(first, body):
    # given a code built by make() for registering authority A, N or Y
    code = cc.make(f"{first}1330106", body)
    # then it is valid, and its check character agrees with the standard's formula
    assert cc.problem(code) is None
    assert cc.is_valid(code) is True
    assert code[17] == independent_check_character(code[:17])
    assert code[16] == independent_org_check(body)


@pytest.mark.parametrize(
    "first17",
    [
        "A1330106MA2H00001",  # first char A
        "N2440300708461136",  # first char N, real org code
        "Y1330106123456788",  # first char Y
    ],
)
def test_a_n_y_codes_built_independently_are_valid(first17):
    # given a code whose check character is computed only by the test's own formula
    code = with_check(first17)
    # then the library accepts it (a popular validator wrongly refuses A/N/Y)
    assert cc.problem(code) is None
    # and refuses it with the next check character instead
    value = STANDARD_ALPHABET.index(code[17])
    wrong = first17 + STANDARD_ALPHABET[(value + 1) % 31]
    assert "校验位" in cc.problem(wrong)


def test_independent_formula_matches_known_a_n_y_values():
    # fixed expectations computed by hand from the weighted sum, independent of make()
    assert cc.make("A1330106", "T0000001") == "A1330106T0000001X1"
    assert cc.make("N1330106", "00000001") == "N1330106000000019F"
    assert cc.make("Y1330106", "12345678") == "Y1330106123456788H"
    for code in ("A1330106T0000001X1", "N1330106000000019F", "Y1330106123456788H"):
        assert independent_check_character(code[:17]) == code[17]


@pytest.mark.parametrize("first", list("123456789ANY"))
def test_every_registering_authority_is_accepted(first):
    code = with_check(first + REAL_CODE[1:17])
    assert cc.problem(code) is None


@pytest.mark.parametrize("first", ["B", "C", "0", "X", "W"])
def test_unknown_registering_authority_is_refused_even_with_right_check(first):
    # given a code with a first character outside 1–9, A, N, Y but a correct check character
    code = with_check(first + REAL_CODE[1:17])
    # then it is refused because of the first character
    problem = cc.problem(code)
    assert problem is not None
    assert "第 1 位" in problem
    assert first in problem


# --- format ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,length",
    [("", 0), ("9144030070846113", 16), (REAL_CODE[:17], 17), (REAL_CODE + "0", 19)],
)
def test_wrong_length_is_refused(code, length):
    problem = cc.problem(code)
    assert problem == f"应为 18 位，实为 {length} 位"
    assert cc.is_valid(code) is False


@pytest.mark.parametrize("letter", FORBIDDEN_LETTERS)
@pytest.mark.parametrize("position", [1, 10, 15])
def test_forbidden_letters_are_refused(letter, position):
    code = REAL_CODE[:position] + letter + REAL_CODE[position + 1:]
    problem = cc.problem(code)
    assert "不允许的字符" in problem
    assert letter in problem


@pytest.mark.parametrize(
    "raw", [" 91440300708461136t ", "91440300708461136t", "\t91440300708461136T\n"]
)
def test_lowercase_and_whitespace_are_normalised(raw):
    assert cc.normalise(raw) == REAL_CODE
    assert cc.is_valid(raw) is True


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_input_is_invalid(raw):
    assert cc.normalise(raw) == ""
    assert cc.is_valid(raw) is False


@pytest.mark.parametrize("division", ["4403A0", "AB0300", "44030X", "H40300"])
def test_non_digit_division_part_is_refused_even_with_right_check(division):
    # given positions 3–8 that are not six digits, but a correct check character
    code = with_check("91" + division + REAL_CODE[8:17])
    # then the division part is named as the problem
    problem = cc.problem(code)
    assert problem is not None
    assert "第 3–8 位" in problem


def test_division_of_another_province_is_accepted():
    # the registering authority may be anywhere in China, not only Zhejiang (33)
    code = cc.make("91110108", "MA01ABCD")
    assert code[2:8] == "110108"
    assert cc.problem(code) is None


# --- the embedded organisation code is only a warning ---------------------------------------


def test_bad_embedded_org_check_is_only_a_warning():
    # given the real code's organisation body with a wrong GB 11714 check character (7 not 6),
    # and the overall check character recomputed so the code itself is consistent
    code = with_check(REAL_CODE[:16] + "7")
    # then the code is valid …
    assert cc.problem(code) is None
    assert cc.is_valid(code) is True
    # … and only a warning is raised about the organisation code
    warning = cc.organisation_code_warning(code)
    assert warning is not None
    assert "组织机构代码" in warning
    assert "仅提示" in warning


@pytest.mark.parametrize("code", ["", None, "9144030070846113", "91440300708461137T"])
def test_an_invalid_code_has_no_org_warning_its_problem_is_reported_instead(code):
    assert cc.organisation_code_warning(code) is None


@pytest.mark.parametrize("body", ["T0000001", "12345678", "MA2H0000", "ABCDEFGH"])
def test_made_codes_have_no_org_warning(body):
    code = cc.make("91330106", body)
    assert cc.organisation_code_warning(code) is None
    assert code[16] == independent_org_check(body)


def test_org_check_x_and_0_cases():
    # GB 11714 maps a check value of 10 to X and 11 to 0; find one body of each and compare
    bodies_x = [f"{n:08d}" for n in range(1, 400) if independent_org_check(f"{n:08d}") == "X"]
    bodies_0 = [f"{n:08d}" for n in range(1, 400) if independent_org_check(f"{n:08d}") == "0"]
    assert bodies_x and bodies_0
    assert cc.make("91330106", bodies_x[0])[16] == "X"
    assert cc.make("91330106", bodies_0[0])[16] == "0"
