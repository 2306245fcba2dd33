"""`shequn batch` against bad records: in a CSV export, JSON lines and a folder of answers files, every malformed
record is reported in errors.jsonl with its row and a message, every good record around it is diagnosed, and
the run ends with exit code 1, no traceback, under a timeout and an address-space limit."""

from __future__ import annotations

import csv
import io
import json
import os
import signal

import pytest

from expert import batch
from expert.batch import run_batch
from expert.checkup import Checkup

from conftest import mini_kb_files, run_shequn, write_tree

COLUMNS = ["community_name", "members", "leaders", "kind", "key_share", "attraction", "by_sales", "date"]
LEAD = 30  # good rows first: past the 4 KB that decide whether a file is UTF-8 at all


def good(n: int) -> dict:
    return {"community_name": f"好群{n}", "members": 100 + n, "leaders": n % 3, "kind": "personal",
            "attraction": ["perks"] if n % 2 else ["content"], "by_sales": n % 5 == 0}


def deep(opening: str, closing: str, n: int = 3000) -> str:
    return opening * n + closing * n


JSONL_BAD = {  # what the line is, and what its message says
    "unknown top-level key": (json.dumps({"answers": good(0), "bogus": 1}), "未知的顶层键 'bogus'"),
    "unknown question": (json.dumps({**good(0), "memebrs": 5}), "问卷里没有这个问题"),
    "1e999": ('{"community_name": "x", "members": 1e999}', "1e999 不能作为回答"),
    "NaN": ('{"community_name": "x", "members": NaN}', "NaN 不能作为回答"),
    "-Infinity": ('{"community_name": "x", "leaders": -Infinity}', "-Infinity 不能作为回答"),
    "5,000 digits": ('{"community_name": "x", "members": ' + "9" * 5000 + "}", "不能作为回答"),
    "3,000-deep array": (deep("[", "]"), "嵌套太深"),
    "3,000-deep object": (deep('{"a":', "}").replace("}", "1}", 1), "嵌套太深"),
    "a list of 100,000": (json.dumps({**good(0), "attraction": ["perks"] * 100_000}), "太大"),
    "bad date": (json.dumps({"date": "2026-02-30", "answers": good(0)}), "date 应是日期"),
    "not JSON": ("{members: 5", "不是合法的 JSON"),
    "not a mapping": ('"城西跑团"', "不是答卷"),
    "text given a mapping": (json.dumps({**good(0), "community_name": {"x": 1}}), "应为一段文字"),
    "a line of 2 MB": (json.dumps({**good(0), "community_name": "长" * (1 << 20)}), "字节"),
}
CSV_BAD = {
    "cell over the csv limit": (["x" * 200_000, "500", "2", "personal", "", "perks", "no", ""], "超过 131072 个字符"),
    "5,000 digits": (["x", "9" * 5000, "2", "personal", "", "perks", "no", ""], "应为整数"),
    "nan": (["x", "nan", "2", "personal", "", "perks", "no", ""], "应为整数"),
    "1e999": (["x", "1e999", "2", "personal", "", "perks", "no", ""], "应为整数"),
    "bad date": (["x", "500", "2", "personal", "", "perks", "no", "2026-02-30"], "date 应是日期"),
    "shifted row": (["x", "500", "2", "2", "personal", "", "perks", "no", "", "", "more"], "个单元格"),
    "unknown choice": (["x", "500", "2", "团购", "", "perks", "no", ""], "应为以下之一"),
}
BILLION_LAUGHS = "answers:\n" + "".join(
    f"  l{i}: &a{i} [" + (",".join([f"*a{i - 1}"] * 9) if i else ",".join(['"lol"'] * 9)) + "]\n"
    for i in range(9)) + "  community_name: [" + ",".join(["*a8"] * 9) + "]\n"
