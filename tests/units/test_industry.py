"""GB/T 4754-2017 industry codes: a section letter, or a 2–4 digit code with an optional letter."""

import pytest

from hexie.units.industry import IndustryCode, IndustryCodeError, parse, sections

# GB/T 4754-2017 sections and the two-digit divisions each holds, written out independently of
# the YAML data file.
SECTION_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}
FORMAT_HINT = "应为门类字母（如 C）或 2–4 位行业代码（如 C1311、7010）"


@pytest.mark.parametrize(
    "raw,section,digits,code",
    [
        ("C", "C", "", "C"),
        ("C13", "C", "13", "C13"),
        ("1311", "C", "1311", "C1311"),
        ("C1311", "C", "1311", "C1311"),
        ("7010", "K", "7010", "K7010"),
        ("K7010", "K", "7010", "K7010"),
        ("c13 ", "C", "13", "C13"),
        ("  c1311\t", "C", "1311", "C1311"),
        ("131", "C", "131", "C131"),
        ("01", "A", "01", "A01"),
        ("0511", "A", "0511", "A0511"),
        ("51", "F", "51", "F51"),
        ("f5211", "F", "5211", "F5211"),
        ("702", "K", "702", "K702"),
        ("85", "Q", "85", "Q85"),
        ("97", "T", "97", "T97"),
        ("t", "T", "", "T"),
    ],
)
def test_valid_codes_are_parsed_and_normalised(raw, section, digits, code):
    # when a code is parsed
    parsed = parse(raw)
    # then the section is derived (or checked) and the code is canonical
    assert parsed == IndustryCode(section, digits)
    assert parsed.code == code


@pytest.mark.parametrize("letter,name", [("C", "制造业"), ("K", "房地产业"), ("J", "金融业"),
                                         ("L", "租赁和商务服务业")])
def test_label_is_the_section_name(letter, name):
    assert parse(letter).label == name
    assert parse(letter + str(SECTION_DIVISIONS[letter][0]).zfill(2)).label == name


@pytest.mark.parametrize("letter", sorted(SECTION_DIVISIONS))
def test_every_section_letter_is_known(letter):
    assert parse(letter) == IndustryCode(letter, "")
    assert sections()[letter]["divisions"] == list(SECTION_DIVISIONS[letter])


def test_there_are_exactly_twenty_sections():
    assert sorted(sections()) == sorted(SECTION_DIVISIONS)


@pytest.mark.parametrize(
    "division,section",
    [(d, letter) for letter, (low, high) in SECTION_DIVISIONS.items()
     for d in range(low, high + 1)],
)
def test_every_division_maps_to_its_section(division, section):
    # given a two-digit division, with and without its letter
    digits = f"{division:02d}"
    # then it belongs to exactly the section GB/T 4754 gives it
    assert parse(digits).section == section
    assert parse(section + digits).section == section


@pytest.mark.parametrize(
    "raw,right,given",
    [("A13", "C", "A"), ("A1311", "C", "A"), ("C7010", "K", "C"), ("J51", "F", "J"),
     ("q84", "Q", None), ("P85", "Q", "P")],
)
def test_mismatched_letter_is_refused_naming_the_right_section(raw, right, given):
    if given is None:
        # a lower-case matching letter is fine
        assert parse(raw).section == right
        return
    with pytest.raises(IndustryCodeError) as info:
        parse(raw)
    message = str(info.value)
    assert f"属于门类 {right}" in message
    assert f"不是 {given}" in message


@pytest.mark.parametrize("raw,division", [("99", "99"), ("00", "00"), ("98", "98"),
                                          ("C9911", "99"), ("0000", "00"), ("A00", "00")])
def test_nonexistent_division_is_refused(raw, division):
    with pytest.raises(IndustryCodeError) as info:
        parse(raw)
    assert str(info.value) == f"行业大类 {division} 不存在"


@pytest.mark.parametrize(
    "raw",
    ["", "   ", None, "XYZ", "U", "Z13", "CC13", "C1", "1", "13111", "C13111", "13A", "1-3",
     "C 13", "C13.1", "制造业"],
)
def test_garbage_is_refused_with_the_format_hint(raw):
    with pytest.raises(IndustryCodeError) as info:
        parse(raw)
    assert str(info.value) == FORMAT_HINT


def test_industry_code_error_is_a_value_error():
    # callers catching ValueError (parsers of raw input) also catch industry errors
    with pytest.raises(ValueError, match="行业大类 99 不存在"):
        parse("99")


@pytest.mark.parametrize("raw,canonical", [("C１３", "C13"), ("１３１１", "C1311"),
                                           ("７０１０", "K7010"), ("５１", "F51")])
def test_full_width_digits_are_normalised_or_refused(raw, canonical):
    # given a code typed with a Chinese IME's full-width digits (０–９)
    # when it is parsed
    try:
        parsed = parse(raw)
    except IndustryCodeError:
        return  # refusing it is acceptable
    # then it must not be kept with full-width digits: size rules match ASCII prefixes
    # ("51", "7010"), so "７０１０" would silently get no size rule and no assets check
    assert parsed.code == canonical
