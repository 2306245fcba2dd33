"""What the operator sees and types in `shequn interview`: the installed command in a pseudo-terminal of
40, 60 and 80 columns, its screen read back through a terminal emulator (pyte)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path

import pytest

from expert.yamlio import parse_yaml

from conftest import MINI_QUESTIONNAIRE, mini_kb_with_builtin_templates

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

UP, DOWN, ENTER, SPACE, CTRL_C, CLEAR = "\x1b[A", "\x1b[B", "\r", " ", "\x03", "\x15"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
SCRIPT = Path(sys.executable).with_name("shequn")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "expert"]

FOLLOWERS = "这个中心在群外大约有多少关注者（公众号、视频号、微博等加起来）？不知道可以留空。"
# the mini questionnaire with a short label, a default of 0, a long optional question and a decimal one
QUESTIONNAIRE = (MINI_QUESTIONNAIRE
                 .replace("            text: {zh: 人数, en: Members}\n",
                          "            text: {zh: 人数, en: Members}\n"
                          "            label: {zh: 群人数, en: number of members}\n"
                          "            unit: {zh: 人, en: members}\n")
                 .replace("            min: 0\n            max: members\n",
                          "            min: 0\n            max: members\n            default: 0\n")
                 .replace("          - id: kind\n", f"""          - id: followers
            type: integer
            required: false
            min: 0
            unit: {{zh: 人, en: followers}}
            text:
              zh: {FOLLOWERS}
              en: Roughly how many followers does this centre have outside the group (all channels together)? Leave empty if unsure.
            help: {{zh: 势能, en: Pull}}
          - id: hours
            type: number
            min: 0
            max: 168
            text: {{zh: 你每周花在这个群上的时间大约几个小时？, en: How many hours a week do you spend on the group?}}
            help: {{zh: 投入, en: Effort}}
          - id: kind
"""))


@pytest.fixture
def kb(tmp_path) -> Path:
    return mini_kb_with_builtin_templates(tmp_path / "kb", **{"questionnaires/mini.yaml": QUESTIONNAIRE})


@pytest.fixture
def work(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


class Terminal:
    """The interview in a pseudo-terminal of `columns`, with what it draws kept on an emulated screen."""

    def __init__(self, work: Path, *args: str, columns: int = 80, rows: int = 40, lang: str | None = None,
                 on_path: bool = True):
        # on_path: `shequn` is on PATH, as after `pipx install` or in an activated virtual environment;
        # otherwise it is run by its path, as the quick start runs .venv/bin/shequn
        path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != SCRIPT.parent]
        env = {**os.environ, "SHEQUN_CACHE_DIR": str(work.parent / "cache"), "TERM": "xterm",
               "PATH": os.pathsep.join([str(SCRIPT.parent)] * on_path + path), "PROMPT_TOOLKIT_NO_CPR": "1"}
        env.pop("SHEQUN_LANG", None)
        if lang:
            env["SHEQUN_LANG"] = lang
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(COMMAND[0], [*COMMAND[1:], "interview", *args], cwd=str(work), env=env,
                                   encoding="utf-8", dimensions=(rows, columns), timeout=20)
        self.child.logfile_read = self  # every character the program writes goes to the screen too

    def write(self, data: str) -> None:
        self.stream.feed(data)

    def flush(self) -> None:
        pass

    def wait(self, marker: str) -> None:
        """Until the program has written `marker` (found in what it writes, not on the screen)."""
        self.child.expect_exact(marker)

    def until(self, shown) -> bool:
        """Read what the program writes until `shown(lines)` holds for the screen, or 20 seconds pass."""
        for _ in range(200):
            if shown(self.lines()):
                return True
            self.child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=0.1)
        return shown(self.lines())

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        """The screen's text with the lines joined and spaces left out: a wrapped sentence reads whole again."""
        return flat("".join(self.lines()))

    def end(self) -> str:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.before


def flat(text: str) -> str:
    return "".join(text.split())


def saved(path: Path) -> dict:
    return parse_yaml(path.read_text(encoding="utf-8"), str(path))


def to_followers(term: Terminal) -> None:
    for marker, keys in (("群名", "城西跑团" + ENTER), ("人数", "500" + ENTER), ("领袖人数", "2" + ENTER)):
        term.wait(marker)
        term.send(keys)
    term.wait("这个中心")
    term.wait("› ")


def to_attraction(term: Terminal) -> None:
    to_followers(term)
    term.send("12000" + ENTER)
    for marker, keys in (("你每周花在", "8" + ENTER), ("类型", DOWN + ENTER)):
        term.wait(marker)
        term.send(keys)
    term.wait("怎么吸引人")
    term.wait("← 上一题")


