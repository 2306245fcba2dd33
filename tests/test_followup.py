"""Follow-up checkups: `diagnose NEW --since OLD`, `interview --since OLD` and `batch --since`, compared
finding by finding, check by check and figure by figure, in the prescription and in the JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import os

import pytest
import yaml

from expert.cli import main
from expert.errors import UsageError
from expert.followup import compare, current, earlier

from conftest import EXAMPLES, ROOT, copy_builtin_kb


@pytest.fixture(autouse=True)
def chinese():
    """Messages in Chinese, whatever language an earlier test left set."""
    from expert.messages import set_language

    set_language("zh")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def case(name: str) -> dict:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    data.pop("expect", None)
    data.pop("story", None)
    return data


def write(path, data: dict):
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def leaders_found(data: dict, date: str = "2026-12-22") -> dict:
    """The nursery group of examples/no_leaders.yaml four weeks on: a centre, two leaders, 31 speaking."""
    answers = dict(data["answers"], ip_centre="person", ip_pull=3, ip_identification=4, ip_followers=800,
                   active_leaders=2, leader_traits=["influential", "expert", "sharer"], active_7d=31)
    return {**data, "date": date, "answers": answers}


@pytest.fixture
def pair(tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    new = write(tmp_path / "new.yaml", leaders_found(case("no_leaders")))
    return old, new


def test_problems_gone_since_the_last_checkup_are_said_to_have_worked(capsys, pair):
    old, new = pair
    code, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert code == 0
    assert "## 复查：见效了，又冒出 3 个新问题\n\n上次体检是 11月24日，到这次隔了 28 天。上次查出 4 个问题，这次一个都没再出现。这次新查出 3 个。\n" in out
    assert ("见效了（上次有，这次没再出现）：\n\n- 没有磁力中心\n- 群龙无首：没有意见领袖\n- 无中心、无领袖\n"
            "- 活跃度远低于 1990 法则\n") in out
    assert "这次新查出的：\n\n- 群主没有带头（中）\n- 意见领袖太少（中）\n" in out
    # the section comes before the treatment: whether it worked is what a returning operator looks for first
    assert out.index("## 复查") < out.index("## 先治这一条")


def test_each_checks_verdict_moves_and_says_which_way(capsys, pair):
    old, new = pair
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "总体结论：上次危险，这次注意（好转）。" in out
    assert "| 自检一：IP 势能够不够强？ | 危险 | 健康 | 好转 |" in out
    assert "| 自检二：有没有意见领袖？ | 危险 | 注意 | 好转 |" in out
    assert "| 自检三：有没有错把顾客当粉丝？ | 健康 | 健康 | 没变 |" in out


def test_the_1990_figures_leaders_participants_and_onlookers_move(capsys, pair):
    old, new = pair
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "| 现在带头的人（群主带头也算一位） | 0 | 2 | +2 |" in out
    assert "| 最近 7 天实际发言人数 | 6 | 31 | +25 |" in out
    assert "| 最近 7 天只看不说的人（围观者） | 254 | 229 | −25 |" in out
    assert "| 发言比例 | 2.3% | 11.9% | +9.6 个百分点 |" in out
    assert "| 按 1990 法则需要的意见领袖（含群主） | 3 | 3 | ±0 |" in out
    _, out, _ = run(capsys, "diagnose", new, "--since", old, "--lang", "en")
    assert "| Share of members who spoke | 2.3% | 11.9% | +9.6 percentage points |" in out  # not "+9.6%"


def test_the_same_answers_four_weeks_later_have_not_worked_yet(capsys, tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    new = write(tmp_path / "new.yaml", {**case("no_leaders"), "date": "2026-12-22"})
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "## 复查：还没见效\n\n上次体检是 11月24日，到这次隔了 28 天。上次查出 4 个问题，这次都还在。没有新冒出来的。" in out
    assert "还没见效（两次都有）：\n\n- 没有磁力中心（重）\n" in out
    assert "还没见效，先别急着换方子" in out and "见效了（" not in out


def test_some_cured_and_some_not_is_partly_working(checkup, tmp_path):
    before = case("no_leaders")
    after = leaders_found(before)
    after["answers"]["active_7d"] = 6  # leaders found, the group still silent
    old, new = write(tmp_path / "old.yaml", before), write(tmp_path / "new.yaml", after)
    report = checkup.report(checkup.read(new), "markdown", "zh", since=checkup.read_earlier(old))
    assert report.followup.outcome == "partly"
    assert "low_activity" in report.followup.remaining and "no_leaders" in report.followup.cured
    assert "## 复查：一部分见效了" in report.text
    assert "上次查出 4 个问题，3 个这次没再出现，1 个还在。" in report.text


def test_a_healthy_group_that_turns_has_new_problems(checkup, tmp_path):
    before = case("photo_club_healthy")
    after = {**before, "date": "2026-12-30", "answers": {**before["answers"], "active_leaders": 0,
                                                         "owner_role": "absent"}}
    after["answers"].pop("leader_traits", None)
    old, new = write(tmp_path / "old.yaml", before), write(tmp_path / "new.yaml", after)
    report = checkup.report(checkup.read(new), "markdown", "zh", since=checkup.read_earlier(old))
    assert report.followup.outcome == "arisen" and report.followup.new
    assert "## 复查：这次查出了新问题\n" in report.text
    assert "上次没查出问题。这次新查出" in report.text


def test_without_a_date_the_last_checkup_is_dated_by_its_file(capsys, tmp_path):
    before = case("no_leaders")
    before.pop("date")
    old = write(tmp_path / "old.yaml", before)
    saved = dt.datetime(2026, 11, 1, 20, 30).timestamp()
    os.utime(old, (saved, saved))
    new = write(tmp_path / "new.yaml", {**case("no_leaders"), "date": "2026-11-29"})
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "上次体检是 11月1日（答卷没写日期，按文件最后保存的时间算），到这次隔了 28 天。" in out


def test_a_follow_up_after_a_few_days_says_it_is_early(capsys, tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    new = write(tmp_path / "new.yaml", {**case("no_leaders"), "date": "2026-11-27"})
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "离上次体检才 3 天：处方里的步骤大多要几周才见分晓，四周后再对一次更准。" in out


def test_files_given_the_wrong_way_round_are_refused(capsys, pair):
    old, new = pair
    code, out, err = run(capsys, "diagnose", old, "--since", new)
    assert code == 2 and out == ""
    assert err == (f"--since 的答卷 {new} 写的日期是 2026-12-22，比这次的 2026-11-24 还晚：两份答卷是不是放反了？"
                   "--since 后面放上一次的答卷\n")


def test_a_missing_or_broken_earlier_file_is_a_message(capsys, tmp_path, pair):
    _, new = pair
    code, _, err = run(capsys, "diagnose", new, "--since", tmp_path / "none.yaml")
    assert (code, err) == (2, f"找不到文件 {tmp_path / 'none.yaml'}\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("answers:\n  members: lots\n", encoding="utf-8")
    code, _, err = run(capsys, "diagnose", new, "--since", broken)
    assert code == 2 and err.startswith(f"答卷 {broken} 有 ") and "Traceback" not in err


def test_another_community_name_is_pointed_out(capsys, tmp_path, pair):
    old, new = pair
    renamed = case("no_leaders")
    renamed["answers"]["community_name"] = "别的群"
    old = write(tmp_path / "renamed.yaml", renamed)
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "上次的答卷里群名是「别的群」，和这次不一样；确认比的是同一个群。" in out


def test_the_json_carries_the_same_comparison(capsys, pair):
    old, new = pair
    _, out, _ = run(capsys, "diagnose", new, "--since", old, "--format", "json")
    followup = json.loads(out)["followup"]
    assert followup["since"]["date"] == "2026-11-24" and followup["since"]["dated_by"] == "answers"
    assert (followup["date"], followup["days"], followup["outcome"]) == ("2026-12-22", 28, "worked")
    assert followup["cured"] == ["no_magnetic_centre", "no_leaders", "headless_community", "low_activity"]
    assert followup["remaining"] == []
    assert followup["new"] == ["owner_not_leader", "too_few_leaders", "leaders_lack_traits"]
    assert followup["verdicts"]["ip"] == {"before": "danger", "after": "healthy", "trend": "better"}
    assert followup["verdict"] == {"before": "danger", "after": "watch", "trend": "better"}
    assert followup["metrics"]["onlookers_now"] == {"before": 254, "after": 229, "change": -25}


def test_without_since_there_is_no_follow_up(capsys, pair):
    _, new = pair
    _, out, _ = run(capsys, "diagnose", new)
    assert "## 复查" not in out
    _, out, _ = run(capsys, "diagnose", new, "--format", "json")
    assert "followup" not in json.loads(out)


def test_the_follow_up_in_english(capsys, pair):
    old, new = pair
    _, out, _ = run(capsys, "diagnose", new, "--since", old, "--lang", "en")
    assert ("## Follow-up: It worked, but 3 new problem(s) came up\n\nThe last checkup was on 24 November, 28 days before this one. Last time "
            "found 4 problems: all gone now. New this time: 3.\n") in out
    assert "| Check 1: Is the IP's pull strong enough? | Danger | Healthy | better |" in out
    assert "Worked (found last time, gone now):\n\n- No magnetic centre\n" in out


def test_compare_is_refused_before_both_checkups_are_diagnosed(checkup):
    answers = checkup.read(EXAMPLES / "healthy.yaml")
    with pytest.raises(ValueError):
        compare(earlier(answers), current(answers, None))


def test_check_renders_the_follow_up_section_of_each_template(tmp_path):
    from expert.check import check_knowledge_base

    kb = copy_builtin_kb(tmp_path / "kb")
    template = kb / "templates" / "prescription.en.md.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{{ followup.summary }}", "{{ followup.verdict_trend }}"), encoding="utf-8")
    report = check_knowledge_base(kb)
    [problem] = report.errors
    assert problem.file.endswith("templates/prescription.en.md.j2")
    assert "verdict_trend" in problem.message


# ---------------------------------------------------------------------- interview --since


def interview(tmp_path, keys: str, since):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from expert.interview import run_interview

    echo = io.StringIO()
    with create_pipe_input() as keyboard:
        keyboard.send_text(keys)
        keyboard.close()
        code = run_interview(str(ROOT), str(tmp_path / "a.yaml"), str(tmp_path / "rx.md"), input=keyboard,
                             output=DummyOutput(), echo=echo, since=str(since))
    return code, echo.getvalue()


def test_interview_since_offers_every_last_answer_and_ends_with_the_follow_up(tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    code, said = interview(tmp_path, "\r" * 60, old)  # Enter on every question: nothing changed
    assert code == 0
    assert said.startswith(f"上次体检的回答（{old}）已填作每道题的默认值：没变的直接回车，变了的改掉。\n")
    saved = yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))
    assert saved["answers"] == case("no_leaders")["answers"]
    assert "## 复查：还没见效" in (tmp_path / "rx.md").read_text(encoding="utf-8")


def test_an_interrupted_follow_up_interview_continues_as_one(tmp_path):
    from expert.errors import Interrupted

    old = write(tmp_path / "old.yaml", case("no_leaders"))
    with pytest.raises(Interrupted) as caught:
        interview(tmp_path, "\r" * 3, old)
    assert f"--resume --answers {tmp_path / 'a.yaml'} -o {tmp_path / 'rx.md'} --kb {ROOT} --since {old}" in str(
        caught.value)


# ---------------------------------------------------------------------- batch --since


def test_batch_since_compares_each_community_with_its_own_last_checkup_by_name(tmp_path):
    from expert.batch import run_batch

    (tmp_path / "before").mkdir()
    (tmp_path / "now").mkdir()
    write(tmp_path / "before" / "a.yaml", case("no_leaders"))
    write(tmp_path / "now" / "1.yaml", leaders_found(case("no_leaders")))
    write(tmp_path / "now" / "2.yaml", case("healthy"))  # not in the earlier run: a first checkup
    err = io.StringIO()
    result = run_batch(tmp_path / "now", tmp_path / "out", jobs=1, since=tmp_path / "before", stderr=err,
                       progress=False)
    assert (result.diagnosed, result.failed) == (2, 0)
    assert err.getvalue().startswith(f"从 {tmp_path / 'before'} 读到上次体检的 1 个社群，按群名和这次对上")
    results = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    by_name = {r["community"]: r for r in results}
    assert by_name["春芽宝妈育儿交流群"]["followup"]["outcome"] == "worked"
    assert "followup" not in by_name[case("healthy")["answers"]["community_name"]]
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "prescriptions").iterdir()}
    assert "## 复查：见效了，又冒出 3 个新问题" in texts["春芽宝妈育儿交流群.md"]
    assert sum("## 复查" in t for t in texts.values()) == 1


def test_batch_since_reads_an_earlier_json_lines_export_and_keeps_the_latest_of_a_name(tmp_path):
    from expert.batch.history import read_history
    from expert.checkup import Checkup

    checkup = Checkup.load(ROOT)
    first = case("no_leaders")
    later = {**case("no_leaders"), "date": "2026-12-01"}
    nameless = case("no_leaders")
    nameless["answers"].pop("community_name")
    lines = [json.dumps(d, ensure_ascii=False) for d in (later, first, nameless)] + ["{not json"]
    (tmp_path / "before.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    history = read_history(tmp_path / "before.jsonl", checkup)
    assert len(history) == 1 and history.get("春芽宝妈育儿交流群").date == dt.date(2026, 12, 1)
    # the built-in questionnaire requires the name: a row without one is unreadable, like the bad JSON
    assert (history.unreadable, history.nameless) == (2, 0)


def test_batch_since_a_missing_path_stops_before_the_run(tmp_path):
    from expert.batch import run_batch

    (tmp_path / "now").mkdir()
    write(tmp_path / "now" / "1.yaml", case("healthy"))
    with pytest.raises(UsageError) as caught:
        run_batch(tmp_path / "now", tmp_path / "out", jobs=1, since=tmp_path / "nowhere", stderr=io.StringIO())
    assert caught.value.message == f"找不到文件 {tmp_path / 'nowhere'}"
    assert not (tmp_path / "out").exists()


def test_two_checkups_of_the_same_day_say_so_and_no_count_of_days(capsys, tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    again = case("no_leaders")
    again["answers"]["active_7d"] += 1  # answered again the same day: one more member spoke since the morning
    new = write(tmp_path / "new.yaml", again)
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "上次体检是 11月24日。上次查出 4 个问题" in out
    assert "两次体检是同一天：处方里的步骤还来不及做，四周后再对一次才看得出效果。" in out
    assert "离上次体检才" not in out


def test_the_printable_page_carries_the_follow_up_too(capsys, pair):
    old, new = pair
    _, out, _ = run(capsys, "diagnose", new, "--since", old, "--format", "html")
    assert "<h2>复查：见效了，又冒出 3 个新问题</h2>" in out and "<td class=\"short\">好转</td>" in out


def test_problems_cured_while_new_ones_came_up_say_both_in_the_headline_and_the_advice(capsys, pair):
    old, new = pair
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert out.count("## 复查：见效了，又冒出 3 个新问题\n") == 1
    assert "四周后再来对一次数。新冒出来的问题计划里已经排上了，趁它们还没扎根先治。" in out


def test_problems_cured_with_nothing_new_keep_the_plain_headline(capsys, tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    new_data = case("photo_club_healthy")  # nothing found: every earlier problem gone, nothing new
    new_data["answers"]["community_name"] = case("no_leaders")["answers"]["community_name"]
    new = write(tmp_path / "new.yaml", new_data | {"date": "2026-12-22"})
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert "## 复查：见效了\n" in out
    assert "又冒出" not in out and "新冒出来的问题" not in out


def test_the_same_file_twice_is_named_as_a_mistake(capsys, tmp_path):
    same = write(tmp_path / "same.yaml", case("no_leaders"))
    _, out, _ = run(capsys, "diagnose", same, "--since", same)
    assert "--since 给的就是这次的答卷，两次比的是同一个文件：--since 后面应放上一次体检的答卷。" in out
    assert "两次体检是同一天" not in out and "一模一样" not in out  # the one explanation that is certain
    _, out, _ = run(capsys, "diagnose", same, "--since", same, "--lang", "en")
    assert "--since names this checkup's own answers file, so the file was compared with itself" in out


def test_answers_unchanged_since_last_time_say_no_figure_moved(capsys, tmp_path):
    old = write(tmp_path / "old.yaml", case("no_leaders"))
    new = write(tmp_path / "new.yaml", {**case("no_leaders"), "date": "2026-12-22"})  # every answer kept
    _, out, _ = run(capsys, "diagnose", new, "--since", old)
    assert ("两次的回答一模一样，一个数字都没动：群真的没变，说明上次计划里的步骤还没做起来；"
            "要是 --since 放错了文件，换成上一次体检的答卷再比。") in out
    assert "## 复查：还没见效\n" in out


def test_batch_since_names_a_community_found_twice_and_which_checkup_it_is_compared_with(tmp_path):
    from expert.batch import run_batch

    for folder in ("before", "now"):
        (tmp_path / folder).mkdir()
    write(tmp_path / "before" / "a.yaml", case("no_leaders"))
    write(tmp_path / "before" / "b.yaml", {**case("no_leaders"), "date": "2026-11-30"})
    write(tmp_path / "before" / "c.yaml", {**case("no_leaders"), "date": "2026-11-10"})
    write(tmp_path / "now" / "1.yaml", leaders_found(case("no_leaders")))
    err = io.StringIO()
    run_batch(tmp_path / "now", tmp_path / "out", jobs=1, since=tmp_path / "before", stderr=err, progress=False)
    assert (f"上次的结果里有 1 个群名出现了不止一次，各取日期最晚的一份（同一天的取后出现的）来比："
            f"「春芽宝妈育儿交流群」3 次，用 {tmp_path / 'before' / 'b.yaml'}") in err.getvalue()
    result = json.loads((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8"))
    assert result["followup"]["since"]["date"] == "2026-11-30"


def test_batch_since_names_the_earlier_rows_it_could_not_read_and_why(tmp_path):
    from expert.batch import run_batch

    for folder in ("before", "now"):
        (tmp_path / folder).mkdir()
    write(tmp_path / "before" / "a.yaml", case("no_leaders"))
    write(tmp_path / "before" / "old.yaml", {**case("healthy"), "version": 1})  # another questionnaire version
    write(tmp_path / "now" / "1.yaml", leaders_found(case("no_leaders")))
    err = io.StringIO()
    run_batch(tmp_path / "now", tmp_path / "out", jobs=1, since=tmp_path / "before", stderr=err, progress=False)
    assert (f"上次的结果里有 1 行读不了，不参与比较：{tmp_path / 'before' / 'old.yaml'}（第一行的原因：这份答卷来自问卷 "
            "community 的第 1 版，当前是第 2 版；请核对答案后把 version 改为 2）") in err.getvalue()


def test_the_json_names_what_the_prescription_points_out(capsys, tmp_path):
    old = case("no_leaders")
    old["answers"]["community_name"] = "旧名字"
    old = write(tmp_path / "old.yaml", old)
    new = write(tmp_path / "new.yaml", leaders_found(case("no_leaders"), date="2026-12-01"))
    _, out, _ = run(capsys, "diagnose", new, "--since", old, "--format", "json")
    assert json.loads(out)["followup"]["notes"] == ["early", "renamed"]
