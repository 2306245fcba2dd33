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
    assert "enterprise, personal" in problems["kind"].message
    assert "perks, content" in problems["attraction"].message
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
