"""The interview's prompts, driven by keystrokes through prompt_toolkit's pipe input."""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from wcwidth import wcswidth

from expert.answers import read_answers
from expert.errors import AnswersError, Interrupted, UsageError
from expert.interview import Interview, read_for_resume, run_interview, verdict_table
from expert.knowledge import load_knowledge_base
from expert.questionnaire import build_questionnaire
from expert.yamlio import parse_yaml

from conftest import ROOT, write_tree

DOWN, UP, ENTER, SPACE, CLEAR = "\x1b[B", "\x1b[A", "\r", " ", "\x15"  # Ctrl-U empties the line

# every question type, optional questions, a unit, scale labels, a cross-field bound and skip logic
ALL_TYPES = """
    id: types
    version: 3
    languages: [zh, en]
    title: {zh: 题型, en: Types}
    sections:
      - id: opening
        title: {zh: 开场, en: Opening}
        questions:
          - id: community_name
            type: text
            text: {zh: 群名, en: Name}
            help: {zh: 称呼它, en: To address it}
          - id: nickname
            type: text
            required: false
            text: {zh: 昵称, en: Nickname}
            help: {zh: 可不填, en: Optional}
          - id: members
            type: integer
            text: {zh: 人数, en: Members}
            label: {zh: 群人数, en: number of members}
            help: {zh: 规模决定需要几位领袖, en: Size sets the leaders needed}
            min: 1
            max: 100000
            unit: {zh: 人, en: people}
          - id: leaders
            type: integer
            text: {zh: 领袖人数, en: Leaders}
            help: {zh: 1990法则, en: The 1990 rule}
            min: 0
            max: members
            default: 0
      - id: value
        check: value
        title: {zh: 自检五：价值输出能不能持续？, en: "Check 5: Is value sustained?"}
        questions:
          - id: kind
            type: single
            text: {zh: 类型, en: Kind}
            help: {zh: 企业群不同, en: Enterprise groups differ}
            choices:
              - {value: enterprise, label: {zh: 企业, en: Enterprise}}
              - {value: personal, label: {zh: 个人, en: Personal}}
          - id: key_share
            type: number
            text: {zh: 大客户占比, en: Key-account share}
            help: {zh: 大客户, en: Key accounts}
            ask_if: kind == enterprise
            min: 0
            max: 100
            unit: {zh: "%", en: "%"}
          - id: attraction
            type: multiple
            text: {zh: 怎么吸引人, en: How members are attracted}
            help: {zh: 情感链, en: Bonds}
            min_choices: 1
            choices:
              - {value: perks, label: {zh: 福利, en: Perks}}
              - {value: content, label: {zh: 内容, en: Content}}
          - id: by_sales
            type: yesno
            text: {zh: 按销量看人, en: Valued by sales}
            help: {zh: 顾客不是粉丝, en: Customers are not fans}
          - id: mood
            type: scale
            required: false
            text: {zh: 群里气氛, en: Mood}
            help: {zh: 一到五, en: One to five}
            labels: {1: {zh: 冷清, en: cold}, 5: {zh: 热闹, en: lively}}
"""


@pytest.fixture
def questionnaire():
    problems: list = []
    q = build_questionnaire(parse_yaml(textwrap.dedent(ALL_TYPES), "types.yaml"), "types.yaml", problems)
    assert q is not None, problems
    return q


def ask(questionnaire, tmp_path, keys: str, lang: str = "zh", resumed=None, path=None):
    """Run an interview on these keystrokes; returns (interview, echoed text, answers or the Interrupted)."""
    echo = io.StringIO()
    path = path or tmp_path / "answers.yaml"
    with create_pipe_input() as keyboard:
        keyboard.send_text(keys)
        keyboard.close()  # when the keys run out the prompt sees the end of input, as on Ctrl-D
        interview = Interview(questionnaire, lang, path, resumed=resumed, input=keyboard, output=DummyOutput(),
                              echo=echo, continue_command="shequn interview --resume")
        try:
            result = interview.run()
        except Interrupted as exc:
            result = exc
    return interview, echo.getvalue(), result


