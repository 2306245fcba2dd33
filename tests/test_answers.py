"""Answers files: every problem listed at once, with the file, the question and what was expected."""

import pytest

from expert.answers import Answers, read_answers, write_answers
from expert.errors import AnswersError
from expert.knowledge import load_knowledge_base

from conftest import write_tree


@pytest.fixture
def questionnaire(mini_kb):
    return load_knowledge_base(mini_kb).questionnaire


def answers_file(tmp_path, body: str):
    return write_tree(tmp_path, {"a.yaml": body}) / "a.yaml"


GOOD = """
    questionnaire: mini
    version: 1
    date: 2026-11-24
    answers:
      community_name: 城西跑团
      members: 300
      leaders: 3
      kind: personal
      attraction: [content, perks]
      by_sales: false
"""


def test_a_good_file_is_read_and_normalised(tmp_path, questionnaire):
    answers = read_answers(answers_file(tmp_path, GOOD), questionnaire)
    assert answers.values["attraction"] == ["perks", "content"]  # questionnaire order
    assert answers.name == "城西跑团"
    assert answers.date.isoformat() == "2026-11-24"


def test_every_problem_is_listed_in_one_message(tmp_path, questionnaire):
    path = answers_file(tmp_path, """
        questionnaire: mini
        version: 1
        answers:
          community_name: 城西跑团
          members: 三百
          leaders: 400
          kind: shop
          attraction: [perks, gifts]
          by_sale: true
    """)
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire)
    problems = {p.subject: p for p in info.value.problems}
    assert set(problems) == {"members", "kind", "attraction", "by_sale", "by_sales"}
    assert "应为整数" in problems["members"].message
    assert "enterprise「企业」、personal「个人」" in problems["kind"].message
    assert "perks「福利」、content「内容」" in problems["attraction"].message
    assert "'by_sales'" in problems["by_sale"].message  # did you mean
    assert problems["by_sale"].line == 9
    assert "必答题没有回答" in problems["by_sales"].message
    assert str(path) in str(info.value)


def test_cross_field_bound_names_the_other_answer(tmp_path, questionnaire):
    path = answers_file(tmp_path, GOOD.replace("leaders: 3", "leaders: 301"))
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire)
    [problem] = info.value.problems
    assert problem.subject == "leaders"
    assert "不能大于 300（人数）" in problem.message


def test_english_messages_on_request(tmp_path, questionnaire):
    from expert.answers import validate_answers

    with pytest.raises(AnswersError) as info:
        validate_answers({"answers": {"members": 0}}, questionnaire, "x.yaml", lang="en")
    messages = " | ".join(p.message for p in info.value.problems)
    assert "must be at least 1" in messages
    assert "required question not answered" in messages


def test_an_answer_to_a_skipped_question_is_ignored_with_a_note(tmp_path, questionnaire):
    path = answers_file(tmp_path, GOOD + "      key_share: 40\n")
    answers = read_answers(path, questionnaire)
    assert "key_share" not in answers.values
    assert [n.subject for n in answers.notes] == ["key_share"]


def test_another_questionnaire_version_is_refused_clearly(tmp_path, questionnaire):
    with pytest.raises(AnswersError) as info:
        read_answers(answers_file(tmp_path, GOOD.replace("version: 1", "version: 0")), questionnaire)
    assert "第 0 版" in info.value.problems[0].message


def test_yaml_syntax_error_gives_file_line_column(tmp_path, questionnaire):
    path = answers_file(tmp_path, "answers:\n  members: [300\n  leaders: 3\n")
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire)
    assert info.value.problems[0].where.startswith(f"{path}:3:")


def test_written_answers_read_back_the_same(tmp_path, questionnaire):
    original = read_answers(answers_file(tmp_path, GOOD), questionnaire)
    out = tmp_path / "out.yaml"
    write_answers(out, original)
    again = read_answers(out, questionnaire)
    assert again.values == original.values and again.date == original.date
    assert "城西跑团" in out.read_text(encoding="utf-8")  # readable Chinese, not escapes
    assert list(tmp_path.glob(".out.yaml.*")) == []  # no temporary file left behind