# ---------------------------------------------------------------------- prompts that fit the terminal


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_a_number_prompt_wraps_its_question_and_hint_whatever_the_width(kb, work, columns):
    term = Terminal(work, "--kb", str(kb), columns=columns)
    to_followers(term)
    shown = term.text()
    assert FOLLOWERS in shown  # the whole question, on as many lines as it needs
    assert flat("（至少 0 人；可不填，直接回车跳过；输入 ? 查看为什么问这个，输入 < 返回上一题）") in shown
    assert any(line.startswith("›") for line in term.lines())  # the input line is below them
    term.send(CTRL_C)
    term.end()


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_a_checklist_wraps_its_question_and_hint_whatever_the_width(kb, work, columns):
    term = Terminal(work, "--kb", str(kb), columns=columns)
    to_attraction(term)
    shown = term.text()
    assert flat("怎么吸引人 （↑↓ 移动，空格勾选，回车确认）") in shown
    assert "   为什么问这个？" in term.lines() and "   ← 上一题" in term.lines()  # no box to tick
    term.send(CTRL_C)
    term.end()


def test_an_english_prompt_breaks_between_words_at_40_columns(kb, work):
    term = Terminal(work, "--kb", str(kb), columns=40, lang="en")
    for marker, keys in (("Name", "Run club" + ENTER), ("Members", "500" + ENTER), ("Leaders", "2" + ENTER)):
        term.wait(marker)
        term.send(keys)
    term.wait("Roughly")
    term.wait("› ")
    words = " ".join(term.lines()).split()
    for word in "Roughly how many followers does this centre have outside the group".split():
        assert word in words  # no word cut in two at the edge
    assert "(at least 0 followers; optional: press Enter to skip; type ? to see why this is asked, < to go back)" \
        in " ".join(" ".join(term.lines()).split())
    term.send(CTRL_C)
    term.end()


# ---------------------------------------------------------------------- the checklist's actions


def test_enter_on_previous_question_in_a_checklist_goes_back_and_submits_nothing(kb, work):
    term = Terminal(work, "--kb", str(kb))
    to_attraction(term)
    term.send(SPACE + UP + ENTER)  # perks ticked, then Enter on "← 上一题"
    term.wait("类型")
    assert "attraction" not in saved(work / "shequn-answers.yaml")["answers"]
    term.send(ENTER)  # personal again: the list comes back with perks still ticked
    assert term.until(lambda lines: " » ● 福利" in lines)
    term.send(CTRL_C)
    term.end()


def test_enter_or_space_on_why_shows_the_help_and_keeps_the_ticks(kb, work):
    term = Terminal(work, "--kb", str(kb))
    to_attraction(term)
    term.send(SPACE + UP + UP + ENTER)  # perks ticked, then Enter on "为什么问这个？"
    term.wait("为什么问：情感链")
    assert "attraction" not in saved(work / "shequn-answers.yaml")["answers"]
    assert term.until(lambda lines: " » ● 福利" in lines)
    term.send(UP + UP + SPACE)  # Space on it acts too: it is never ticked
    term.wait("为什么问：情感链")
    term.wait("← 上一题")
    assert not any("● 为什么问这个" in line or "● ← 上一题" in line for line in term.lines())
    term.send(ENTER)  # back on the first option: Enter submits the ticks
    term.wait("按销量看人")
    assert saved(work / "shequn-answers.yaml")["answers"]["attraction"] == ["perks"]
    term.send(CTRL_C)
    term.end()


# ---------------------------------------------------------------------- typing


def test_a_default_is_replaced_by_what_is_typed(kb, work):
    term = Terminal(work, "--kb", str(kb))
    for marker, keys in (("群名", "城西跑团" + ENTER), ("人数", "500" + ENTER)):
        term.wait(marker)
        term.send(keys)
    term.wait("领袖人数")
    assert term.until(lambda lines: "› 0" in lines)
    term.send("2")
    assert term.until(lambda lines: "› 2" in lines or "› 02" in lines)
    assert "› 2" in term.lines()  # not 02
    term.send(ENTER)
    term.wait("✓ 领袖人数  2")
    assert saved(work / "shequn-answers.yaml")["answers"]["leaders"] == 2
    term.send(CTRL_C)
    term.end()