STRAIGHT = (
    "城西跑团" + ENTER          # text
    + ENTER                    # optional text left empty
    + "480" + ENTER            # integer
    + CLEAR + "2" + ENTER      # integer, pre-filled with its default 0
    + ENTER                    # single: the first choice, enterprise
    + "30" + ENTER             # number, asked because of enterprise
    + SPACE + ENTER            # multiple: tick the first
    + DOWN + ENTER             # yes/no: no
    + DOWN + DOWN + ENTER      # scale: 3
)
STRAIGHT_VALUES = {"community_name": "城西跑团", "members": 480, "leaders": 2, "kind": "enterprise",
                   "key_share": 30, "attraction": ["perks"], "by_sales": False, "mood": 3}


def test_every_question_type_is_asked_and_answered(questionnaire, tmp_path):
    _, said, answers = ask(questionnaire, tmp_path, STRAIGHT)
    assert answers.values == STRAIGHT_VALUES
    assert "【开场】" in said and "【自检五：价值输出能不能持续？】" in said
    assert "✓ 按销量看人  否" in said and "✓ 怎么吸引人  「福利」" in said


def test_the_answers_file_is_what_diagnose_reads(questionnaire, tmp_path):
    ask(questionnaire, tmp_path, STRAIGHT)
    answers = read_answers(tmp_path / "answers.yaml", questionnaire)
    assert answers.values == STRAIGHT_VALUES
    assert (answers.questionnaire, answers.version, answers.lang) == ("types", 3, "zh")


def test_each_answer_is_saved_before_the_next_question(questionnaire, tmp_path):
    _, _, result = ask(questionnaire, tmp_path, "城西跑团" + ENTER + ENTER + "480" + ENTER + CLEAR + "2")
    assert isinstance(result, Interrupted) and result.exit_code == 130
    assert "已保存 2 个回答到" in result.message and "shequn interview --resume" in result.message
    saved = parse_yaml((tmp_path / "answers.yaml").read_text(encoding="utf-8"), "answers.yaml")
    # the nickname was asked and left empty (null); "2" was never confirmed
    assert saved["answers"] == {"community_name": "城西跑团", "nickname": None, "members": 480}
    assert (saved["questionnaire"], saved["version"]) == ("types", 3)


def test_ctrl_c_while_an_answer_is_saved_waits_for_it_whichever_thread_the_kernel_hands_it(questionnaire, tmp_path,
                                                                                             monkeypatch):
    # the process has another thread (a library's executor, say); the signal reaches that one mid-save
    import expert.interview

    real = expert.interview.write_answers
    saves = []
    done = threading.Event()
    other = threading.Thread(target=done.wait, daemon=True)

    def interrupted_mid_save(path, answers, questionnaire):
        saves.append(dict(answers.values))
        if len(saves) == 3:
            signal.pthread_kill(other.ident, signal.SIGINT)
            time.sleep(0.01)  # the GIL changes hands, as in a write: where Python runs a handler another thread got
        real(path, answers, questionnaire)

    monkeypatch.setattr(expert.interview, "write_answers", interrupted_mid_save)
    other.start()
    try:
        _, _, result = ask(questionnaire, tmp_path, STRAIGHT)
    finally:
        done.set()
        other.join()
    assert isinstance(result, Interrupted) and result.exit_code == 130
    saved = parse_yaml((tmp_path / "answers.yaml").read_text(encoding="utf-8"), "answers.yaml")
    # the third answer (members, after one left empty) saved whole, then the stop
    assert len(saves) == 3 and saves[2] == {"community_name": "城西跑团", "members": 480}
    assert saved["answers"] == {"community_name": "城西跑团", "nickname": None, "members": 480}


def test_nothing_answered_nothing_saved(questionnaire, tmp_path):
    _, _, result = ask(questionnaire, tmp_path, "")
    assert isinstance(result, Interrupted)
    assert "还没有回答任何题目" in result.message
    assert not (tmp_path / "answers.yaml").exists()


