"""`shequn interview` as an operator meets it: the installed command in a real pseudo-terminal, answered
keystroke by keystroke, interrupted, hung up on and resumed."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from expert.yamlio import parse_yaml

from conftest import ROOT, mini_kb_with_builtin_templates

pexpect = pytest.importorskip("pexpect")

DOWN, ENTER, SPACE, CTRL_C, CLEAR = "\x1b[B", "\r", " ", "\x03", "\x15"
SCRIPT = Path(sys.executable).with_name("shequn")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "expert"]

# the mini questionnaire, in the order the keystrokes below answer it
STRAIGHT = [
    ("群名", "城西跑团" + ENTER),
    ("人数", "500" + ENTER),
    ("领袖人数", "2" + ENTER),
    ("类型", DOWN + ENTER),              # personal: the key-account question is skipped
    ("怎么吸引人", SPACE + ENTER),       # perks
    ("按销量看人", DOWN + ENTER),        # no
]
ANSWERS = {"community_name": "城西跑团", "members": 500, "leaders": 2, "kind": "personal",
           "attraction": ["perks"], "by_sales": False}


@pytest.fixture
def kb(tmp_path) -> Path:
    """The mini questionnaire, rules and actions with the built-in prescription templates."""
    return mini_kb_with_builtin_templates(tmp_path / "kb")


@pytest.fixture
def work(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def spawn(work: Path, *args: str, lang: str | None = None):
    # `shequn` is on PATH, as after `pipx install` or in an activated virtual environment
    env = {**os.environ, "SHEQUN_CACHE_DIR": str(work.parent / "cache"), "TERM": "xterm",
           "PATH": os.pathsep.join([str(SCRIPT.parent), os.environ.get("PATH", "")]),
           "PROMPT_TOOLKIT_NO_CPR": "1"}  # nothing answers cursor-position requests in a test
    env.pop("SHEQUN_LANG", None)
    if lang:
        env["SHEQUN_LANG"] = lang
    child = pexpect.spawn(COMMAND[0], [*COMMAND[1:], "interview", *args], cwd=str(work), env=env,
                          encoding="utf-8", dimensions=(40, 120), timeout=20)
    return child


def answer(child, steps) -> None:
    for prompt, keys in steps:
        child.expect_exact(prompt)
        child.send(keys)


def finish(child) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def hang_up(child, within: float = 20) -> None:
    """Close the terminal: the pty's master end goes, the kernel hangs up on the program, and it has `within`
    seconds to leave on its own. (pexpect's close(force=True) sends SIGINT 0.2 s after and SIGKILL 0.4 s after,
    which a loaded machine's slow disk can make look like the program's own way of ending.)"""
    child.ptyproc.fileobj.close()
    deadline = time.monotonic() + within
    while child.isalive():
        if time.monotonic() > deadline:
            child.kill(signal.SIGKILL)
            child.wait()
            pytest.fail(f"still running {within} s after the terminal was closed")
        time.sleep(0.02)


def saved(path: Path) -> dict:
    return parse_yaml(path.read_text(encoding="utf-8"), str(path))


def test_a_whole_interview_by_keystrokes(kb, work):
    child = spawn(work, "--kb", str(kb))
    child.expect_exact("[第 1/约 7 题 · 第 1/2 部分]")  # "about": the key-account question may come
    answer(child, STRAIGHT[:1])
    child.expect_exact("人数")
    child.send("9" + ENTER)
    child.expect_exact("领袖人数")
    child.send("abc" + ENTER)
    child.expect_exact("看不懂“abc”")          # refused on the prompt itself
    child.send(CLEAR + "20" + ENTER)
    child.expect_exact("不能大于 9（人数）")   # more leaders than members
    child.send(CLEAR + "<" + ENTER)             # back to the number of members
    child.expect_exact("人数")
    child.send(CLEAR + "500" + ENTER)
    child.expect_exact("领袖人数")
    child.send(CLEAR + "?" + ENTER)
    child.expect_exact("为什么问：1990法则")
    child.send(CLEAR + "2" + ENTER)
    answer(child, STRAIGHT[3:])
    child.expect_exact("先治这一条：靠利益维系（自检二:有没有意见领袖?）")  # the combined 顾客群, through its root
    child.expect_exact(f"处方已写入 {work / 'shequn-prescription.md'}")  # where to find it later
    out = finish(child)
    assert child.exitstatus == 0, out
    assert "Traceback" not in out
    doc = saved(work / "shequn-answers.yaml")
    assert (doc["questionnaire"], doc["version"], doc["lang"]) == ("mini", 1, "zh")
    assert doc["answers"] == ANSWERS
    prescription = (work / "shequn-prescription.md").read_text(encoding="utf-8")
    assert prescription.startswith("# 城西跑团 · 社群体检处方")
    assert "还差 3 位。" in prescription


def test_ctrl_c_keeps_every_answer_and_resume_finishes_the_same(kb, work, tmp_path):
    child = spawn(work, "--kb", str(kb), "--answers", "跑团.yaml", "-o", "处方.md")
    answer(child, STRAIGHT[:3])
    child.expect_exact("类型")
    child.send(CTRL_C)
    child.expect_exact("已保存 3 个回答到 跑团.yaml。")
    child.expect_exact(f"接着答：shequn interview --resume --answers 跑团.yaml -o 处方.md --kb {kb}")
    out = finish(child)
    assert child.exitstatus == 130
    assert "Traceback" not in out
    assert saved(work / "跑团.yaml")["answers"] == {"community_name": "城西跑团", "members": 500, "leaders": 2}

    again = spawn(work, "--kb", str(kb), "--answers", "跑团.yaml")
    again.expect_exact("已经存在")                # never overwritten without --resume
    finish(again)
    assert again.exitstatus == 2

    resumed = spawn(work, "--resume", "--answers", "跑团.yaml", "-o", "处方.md", "--kb", str(kb))
    resumed.expect_exact("接着上次答：已有 3 个回答，从第 4 题继续。")
    answer(resumed, STRAIGHT[3:])
    resumed.expect_exact(f"处方已写入 {work / '处方.md'}")
    finish(resumed)
    assert resumed.exitstatus == 0

    straight_dir = tmp_path / "straight"
    straight_dir.mkdir()
    straight = spawn(straight_dir, "--kb", str(kb))
    answer(straight, STRAIGHT)
    finish(straight)
    assert straight.exitstatus == 0
    assert saved(work / "跑团.yaml") == saved(straight_dir / "shequn-answers.yaml")
    assert (work / "处方.md").read_text(encoding="utf-8") == \
        (straight_dir / "shequn-prescription.md").read_text(encoding="utf-8")


def test_a_second_interview_on_one_answers_file_is_refused_and_a_killed_one_blocks_nothing(kb, work):
    first = spawn(work, "--kb", str(kb))
    answer(first, STRAIGHT[:1])
    first.expect_exact("人数")

    second = spawn(work, "--kb", str(kb), "--resume")
    second.expect_exact("正在另一个 shequn interview 里作答")
    out = finish(second)
    assert second.exitstatus == 2 and "Traceback" not in out

    first.kill(signal.SIGKILL)  # no clean-up at all: the lock goes with the process
    finish(first)
    resumed = spawn(work, "--kb", str(kb), "--resume")
    resumed.expect_exact("接着上次答：已有 1 个回答，从第 2 题继续。")
    answer(resumed, STRAIGHT[1:])
    resumed.expect_exact(f"处方已写入 {work / 'shequn-prescription.md'}")  # where to find it later
    finish(resumed)
    assert resumed.exitstatus == 0
    assert saved(work / "shequn-answers.yaml")["answers"] == ANSWERS


def test_a_hang_up_keeps_every_answer(kb, work):
    child = spawn(work, "--kb", str(kb), "--lang", "en")
    answer(child, [("Name", "Run club" + ENTER), ("Members", "500" + ENTER)])
    child.expect_exact("Leaders")
    child.kill(signal.SIGHUP)
    finish(child)
    assert child.exitstatus == 130
    assert saved(work / "shequn-answers.yaml")["answers"] == {"community_name": "Run club", "members": 500}


def test_closing_the_terminal_keeps_every_answer(kb, work):
    child = spawn(work, "--kb", str(kb))
    answer(child, STRAIGHT[:2])
    child.expect_exact("领袖人数")
    hang_up(child)  # the program leaves on its own
    assert (child.exitstatus, child.signalstatus) == (130, None)
    assert saved(work / "shequn-answers.yaml")["answers"] == {"community_name": "城西跑团", "members": 500}


def test_the_built_in_questionnaire_with_every_default_or_first_choice(work):
    """Enter on every question; a number without a default gets its lowest allowed value."""
    from expert.knowledge import load_knowledge_base

    try:
        questionnaire = load_knowledge_base(ROOT).questionnaire
    except Exception as exc:  # the built-in content is written alongside; without it there is nothing to ask
        pytest.skip(f"the built-in knowledge base does not load: {exc}")
    by_text = {q.text_in("zh"): q for q in questionnaire.questions.values()}
    texts = sorted(by_text, key=len, reverse=True)  # a question's text may contain another's
    child = spawn(work)
    values: dict = {}
    for _ in range(len(by_text) + 1):
        if child.expect([r"\[第 \d+/(约 )?\d+ 题 · 第 \d+/\d+ 部分\]", "先治这一条", "没有发现问题"]):
            break
        q = by_text[texts[child.expect_exact(texts)]]  # the text that follows the progress tag
        value, keys = _first_answer(q, values)
        child.send(keys)
        child.expect_exact("✓ " + q.text_in("zh"))  # taken: the answer is echoed before the next prompt
        if value is not None:
            values[q.id] = value
    child.expect_exact(f"处方已写入 {work / 'shequn-prescription.md'}")  # where to find it later
    finish(child)
    assert child.exitstatus == 0
    assert saved(work / "shequn-answers.yaml")["answers"] == values
    assert (work / "shequn-prescription.md").is_file()


def _first_answer(q, values):
    if q.type == "single":
        value = q.default if q.default is not None else q.choice_values[0]
        return value, ENTER
    if q.type == "yesno":
        return (True if q.default is None else q.default), ENTER
    if q.type == "scale":
        return (1 if q.default is None else q.default), ENTER
    if q.type == "multiple":
        if q.default is not None:
            return list(q.default), ENTER
        if q.min_choices:
            return [q.choice_values[0]], SPACE + ENTER
        return [], ENTER
    if q.default is not None:
        return q.default, ENTER
    if q.type == "text":
        return "测试群", "测试群" + ENTER
    lo, hi = q.bounds(values)
    value = lo if lo is not None else (min(1, hi) if hi is not None else 1)
    value = int(value) if float(value) == int(value) else value
    return value, str(value) + ENTER