@pytest.mark.parametrize("typed, message", [
    ("1e2", "看不懂“1e2”：请只填数字，例如 300 或 1,000"),
    ("1_000", "看不懂“1_000”：请只填数字，例如 300 或 1,000"),
    ("3,5", "“3,5”里的逗号只能分千位（三位一组，如 1,000）；这一题填整数"),
])
def test_a_number_that_would_be_guessed_is_refused_on_the_prompt(kb, work, typed, message):
    term = Terminal(work, "--kb", str(kb))
    term.wait("群名")
    term.send("城西跑团" + ENTER)
    term.wait("人数")
    term.send(typed + ENTER)
    term.wait(message)
    term.send(CLEAR + "１，０００人" + ENTER)  # full-width, with thousands and the unit: understood
    term.wait("领袖人数")
    term.send("2,000" + ENTER)
    term.wait("不能大于 1000（群人数）")  # in the operator's words, not the question's id
    term.send(CLEAR + "2" + ENTER)
    term.wait("这个中心")
    term.send("12000" + ENTER)
    term.wait("你每周花在")
    term.send("2,5" + ENTER)  # this one takes decimals
    term.wait("✓ 你每周花在这个群上的时间大约几个小时？  2.5")
    assert saved(work / "shequn-answers.yaml")["answers"]["members"] == 1000
    assert saved(work / "shequn-answers.yaml")["answers"]["hours"] == 2.5
    term.send(CTRL_C)
    term.end()


def test_a_pasted_paragraph_is_one_answer_with_or_without_bracketed_paste(kb, work, tmp_path):
    term = Terminal(work, "--kb", str(kb))
    term.wait("群名")
    term.send("城西跑团\r二队\r周末组\r")  # a terminal without bracketed paste: lines arrive as keys
    term.wait("✓ 群名  城西跑团 二队 周末组")
    term.wait("人数")
    assert saved(work / "shequn-answers.yaml")["answers"] == {"community_name": "城西跑团 二队 周末组"}
    term.send(CTRL_C)
    term.end()

    other = tmp_path / "other"
    other.mkdir()
    term = Terminal(other, "--kb", str(kb))
    term.wait("群名")
    term.send(PASTE_START + "城西跑团\n二队" + PASTE_END + ENTER)
    term.wait("✓ 群名  城西跑团 二队")
    term.send(CTRL_C)
    term.end()
    assert saved(other / "shequn-answers.yaml")["answers"] == {"community_name": "城西跑团 二队"}


def test_a_name_longer_than_the_question_allows_is_refused(kb, work):
    (kb / "questionnaires" / "mini.yaml").write_text(
        QUESTIONNAIRE.replace("            help: {zh: 称呼, en: To address it}\n",
                              "            help: {zh: 称呼, en: To address it}\n            max_length: 10\n"),
        encoding="utf-8")
    term = Terminal(work, "--kb", str(kb))
    term.wait("最多 10 个字")  # said in the hint
    term.send("城" * 11 + ENTER)
    term.wait("太长了：最多 10 个字，这里有 11 个")
    term.send(CLEAR + "城西跑团" + ENTER)
    term.wait("人数")
    term.send(CTRL_C)
    term.end()


# ---------------------------------------------------------------------- going back, resuming, stopping


def test_going_back_leaves_one_heading_and_one_line_per_answer(kb, work):
    term = Terminal(work, "--kb", str(kb))
    to_attraction(term)
    for _ in range(3):  # back to followers, through kind and hours; then forward again
        term.send(UP + ENTER)                 # attraction: "← 上一题"
        term.wait("类型")
        term.wait("← 上一题")
        term.send(DOWN + DOWN + ENTER)        # kind: from personal to "← 上一题"
        term.wait("你每周花在")
        term.wait("› ")
        term.send(CLEAR + "<" + ENTER)        # hours: back
        term.wait("这个中心")
        term.wait("› ")
        assert term.until(lambda lines: not any(line.startswith("  ✓ 你每周花在") for line in lines))
        assert not any(line.startswith("  ✓ 这个中心") for line in term.lines())
        term.send(ENTER)                      # 12000 again
        term.wait("你每周花在")
        term.send(ENTER)                      # 8 again
        term.wait("类型")
        term.send(ENTER)                      # personal again
        term.wait("怎么吸引人")
        term.wait("← 上一题")
    lines = term.lines()
    assert lines.count("【开场】") == 1
    ticks = [line for line in lines if line.startswith("  ✓ ")]
    assert len(ticks) == len(set(ticks)) == 6  # name, members, leaders, followers, hours, kind
    term.send(CTRL_C)
    term.end()


def test_an_optional_question_left_empty_is_not_asked_again_on_resume(kb, work):
    term = Terminal(work, "--kb", str(kb))
    to_followers(term)
    term.send(ENTER)  # left empty on purpose
    term.wait("你每周花在")
    term.send(CTRL_C)
    term.end()
    assert saved(work / "shequn-answers.yaml")["answers"] == {
        "community_name": "城西跑团", "members": 500, "leaders": 2, "followers": None}

    term = Terminal(work, "--kb", str(kb), "--resume")
    term.wait("接着上次答：已有 3 个回答，从第 5 题继续。")
    term.wait("你每周花在")
    assert FOLLOWERS not in term.text()
    term.send(CTRL_C)
    term.end()