def test_a_number_out_of_range_is_refused_on_the_prompt(questionnaire, tmp_path):
    interview, _, _ = ask(questionnaire, tmp_path, "")
    members = questionnaire.questions["members"]
    assert interview.check_typed(members, "0") == "不能小于 1"
    assert interview.check_typed(members, "abc") == "看不懂“abc”：请只填数字，例如 300 或 1,000"
    assert interview.check_typed(members, "480") is True
    interview, _, _ = ask(questionnaire, tmp_path, "名" + ENTER + ENTER + "0" + ENTER + CLEAR + "480" + ENTER)
    assert interview.values["members"] == 480  # the refused 0 left the prompt open


def test_leaders_cannot_outnumber_members(questionnaire, tmp_path):
    interview, _, _ = ask(questionnaire, tmp_path, "名" + ENTER + ENTER + "480" + ENTER)
    assert interview.check_typed(questionnaire.questions["leaders"], "500") == "不能大于 480（群人数）"
    interview.lang = "en"
    assert interview.check_typed(questionnaire.questions["leaders"], "500") == "must be at most 480 (number of members)"


def test_a_required_answer_cannot_be_left_empty_but_an_optional_one_can(questionnaire, tmp_path):
    interview, _, _ = ask(questionnaire, tmp_path, "")
    assert interview.check_typed(questionnaire.questions["community_name"], "  ") == "这一题必须回答"
    assert interview.check_typed(questionnaire.questions["nickname"], "") is True
    interview, _, _ = ask(questionnaire, tmp_path, ENTER + "城西跑团" + ENTER + ENTER)
    assert interview.values == {"community_name": "城西跑团"}  # the nickname stayed unanswered


def test_numbers_typed_with_a_chinese_input_method_are_understood(questionnaire, tmp_path):
    interview, _, _ = ask(questionnaire, tmp_path, "名" + ENTER + ENTER + "４８０人" + ENTER + CLEAR + "１２" + ENTER)
    assert interview.values["members"] == 480
    assert interview.values["leaders"] == 12


def test_too_few_ticks_are_refused_in_the_list(questionnaire, tmp_path):
    interview, _, _ = ask(questionnaire, tmp_path, "")
    attraction = questionnaire.questions["attraction"]
    assert interview.check_ticked(attraction, []) == "至少选 1 项"
    assert interview.check_ticked(attraction, ["content"]) is True


def test_skip_logic_leaves_out_questions_and_progress_follows(questionnaire, tmp_path):
    keys = "名" + ENTER + ENTER + "480" + ENTER + ENTER + DOWN + ENTER  # personal
    interview, _, _ = ask(questionnaire, tmp_path, keys)
    assert interview.values["kind"] == "personal"
    attraction = questionnaire.questions["attraction"]
    assert interview.progress(attraction) == "[第 6/8 题 · 第 2/2 部分]"
    interview.values["kind"] = "enterprise"
    assert interview.progress(attraction) == "[第 7/9 题 · 第 2/2 部分]"
    del interview.values["kind"]
    kind = questionnaire.questions["kind"]
    assert interview.progress(kind) == "[第 5/约 9 题 · 第 2/2 部分]"  # key_share may still come
    _, _, personal = ask(questionnaire, tmp_path, keys + SPACE + ENTER + ENTER + ENTER, path=tmp_path / "p.yaml")
    assert "key_share" not in personal.values


def test_question_mark_shows_why_the_question_is_asked(questionnaire, tmp_path):
    interview, said, _ = ask(questionnaire, tmp_path, "?" + ENTER + "城西跑团" + ENTER + "？" + ENTER + ENTER)
    assert said.count("为什么问：称呼它") == 1 and "为什么问：可不填" in said  # full-width ？ works too
    assert interview.values == {"community_name": "城西跑团"}


def test_why_entry_in_a_choice_list_shows_the_help_and_asks_again(questionnaire, tmp_path):
    to_kind = "名" + ENTER + ENTER + "480" + ENTER + ENTER
    # kind: enterprise, personal, (separator), why, back
    interview, said, _ = ask(questionnaire, tmp_path, to_kind + DOWN + DOWN + ENTER + DOWN + ENTER)
    assert "为什么问：企业群不同" in said
    assert interview.values["kind"] == "personal"


