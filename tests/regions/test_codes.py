"""Region codes: the lengths and the nesting every other app asks ``regions.codes`` for."""

from hexie.regions import codes


def test_levels_and_truncations():
    assert [codes.level_of(c) for c in ("33", "3301", "330106", "330106002")] == [
        "province", "city", "county", "town"]
    assert codes.level_of("33010") is None
    assert codes.county_of("330106002") == "330106"
    assert codes.city_of("330106002") == "3301"
    assert codes.province_of("330106") == "33"
    assert codes.town_of("330106") == "330106"  # a county-level code stays as it is


def test_ancestors_and_lineage():
    assert codes.ancestors("330106002") == ["33", "3301", "330106"]
    assert codes.ancestors("33") == []
    assert codes.lineage("330106") == ["33", "3301", "330106"]
    assert codes.ancestors_of_all(["330106", "330108001"]) == ["33", "3301", "330108"]


def test_within_and_related():
    assert codes.is_within("330106002", "330106")
    assert not codes.is_within("330108001", "330106")
    assert codes.related("3301", "330106") and codes.related("330106002", "330106")
    assert not codes.related("330108", "330106")
    assert codes.is_code("330106") and not codes.is_code("33010") and not codes.is_code(None)
