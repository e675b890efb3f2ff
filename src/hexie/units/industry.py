"""GB/T 4754-2017 industry codes: a section letter, or a 2–4 digit code with optional letter."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

_DATA = Path(__file__).parent / "data" / "gbt4754_2017_sections.yaml"
_PATTERN = re.compile(r"^([A-T])?([0-9]{2,4})?$")


@cache
def sections() -> dict[str, dict]:
    with open(_DATA, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["sections"]


@cache
def _section_of_division() -> dict[int, str]:
    mapping = {}
    for letter, spec in sections().items():
        low, high = spec["divisions"]
        for d in range(low, high + 1):
            mapping[d] = letter
    return mapping


@dataclass(frozen=True)
class IndustryCode:
    section: str
    digits: str  # "" when only the section is known

    @property
    def code(self) -> str:
        return self.section + self.digits

    @property
    def label(self) -> str:
        return sections()[self.section]["name"]


class IndustryCodeError(ValueError):
    pass


@cache
def parse(raw: str) -> IndustryCode:
    """Parse ``C``, ``C13``, ``1311``, ``C1311`` …; raises IndustryCodeError with the reason."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().upper()
    match = _PATTERN.match(text)
    if not text or not match:
        raise IndustryCodeError("应为门类字母（如 C）或 2–4 位行业代码（如 C1311、7010）")
    letter, digits = match.group(1), match.group(2) or ""
    if digits:
        section = _section_of_division().get(int(digits[:2]))
        if section is None:
            raise IndustryCodeError(f"行业大类 {digits[:2]} 不存在")
        if letter and letter != section:
            raise IndustryCodeError(f"行业代码 {digits} 属于门类 {section}，不是 {letter}")
        return IndustryCode(section, digits)
    return IndustryCode(letter, "")
