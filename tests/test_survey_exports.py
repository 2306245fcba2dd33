"""`shequn batch` reads survey exports as 问卷星, 腾讯问卷, Google Forms and ODK/KoboToolbox write them, in the
encodings spreadsheets save, and as .xlsx; `shequn template` writes a table that batch reads back.

The fixture exports and where their layouts come from: tests/fixtures/survey_exports/README.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from expert.batch.layouts import read_header, split_choices, choice_names
from expert.cli import main
from expert.errors import AnswersError

from conftest import FIXTURES

EXPORTS = FIXTURES / "survey_exports"

# The three communities every fixture export holds, as plain answers.
PLAIN = [
    {"community_name": "城西跑团", "members": 500, "leaders": 2, "kind": "personal", "attraction": ["perks", "content"],
     "by_sales": False},
    {"community_name": "茶友会", "members": 1200, "leaders": 0, "kind": "enterprise", "key_share": 10,
     "attraction": ["perks"], "by_sales": True},
    {"community_name": "读书会", "members": 80, "leaders": 1, "kind": "personal", "attraction": [], "by_sales": False},
]


def batch(tmp_path: Path, source: Path, kb: Path, *extra: str) -> int:
    out = tmp_path / ("out-" + source.stem)
    return main(["batch", str(source), "--out-dir", str(out), "--kb", str(kb), "--jobs", "1", *extra])


def findings(tmp_path: Path, source: Path) -> list[tuple[str, list[str]]]:
    out = tmp_path / ("out-" + source.stem)
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return [(line["community"], sorted(f["id"] for f in line["findings"])) for line in lines]


@pytest.fixture
def expected(mini_kb, tmp_path) -> list[tuple[str, list[str]]]:
    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in PLAIN), encoding="utf-8")
    assert batch(tmp_path, plain, mini_kb) == 0
    result = findings(tmp_path, plain)
    assert [name for name, _ in result] == ["城西跑团", "茶友会", "读书会"]
    assert result[1][1]  # the enterprise group has findings: the comparison below is not of empty lists
    return result


@pytest.mark.parametrize("name", ["wjx_by_text.csv", "wjx_by_number.csv", "wjx_split_options.csv", "tencent.csv",
                                  "google_forms.csv"])
def test_each_tools_export_gives_the_findings_of_the_plain_answers(name, expected, mini_kb, tmp_path, capsys):
    assert batch(tmp_path, EXPORTS / name, mini_kb) == 0
    assert findings(tmp_path, EXPORTS / name) == expected


def test_the_tools_own_columns_are_skipped_with_one_note(mini_kb, tmp_path, capsys):
    batch(tmp_path, EXPORTS / "tencent.csv", mini_kb)
    err = capsys.readouterr().err
    assert "跳过了 8 个问卷平台自带的列（不是题目）：编号、用户ID、开始答题时间、结束答题时间、答题时长、自定义字段、IP、地理位置" in err
    assert err.count("跳过了") == 1


def test_a_gb18030_export_is_read_with_a_note_naming_the_encoding(mini_kb, tmp_path, capsys):
    source = EXPORTS / "wjx_by_text.csv"
    assert batch(tmp_path, source, mini_kb) == 0
    assert f"{source} 不是 UTF-8，按 GB18030 编码读取" in capsys.readouterr().err


def test_a_utf16_tab_separated_export_is_read(expected, mini_kb, tmp_path):
    text = (EXPORTS / "google_forms.csv").read_text(encoding="utf-8")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    source = tmp_path / "unicode.txt"  # Excel's "Unicode text": UTF-16 with BOM, tab-separated
    source.write_bytes("\r\n".join("\t".join(r) for r in rows).encode("utf-16"))
    assert batch(tmp_path, source, mini_kb) == 0
    assert findings(tmp_path, source) == expected


def test_encoding_names_the_encoding_when_guessing_would_be_wrong(mini_kb, tmp_path, capsys):
    source = tmp_path / "big5.csv"  # a Traditional Chinese Excel's CSV: its bytes also read as (wrong) GB18030
    source.write_bytes("community_name,members,leaders,kind,attraction,by_sales\n城西跑團,500,2,personal,perks,no\n"
                       .encode("big5"))
    assert batch(tmp_path, source, mini_kb, "--encoding", "big5") == 0
    assert findings(tmp_path, source)[0][0] == "城西跑團"
    assert batch(tmp_path, source, mini_kb, "--encoding", "no-such-codec") == 2
    assert "不认识编码 'no-such-codec'" in capsys.readouterr().err


def test_xlsx_export_reads_like_the_csv(expected, mini_kb, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    book = openpyxl.Workbook()
    sheet = book.active
    with open(EXPORTS / "wjx_split_options.csv", encoding="utf-8-sig", newline="") as handle:
        for i, row in enumerate(csv.reader(handle)):
            # as 问卷星's .xlsx holds them: numbers as numbers, the 0/1 option columns too
            sheet.append([int(c) if c.isdigit() and i else c for c in row])
    source = tmp_path / "问卷星.xlsx"
    book.save(source)
    assert batch(tmp_path, source, mini_kb) == 0
    assert findings(tmp_path, source) == expected


def test_xlsx_without_openpyxl_names_the_extra(mini_kb, tmp_path, capsys, monkeypatch):
    source = tmp_path / "export.xlsx"
    source.write_bytes(b"PK\x03\x04")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    assert batch(tmp_path, source, mini_kb) == 2
    assert f"读写 .xlsx（{source}）需要 openpyxl：pip install 'shequn[xlsx]'" in capsys.readouterr().err


def test_a_file_that_is_not_a_workbook_is_refused_by_name(mini_kb, tmp_path, capsys):
    pytest.importorskip("openpyxl")
    source = tmp_path / "export.xlsx"
    source.write_text("not a zip", encoding="utf-8")
    assert batch(tmp_path, source, mini_kb) == 2
    assert f"{source} 不是能读的 .xlsx 工作簿" in capsys.readouterr().err


def test_an_old_xls_is_refused_with_how_to_fix_it(mini_kb, tmp_path, capsys):
    source = tmp_path / "export.xls"
    source.write_bytes(b"\xd0\xcf\x11\xe0")
    assert batch(tmp_path, source, mini_kb) == 2
    assert "请在表格软件里另存为 .xlsx" in capsys.readouterr().err


# ---------------------------------------------------------------------------- header matching


def columns(mini, *header: str):
    return read_header(list(header), mini.kb.questionnaire, "x.csv").columns


@pytest.fixture
def mini(mini_kb):
    from expert.checkup import Checkup

    return Checkup.load(mini_kb)


@pytest.mark.parametrize("header", ["1、人数", "1.人数", "1. 人数", "Q1.人数", "Q1、人数", "Q1:人数", "第1题 人数",
                                    "第1题：人数", "2.Members", "人数【填空题】", "人数 *", "members", "opening/members",
                                    "opening-members", "group_x/opening/members"])
def test_numbered_decorated_and_grouped_headers_find_their_question(header, mini):
    assert columns(mini, header) == ["members"]


@pytest.mark.parametrize("header", ["6、(内容)", "Q6_内容", "Q6_Content", "怎么吸引人 [内容]",
                                    "How members are attracted [Content]", "怎么吸引人(内容)", "opening/attraction/content"])
def test_one_column_per_option_is_read_as_that_option(header, mini):
    assert columns(mini, header) == [("attraction", "content")]


def test_odk_option_columns_beside_the_questions_own_column_are_not_read_twice(mini):
    assert columns(mini, "opening/attraction", "opening/attraction/perks", "opening/attraction/content") == \
        ["attraction", None, None]


@pytest.mark.parametrize("header", ["start", "end", "_uuid", "_submission_time", "meta/instanceID", "__version__",
                                    "序号", "来自IP", "Timestamp", "Email Address", "时间戳记", "开始答题时间"])
def test_survey_tools_metadata_columns_are_skipped(header, mini):
    assert read_header([header, "人数"], mini.kb.questionnaire, "x.csv").skipped == [header]


def test_option_columns_of_no_question_are_named_with_their_number(mini):
    with pytest.raises(AnswersError) as caught:
        columns(mini, "6、(游泳)", "6、(跑步)")
    assert str(caught.value.problems[0]) == "x.csv:1:1: 第 6 题的选项列（游泳、跑步）对不上问卷里任何一道多选题"


def test_a_question_of_the_operators_own_survey_is_skipped_and_named_with_its_column(mini):
    found = read_header(["3、你最喜欢的颜色", "人数", "微信号"], mini.kb.questionnaire, "x.csv")
    assert found.columns == [None, "members", None]
    from expert.batch.layouts import unknown_note

    assert unknown_note(found, mini.kb.questionnaire, "x.csv") == (
        "x.csv：2 列不是问卷里的题目，没有读：第 1 列 '3、你最喜欢的颜色'（问卷里没有相近的题目）、"
        "第 3 列 '微信号'（问卷里没有相近的题目）")


def test_an_unknown_column_near_a_question_that_has_its_own_column_is_skipped_naming_it(mini):
    from expert.batch.layouts import unknown_note

    found = read_header(["人数", "总人数"], mini.kb.questionnaire, "x.csv")
    assert found.columns == ["members", None]
    assert unknown_note(found, mini.kb.questionnaire, "x.csv") == (
        "x.csv：1 列不是问卷里的题目，没有读：第 2 列 '总人数'（最接近的题目：members「人数」，它已有自己的列）")


def test_a_misspelt_question_with_no_column_of_its_own_stops_the_run_naming_it(mini):
    with pytest.raises(AnswersError) as caught:
        columns(mini, "群名", "人数", "领袖")
    assert str(caught.value.problems[0]) == (
        "x.csv:1:3: 列 '领袖' 不是问卷里的题目；像是题目 leaders「领袖人数」写错了，而这道题没有别的列。"
        "请把表头改成题目原文或题目 id")


def test_a_question_twice_is_a_header_problem_naming_both_columns(mini):
    with pytest.raises(AnswersError) as caught:
        columns(mini, "群名", "1、人数", "Q2.Members")
    assert str(caught.value.problems[0]) == (
        "x.csv:1:3: 题目 members「人数」占了不止一列：第 2 列 '1、人数'、第 3 列 'Q2.Members'；只留一列，删掉或改名其余的")


@pytest.mark.parametrize("header", ["答题状态", "来源渠道", "OpenID", "地理位置(省)", "提交时间", "填写时长"])
def test_more_columns_of_the_tools_own_are_skipped_as_such(header, mini):
    assert read_header([header, "人数"], mini.kb.questionnaire, "x.csv").skipped == [header]


@pytest.mark.parametrize("header", ["Q6.怎么吸引人:内容", "Q6：怎么吸引人：内容", "怎么吸引人_内容", "怎么吸引人-内容",
                                    "怎么吸引人 - 内容", "6、怎么吸引人—内容"])
def test_an_option_column_joined_to_its_question_by_a_separator_is_that_option(header, mini):
    assert columns(mini, header) == [("attraction", "content")]


@pytest.mark.parametrize("cell, ticked", [
    ("福利┋内容", ["perks", "content"]), ("perks content", ["perks", "content"]), ("Perks, Content", ["perks", "content"]),
    ("福利，内容", ["perks", "content"]), ("福利、内容", ["perks", "content"]), ("福利;内容", ["perks", "content"]),
    ("内容", ["content"]), ("福利〖每周红包〗", ["perks"]), ("福利, 游泳", ["福利, 游泳"]),
])
def test_ticked_options_in_one_cell_in_every_tools_format(cell, ticked, mini):
    assert split_choices(cell, choice_names(mini.kb.questionnaire.questions["attraction"])) == ticked


def test_a_label_with_a_comma_is_not_split_at_it():
    names = {"a, b": "ab", "c": "c"}
    assert split_choices("a, b, c", names) == ["ab", "c"]


def test_an_option_column_holding_neither_1_nor_0_is_that_rows_problem(mini_kb, tmp_path, capsys):
    source = tmp_path / "t.csv"
    source.write_text("Q1.群名,Q2.人数,Q3.领袖人数,Q4.类型,Q6_福利,Q6_内容,Q7.按销量看人\n城西跑团,500,2,个人,也许,1,否\n",
                      encoding="utf-8")
    assert batch(tmp_path, source, mini_kb) == 1
    assert "[attraction] 选项 perks 这一列应填 1 或 0（选了或没选），不是 '也许'" in capsys.readouterr().err


# ---------------------------------------------------------------------------- the import template


def test_the_csv_template_filled_in_is_read_by_batch(expected, mini_kb, tmp_path, capsys):
    assert main(["template", "csv", "--kb", str(mini_kb)]) == 0
    template = capsys.readouterr().out
    lines = template.splitlines()
    assert lines[0].startswith("\ufeff# 每个社群填一行")
    assert "# 怎么吸引人 (attraction): 可选多个，用 ; 分隔：福利 | 内容" in lines
    assert "# 大客户占比 (key_share): 整数，0 到 100；仅当 kind == enterprise 时填写" in lines
    assert lines[-1] == "群名,人数,领袖人数,类型,大客户占比,怎么吸引人,按销量看人"
    source = tmp_path / "filled.csv"
    source.write_text(template + "城西跑团,500,2,个人,,福利;内容,否\n茶友会,1200,0,企业,10,福利,是\n"
                      "读书会,80,1,个人,,,否\n", encoding="utf-8")
    assert batch(tmp_path, source, mini_kb) == 0
    assert findings(tmp_path, source) == expected


def test_the_xlsx_template_lists_allowed_values_on_a_second_sheet(mini_kb, tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "模板.xlsx"
    assert main(["template", "xlsx", "-o", str(target), "--kb", str(mini_kb), "--lang", "en"]) == 0
    assert f"written to {target}" in capsys.readouterr().err
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Answers", "Allowed values"]
    assert [c.value for c in book["Answers"][1]] == ["Name", "Members", "Leaders", "Kind", "Key-account share",
                                                      "How members are attracted", "Valued by sales"]
    rows = {row[1]: row[2] for row in book["Allowed values"].iter_rows(min_row=2, values_only=True)}
    assert rows["kind"] == "one of: Enterprise | Personal"
    assert rows["by_sales"] == "yes or no"
    assert rows["leaders"] == "a whole number, 0 to members"


def test_option_columns_reach_the_worker_processes_of_a_parallel_run(expected, mini_kb, tmp_path):
    source = EXPORTS / "tencent.csv"
    out = tmp_path / "parallel"
    assert main(["batch", str(source), "--out-dir", str(out), "--kb", str(mini_kb), "--jobs", "2"]) == 0
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["community"], sorted(f["id"] for f in line["findings"])) for line in lines] == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_bom_is_told_apart_from_utf8(encoding, expected, mini_kb, tmp_path):
    source = tmp_path / f"{encoding}.csv"
    source.write_bytes((EXPORTS / "google_forms.csv").read_text(encoding="utf-8").encode(encoding))
    assert batch(tmp_path, source, mini_kb) == 0
    assert findings(tmp_path, source) == expected


def test_a_scale_exported_by_its_point_labels_and_a_choice_with_a_fill_in_are_read(checkup):
    from expert.batch import CellReader

    questions = checkup.kb.questionnaire.questions
    reader = CellReader(checkup.kb.questionnaire, [])
    assert reader.value(questions["ip_pull"], "一呼百应") == 5
    assert reader.value(questions["ip_pull"], "Hardly known") == 1
    assert reader.value(questions["ip_pull"], "4") == 4
    assert reader.value(questions["platform"], "其他〖小红书群〗") == "other"
    assert reader.value(questions["platform"], "微信群") == "wechat"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_builtin_questionnaires_template_header_is_every_question_in_order(kind, lang, checkup, tmp_path, capsys):
    from expert.batch import Source

    if kind == "xlsx":
        pytest.importorskip("openpyxl")
    target = tmp_path / f"template.{kind}"
    assert main(["template", kind, "-o", str(target), "--lang", lang]) == 0
    source = Source(target, checkup.kb.questionnaire)
    assert source.columns == list(checkup.kb.questionnaire.questions)
    assert list(source) == []  # the notes above a CSV header are no rows


# ---------------------------------------------------------------------------- exports written as users' tools write them


def test_option_numbers_are_read_by_the_questions_order_with_one_note(mini_kb, tmp_path, capsys):
    source = EXPORTS / "wjx_by_number.csv"
    assert batch(tmp_path, source, mini_kb) == 0
    err = capsys.readouterr().err
    assert err.count("的单元格是选项序号") == 1
    assert (f"{source}：kind、attraction、by_sales 的单元格是选项序号（问卷星“按选项序号”导出），已按问卷里选项的顺序读取"
            "（kind: 1 = 企业、2 = 个人）") in err


@pytest.mark.parametrize("cell, value", [("2", "personal"), ("个人", "personal"), ("personal", "personal"),
                                         ("3", "3"), ("0", "0"), ("1┋2", "1┋2"), ("2〖自己填的〗", "personal")])
def test_a_single_choice_number_is_an_option_only_where_it_names_one(cell, value, mini):
    from expert.batch import CellReader

    reader = CellReader(mini.kb.questionnaire, [])
    assert reader.value(mini.kb.questionnaire.questions["kind"], cell) == value


@pytest.mark.parametrize("cell, value", [("1┋2", ["perks", "content"]), ("2", ["content"]), ("1, 2", ["perks", "content"]),
                                         ("2;1", ["content", "perks"]), ("1┋3", ["1", "3"]), ("福利┋2", ["perks", "2"]),
                                         ("1┋2〖每周直播〗", ["perks", "content"])])
def test_multiple_choice_numbers_are_options_only_where_every_one_names_one(cell, value, mini):
    from expert.batch import CellReader

    reader = CellReader(mini.kb.questionnaire, [])
    assert reader.value(mini.kb.questionnaire.questions["attraction"], cell) == value


def test_a_choice_whose_label_is_a_number_is_read_as_that_label_not_by_position(tmp_path):
    from conftest import MINI_QUESTIONNAIRE, mini_kb_files, write_tree
    from expert.batch import CellReader
    from expert.checkup import Checkup

    numbered = MINI_QUESTIONNAIRE.replace("{zh: 个人, en: Personal}", "{zh: '1', en: '1'}")
    kb = write_tree(tmp_path / "kb", mini_kb_files(**{"questionnaires/mini.yaml": numbered}))
    questionnaire = Checkup.load(kb).kb.questionnaire
    reader = CellReader(questionnaire, [])
    assert reader.value(questionnaire.questions["kind"], "1") == "personal"  # its label, not the first option
    assert reader.by_position == set()
    assert reader.value(questionnaire.questions["kind"], "2") == "personal"  # no label: the second option
    assert reader.by_position == {"kind"}


def test_google_forms_checkboxes_whose_label_holds_a_comma(mini_kb, tmp_path):
    from conftest import MINI_QUESTIONNAIRE, mini_kb_files, write_tree

    kb = write_tree(tmp_path / "kb2", mini_kb_files(**{"questionnaires/mini.yaml": MINI_QUESTIONNAIRE.replace(
        "{zh: 内容, en: Content}", "{zh: 内容, en: \"Posts, talks and Q&A\"}")}))
    source = tmp_path / "forms.csv"
    source.write_text("Timestamp,Email Address,Name,Members,Leaders,Kind,Key-account share,How members are attracted,"
                      "Valued by sales\n"
                      '2026/11/20 10:01:02 AM GMT+8,a@example.com,城西跑团,500,2,Personal,,"Perks, Posts, talks and Q&A",No\n'
                      '2026/11/20 10:01:02 AM GMT+8,b@example.com,读书会,80,1,Personal,,"Posts, talks and Q&A",No\n',
                      encoding="utf-8")
    assert batch(tmp_path, source, kb) == 0
    # both ticked: no bought bond; had "Posts" been split from "talks and Q&A", the rows would have been refused
    assert findings(tmp_path, source) == [("城西跑团", ["too_few_leaders"]), ("读书会", [])]


def test_an_xlsx_with_a_merged_title_row_and_an_empty_first_column(expected, mini_kb, tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([None, "社群调查 · 数据导出"])
    sheet.merge_cells("B1:H1")
    with open(EXPORTS / "wjx_split_options.csv", encoding="utf-8-sig", newline="") as handle:
        for i, row in enumerate(csv.reader(handle)):
            sheet.append([None] + [int(c) if c.isdigit() and i else c for c in row])
    source = tmp_path / "merged.xlsx"
    book.save(source)
    assert batch(tmp_path, source, mini_kb) == 0
    assert findings(tmp_path, source) == expected
    assert f"{source} 的第 1 行只有一个单元格，当作标题跳过；表头是第 2 行" in capsys.readouterr().err


def test_a_one_column_table_is_still_read_by_its_header(mini, tmp_path):
    from expert.batch import Source

    source = tmp_path / "names.csv"
    source.write_text("群名\n城西跑团\n读书会\n", encoding="utf-8")
    read = Source(source, mini.kb.questionnaire)
    assert read.columns == ["community_name"] and [row.raw for row in read] == [["城西跑团"], ["读书会"]]


@pytest.mark.parametrize("argv, written", [(["template", "xlsx", "-o", "{dir}/名单.xlsx"], "{dir}/名单.xlsx"),
                                           (["template", "xlsx"], "shequn-template.xlsx"),
                                           (["export", "xlsform", "-o", "{dir}/form.xlsx"], "{dir}/form.xlsx"),
                                           (["export", "xlsform"], "shequn-xlsform.xlsx")])
def test_writing_a_workbook_without_openpyxl_names_the_file_it_would_write(argv, written, mini_kb, tmp_path, capsys,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    argv = [a.format(dir=tmp_path) for a in argv]
    assert main([*argv, "--kb", str(mini_kb)]) == 2
    assert (f"读写 .xlsx（{written.format(dir=tmp_path)}）需要 openpyxl：pip install 'shequn[xlsx]'"
            in capsys.readouterr().err)
    assert list(tmp_path.glob("*.xlsx")) == []


@pytest.mark.parametrize("argv", [["template", "xlsx", "-o", "-"], ["export", "xlsform", "-o", "-"]])
def test_a_workbook_to_standard_output_goes_to_the_pipe_not_into_a_file_named_dash(argv, mini_kb, tmp_path,
                                                                                    capsysbinary, monkeypatch):
    pytest.importorskip("openpyxl")
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--kb", str(mini_kb)]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"PK\x03\x04")  # a zip: the workbook itself
    assert not (tmp_path / "-").exists()


def test_a_workbook_is_not_printed_on_a_terminal(mini_kb, tmp_path, capsys, monkeypatch):
    pytest.importorskip("openpyxl")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["export", "xlsform", "-o", "-", "--kb", str(mini_kb)]) == 2
    assert ".xlsx 工作簿没法显示在终端上：用 -o 文件名.xlsx 写到文件，或用 -o - 接管道" in capsys.readouterr().err


def test_a_questions_short_name_or_capitalised_id_is_its_header_too(checkup):
    questionnaire = checkup.kb.questionnaire
    assert read_header(["群名", "群人数", "Members_7d", "Age_Months", "7 天内说过话的人数"], questionnaire, "x.csv").columns \
        == ["community_name", "members", None, "age_months", "active_7d"]


def test_a_header_near_a_short_name_is_refused_naming_that_question(checkup):
    with pytest.raises(AnswersError) as caught:
        read_header(["群名称", "群人数"], checkup.kb.questionnaire, "x.csv")
    assert str(caught.value.problems[0]) == (
        "x.csv:1:1: 列 '群名称' 不是问卷里的题目；像是题目 community_name「你的社群叫什么名字？」写错了，而这道题没有别的列。"
        "请把表头改成题目原文或题目 id")


def test_a_table_with_no_question_at_all_is_refused_at_the_header_not_row_by_row(mini):
    with pytest.raises(AnswersError) as caught:
        columns(mini, "订单号", "金额", "序号")
    assert str(caught.value.problems[0]) == (
        "x.csv:1: 表头没有一列是问卷里的题目（表头是 '订单号'、'金额'、'序号'）：这是别的表格，还是表头不在第一行？"
        "每道题一列，表头写题目原文或题目 id，例如 community_name / 群名")