def test_why_entry_in_a_checkbox_keeps_the_ticks(questionnaire, tmp_path):
    to_attraction = "名" + ENTER + ENTER + "480" + ENTER + ENTER + DOWN + ENTER
    # attraction: perks, content, (separator), why, back
    keys = to_attraction + DOWN + SPACE + DOWN + SPACE + ENTER + ENTER
    interview, said, _ = ask(questionnaire, tmp_path, keys)
    assert "为什么问：情感链" in said
    assert interview.values["attraction"] == ["content"]


def test_angle_bracket_goes_back_with_the_previous_answer_filled_in(questionnaire, tmp_path):
    keys = "名" + ENTER + ENTER + "480" + ENTER + CLEAR + "<" + ENTER + ENTER + CLEAR + "3" + ENTER
    interview, said, _ = ask(questionnaire, tmp_path, keys)
    assert said.count("✓ 人数  480 人") == 2  # asked again, Enter kept the answer
    assert interview.values["members"] == 480 and interview.values["leaders"] == 3


def test_going_back_further_and_changing_an_answer(questionnaire, tmp_path):
    keys = ("名" + ENTER + ENTER + "480" + ENTER + CLEAR + "2" + ENTER
            + UP + ENTER                                       # kind: the last entry is the way back
            + CLEAR + "<" + ENTER + CLEAR + "<" + ENTER + "《" + ENTER   # leaders, members, nickname, name
            + CLEAR + "城东跑团" + ENTER + ENTER + ENTER + ENTER)
    interview, said, _ = ask(questionnaire, tmp_path, keys)
    assert interview.values == {"community_name": "城东跑团", "members": 480, "leaders": 2}
    assert said.count("【开场】") == 2  # the heading shows again on the way back into the part


def test_there_is_no_way_back_from_the_first_question(questionnaire, tmp_path):
    interview, _, _ = ask(questionnaire, tmp_path, "<" + ENTER + CLEAR + "名" + ENTER)
    assert interview.check_typed(questionnaire.questions["community_name"], "<", first=True) == "这已经是第一题了"
    assert interview.values == {"community_name": "名"}


def test_a_change_drops_the_answers_it_makes_irrelevant(questionnaire, tmp_path):
    to_kind = "名" + ENTER + ENTER + "480" + ENTER + ENTER
    # enterprise, share 30, then at attraction: back (perks, content, sep, why, back) twice, to kind
    keys = (to_kind + ENTER + "30" + ENTER + UP + ENTER + CLEAR + "<" + ENTER
            + DOWN + ENTER)                                    # personal
    interview, said, result = ask(questionnaire, tmp_path, keys)
    assert "key_share" not in interview.values
    assert "这个改动让 1 个回答不再适用，已删去：大客户占比" in said
    saved = parse_yaml((tmp_path / "answers.yaml").read_text(encoding="utf-8"), "answers.yaml")
    assert "key_share" not in saved["answers"]


def test_a_question_that_comes_back_offers_its_dropped_answer(questionnaire, tmp_path):
    to_kind = "名" + ENTER + ENTER + "480" + ENTER + ENTER
    keys = (to_kind + ENTER + "30" + ENTER + UP + ENTER + CLEAR + "<" + ENTER + DOWN + ENTER  # personal
            + UP + ENTER + UP + ENTER                                                         # enterprise
            + ENTER)                                                                                  # 30 offered
    interview, _, _ = ask(questionnaire, tmp_path, keys)
    assert interview.values["kind"] == "enterprise" and interview.values["key_share"] == 30


def test_lowering_members_drops_a_leaders_answer_now_out_of_range(questionnaire, tmp_path):
    keys = "名" + ENTER + ENTER + "480" + ENTER + CLEAR + "300" + ENTER + UP + ENTER  # back from kind
    keys += CLEAR + "<" + ENTER + CLEAR + "100" + ENTER   # members 100: leaders 300 no longer fits
    interview, said, _ = ask(questionnaire, tmp_path, keys)
    assert interview.values["members"] == 100 and "leaders" not in interview.values
    assert interview.drafts["leaders"] == 300 and "已删去：领袖人数" in said


