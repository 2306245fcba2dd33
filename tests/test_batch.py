"""`shequn batch`: many communities from a CSV, JSON lines or a folder, each diagnosed as `diagnose` would."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from expert import batch
from expert.answers import answers_document, validate_answers, write_answers
from expert.batch import Names, run_batch, safe_name, to_cell
from expert.checkup import Checkup
from expert.cli import main
from expert.errors import Interrupted
from expert.sampling import random_answers


@pytest.fixture
def mini(mini_kb):
    return Checkup.load(mini_kb)


def cases(checkup, n=24, seed=7):
    rng = random.Random(seed)
    return [random_answers(checkup.kb.questionnaire, rng) for _ in range(n)]


def write_csv(path: Path, checkup, answer_sets, bom=True) -> Path:
    questions = checkup.kb.questionnaire.questions
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(questions))
        for values in answer_sets:
            writer.writerow([to_cell(q, values.get(qid)) for qid, q in questions.items()])
    return path


def write_jsonl(path: Path, answer_sets) -> Path:
    path.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in answer_sets), encoding="utf-8")
    return path


def write_folder(path: Path, checkup, answer_sets) -> Path:
    path.mkdir()
    for n, values in enumerate(answer_sets, start=1):
        answers = validate_answers({"answers": values}, checkup.kb.questionnaire, "case")
        write_answers(path / f"case{n:03d}.yaml", answers)
    return path


def results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def errors(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def diagnose_with_the_cli(capsys, path: Path, kb: Path) -> list[str]:
    assert main(["diagnose", str(path), "--format", "json", "--kb", str(kb)]) == 0
    return [f["id"] for f in json.loads(capsys.readouterr().out)["findings"]]


@pytest.mark.parametrize("kind", ["csv", "jsonl", "folder"])
def test_each_input_kind_gives_the_findings_that_diagnose_gives(kind, mini, mini_kb, tmp_path, capsys):
    answer_sets = cases(mini)
    if kind == "csv":
        source = write_csv(tmp_path / "survey.csv", mini, answer_sets)
    elif kind == "jsonl":
        source = write_jsonl(tmp_path / "survey.jsonl", answer_sets)
    else:
        source = write_folder(tmp_path / "answers", mini, answer_sets)
    out = tmp_path / "out"

    result = run_batch(source, out, jobs=1, checkup=mini, progress=False, stderr=io.StringIO())

    assert (result.diagnosed, result.failed, result.exit_code) == (len(answer_sets), 0, 0)
    lines = results(out)
    assert len(lines) == len(answer_sets)
    folder = write_folder(tmp_path / "one_by_one", mini, answer_sets)
    for n, line in enumerate(lines, start=1):
        expected = diagnose_with_the_cli(capsys, folder / f"case{n:03d}.yaml", mini_kb)
        assert [f["id"] for f in line["findings"]] == expected, line["source"]
        assert (out / line["file"]).is_file()


SURVEY_EXPORT = (
    "community_name,members,leaders,kind,key_share,attraction,by_sales,date\n"
    "城西跑团,500,2,个人,,perks;content,否,2026-11-24\n"
    "读书会,500,2,personal,,福利|content,no,\n"
    "宝妈互助群,五百,2,personal,,perks,也许,\n"
    "茶友会,\"1,200\",0,企业,10,,是,\n"
)


def test_a_survey_export_with_bom_lists_labels_and_a_bad_row(mini_kb, tmp_path, capsys):
    source = tmp_path / "问卷导出.csv"
    source.write_text("\ufeff" + SURVEY_EXPORT, encoding="utf-8")
    out = tmp_path / "out"

    code = main(["batch", str(source), "--out-dir", str(out), "--kb", str(mini_kb), "--jobs", "1"])

    assert code == 1  # some rows failed
    stderr = capsys.readouterr().err
    assert f"{source}:4" in stderr and "[members]" in stderr and "[by_sales]" in stderr
    [bad] = errors(out)
    assert bad["row"] == 4
    assert {p["question"] for p in bad["problems"]} == {"members", "by_sales"}
    assert "五百" in json.dumps(bad, ensure_ascii=False)
    lines = results(out)
    assert [line["row"] for line in lines] == [2, 3, 5]
    assert [line["community"] for line in lines] == ["城西跑团", "读书会", "茶友会"]
    assert [f["id"] for f in lines[0]["findings"]] == ["too_few_leaders"]
    assert [f["id"] for f in lines[1]["findings"]] == ["too_few_leaders"]  # perks with content: no bought bond
    # 企业 → enterprise, so key_share is asked; "1,200" is a number with a thousands separator
    assert {f["id"] for f in lines[2]["findings"]} == {"no_leaders", "bought_bond", "few_key_accounts"}
    assert sorted(p.name for p in (out / "prescriptions").iterdir()) == ["城西跑团.md", "茶友会.md", "读书会.md"]
    assert "# 城西跑团" in (out / "prescriptions" / "城西跑团.md").read_text(encoding="utf-8")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "共 4 个社群，已诊断 3 个，1 个因答卷有问题未诊断" in summary
    assert "[茶友会](prescriptions/茶友会.md)" in summary


def test_jobs_2_gives_the_same_results_in_the_same_order_as_jobs_1(mini, tmp_path):
    source = write_csv(tmp_path / "survey.csv", mini, cases(mini, n=150, seed=3))
    with open(source, "a", encoding="utf-8", newline="") as handle:
        handle.write("坏行,-5,0,personal,,perks,yes\n")
    one, two = tmp_path / "one", tmp_path / "two"

    first = run_batch(source, one, jobs=1, checkup=mini, progress=False, stderr=io.StringIO())
    second = run_batch(source, two, jobs=2, checkup=mini, progress=False, stderr=io.StringIO(), chunksize=4)

    assert (first.diagnosed, first.failed) == (second.diagnosed, second.failed) == (150, 1)
    for name in ("results.jsonl", "errors.jsonl", "summary.md"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    files = sorted(p.name for p in (one / "prescriptions").iterdir())
    assert files == sorted(p.name for p in (two / "prescriptions").iterdir())
    for name in files:
        assert (one / "prescriptions" / name).read_bytes() == (two / "prescriptions" / name).read_bytes()


def test_chunks_start_with_one_row_so_a_short_input_is_shared_by_every_worker(mini):
    from expert.batch.pool import Pool

    pool = Pool(2, batch.Worker(mini, [], "markdown", None), chunksize=32)
    sizes = [pool.size(taken) for taken in (0, 7, 8, 16, 64, 255, 256, 10_000)]
    assert sizes == [1, 1, 1, 2, 8, 31, 32, 32]


def test_jobs_2_in_chunks_grown_to_full_size_gives_what_jobs_1_gives(mini, tmp_path):
    source = write_csv(tmp_path / "survey.csv", mini, cases(mini, n=400, seed=7))
    one, two = tmp_path / "one", tmp_path / "two"

    run_batch(source, one, jobs=1, checkup=mini, progress=False, stderr=io.StringIO())
    run_batch(source, two, jobs=2, checkup=mini, progress=False, stderr=io.StringIO())

    for name in ("results.jsonl", "errors.jsonl", "summary.md"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    files = sorted(p.name for p in (one / "prescriptions").iterdir())
    assert len(files) == 400 and files == sorted(p.name for p in (two / "prescriptions").iterdir())


def test_results_do_not_depend_on_the_hash_seed_of_the_process(mini, mini_kb, tmp_path):
    # experta fires rules of equal salience in hash order; what a finding records must not follow it
    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=60, seed=11))
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "expert", "batch", str(source), "--out-dir", str(out),
                        "--kb", str(mini_kb), "--jobs", "1"], env=env, check=True, capture_output=True)
        outputs.append((out / "results.jsonl").read_bytes())
    assert outputs[0] == outputs[1]


def test_cells_are_read_by_the_type_of_their_question(mini):
    columns = ["community_name", "members", "leaders", "kind", "key_share", "attraction", "by_sales", "date"]
    reader = batch.CellReader(mini.kb.questionnaire, columns)
    doc = reader.document([" 读书会 ", "１２００", "2.0", "个人", "", "内容|福利", "否", "2026-11-24"])
    assert doc == {"date": "2026-11-24", "answers": {
        "community_name": "读书会", "members": 1200, "leaders": 2, "kind": "personal",
        "attraction": ["content", "perks"], "by_sales": False}}
    # what does not read as its type is passed on for validation to name
    assert reader.document(["x", "12人", "", "团购", "", "perks；gifts", "maybe", ""])["answers"] == {
        "community_name": "x", "members": "12人", "kind": "团购", "attraction": ["perks", "gifts"],
        "by_sales": "maybe"}


def test_a_row_with_more_cells_than_the_header_is_a_bad_row(mini, tmp_path):
    source = tmp_path / "survey.csv"
    source.write_text("community_name,members,leaders,kind,key_share,attraction,by_sales\n"
                      "读书会,500,2,personal,,content,no\n"
                      "茶友会,500,500,2,personal,,content,no\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(source, out, jobs=1, checkup=mini, progress=False, stderr=io.StringIO())
    assert (result.diagnosed, result.failed) == (1, 1)
    [bad] = errors(out)
    assert bad["row"] == 3 and "8" in bad["problems"][0]["message"]


def test_a_line_that_is_not_json_is_a_bad_row_and_the_others_go_on(mini, tmp_path):
    good = cases(mini, n=2)
    source = tmp_path / "survey.jsonl"
    source.write_text(json.dumps(good[0]) + "\n{members: 5\n\n" + json.dumps({"answers": good[1]}) + "\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    stderr = io.StringIO()

    result = run_batch(source, out, jobs=1, checkup=mini, progress=False, stderr=stderr)

    assert (result.diagnosed, result.failed) == (2, 1)
    assert [line["row"] for line in results(out)] == [1, 4]
    [bad] = errors(out)
    assert bad["row"] == 2 and "JSON" in bad["problems"][0]["message"]
    assert f"{source}:2" in stderr.getvalue()


def test_an_unknown_column_stops_the_run_before_any_row(mini_kb, tmp_path, capsys):
    source = tmp_path / "survey.csv"
    source.write_text("community_name,memebrs\n城西跑团,500\n", encoding="utf-8")

    assert main(["batch", str(source), "--out-dir", str(tmp_path / "out"), "--kb", str(mini_kb)]) == 2
    err = capsys.readouterr().err
    assert "memebrs" in err and "members" in err  # did you mean
    assert not (tmp_path / "out").exists()


def test_a_csv_neither_utf8_nor_gb18030_is_named_with_how_to_fix_it(mini_kb, tmp_path, capsys):
    source = tmp_path / "survey.csv"
    source.write_bytes(b"community_name,members\n\x80\x80,500\n")

    assert main(["batch", str(source), "--out-dir", str(tmp_path / "out"), "--kb", str(mini_kb)]) == 2
    err = capsys.readouterr().err
    assert f"{source} 既不是 UTF-8 也不是 GB18030/GBK 编码；用 --encoding 指明它的编码" in err


def test_an_interrupted_run_keeps_every_row_already_written(mini, tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=10))
    out = tmp_path / "out"
    real = batch.Worker.__call__

    def interrupt_at_row_6(self, row):
        if row.number == 6:
            raise KeyboardInterrupt
        return real(self, row)

    monkeypatch.setattr(batch.Worker, "__call__", interrupt_at_row_6)
    with pytest.raises(Interrupted) as stopped:
        run_batch(source, out, jobs=1, checkup=mini, progress=False, stderr=io.StringIO())

    assert stopped.value.exit_code == 130 and "已诊断 5 个" in stopped.value.message

    lines = results(out)
    assert [line["row"] for line in lines] == [1, 2, 3, 4, 5]
    assert all((out / line["file"]).is_file() for line in lines)
    assert len(list((out / "prescriptions").iterdir())) == 5  # no half-written file left behind
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "中断" in summary and "已诊断 5 个" in summary


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("to", ["the process", "another thread"])
def test_a_signal_just_after_a_row_is_written_stops_the_run_with_that_row_counted(mini, tmp_path, monkeypatch, jobs,
                                                                                  to):
    # the third row's prescription and results line are on disk when SIGINT comes: the summary counts it, even when
    # the kernel hands the signal to another of the process's threads (a progress bar's monitor is one)
    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=8))
    out = tmp_path / "out"
    real = batch.OutDir.diagnosed
    done = threading.Event()
    other = threading.Thread(target=done.wait, daemon=True)

    def written_then_signalled(self, *args, **kwargs):
        file = real(self, *args, **kwargs)
        if len(results(out)) == 3:
            if to == "the process":
                os.kill(os.getpid(), signal.SIGINT)
            else:
                signal.pthread_kill(other.ident, signal.SIGINT)
                time.sleep(0.01)  # the GIL changes hands: where Python 3.11 runs a handler another thread was given
        return file

    monkeypatch.setattr(batch.OutDir, "diagnosed", written_then_signalled)
    other.start()
    try:
        with pytest.raises(Interrupted) as stopped:
            run_batch(source, out, jobs=jobs, checkup=mini, progress=False, stderr=io.StringIO())
    finally:
        done.set()
        other.join()

    assert stopped.value.exit_code == 130 and "已诊断 3 个" in stopped.value.message
    assert [line["row"] for line in results(out)] == [1, 2, 3]
    assert "已处理 3 个社群，已诊断 3 个" in (out / "summary.md").read_text(encoding="utf-8")


def test_the_progress_bar_stays_quiet_when_stderr_is_not_a_terminal(mini, tmp_path):
    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=5))
    stderr = io.StringIO()
    run_batch(source, tmp_path / "out", jobs=1, checkup=mini, stderr=stderr)
    assert stderr.getvalue() == ""


@pytest.mark.parametrize("progress", [None, True, False])
def test_a_run_starts_no_thread_of_its_own_shown_bar_or_not(mini, tmp_path, monkeypatch, progress):
    # tqdm starts a monitor thread with every bar, even a hidden one; a run has none, so a worker forked in place of
    # one that died copies no other thread's half-done state
    from tqdm import tqdm

    if tqdm.monitor is not None:  # one an earlier bar in this process left running: tqdm would reuse it
        tqdm.monitor.exit()
        tqdm.monitor = None
    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=5))
    before = set(threading.enumerate())
    during = []
    real = batch.OutDir.diagnosed

    def noting_threads(self, *args, **kwargs):
        during.append(set(threading.enumerate()) - before)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(batch.OutDir, "diagnosed", noting_threads)
    run_batch(source, tmp_path / "out", jobs=1, checkup=mini, progress=progress, stderr=io.StringIO())
    assert len(during) == 5 and not any(during)


def test_prescription_file_names_are_readable_safe_and_unique():
    assert safe_name("城西跑团") == "城西跑团"
    assert safe_name(" 城西/跑团:*周末? ") == "城西_跑团_周末"
    assert safe_name("../etc/passwd") == "etc_passwd"
    assert safe_name("CON") == "CON_"
    assert len(safe_name("群" * 200).encode("utf-8")) <= batch.MAX_NAME_BYTES
    names = Names(".md")
    taken = [names.take(name, n) for n, name in enumerate(["读书会", "读书会", "", "Book", "book"], start=2)]
    assert taken == ["读书会.md", "读书会-2.md", "row-4.md", "Book.md", "book-2.md"]


def test_the_summary_counts_findings_and_verdicts_per_self_check(mini, tmp_path):
    answer_sets = [
        {"community_name": "甲", "members": 500, "leaders": 0, "kind": "personal", "attraction": ["content"],
         "by_sales": False},
        {"community_name": "乙", "members": 500, "leaders": 2, "kind": "personal", "attraction": ["perks"],
         "by_sales": False},
        {"community_name": "丙", "members": 50, "leaders": 2, "kind": "personal", "attraction": ["content"],
         "by_sales": False},
    ]
    out = tmp_path / "out"
    run_batch(write_jsonl(tmp_path / "s.jsonl", answer_sets), out, jobs=1, checkup=mini, lang="en",
              progress=False, stderr=io.StringIO())
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "3 communities, 3 diagnosed, 0 not diagnosed" in summary
    assert "| No leaders (`no_leaders`) | Check 2: Are there opinion leaders? | high | 1 (33%) |" in summary
    assert "| Check 2: Are there opinion leaders? | 1 (33%) | 1 (33%) | 1 (33%) |" in summary
    worst = summary.split("worst state")[1]
    assert worst.index("[甲]") < worst.index("[乙]")  # a self-check in danger comes first
    assert "[丙]" not in worst  # healthy


def test_answers_documents_round_trip_through_a_jsonl_line(mini, tmp_path):
    values = cases(mini, n=1)[0]
    answers = validate_answers({"answers": values}, mini.kb.questionnaire, "case")
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(answers_document(answers), ensure_ascii=False) + "\n", encoding="utf-8")
    run_batch(source, tmp_path / "out", jobs=1, checkup=mini, progress=False, stderr=io.StringIO())
    [line] = results(tmp_path / "out")
    assert sorted(f["id"] for f in line["findings"]) == mini.diagnose(answers).ids


def test_a_cell_is_read_as_the_interview_reads_a_typed_number(mini_kb, tmp_path):
    source = tmp_path / "survey.csv"
    source.write_text(
        "community_name,members,leaders,kind,key_share,attraction,by_sales\n"
        "甲,\"3,5\",0,personal,,perks,no\n"      # not 35
        "乙,1e2,0,personal,,perks,no\n"          # not 100
        "丙,1_000,0,personal,,perks,no\n"        # not 1000
        "丁,\"１，２００\",0,personal,,perks,no\n",  # full-width thousands: 1200
        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(source), "--out-dir", str(out), "--kb", str(mini_kb), "--jobs", "1"]) == 1
    assert [(bad["row"], [p["question"] for p in bad["problems"]]) for bad in errors(out)] == [
        (2, ["members"]), (3, ["members"]), (4, ["members"])]
    assert [line["community"] for line in results(out)] == ["丁"]


def test_a_community_named_like_a_numbered_file_never_shares_its_file():
    names = Names(".md")
    taken = [names.take(name, n) for n, name in enumerate(["读书会", "读书会", "读书会-2", "读书会", "READ", "read"])]
    assert taken == ["读书会.md", "读书会-2.md", "读书会-2-2.md", "读书会-3.md", "READ.md", "read-2.md"]
    assert len({t.casefold() for t in taken}) == len(taken)


def test_a_worker_that_cannot_write_its_prescription_hands_the_text_back(mini, tmp_path):
    # the parent's own write then names the file and what is wrong with it, as with --jobs 1
    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=2))
    reader = batch.Source(source, mini.kb.questionnaire)
    row = next(iter(reader))
    written = batch.Worker(mini, reader.columns, "markdown", None, spool=str(tmp_path))(row)
    lost = batch.Worker(mini, reader.columns, "markdown", None, spool=str(tmp_path / "gone"))(row)

    assert written.text == "" and Path(written.spooled).parent == tmp_path
    assert Path(written.spooled).read_text(encoding="utf-8").startswith("# ")
    assert lost.spooled == "" and lost.text == Path(written.spooled).read_text(encoding="utf-8")


def cell_variants(q, value, rng) -> str:
    """A cell as survey tools and people write it: the value, a label, an option's number, 是/否, a unit."""
    if value is None:
        return rng.choice(["", " ", "(跳过)"])
    choices = q.choices or []
    if q.type == "single":
        n = [ch.value for ch in choices].index(value)
        return rng.choice([value, choices[n].label.get_text("zh"), str(n + 1), f" {value} "])
    if q.type == "multiple":
        pick = rng.choice([lambda v: v, lambda v: str([ch.value for ch in choices].index(v) + 1),
                           lambda v: next(ch.label.get_text("zh") for ch in choices if ch.value == v)])
        return rng.choice([";", "，", "┋"]).join(pick(v) for v in value)
    if q.type == "yesno":
        return rng.choice(["是", "否"] if rng.random() < 0.5 else ["yes", "1"] if value else ["no", "2"]) \
            if rng.random() < 0.9 else "也许"
    if q.type in ("integer", "number") and q.unit:
        return rng.choice([str(value), f"{value}{q.unit.get_text('zh')}", f"{value:,}"])
    return str(value)