def test_written_answers_put_one_answer_on_each_line(tmp_path, questionnaire):
    out = tmp_path / "out.yaml"
    # the first answers of an interview: only plain values, which YAML would happily put on one line
    write_answers(out, Answers("mini", 1, {"community_name": "城西跑团", "members": 300}))
    lines = out.read_text(encoding="utf-8").splitlines()
    start = lines.index("answers:") + 1
    body = [line for line in lines[start:] if line.startswith("  ")]
    assert len(body) == 2
    assert all(": " in line and "{" not in line for line in body)


def test_a_half_finished_file_reads_only_when_asked_to(tmp_path, questionnaire):
    path = answers_file(tmp_path, "questionnaire: mini\nversion: 1\nanswers:\n  members: 300\n  leaders: 900\n")
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire, complete=False)
    assert [p.subject for p in info.value.problems] == ["leaders"]  # a wrong answer is still wrong
    path.write_text("questionnaire: mini\nversion: 1\nanswers:\n  members: 300\n", encoding="utf-8")
    assert read_answers(path, questionnaire, complete=False).values == {"members": 300}
    with pytest.raises(AnswersError):
        read_answers(path, questionnaire)


# ---------------------------------------------------------------------------- written the way people write


def test_yes_no_and_choice_labels_read_as_the_batch_csv_reads_them(tmp_path, questionnaire):
    path = answers_file(tmp_path, GOOD.replace("kind: personal", "kind: 个人").replace("by_sales: false", "by_sales: 否"))
    answers = read_answers(path, questionnaire)
    assert (answers.values["kind"], answers.values["by_sales"]) == ("personal", False)


@pytest.mark.parametrize("written, meant", [("是", True), ("yes", True), ("TRUE", True), ("y", True), (1, True),
                                            ("是的", True), ("有的", True), ("不是的", False), ("不", False),
                                            ("没有", False), ("No", False), ("0", False), (0, False)])
def test_every_spelling_of_yes_and_no_of_the_csv_reads_in_an_answers_file(written, meant, questionnaire):
    from expert.answers import validate_answers

    values = validate_answers({"answers": {**_good_values(), "by_sales": written}}, questionnaire, "x").values
    assert values["by_sales"] is meant


def _good_values() -> dict:
    return {"community_name": "城西跑团", "members": 300, "leaders": 3, "kind": "personal",
            "attraction": ["content", "perks"], "by_sales": False}


@pytest.mark.parametrize("written", ["[福利，内容]", "[Perks、 Content]", "福利，内容", "'perks, content'", "福利;内容",
                                     "[福利，content]"])
def test_multiple_choices_separated_by_full_width_commas_or_labels(written, tmp_path, questionnaire):
    path = answers_file(tmp_path, GOOD.replace("attraction: [content, perks]", f"attraction: {written}"))
    assert read_answers(path, questionnaire).values["attraction"] == ["perks", "content"]


def test_a_label_holding_commas_is_one_option_not_several():
    from expert.coercion import coerce
    from expert.questionnaire import Choice, Question
    from expert.schema import LocalText

    q = Question("gifts", "multiple", LocalText(zh="?"), LocalText(zh="?"), choices=[
        Choice("perks", LocalText(zh="优惠、折扣、赠品", en="Perks (discounts, samples)")),
        Choice("content", LocalText(zh="干货内容、分享", en="Content"))])
    assert coerce(q, "优惠、折扣、赠品，干货内容、分享") == ["perks", "content"]
    assert coerce(q, ["Perks (discounts, samples), content"]) == ["perks", "content"]
    assert coerce(q, "优惠、礼物") == ["优惠、礼物"]  # names no option: refused as written