FOLDER_BAD = {
    "billion laughs": (BILLION_LAUGHS.encode(), "别名炸弹"),
    "not UTF-8": ("answers: {community_name: 城西跑团}\n".encode("gbk"), "读不了答卷文件"),
    "3,000-deep flow": (("answers: " + deep("[", "]")).encode(), "YAML"),
    "bad date": (b"date: 2026-02-30\nanswers: {community_name: x}\n", "date 应是日期"),
    ".inf": (b"answers: {community_name: x, members: .inf}\n", "inf 不能作为回答"),
    ".nan": (b"answers: {community_name: x, members: .nan}\n", "nan 不能作为回答"),
    "5,000 digits": (b"answers: {community_name: x, members: " + b"9" * 5000 + b"}\n", "数字太长"),
    "unknown top-level key": (b"bogus: 1\nanswers: {community_name: x}\n", "未知的顶层键 'bogus'"),
    "YAML syntax": (b"answers: {community_name: [x}\n", "YAML 语法错误"),
    "2 MB": (b"answers: {community_name: x}\n" + b"#" * (2 << 20) + b"\n", "字节"),
    "not a mapping": (b"- a\n- b\n", "不是答卷"),
}


@pytest.fixture
def kb(tmp_path):
    return write_tree(tmp_path / "kb", mini_kb_files())


def interleave(bad: dict) -> list[tuple[str | None, object]]:
    """(None, good record) and (label, bad record), a good one on either side of every bad one."""
    rows: list[tuple[str | None, object]] = [(None, good(n)) for n in range(LEAD)]
    for n, (label, (record, _)) in enumerate(bad.items(), start=LEAD):
        rows += [(label, record), (None, good(n))]
    return rows


def check_run(done, out, expected: dict[int, str], good_rows: list[int]) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in results] == good_rows
    assert all((out / r["file"]).is_file() for r in results)
    errors = {e["row"]: e for e in map(json.loads, (out / "errors.jsonl").read_text(encoding="utf-8").splitlines())}
    assert sorted(errors) == sorted(expected)
    for row, wanted in expected.items():
        messages = " ".join(p["message"] for p in errors[row]["problems"])
        assert wanted in messages, (row, messages)
        assert len(messages) < 10_000  # a message quoting a huge value is cut
    summary = (out / "summary.md").read_text(encoding="utf-8")
    total = len(good_rows) + len(expected)
    assert f"共 {total} 个社群，已诊断 {len(good_rows)} 个，{len(expected)} 个" in summary
    assert "没有做完" not in summary


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_bad_json_line_is_reported_and_every_good_one_diagnosed(kb, tmp_path, jobs):
    rows = interleave(JSONL_BAD)
    lines = []
    for label, record in rows:
        lines.append(json.dumps(record, ensure_ascii=False).encode() if label is None else record.encode())
    not_utf8 = len(lines) + 1
    lines += [b'{"community_name": "\xff\xfe"}', json.dumps(good(99)).encode()]
    (tmp_path / "survey.jsonl").write_bytes(b"\n".join(lines) + b"\n")

    done = run_shequn("batch", "survey.jsonl", "--out-dir", "out", "--kb", str(kb), "--jobs", jobs, cwd=tmp_path)

    expected = {n: JSONL_BAD[label][1] for n, (label, _) in enumerate(rows, start=1) if label}
    expected[not_utf8] = "不是 UTF-8"
    good_rows = [n for n, (label, _) in enumerate(rows, start=1) if label is None] + [not_utf8 + 1]
    check_run(done, tmp_path / "out", expected, good_rows)


def test_every_bad_csv_row_is_reported_and_every_good_one_diagnosed(kb, tmp_path):
    rows = interleave(CSV_BAD)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for label, record in rows:
        if label is None:
            record = [record["community_name"], record["members"], record["leaders"], record["kind"], "",
                      ";".join(record["attraction"]), "yes" if record["by_sales"] else "no", ""]
        writer.writerow(record)
    not_utf8 = len(rows) + 2
    (tmp_path / "survey.csv").write_bytes(text.getvalue().encode() + b"\xb3\xc7\xce\xf7,500,2,personal,,perks,no,\r\n"
                                          + "最后一群,500,2,personal,,perks,no,\r\n".encode())

    done = run_shequn("batch", "survey.csv", "--out-dir", "out", "--kb", str(kb), "--jobs", "2", cwd=tmp_path)

    expected = {n: CSV_BAD[label][1] for n, (label, _) in enumerate(rows, start=2) if label}
    expected[not_utf8] = "不是 UTF-8"
    good_rows = [n for n, (label, _) in enumerate(rows, start=2) if label is None] + [not_utf8 + 1]
    check_run(done, tmp_path / "out", expected, good_rows)


