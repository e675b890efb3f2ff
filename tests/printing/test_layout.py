"""The fonts and the page: vendored subsets that cover GB 2312 and every division name, a loud
refusal of a character they lack, line breaking that keeps punctuation off a line's start."""

import datetime
import re

import pytest

from hexie.printing import layout
from hexie.printing.layout import FACES, FONT_DIR, MissingGlyph, OfficialDocument, chinese_date
from hexie.regions.models import Division

GB2312 = {bytes([h, lo]).decode("gb2312") for h in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
          if (h, lo) not in {(0xD7, c) for c in range(0xFA, 0xFF)}}


def cmap(filename):
    from fontTools.ttLib import TTFont

    return TTFont(FONT_DIR / filename).getBestCmap()


def test_the_fonts_are_vendored_licensed_and_small():
    files = [FONT_DIR / name for name in FACES.values()]
    assert all(f.is_file() and f.parent == FONT_DIR for f in files)
    assert (FONT_DIR / "LICENSE-OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1
    assert "build_document_fonts.py" in (FONT_DIR / "README.md").read_text()
    assert sum(f.stat().st_size for f in files) <= 12 * 1024 * 1024


@pytest.mark.parametrize("filename", FACES.values())
def test_each_face_covers_gb2312_and_cjk_punctuation(filename):
    covered = cmap(filename)
    assert len(GB2312) == 6763
    assert not [c for c in GB2312 if ord(c) not in covered]
    punctuation = "，。、；：？！“”‘’（）《》〔〕【】—…·　０１２ＡＢａｂ％＋"
    assert not [c for c in punctuation if ord(c) not in covered]
    assert all(code in covered for code in range(0x20, 0x7F))


@pytest.mark.django_db
def test_every_division_name_is_covered():
    covered = cmap(FACES["serif"])
    names = "".join(Division.objects.values_list("name", flat=True))
    assert len(names) > 1000
    assert not sorted({c for c in names if ord(c) not in covered})


def test_a_character_outside_the_fonts_is_refused_loudly():
    doc = OfficialDocument("测试")
    with pytest.raises(MissingGlyph) as raised:
        doc.paragraph("杭州𠮷野家餐饮有限公司")  # U+20BB7, outside GB 2312 and the subset
    assert raised.value.chars == "𠮷"
    assert "U+20BB7" in str(raised.value) and "extra-chars.txt" in str(raised.value)
    with pytest.raises(MissingGlyph):
        doc.title_block("𠮷")
    with pytest.raises(MissingGlyph):
        doc.table(["单位名称"], [["𠮷野家"]], widths=[156])


def test_wrapping_keeps_closing_marks_off_a_line_start_and_opening_marks_off_its_end():
    doc = OfficialDocument("测试")
    doc.use("serif", doc.spec.body_pt)
    text = ("根据（浙人社发〔2023〕17号）的要求，各单位应当“依法规范用工”，保障职工权益；"
            "经职工大会或职工代表大会讨论确定后，提交《创建承诺书》。") * 4
    width = doc.spec.area[0]
    lines = doc.wrap(text, width)
    assert "".join(lines) == text
    assert all(doc.width(line) <= width + 0.01 or line[-1] in layout.NO_START
               for line in lines)
    assert not [line for line in lines[1:] if line[0] in layout.NO_START]
    assert not [line for line in lines[:-1] if line[-1] in layout.NO_END]


def test_a_body_line_holds_the_standard_number_of_characters():
    doc = OfficialDocument("测试")
    doc.use("serif", doc.spec.body_pt)
    text = "和" * 80
    lines = doc.wrap(text, doc.spec.area[0])
    assert len(lines[0]) == doc.spec.chars_per_line == 28


def test_a_long_latin_run_is_split_to_fit():
    doc = OfficialDocument("测试")
    doc.use("serif", doc.spec.body_pt)
    lines = doc.wrap("A" * 200, doc.spec.area[0])
    assert len(lines) > 1 and "".join(lines) == "A" * 200


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(datetime.date(2023, 5, 6)) == "2023年5月6日"


def test_layout_numbers_come_from_the_yaml():
    spec = layout.layout()
    assert spec.page == (210, 297) and (spec.top, spec.left) == (37, 28)
    assert spec.area == (156, 225) and spec.right == 26 and spec.bottom == 35
    assert spec.body_pt == 16 and spec.title_pt == 22 and spec.lines_per_page == 22
    assert re.fullmatch(r"gbt9704-v\d+", spec.version)


@pytest.mark.parametrize(("title", "lines"), [
    ("关于开展2026年度和谐劳动关系创建活动的倡议书",
     ["关于开展2026年度", "和谐劳动关系创建活动的倡议书"]),
    ("和谐劳动关系单位认定通知书", ["和谐劳动关系单位认定通知书"]),
])
def test_a_long_title_breaks_at_a_word_boundary(title, lines):
    doc = OfficialDocument("测试")
    doc.use("serif-bold", doc.spec.title_pt)
    assert doc.balanced(title, doc.spec.area[0]) == lines


# Real unit names of Zhejiang (public registers), chosen for characters of place names and
# trade names that are rare elsewhere.
REAL_NAMES = [
    "浙江吉利控股集团有限公司", "杭州娃哈哈集团有限公司", "万向集团公司", "浙江海亮股份有限公司",
    "宁波舟山港股份有限公司", "正泰集团股份有限公司", "中国绍兴黄酒集团有限公司",
    "巨化集团有限公司", "浙江中国小商品城集团股份有限公司", "浙江衢州鑫巨氟材料有限公司",
    "温州市瓯海区娄桥街道", "宁波市鄞州区", "嵊州市甘霖镇", "浙江嘉欣丝绸股份有限公司",
    "台州市椒江区", "丽水市莲都区碧湖镇", "浙江菲达环保科技股份有限公司",
    "浙江龙盛集团股份有限公司",
    "浙江晶盛机电股份有限公司", "浙江歌瑞新材料有限公司", "温州市鹿城区藤桥镇", "诸暨市璜山镇",
    "乐清市柳市镇", "浙江禾欣实业集团股份有限公司", "浙江婺州建设有限公司", "舟山市嵊泗县",
]


def test_real_unit_names_and_every_document_text_are_covered():
    from pathlib import Path

    import hexie.documents
    import hexie.printing

    covered = cmap(FACES["serif"])
    sources = "".join(p.read_text(encoding="utf-8")
                      for package in (hexie.documents, hexie.printing)
                      for p in Path(package.__file__).parent.rglob("*.py"))
    texts = "".join(REAL_NAMES) + "".join(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", sources))
    assert not sorted({c for c in texts if ord(c) not in covered})
