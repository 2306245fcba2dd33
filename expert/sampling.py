"""Random valid answers drawn from the questionnaire's own types, ranges and skip logic.

Used by the property-based tests (with a Random that hypothesis controls) and by the benchmark.
"""

from __future__ import annotations

import random
from typing import Any

from expert.questionnaire import Question, Questionnaire

# Upper ends for numbers that the questionnaire leaves open: wide, but inside what operators answer.
OPEN_MAX = {"integer": 5000, "number": 200.0}


def random_answers(questionnaire: Questionnaire, rng: random.Random | None = None,
                   skip_optional: float = 0.2) -> dict[str, Any]:
    """One complete, valid set of answers: every relevant question answered in order."""
    rng = rng or random.Random()
    values: dict[str, Any] = {}
    for question in questionnaire.questions.values():
        if not question.is_relevant(values):
            continue
        if not question.required and rng.random() < skip_optional:
            continue
        values[question.id] = _draw(question, values, rng)
    return values


def _draw(q: Question, values: dict[str, Any], rng: random.Random) -> Any:
    if q.type == "single":
        return rng.choice(q.choice_values)
    if q.type == "multiple":
        choices = q.choice_values
        low = q.min_choices or 0
        high = q.max_choices if q.max_choices is not None else len(choices)
        picked = rng.sample(choices, rng.randint(low, high))
        return [c for c in choices if c in picked]
    if q.type == "yesno":
        return rng.random() < 0.5
    if q.type == "scale":
        return rng.randint(1, 5)
    if q.type == "text":
        return rng.choice(["读书会", "城西跑团", "宝妈互助群", "Python 学习营", "茶友会"])
    lo, hi = q.bounds(values)
    lo = 0 if lo is None else lo
    hi = OPEN_MAX[q.type] if hi is None else hi
    hi = max(lo, hi)
    if q.type == "integer":
        lo, hi = int(-(-lo // 1)), int(hi // 1)
        # small numbers are where thresholds live: draw them more often
        if rng.random() < 0.5:
            hi = min(hi, lo + 30)
        return rng.randint(lo, max(lo, hi))
    return round(rng.uniform(lo, hi), 1)