def test_sigterm_saves_and_says_how_to_continue(kb, work):
    term = Terminal(work, "--kb", str(kb), "--answers", "跑团.yaml")
    term.wait("群名")
    term.send("城西跑团" + ENTER)
    term.wait("人数")
    term.child.kill(signal.SIGTERM)
    term.wait("已保存 1 个回答到 跑团.yaml。")
    term.wait(f"接着答：shequn interview --resume --answers 跑团.yaml --kb {kb}")
    out = term.end()
    assert term.child.exitstatus == 143 and "Traceback" not in out
    assert saved(work / "跑团.yaml")["answers"] == {"community_name": "城西跑团"}


def answer_all(term: Terminal) -> None:
    to_attraction(term)
    term.send(SPACE + ENTER)
    term.wait("按销量看人")
    term.send(DOWN + ENTER)


def test_a_repeat_checkup_keeps_the_last_prescription_and_gets_a_dated_one(kb, work):
    term = Terminal(work, "--kb", str(kb))
    answer_all(term)
    term.end()
    first = (work / "shequn-prescription.md").read_text(encoding="utf-8")
    today = dt.date.today().isoformat()

    again = Terminal(work, "--kb", str(kb), columns=200)
    out = again.end()
    assert again.child.exitstatus == 2
    assert (f"：shequn interview --answers shequn-answers-{today}.yaml -o shequn-prescription-{today}.md "
            f"--kb {kb} --since shequn-answers.yaml") in out  # the last checkup to compare with

    term = Terminal(work, "--kb", str(kb), "--answers", f"shequn-answers-{today}.yaml",
                    "-o", "shequn-prescription.md", columns=200)
    term.wait(f"shequn-prescription.md 里是上次的处方，保留不动；这次的处方会写到 shequn-prescription-{today}.md。")
    answer_all(term)
    term.wait(f"处方已写入 {work / f'shequn-prescription-{today}.md'}")
    term.wait(f"答卷在 {work / f'shequn-answers-{today}.yaml'}")
    term.end()
    assert (work / "shequn-prescription.md").read_text(encoding="utf-8") == first
    assert (work / f"shequn-prescription-{today}.md").is_file()


# ---------------------------------------------------------------------- what is said around the prompts


def test_lines_said_above_the_prompts_break_between_words_not_inside_them(kb, work):
    term = Terminal(work, "--kb", str(kb), columns=40, lang="en")
    to_followers_en(term)
    term.send("12000" + ENTER)
    term.wait("hours a week")
    term.wait("› ")
    lines = term.lines()
    words = " ".join(lines).split()
    # the welcome names the answers file, and the ✓ line repeats the long question: each word whole
    for word in ["shequn-answers.yaml", *"Roughly how many followers does this centre have outside the group "
                 "(all channels together)? Leave empty if unsure.".split()]:
        assert word in words
    answered = next(n for n, line in enumerate(lines) if line.startswith("  ✓ Roughly"))
    assert lines[answered + 1].startswith("    ")  # the answer's text goes on under itself, not at the margin
    term.send(CTRL_C)
    term.end()


def test_no_line_said_in_chinese_starts_with_closing_punctuation(kb, work):
    # at 42 columns the terminal itself would fold the ✓ line of the followers question before its "、"
    term = Terminal(work, "--kb", str(kb), columns=42)
    to_followers(term)
    term.send("12000" + ENTER)
    term.wait("你每周花在")
    term.wait("› ")
    assert FOLLOWERS in term.text()
    assert not [line for line in term.lines() if line.strip()[:1] in tuple("，。、；：？！）」")]
    term.send(CTRL_C)
    term.end()


def to_followers_en(term: Terminal) -> None:
    for marker, keys in (("Name", "Run club" + ENTER), ("Members", "500" + ENTER), ("Leaders", "2" + ENTER)):
        term.wait(marker)
        term.send(keys)
    term.wait("Roughly")
    term.wait("› ")


def test_the_resume_command_runs_shequn_the_way_it_was_started(kb, work):
    # the quick start runs .venv/bin/shequn without activating anything: `shequn` alone would not be found
    term = Terminal(work, "--kb", str(kb), "--answers", "跑团.yaml", columns=200, on_path=False)
    term.wait("群名")
    term.send("城西跑团" + ENTER)
    term.wait("人数")
    term.send(CTRL_C)
    term.wait(f"接着答：{SCRIPT} interview --resume --answers 跑团.yaml --kb {kb}")
    term.end()
