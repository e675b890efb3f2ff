"""Demo data: a closed satisfaction round with enough answers to feed the self-assessment, and
an open one a visitor can answer, and one worker's concern for the county office — made through
the services as a unit admin and workers would."""

import random

from . import services
from .models import SurveyRound


def load_demo_surveys(unit, admin, year, *, seed: int = 2023) -> dict:
    """For ``unit`` (an enterprise with its size and employees) and its ``admin``: round 1 of
    ``year`` answered by the minimum sample plus a few and closed; round 2 left open; one
    anonymous concern. Returns {"closed": round, "open": round, "open_tokens": [tokens of round
    2], "concern": risk signal} (the tokens exist in clear only here: print a few or drop
    them)."""
    rng = random.Random(seed)
    workforce = unit.employees or 0
    first = services.open_round(admin, unit, links=workforce, valid_days=14, year=year)
    rnd: SurveyRound = first.round
    wanted = min(workforce, rnd.minimum_sample + 12)
    for token in first.tokens[:wanted]:
        answers = {code: rng.choices([5, 4, 3, 2, 1], weights=[52, 40, 5, 2, 1])[0]
                   for code, _label in rnd.dimensions}
        comment = rng.choice(["", "", "", "希望食堂增加夜班餐。", "培训机会可以再多一些。"])
        services.submit_answer(token, answers, comment)
    closed = services.close_round(admin, rnd)
    second = services.open_round(admin, unit, links=workforce, valid_days=14, year=year)
    concern = services.submit_concern(unit, "working_hours",
                                      "旺季连续三周每天加班三小时以上，调休一直没有安排。")
    return {"closed": closed, "open": second.round, "open_tokens": second.tokens,
            "concern": concern}