def test_cells_and_answers_taken_from_memory_read_as_fresh_ones(kb):
    # batch remembers the cells and answers it has read; a long run must read every row as if it were the first
    rng = random.Random(5)
    questionnaire = kb.questionnaire
    ids = list(questionnaire.questions)
    rows = []
    for _ in range(300):
        values = random_answers(questionnaire, rng)
        rows.append([cell_variants(questionnaire.questions[qid], values.get(qid), rng) for qid in ids])
    rows += rows[:100]  # the same rows again, every cell now remembered
    reader = batch.CellReader(questionnaire, ids)

    def read(cells, fresh):
        cell_reader = batch.CellReader(questionnaire, ids) if fresh else reader
        if fresh:
            from expert import answers
            answers._CHECKS.clear()
        try:
            doc = cell_reader.document(cells)
            answers = validate_answers(doc, questionnaire, "row")
            return doc, sorted(cell_reader.by_position), answers.values, answers.empty
        except Exception as exc:  # noqa: BLE001 - a refused row must be refused alike
            return type(exc).__name__, str(exc)

    outcomes = [(read(cells, fresh=False), read(cells, fresh=True)) for cells in rows]
    assert [n for n, (remembered, fresh) in enumerate(outcomes) if remembered != fresh] == []
    # the comparison reaches rows read whole, rows refused, and cells read as option numbers
    assert sum(1 for remembered, _ in outcomes if len(remembered) == 4) > 100
    assert sum(1 for remembered, _ in outcomes if len(remembered) == 2) > 10
    assert any(remembered[1] for remembered, _ in outcomes if len(remembered) == 4)