@pytest.mark.parametrize("field, written, lang, message", [
    ("kind", "persnal", "zh", "应为以下之一：enterprise「企业」、personal「个人」，实际是 'persnal'（是不是 'personal'？）"),
    ("kind", "Persnal", "en",
     "expected one of: enterprise “Enterprise”, personal “Personal”, got 'Persnal' (did you mean 'personal'?)"),
    ("attraction", ["perks", "contnet"], "en",
     "expected a list of: perks “Perks”, content “Content”, got ['perks', 'contnet'] (did you mean 'content'?)"),
    ("by_sales", "ture", "en", "expected yes or no (true/false), got 'ture' (did you mean 'true'?)"),
    ("kind", "shop", "en", "expected one of: enterprise “Enterprise”, personal “Personal”, got 'shop'"),  # nothing close: no guess
])
def test_a_value_close_to_a_valid_one_is_suggested(field, written, lang, message, questionnaire):
    from expert.answers import validate_answers

    with pytest.raises(AnswersError) as info:
        validate_answers({"answers": {**_good_values(), field: written}}, questionnaire, "x.yaml", lang)
    [problem] = info.value.problems
    assert (problem.subject, problem.message) == (field, message)


# ---------------------------------------------------------------------------- an interview left half-way


def test_a_half_finished_file_is_called_unfinished_with_the_resume_command(tmp_path, questionnaire):
    path = answers_file(tmp_path, "questionnaire: mini\nversion: 1\nanswers:\n  community_name: 城西跑团\n")
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire)
    assert str(info.value) == (f"答卷 {path} 还没答完：还有 5 道必答题没有回答，从「人数」起。\n"
                               f"接着答：shequn interview --answers {path} --resume")


def test_an_unfinished_file_with_a_space_in_its_name_gets_a_command_that_works(tmp_path, questionnaire):
    path = write_tree(tmp_path, {"城西 跑团.yaml": "questionnaire: mini\nversion: 1\nanswers:\n  members: 300\n"})
    with pytest.raises(AnswersError) as info:
        read_answers(path / "城西 跑团.yaml", questionnaire, "城西 跑团.yaml")
    assert str(info.value).endswith("--answers '" + str(path / "城西 跑团.yaml") + "' --resume")


def test_an_unfinished_file_with_a_wrong_answer_lists_the_wrong_answer_and_counts_the_rest(tmp_path, questionnaire):
    path = answers_file(tmp_path, "questionnaire: mini\nversion: 1\nanswers:\n  community_name: 城西跑团\n  members: 0\n")
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire)
    assert [(p.subject, p.message) for p in info.value.problems] == [
        ("members", "不能小于 1"), ("leaders", "还有 4 道必答题没有回答，从「领袖人数」起")]


def test_one_required_answer_missing_among_other_problems_is_named(tmp_path, questionnaire):
    path = answers_file(tmp_path, GOOD.replace("      by_sales: false\n", "").replace("members: 300", "members: 0"))
    with pytest.raises(AnswersError) as info:
        read_answers(path, questionnaire)
    assert [p.message for p in info.value.problems][-1] == "必答题没有回答：按销量看人"


def test_a_batch_row_still_names_each_missing_answer(questionnaire):
    from expert.answers import validate_answers

    with pytest.raises(AnswersError) as info:
        validate_answers({"answers": {"community_name": "城西跑团"}}, questionnaire, "input.csv:2")
    assert len(info.value.problems) == 5 and "还没答完" not in str(info.value)


def _builtin_example_with(kb, tmp_path, **answers):
    """examples/big_club.yaml with some answers changed (None: written as null)."""
    from expert.yamlio import dump_yaml, parse_yaml
    from conftest import EXAMPLES

    doc = parse_yaml((EXAMPLES / "big_club.yaml").read_text(encoding="utf-8"), "big_club.yaml")
    doc = {k: v for k, v in doc.items() if k not in ("expect", "story")}
    doc["answers"] = {**doc["answers"], **answers}
    path = tmp_path / "a.yaml"
    path.write_text(dump_yaml(doc), encoding="utf-8")
    return path


def test_an_optional_question_left_empty_is_null_and_diagnose_reads_it_as_unanswered(kb, tmp_path):
    answers = read_answers(_builtin_example_with(kb, tmp_path, ip_followers=None), kb.questionnaire)
    assert "ip_followers" not in answers.values
    assert answers.empty == ("ip_followers",)
    out = tmp_path / "out.yaml"
    write_answers(out, answers, kb.questionnaire)
    text = out.read_text(encoding="utf-8")
    assert "  ip_followers: null\n" in text
    # written where the question is asked, between its neighbours
    assert text.index("ip_identification:") < text.index("ip_followers: null") < text.index("who_left:")
    assert read_answers(out, kb.questionnaire).empty == ("ip_followers",)