def test_every_bad_file_of_a_folder_is_reported_and_every_good_one_diagnosed(kb, tmp_path):
    rows = interleave(FOLDER_BAD)[LEAD - 2:]  # a folder has no encoding of its own: no lead needed
    folder = tmp_path / "answers"
    folder.mkdir()
    for n, (label, record) in enumerate(rows, start=1):
        content = json.dumps({"answers": record}, ensure_ascii=False).encode() if label is None else record
        (folder / f"{n:03d}.yaml").write_bytes(content)

    done = run_shequn("batch", "answers", "--out-dir", "out", "--kb", str(kb), "--jobs", "2", cwd=tmp_path)

    expected = {n: FOLDER_BAD[label][1] for n, (label, _) in enumerate(rows, start=1) if label}
    good_rows = [n for n, (label, _) in enumerate(rows, start=1) if label is None]
    check_run(done, tmp_path / "out", expected, good_rows)


def test_a_template_that_fails_on_one_community_costs_only_that_row(tmp_path):
    template = "# {{ community }}\n{{ (1 // 0) if community == '坏模板' else '' }}\n"
    kb = write_tree(tmp_path / "kb", mini_kb_files(**{"templates/prescription.zh.md.j2": template}))
    records = [good(1), {**good(2), "community_name": "坏模板"}, good(3)]
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    done = run_shequn("batch", "s.jsonl", "--out-dir", "out", "--kb", str(kb), "--jobs", "2", cwd=tmp_path)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    [error] = [json.loads(line) for line in (tmp_path / "out/errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert error["row"] == 2
    assert "知识库写不出这一行的处方" in error["problems"][0]["message"]
    assert "prescription.zh.md.j2:2" in error["problems"][0]["message"]  # where the template fails
    assert "ZeroDivisionError" in error["problems"][0]["message"]
    assert "ZeroDivisionError" in done.stderr  # the message, on its row
    assert len((tmp_path / "out/results.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_a_row_that_kills_its_worker_is_that_rows_problem(mini_kb, tmp_path, monkeypatch):
    records = [{**good(n), "community_name": "致命" if n == 6 else f"群{n}"} for n in range(1, 13)]
    source = tmp_path / "s.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    real = batch.Worker.__call__

    def die_on_the_fatal_row(self, row):
        if "致命" in row.raw:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
        return real(self, row)

    monkeypatch.setattr(batch.Worker, "__call__", die_on_the_fatal_row)
    result = run_batch(source, tmp_path / "out", jobs=2, chunksize=4, checkup=Checkup.load(mini_kb),
                       progress=False, stderr=io.StringIO())

    assert (result.diagnosed, result.failed) == (11, 1)
    [error] = [json.loads(line) for line in (tmp_path / "out/errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert error["row"] == 6 and "进程意外退出（signal 9）" in error["problems"][0]["message"]
    results = (tmp_path / "out/results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["row"] for line in results] == [n for n in range(1, 13) if n != 6]


def test_an_unexpected_error_in_one_row_is_its_message_not_a_traceback(mini_kb, tmp_path, monkeypatch):
    checkup = Checkup.load(mini_kb)
    real = checkup.report

    def buggy(answers, fmt, lang, **options):
        if answers.name == "群2":
            raise KeyError("a bug")
        return real(answers, fmt, lang, **options)

    monkeypatch.setattr(checkup, "report", buggy)
    records = [{**good(n), "community_name": f"群{n}"} for n in range(1, 4)]
    source = tmp_path / "s.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    stderr = io.StringIO()

    result = run_batch(source, tmp_path / "out", jobs=1, checkup=checkup, progress=False, stderr=stderr)

    assert (result.diagnosed, result.failed, result.exit_code) == (2, 1, 1)
    assert "意外错误（KeyError: 'a bug'）" in stderr.getvalue() and "Traceback" not in stderr.getvalue()