def test_a_run_in_this_process_leaves_the_garbage_collector_as_it_found_it(mini, tmp_path):
    import gc

    source = write_jsonl(tmp_path / "survey.jsonl", cases(mini, n=3))
    frozen = gc.get_freeze_count()
    run_batch(source, tmp_path / "out", jobs=1, checkup=mini, progress=False, stderr=io.StringIO())
    assert gc.get_freeze_count() == frozen


def test_the_summary_lists_the_ten_worst_communities_whatever_order_they_come_in(mini):
    from expert.batch.summary import WORST, Summary
    from expert.batch.worker import Digest

    rng = random.Random(9)
    outcomes = []
    for n in range(200):
        verdicts = {check: rng.choice(["healthy", "watch", "danger"]) for check in ("ip", "leaders")}
        findings = tuple((f"f{i}", rng.choice(["high", "medium", "low"])) for i in range(rng.randrange(4)))
        overall = max(verdicts.values(), key=["healthy", "watch", "danger"].index)
        outcomes.append(batch.Outcome(n + 2, f"in.csv:{n + 2}", f"群{n}", digest=Digest(overall, verdicts, findings,
                                                                                         None)))
    points = {"high": 9, "medium": 3, "low": 1}

    def badness(o):
        d = o.digest
        return (["healthy", "watch", "danger"].index(d.verdict), list(d.verdicts.values()).count("danger"),
                sum(points[s] for _, s in d.findings), len(d.findings), -o.number)

    expected = [o.name for o in sorted(outcomes, key=badness, reverse=True)[:WORST]]
    for order in (outcomes, outcomes[::-1], rng.sample(outcomes, len(outcomes))):
        summary = Summary(mini.kb)
        for o in order:
            summary.add(o, f"{o.name}.md")
        assert [entry[1] for entry in sorted(summary.worst, reverse=True)] == expected
        assert summary.findings["f0"] == sum(1 for o in outcomes if o.digest.findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_results_line_is_json_dumps_of_the_row_and_its_diagnosis(mini, tmp_path, jobs):
    # a row's line is encoded where it is diagnosed, but for its file's name, which the writing process adds
    names = ["城西跑团", 'say "hi"', "back\\slash", "tab\there", "line\u2028sep", "😀 emoji", "", "plain", "a/b:c",
             "城西跑团", "CON", "x" * 200, "\x01control"]
    answer_sets = cases(mini, n=len(names), seed=13)
    for values, name in zip(answer_sets, names):
        values["community_name"] = name
    source = write_jsonl(tmp_path / "survey.jsonl", answer_sets)
    out = tmp_path / "out"

    run_batch(source, out, jobs=jobs, checkup=mini, progress=False, stderr=io.StringIO(), chunksize=2)

    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    failed = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) + len(failed) == len(names) and len(lines) >= len(names) - 1  # "" is no community's name
    questionnaire = mini.kb.questionnaire
    for line in lines:
        found = json.loads(line)
        assert line == json.dumps(found, ensure_ascii=False)
        answers = validate_answers({"answers": answer_sets[found["row"] - 1]}, questionnaire, "case")
        report = mini.report(answers)
        assert found == {"row": found["row"], "source": f"{source}:{found['row']}", "file": found["file"],
                         "community": answers.name, **json.loads(json.dumps(report.diagnosis.as_dict()))}
        assert (out / found["file"]).read_text(encoding="utf-8") == report.text