def test_a_required_question_cannot_be_left_empty_with_null(kb, tmp_path):
    with pytest.raises(AnswersError) as info:
        read_answers(_builtin_example_with(kb, tmp_path, members=None), kb.questionnaire)
    assert [p.subject for p in info.value.problems] == ["members"]
    half = read_answers(_builtin_example_with(kb, tmp_path, members=None), kb.questionnaire, complete=False)
    assert half.empty == ()  # not "left empty": still to be answered


def test_the_answers_schema_takes_null_for_optional_questions_only(kb):
    import jsonschema

    from expert.schemas import answers_schema

    schema = answers_schema(kb.questionnaire)
    jsonschema.validate({"answers": {"ip_followers": None}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"answers": {"members": None}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"answers": {"community_name": "群" * 101}}, schema)


def test_a_text_answer_is_one_line_and_no_longer_than_its_question_allows(kb, tmp_path):
    pasted = "城西跑团\n二队\r\n\n  周末组\x1b[31m"
    answers = read_answers(_builtin_example_with(kb, tmp_path, community_name=pasted), kb.questionnaire)
    assert answers.name == "城西跑团 二队 周末组[31m"
    with pytest.raises(AnswersError) as info:
        read_answers(_builtin_example_with(kb, tmp_path, community_name="群" * 101), kb.questionnaire)
    assert info.value.problems[0].message == "太长了：最多 100 个字，这里有 101 个"


def test_a_bound_over_another_answer_is_named_by_its_short_label(kb, tmp_path):
    path = _builtin_example_with(kb, tmp_path, community_kind="enterprise", share_key_accounts=60,
                                 share_heavy_buyers=50, key_account_revenue=None, key_account_privilege=False)
    with pytest.raises(AnswersError) as info:
        read_answers(path, kb.questionnaire)
    messages = [p.message for p in info.value.problems if p.subject == "share_heavy_buyers"]
    assert messages == ["不能大于 40（100 - 大客户占比）"]


@pytest.mark.parametrize("written, meant", [("300人", 300), ("１２０", 120), ("1,000", 1000), (" 45 ", 45)])
def test_a_number_written_as_people_type_it_reads_as_the_interview_reads_it(written, meant, kb, tmp_path):
    answers = read_answers(_builtin_example_with(kb, tmp_path, members=written, active_7d=10), kb.questionnaire)
    assert answers.values["members"] == meant


@pytest.mark.parametrize("written", ["1e2", "1_000", "3,5", "三百"])
def test_a_number_the_interview_refuses_is_refused_in_an_answers_file_too(written, kb, tmp_path):
    with pytest.raises(AnswersError) as info:
        read_answers(_builtin_example_with(kb, tmp_path, members=written, active_7d=10), kb.questionnaire)
    assert [p.subject for p in info.value.problems] == ["members"]


@pytest.mark.parametrize("written", ["3", " 3 ", "３", "有一批固定的关注者"])
def test_a_scale_point_written_as_text_reads_as_the_csv_reads_it(written, kb, tmp_path):
    answers = read_answers(_builtin_example_with(kb, tmp_path, ip_pull=written), kb.questionnaire)
    assert answers.values["ip_pull"] == 3


def test_a_short_name_of_one_option_gets_a_did_you_mean(kb, tmp_path):
    with pytest.raises(AnswersError) as info:
        read_answers(_builtin_example_with(kb, tmp_path, community_type="兴趣"), kb.questionnaire)
    assert info.value.problems[0].message.endswith("实际是 '兴趣'（是不是 'interest'？）")


