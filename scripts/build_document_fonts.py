"""Regenerate the CJK fonts the PDF documents embed (src/hexie/printing/fonts/).

Source: the Simplified Chinese faces of Debian's fonts-noto-cjk (Noto Serif CJK SC and Noto Sans
CJK SC, SIL OFL 1.1). Each face is taken out of its TrueType collection with fontTools and
subset to what official documents need:

* every character of GB 2312 (6,763 hanzi and its 682 symbols: CJK punctuation, full-width
  forms, numbered lists, Greek, Cyrillic, kana, box drawing …);
* printable ASCII, CJK Symbols and Punctuation (U+3000–303F), the Halfwidth and Fullwidth
  Forms (U+FF01–FFEF), general punctuation (U+2010–206F), circled and Roman numerals;
* every CJK character that appears in Hexie's sources (templates, messages, YAML data) and in
  the division names (src/hexie/regions/data/zhejiang_divisions.csv), and in extra-chars.txt
  (characters of real unit names found outside GB 2312 — add one there and re-run).

Layout features and hinting are dropped (fpdf2 draws glyphs by code point; PDF viewers hint).

    .venv/bin/python scripts/build_document_fonts.py [--source /usr/share/fonts/opentype/noto]
"""

import argparse
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "src" / "hexie" / "printing" / "fonts"
# output file -> (collection file, face name inside it)
FACES = {
    "NotoSerifCJKsc-Regular.otf": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "NotoSerifCJKsc-Bold.otf": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC Bold"),
    "NotoSansCJKsc-Regular.otf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "NotoSansCJKsc-Bold.otf": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC Bold"),
}
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def gb2312() -> set[int]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def ranges() -> set[int]:
    spans = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x206F), (0x2100, 0x218F),
             (0x2460, 0x24FF), (0x3000, 0x303F), (0xFF01, 0xFFEF)]
    return {c for lo, hi in spans for c in range(lo, hi + 1)}


def from_sources() -> set[int]:
    chars = set()
    paths = [p for pattern in ("*.py", "*.html", "*.yaml", "*.csv", "*.txt")
             for p in (ROOT / "src" / "hexie").rglob(pattern)]
    for path in paths:
        chars.update(ord(c) for c in CJK.findall(path.read_text(encoding="utf-8",
                                                                errors="ignore")))
    return chars


def wanted() -> set[int]:
    return gb2312() | ranges() | from_sources()


def build(source: Path) -> None:
    unicodes = sorted(wanted())
    FONTS.mkdir(parents=True, exist_ok=True)
    for out, (collection, face) in FACES.items():
        fonts = TTCollection(source / collection).fonts
        font = next(f for f in fonts if f["name"].getDebugName(4) == face)
        options = subset.Options()
        options.layout_features = []
        options.hinting = False
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "JSTF", "DSIG"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        font.save(FONTS / out)
        covered = len(set(unicodes) & set(font.getBestCmap()))
        size = (FONTS / out).stat().st_size
        print(f"{out}: {covered} characters, {size / 1e6:.2f} MB", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    build(parser.parse_args().source)