def test_yes_no_and_scale_are_choice_lists_with_optional_skip(questionnaire, tmp_path):
    to_sales = "名" + ENTER + ENTER + "480" + ENTER + ENTER + DOWN + ENTER + SPACE + ENTER
    # mood: 1..5, leave unanswered, (separator), why, back
    _, said, result = ask(questionnaire, tmp_path, to_sales + ENTER + UP + UP + UP + ENTER)
    assert result.values["by_sales"] is True and "mood" not in result.values
    assert "✓ 群里气氛  未回答" in said


def test_english_interview(questionnaire, tmp_path):
    _, said, result = ask(questionnaire, tmp_path, "Run club" + ENTER + ENTER + "0" + ENTER, lang="en")
    assert "== Opening ==" in said and "✓ Name  Run club" in said
    assert "1 answer(s) saved to" in result.message


def test_resume_picks_up_at_the_first_unanswered_question(questionnaire, tmp_path):
    write_tree(tmp_path, {"answers.yaml": """
        questionnaire: types
        version: 3
        lang: zh
        answers: {community_name: 城西跑团, members: 480}
    """})
    resumed = read_for_resume(tmp_path / "answers.yaml", questionnaire, "answers.yaml")
    assert resumed.values == {"community_name": "城西跑团", "members": 480}
    # the optional nickname was never answered, so it is the first open question
    rest = ENTER + CLEAR + "2" + ENTER + ENTER + "30" + ENTER + SPACE + ENTER + DOWN + ENTER + DOWN + DOWN + ENTER
    _, said, result = ask(questionnaire, tmp_path, rest, resumed=resumed)
    assert "接着上次答：已有 2 个回答，从第 2 题继续。" in said
    assert result.values == STRAIGHT_VALUES


def test_resume_refuses_another_questionnaire_or_version(questionnaire, tmp_path):
    write_tree(tmp_path, {"answers.yaml": """
        questionnaire: types
        version: 2
        answers: {community_name: 城西跑团}
    """})
    with pytest.raises(AnswersError) as caught:
        read_for_resume(tmp_path / "answers.yaml", questionnaire, "answers.yaml")
    assert caught.value.exit_code == 2
    assert "属于问卷 types 第 2 版，现在的问卷是 types 第 3 版" in caught.value.message


def test_resume_reports_a_wrong_answer_like_diagnose(questionnaire, tmp_path):
    write_tree(tmp_path, {"answers.yaml": """
        questionnaire: types
        version: 3
        answers: {community_name: 城西跑团, members: many}
    """})
    with pytest.raises(AnswersError) as caught:
        read_for_resume(tmp_path / "answers.yaml", questionnaire, "answers.yaml")
    assert [p.subject for p in caught.value.problems] == ["members"]


def build_mini(kb):
    return load_knowledge_base(kb).questionnaire


def keyboard_run(tmp_path, kb, keys, **options):
    echo = io.StringIO()
    with create_pipe_input() as keyboard:
        keyboard.send_text(keys)
        keyboard.close()
        code = run_interview(str(kb), input=keyboard, output=DummyOutput(), echo=echo, **options)
    return code, echo.getvalue()


MINI_KEYS = "城西跑团" + ENTER + "500" + ENTER + "2" + ENTER + DOWN + ENTER + SPACE + ENTER + DOWN + ENTER


def test_the_interview_ends_with_verdicts_and_the_prescription(mini_kb, tmp_path):
    answers, rx = tmp_path / "a.yaml", tmp_path / "处方.md"
    code, said = keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(answers), prescription=str(rx))
    assert code == 0
    # the combined finding (顾客群) is treated through its root, which leads its check and the plan
    assert "  注意  靠利益维系；领袖太少" in said
    assert "先治这一条：靠利益维系（自检二:有没有意见领袖?）" in said
    assert f"处方已写入 {rx}" in said
    assert rx.read_text(encoding="utf-8").startswith("# 城西跑团")
    assert "还差 3 位。" in rx.read_text(encoding="utf-8")