def test_a_bound_named_in_an_english_message_is_named_in_english(kb, tmp_path):
    from expert.messages import set_language

    path = _builtin_example_with(kb, tmp_path, members=300, active_7d=1000)
    set_language("en")  # --lang en or SHEQUN_LANG=en, with an answers file that says nothing of its language
    with pytest.raises(AnswersError) as info:
        read_answers(path, kb.questionnaire)
    assert [p.message for p in info.value.problems] == ["must be at most 300 (number of members)"]


def test_an_answer_checked_before_is_told_apart_from_an_equal_one_of_another_type(questionnaire):
    # answers already checked are remembered (batch reads thousands): True is not 1, 1.0 is not 1
    from expert.answers import validate_answers

    base = {"community_name": "城西跑团", "members": 300, "leaders": 3, "kind": "personal",
            "attraction": ["content"], "by_sales": False}
    assert validate_answers({"answers": {**base, "members": 1, "leaders": 0}}, questionnaire, "a").values["members"] == 1
    with pytest.raises(AnswersError, match="整数"):
        validate_answers({"answers": {**base, "members": True, "leaders": 0}}, questionnaire, "b")
    first = validate_answers({"answers": {**base, "attraction": ["perks", "content"]}}, questionnaire, "c")
    ticked = list(first.values["attraction"])
    first.values["attraction"].append("changed")  # a caller's change must not reach the next row
    again = validate_answers({"answers": {**base, "attraction": ["perks", "content"]}}, questionnaire, "d")
    assert again.values["attraction"] == ticked


def straightforward_values(raw, questionnaire, lang=None):
    """check_values as the rules say it, without a shortcut: every answer coerced and validated afresh."""
    from expert.answers import is_blank
    from expert.coercion import coerce, suggestion

    values, problems, notes = {}, [], []
    for q in questionnaire.questions.values():
        given = raw.get(q.id)
        if not q.is_relevant(values):
            if given is not None:
                notes.append(q.id)
            continue
        if is_blank(given):
            if q.required and not (q.type == "multiple" and given == [] and not q.min_choices):
                problems.append((q.id, "missing"))
            if q.type == "multiple" and given == []:
                values[q.id] = []
            continue
        try:
            values[q.id] = q.validate(coerce(q, given), values, lang)
        except ValueError as exc:
            problems.append((q.id, str(exc) + suggestion(q, given, lang)))
    return values, problems, notes


def odd_answer(q, value, rng):
    """An answer as it may arrive from a file or a row: right, out of bounds, of another type, or blank."""
    pick = rng.random()
    if pick < 0.97 or value is None:
        return value
    if q.type in ("integer", "number", "scale") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return rng.choice([value + 10 ** rng.randrange(5), -value - 1, float(value), value + 0.5, str(value), True,
                           float("inf"), float("nan"), 0, 10 ** 6, None, " ", [value]])
    return rng.choice([None, "", " ", [], True, 1, 1.0, "x", [value], {"a": 1}, str(value), value])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_answers_taken_by_a_shortcut_are_checked_as_each_one_afresh(kb, seed):
    # check_values takes numbers within bounds as they are and remembers other answers it has checked; every
    # answer must come out as checking it afresh gives, the refused ones with the same message
    import random

    from expert.answers import _CHECKS, check_values
    from expert.sampling import random_answers

    questionnaire = kb.questionnaire
    rng = random.Random(seed)
    sets = []
    for _ in range(400):
        values = random_answers(questionnaire, rng)
        sets.append({qid: odd_answer(q, values.get(qid), rng) for qid, q in questionnaire.questions.items()})
    sets += sets[:100]  # again, now remembered
    _CHECKS.clear()
    compared = refused = 0
    for raw in sets:
        problems = []
        values, notes = check_values(raw, questionnaire, None, lambda m, k: problems.append((k, m)), "row",
                                     missing=(missing := []))
        problems = [(qid, "missing") for qid in missing] + problems
        expected_values, expected_problems, expected_notes = straightforward_values(raw, questionnaire)
        assert (values, sorted(problems), [n.subject for n in notes]) == \
            (expected_values, sorted(expected_problems), expected_notes)
        assert all(type(values[k]) is type(expected_values[k]) for k in values)
        compared += 1
        refused += bool(problems)
    assert refused > 50 and compared - refused > 20
