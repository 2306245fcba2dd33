"""The document reads as an operator expects in both languages: one numbering, full-width colons,
English plurals that agree, no question's own remark quoted as a symptom, no step said twice."""

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.answers import validate_answers
from expert.sampling import random_answers

from conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
CJK = "\u4e00-\u9fff"


def zh_problems(text: str) -> list[str]:
    out = []
    if re.search(rf"[{CJK}「」（）][:：]?:|:[{CJK}「]", text):
        out.append("an ASCII colon beside Chinese")
    if re.search(r"[一二三四五六七八九十]\.\d", text):
        out.append("mixed numbering such as 一.1")
    if "可多选" in text:
        out.append("a question's own remark quoted as a symptom")
    if re.search(r"「「|」」", text):
        out.append("quotes inside quotes")
    return out


def en_problems(text: str) -> list[str]:
    out = []
    wrong = re.findall(r"(?<![\d.])1 (hours|people|members|times|topics|activities|leaders|persons|deliveries|"
                       r"followers|days)\b", text)
    if wrong:
        out.append(f"'1' with a plural: {wrong}")
    wrong = re.findall(r"(?<![\d.])(?:[02-9]|\d\d+) (hour|person|member|time|topic|activity|leader)\b(?! \w+ing)",
                       text)
    if wrong:
        out.append(f"a number above 1 with a singular: {wrong}")
    if "tick all that apply" in text:
        out.append("a question's own remark quoted as a symptom")
    return out


def paragraphs_run_together(text: str) -> list[str]:
    """Two lines of prose one after the other: Markdown joins them into one paragraph, so "留意：" or "Watch:"
    would read as the middle of what works. Every paragraph of a prescription stands apart; headings, table
    rows and list items may follow one another."""
    lines = text.splitlines()
    return [f"{a[:20]} / {b[:20]}" for a, b in zip(lines, lines[1:]) if _prose(a) and _prose(b)]


def _prose(line: str) -> bool:
    return bool(line) and not re.match(r"#|\||- |\d+\. ", line)


def steps_said_twice(text: str) -> list[str]:
    steps = re.findall(r"^\d+\. (.+?)(?:（治：|\(Treats: )", text, re.M)
    return [s for s in set(steps) if steps.count(s) > 1]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_every_example_reads_cleanly_in_both_languages(checkup, path):
    answers = checkup.read(path)
    zh = checkup.report(answers, "markdown", "zh").text
    en = checkup.report(answers, "markdown", "en").text
    assert zh_problems(zh) == []
    assert en_problems(en) == []
    assert steps_said_twice(zh) == [] and steps_said_twice(en) == []
    assert paragraphs_run_together(zh) == [] and paragraphs_run_together(en) == []
    assert "None" not in zh and "None" not in en


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False))
def test_any_valid_answers_read_cleanly_in_both_languages(checkup, rng: random.Random):
    kb = checkup.kb
    values = random_answers(kb.questionnaire, rng)
    answers = validate_answers({"answers": values, "date": "2026-11-24"}, kb.questionnaire, "random")
    zh = checkup.report(answers, "markdown", "zh").text
    en = checkup.report(answers, "markdown", "en").text
    assert zh_problems(zh) == [], values
    assert en_problems(en) == [], values
    assert steps_said_twice(zh) == [] and steps_said_twice(en) == []
    assert paragraphs_run_together(zh) == [] and paragraphs_run_together(en) == [], values


def test_a_label_holding_a_list_mark_reads_as_one_answer(checkup, kb):
    big_club = checkup.read(EXAMPLES / "big_club.yaml")
    values = {**big_club.values, "join_reasons": ["learning", "contacts"], "value_types": ["learning"],
              "attraction": ["content"]}
    answers = validate_answers({"answers": values}, kb.questionnaire, "case")
    assert "value_mismatch" in checkup.diagnose(answers).ids
    text = checkup.report(answers, "markdown", "zh").text
    # 想认识人、拓展人脉 is one option: each ticked option stands in its own quotes
    assert "「想学东西」、「想认识人、拓展人脉」" in text


def test_the_checks_in_these_helpers_catch_what_they_look_for():
    assert zh_problems("诊断:群主") and zh_problems("一.1 标题") and zh_problems("为什么进群？（可多选）")
    assert en_problems("about 1 hours a week") and en_problems("find 3 leader now")
    assert steps_said_twice("1. 做一件事。（治：甲）\n2. 做一件事。（治：乙）\n")
    assert paragraphs_run_together("做得好的：群主带头。\n留意：人手刚够。\n")
    assert not paragraphs_run_together("## 标题\n| a | b |\n| --- | --- |\n- 一条\n1. 一步\n2. 两步\n")