def test_an_existing_answers_file_is_never_overwritten(mini_kb, tmp_path):
    answers = write_tree(tmp_path, {"a.yaml": "answers: {members: 3}\n"}) / "a.yaml"
    with pytest.raises(UsageError) as caught:
        keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(answers))
    assert caught.value.exit_code == 2
    assert "--resume" in caught.value.message and "--answers" in caught.value.message
    assert answers.read_text(encoding="utf-8") == "answers: {members: 3}\n"
    # a new checkup keeps the last one's files: its own are dated, the prescription's too
    today = dt.date.today().isoformat()
    dated_answers, dated_rx = tmp_path / f"a-{today}.yaml", f"shequn-prescription-{today}.md"
    assert f"shequn interview --answers {dated_answers} -o {dated_rx}" in caught.value.message
    assert "--since" not in caught.value.message  # an unfinished checkup is nothing to compare with


def test_a_repeat_of_a_finished_checkup_is_offered_with_the_last_one_to_compare(mini_kb, tmp_path):
    answers, rx = tmp_path / "a.yaml", tmp_path / "rx.md"
    assert keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(answers), prescription=str(rx))[0] == 0
    with pytest.raises(UsageError) as caught:
        keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(answers), prescription=str(rx))
    today = dt.date.today().isoformat()
    assert (f"shequn interview --answers {tmp_path / f'a-{today}.yaml'} -o {tmp_path / f'rx-{today}.md'} "
            f"--kb {mini_kb} --since {answers}") in caught.value.message


def test_an_earlier_prescription_is_kept_and_the_new_one_is_dated(mini_kb, tmp_path):
    rx = write_tree(tmp_path, {"处方.md": "上次的处方\n"}) / "处方.md"
    (tmp_path / f"处方-{dt.date.today().isoformat()}.md").write_text("今天早些时候的\n", encoding="utf-8")
    code, said = keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(tmp_path / "a.yaml"),
                              prescription=str(rx))
    dated = tmp_path / f"处方-{dt.date.today().isoformat()}-2.md"
    assert code == 0
    assert f"{rx} 里是上次的处方，保留不动；这次的处方会写到 {dated}。" in said
    assert f"处方已写入 {dated}" in said
    assert rx.read_text(encoding="utf-8") == "上次的处方\n"
    assert dated.read_text(encoding="utf-8").startswith("# 城西跑团")


def test_a_dated_name_for_a_repeat_checkup():
    from pathlib import Path

    from expert.interview import dated

    day = dt.date(2026, 12, 25)
    assert dated(Path("处方.md"), day) == Path("处方-2026-12-25.md")
    assert dated(Path("out/shequn-answers.yaml"), day) == Path("out/shequn-answers-2026-12-25.yaml")


def test_select_all_and_invert_tick_options_only(mini_kb, tmp_path):
    for key in ("a", "i"):  # nothing was ticked: both tick every option, and neither "why" nor "back"
        folder = tmp_path / key
        folder.mkdir()
        code, _ = keyboard_run(folder, mini_kb, MINI_KEYS.replace(SPACE + ENTER, key + ENTER),
                               answers_path=str(folder / "a.yaml"), prescription=str(folder / "rx.md"))
        assert code == 0
        assert read_answers(folder / "a.yaml", build_mini(mini_kb)).values["attraction"] == ["perks", "content"]


def test_resume_without_a_file_says_how_to_start(mini_kb, tmp_path):
    with pytest.raises(UsageError) as caught:
        keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(tmp_path / "none.yaml"), resume=True)
    assert "找不到答卷" in caught.value.message


def test_resume_of_a_finished_file_goes_straight_to_the_prescription(mini_kb, tmp_path):
    answers, rx = tmp_path / "a.yaml", tmp_path / "rx.md"
    keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(answers), prescription=str(rx))
    rx.unlink()
    code, said = keyboard_run(tmp_path, mini_kb, "", answers_path=str(answers), prescription=str(rx), resume=True)
    assert code == 0 and "所有题目都已答完" in said and rx.is_file()


