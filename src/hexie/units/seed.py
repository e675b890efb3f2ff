"""A reproducible synthetic province for demos and benchmarks.

The same ``seed`` always yields the same rows: valid credit codes (unique per seed), real town
codes, and plausible kinds, industries and sizes. Rows come out in the import's raw vocabulary so
they go through the same validation and bulk path as a real file.
"""

import csv
import math
import random
from collections.abc import Iterator

from hexie.regions.codes import county_of, is_within

from . import credit_code as cc

# Industry codes with rough weights for Zhejiang (manufacturing-heavy).
_INDUSTRIES = [
    ("C1711", 6), ("C1810", 6), ("C2927", 5), ("C3311", 5), ("C3489", 6), ("C3874", 5),
    ("C3670", 4), ("C2641", 3), ("C1951", 3), ("C3919", 3), ("F5137", 6), ("F5212", 6),
    ("E4810", 4), ("E4990", 2), ("I6513", 4), ("I6421", 2), ("H6110", 2), ("H6210", 4),
    ("L7212", 3), ("M7320", 2), ("G5430", 2), ("G5910", 1), ("G6010", 1), ("K7010", 1),
    ("K7020", 2), ("O8010", 2), ("R8610", 1), ("N7820", 1), ("J6620", 1), ("A0111", 1),
]
_CODES = [c for c, _ in _INDUSTRIES]
_WEIGHTS = [w for _, w in _INDUSTRIES]
_SUFFIX = {
    "A": "农业", "C": "制造", "E": "建设", "F": "贸易", "G": "物流", "H": "餐饮", "I": "科技",
    "J": "投资", "K": "置业", "L": "商务", "M": "技术", "N": "环境", "O": "家政服务", "R": "文化",
}
_WORDS = list("华兴达盛鑫恒源泰和瑞丰宏昌隆安佳新力博创远诚信德海天宇通汇金银云星光明景成")
_BODY_SPACE = 31 ** 8
_STRIDE = 1_000_003  # prime, coprime to 31**8: n -> n*stride mod 31**8 is a bijection


def _body(n: int) -> str:
    chars = []
    for _ in range(8):
        n, r = divmod(n, 31)
        chars.append(cc.ALPHABET[r])
    return "".join(reversed(chars))


def synthetic_rows(count: int, seed: int, towns: list[tuple[str, str]],
                   region_prefix: str = "", taken_towns=frozenset()) -> Iterator[dict]:
    """``towns`` is [(code, name)] of town-level divisions; yields ``count`` raw unit rows.
    Towns in ``taken_towns`` are already registered as units and are not registered again."""
    rng = random.Random(seed)
    towns = sorted(t for t in towns if is_within(t[0], region_prefix))
    if not towns:
        raise ValueError(f"区划 {region_prefix} 下没有乡镇（街道）")
    offset = rng.randrange(_BODY_SPACE)
    free_towns = [t for t in towns if t[0] not in taken_towns]
    # A separate generator, so the main sequence (and the credit codes) do not depend on how
    # many towns are already taken: seeding the same seed twice collides and is refused.
    random.Random(seed + 1).shuffle(free_towns)
    year = 2026
    for n in range(count):
        town_code, town_name = towns[rng.randrange(len(towns))]
        roll = rng.random()
        words = "".join(rng.choice(_WORDS) for _ in range(2))
        if roll < 0.90 or (roll >= 0.985 and not free_towns):
            industry = rng.choices(_CODES, _WEIGHTS)[0]
            employees = max(1, int(math.exp(rng.gauss(3.2, 1.3))))
            per_head = rng.uniform(15, 150) * 10_000
            revenue = round(employees * per_head, 2)
            assets = round(revenue * rng.uniform(0.4, 2.5), 2)
            body = _body((n * _STRIDE + offset) % _BODY_SPACE)
            yield {
                "kind": "enterprise",
                "name": f"{town_name[:2]}{words}{_SUFFIX.get(industry[0], '实业')}有限公司",
                "credit_code": cc.make("91" + county_of(town_code), body),
                "region_code": town_code, "industry": industry, "employees": str(employees),
                "revenue_yuan": f"{revenue:.2f}", "assets_yuan": f"{assets:.2f}",
                "platform": "是" if rng.random() < 0.01 else "否",
            }
        elif roll < 0.96:
            start = f"{rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            end_year = int(start[:4]) + rng.randint(1, 3)
            yield {
                "kind": "construction_project", "name": f"{town_name}{words}项目工程",
                "project_code": f"{year}-{county_of(town_code)}-48-01-{n:07d}",
                "contractor_credit_code": cc.make("91" + county_of(town_code), _body(
                    (n * _STRIDE + offset + 7) % _BODY_SPACE)),
                "region_code": town_code, "start_date": start,
                "end_date": f"{end_year}{start[4:]}", "workers": str(rng.randint(20, 800)),
            }
        elif roll < 0.97:
            yield {"kind": "industrial_park", "name": f"{town_name[:2]}{words}工业园区",
                   "region_code": town_code}
        elif roll < 0.985:
            yield {"kind": "industry", "name": f"{town_name[:2]}{words}行业协会",
                   "industry": rng.choice(_CODES)[:3], "region_code": county_of(town_code)}
        else:
            code, name = free_towns.pop()
            yield {"kind": "town", "name": name, "region_code": code}


def write_csv(rows, path) -> int:
    from .validation import COLUMNS

    names = [n for n, _ in COLUMNS]
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for row in rows:
            writer.writerow([row.get(n, "") for n in names])
            count += 1
    return count
