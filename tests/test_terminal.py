"""Text for a terminal that shows Chinese: lines wrapped by display width, and the transcript above the prompts."""

import io

from expert.terminal import Transcript, width, wrap, wrap_fragments


def test_chinese_wraps_between_characters_by_display_width():
    lines = wrap("这个中心在群外大约有多少关注者（公众号、视频号、微博等加起来）？不知道可以留空。", 20)
    assert all(width(line) <= 20 for line in lines)
    assert "".join(lines) == "这个中心在群外大约有多少关注者（公众号、视频号、微博等加起来）？不知道可以留空。"


def test_a_line_never_starts_with_closing_punctuation_nor_ends_with_opening():
    for columns in range(8, 30):
        for line in wrap("成员主要是为什么进群的？（可多选）群要有一个吸铁石。先看看你的吸铁石是谁、有多大磁力。", columns):
            assert line[0] not in "，。、；：？！）」" and line[-1] not in "（「", (columns, line)


def test_english_breaks_between_words_and_cuts_only_a_word_longer_than_the_line():
    assert wrap("Roughly how many followers does this centre have", 20) == [
        "Roughly how many", "followers does this", "centre have"]
    assert wrap("a supercalifragilistic word", 10) == ["a", "supercalif", "ragilistic", "word"]


def test_styled_text_keeps_its_styles_across_the_breaks():
    out = wrap_fragments([("q", "[第 1 题] "), ("t", "你的社群叫什么名字？"), ("h", " (type ?)")], 16)
    assert "".join(text for _, text in out) == "[第 1 题] 你的社\n群叫什么名字？\n(type ?)"
    assert ("h", "(type ?)") in out and all(style in ("q", "t", "h", "") for style, _ in out)


def test_going_back_takes_back_the_lines_said_since_and_erases_them_on_screen():
    out = io.StringIO()
    said = Transcript(out, lambda: (40, 24))
    said.say("欢迎")
    said.say("【开场】", 0)
    said.say("  ✓ 群名  城西跑团", 0)
    said.say("  ✓ 人数  500", 1)
    said.say("  为什么问：" + "很长的理由" * 10, 2)  # 100 columns, wrapped under its indent: four rows at 40
    said.take_back(1)
    assert [text for _, text in said.lines] == ["欢迎", "【开场】", "  ✓ 群名  城西跑团"]
    assert out.getvalue().endswith("\x1b[5F\x1b[J")  # up the 1 + 4 rows, erased from there down
    assert said.last() == 0


def test_lines_scrolled_off_the_screen_are_redrawn_from_a_clear_screen():
    out = io.StringIO()
    said = Transcript(out, lambda: (40, 5))
    said.say("欢迎")
    for n in range(8):
        said.say(f"  ✓ 第 {n} 题", n)
    said.take_back(2)
    assert out.getvalue().endswith("\x1b[H\x1b[2J欢迎\n  ✓ 第 0 题\n  ✓ 第 1 题\n")


def test_without_a_terminal_nothing_is_erased():
    out = io.StringIO()
    said = Transcript(out)
    said.say("  ✓ 群名", 0)
    said.take_back(0)
    assert out.getvalue() == "  ✓ 群名\n" and said.lines == []


# ---------------------------------------------------------------------------- what the transcript says


def test_a_line_said_wraps_under_its_indent_and_a_check_line_under_its_text():
    from expert.terminal import said

    shown = said("  ✓ Roughly how many followers does this centre have outside the group?  12000 followers", 39)
    lines = shown.split("\n")
    assert all(width(line) <= 39 for line in lines)
    assert lines[0].startswith("  ✓ Roughly") and all(line.startswith("    ") for line in lines[1:])
    assert " ".join(shown.split()) == "✓ Roughly how many followers does this centre have outside the group? 12000 followers"


def test_a_suggested_command_is_left_whole_for_the_terminal_to_fold(monkeypatch):
    from expert import terminal

    monkeypatch.setattr(terminal, "program", lambda: ".venv/bin/shequn")
    command = "  .venv/bin/shequn diagnose shequn-answers.yaml -o /home/someone/very/long/path/处方.md"
    assert terminal.said("答卷在 a.yaml。改了答案后，用这条命令重新开处方：\n" + command, 39).split("\n")[-1] == command


# ---------------------------------------------------------------------------- the program in suggested commands


def test_a_suggested_command_says_shequn_when_that_name_finds_this_program(tmp_path):
    from expert.terminal import program

    script = tmp_path / ".venv" / "bin" / "shequn"
    assert program(str(script), which=lambda name: str(script)) == "shequn"
    assert program("shequn", which=lambda name: None) == "shequn"  # typed as a bare name: found on PATH


def test_a_suggested_command_runs_the_program_by_its_path_when_shequn_is_not_on_path(tmp_path):
    from expert.terminal import program

    assert program(".venv/bin/shequn", which=lambda name: None) == ".venv/bin/shequn"
    assert program("/srv/社群 工具/.venv/bin/shequn", which=lambda name: "/usr/bin/shequn") == \
        "'/srv/社群 工具/.venv/bin/shequn'"  # another shequn on PATH is not this one; a space is quoted


def test_python_dash_m_expert_is_suggested_as_shequn():
    from expert.terminal import program

    assert program("/src/expert/__main__.py", which=lambda name: None) == "shequn"


def test_a_line_broken_at_a_run_of_spaces_starts_with_the_next_word():
    for columns in range(10, 40):
        for line in wrap("How much pull does it have?  3 / 5 (A steady following)", columns)[1:]:
            assert not line.startswith(" "), (columns, line)