def test_chinese_verdict_table_lines_up(mini_kb):
    from expert.checkup import Checkup
    from expert.answers import validate_answers

    checkup = Checkup.load(mini_kb)
    answers = validate_answers({"questionnaire": "mini", "version": 1, "answers": {
        "community_name": "群", "members": 500, "leaders": 2, "kind": "personal", "attraction": ["perks"],
        "by_sales": False}}, checkup.kb.questionnaire, "x")
    text = verdict_table(checkup.kb, checkup.diagnose(answers), "zh", columns=60)
    header, rule, leaders, cross = text.splitlines()[:4]
    # the verdict column starts at the same display column on every row, whatever the script
    start = len(rule.split("  ")[0]) + 2
    assert [wcswidth(row[: row.index(word)]) for row, word in ((header, "结论"), (leaders, "注意"), (cross, "-"))] \
        == [start] * 3, text
    assert all(wcswidth(row) <= 60 for row in text.splitlines())


def test_on_a_40_column_terminal_the_verdicts_become_a_list_that_keeps_every_title_whole(checkup):
    from conftest import EXAMPLES

    answers = checkup.read(EXAMPLES / "big_club.yaml")
    diagnosis = checkup.diagnose(answers)
    text = verdict_table(checkup.kb, diagnosis, "zh", columns=40).split("\n\n")[0]  # the lines after wrap by themselves
    assert all(wcswidth(row) <= 40 for row in text.splitlines()), text
    flat = "".join(line.strip() for line in text.splitlines())
    for finding in diagnosis.findings:
        assert checkup.kb.rules.findings[finding.id].text.title.get_text("zh") in flat
    assert "..." not in text


def test_not_a_terminal_points_to_diagnose(mini_kb, capsys):
    from expert.cli import main

    code = main(["interview", "--kb", str(mini_kb)])  # pytest's stdin is not a terminal
    assert code == 2
    assert "shequn diagnose ANSWERS.yaml" in capsys.readouterr().err


def test_not_a_terminal_from_the_console_script(mini_kb, tmp_path):
    run = subprocess.run([sys.executable, "-m", "expert", "interview", "--kb", str(mini_kb), "--lang", "en"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2
    assert "not one" in run.stderr and "shequn diagnose ANSWERS.yaml" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "shequn-answers.yaml").exists()


@pytest.mark.parametrize("option", ["-o", "--answers"])
def test_a_dash_for_the_interview_files_is_refused_not_made_a_file_named_dash(mini_kb, tmp_path, option):
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run([sys.executable, "-m", "expert", "interview", "--kb", str(mini_kb), option, "-"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=work)
    assert run.returncode == 2
    assert f"{option} 要给一个文件名，不能是 -" in run.stderr and "shequn diagnose 答卷.yaml -o -" in run.stderr
    assert list(work.iterdir()) == []


def test_the_command_line_does_not_load_the_prompt_libraries():
    code = ("import sys, expert.cli\n"
            "try:\n"
            "    expert.cli.main(['--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('questionary', 'prompt_toolkit')))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "[]"


def test_the_interview_starts_without_the_rule_engine(mini_kb):
    code = ("import sys\n"
            "from expert.knowledge import load_knowledge_base\n"
            "from expert.interview import Interview\n"
            f"kb = load_knowledge_base({str(mini_kb)!r})\n"
            "Interview(kb.questionnaire, 'zh', 'a.yaml').progress(next(iter(kb.questionnaire.questions.values())))\n"
            "print([m for m in ('experta', 'expert.engine', 'jinja2') if m in sys.modules])\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_built_in_questionnaire_can_be_interviewed(tmp_path):
    if not (ROOT / "questionnaires" / "community.yaml").is_file():
        pytest.skip("the built-in questionnaire is not there yet")
    kb = load_knowledge_base(ROOT)
    interview = Interview(kb.questionnaire, "zh", tmp_path / "a.yaml")
    first = interview.first_open()
    assert first is not None and interview.progress(first).startswith("[第 1/")
