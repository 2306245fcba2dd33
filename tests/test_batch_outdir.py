"""The out-dir of `shequn batch`: one run at a time, never two runs' results mixed, --overwrite removes exactly
what a run writes, a folder that cannot be written is a message; and --jobs within what the machine has."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import time

import pytest

from expert.batch import default_jobs
from expert.locks import Lock

from conftest import SHEQUN, limit_memory, mini_kb_files, run_shequn, shequn_env, write_tree


def community(name: str, n: int = 0) -> dict:
    return {"community_name": name, "members": 500, "leaders": n % 3, "kind": "personal", "attraction": ["perks"],
            "by_sales": False}


@pytest.fixture
def work(tmp_path):
    write_tree(tmp_path / "kb", mini_kb_files())
    return tmp_path


def survey(work, name: str, names: list[str]) -> str:
    (work / name).write_text("".join(json.dumps(community(n, i), ensure_ascii=False) + "\n"
                                     for i, n in enumerate(names)), encoding="utf-8")
    return name


def batch(work, *args: str) -> subprocess.CompletedProcess:
    return run_shequn("batch", *args, "--kb", "kb", cwd=work)


def listing(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_an_out_dir_with_an_earlier_runs_results_is_refused_and_left_as_it_is(work):
    assert batch(work, survey(work, "a.jsonl", ["甲", "乙"]), "--out-dir", "out").returncode == 0
    files = listing(work / "out")
    before = {p: (work / "out" / p).read_bytes() for p in files if (work / "out" / p).is_file()}

    again = batch(work, survey(work, "b.jsonl", ["丙"]), "--out-dir", "out")

    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "输出目录 out 里已有上次运行的结果" in again.stderr and "--overwrite" in again.stderr
    assert {p: (work / "out" / p).read_bytes() for p in before} == before
    assert listing(work / "out") == files


def test_overwrite_removes_exactly_what_a_run_writes(work):
    assert batch(work, survey(work, "a.jsonl", ["甲", "乙", "丙"]), "--out-dir", "out").returncode == 0
    (work / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    (work / "out" / "drafts").mkdir()
    (work / "out" / "drafts" / "甲.md").write_text("mine too", encoding="utf-8")

    again = batch(work, survey(work, "b.jsonl", ["丁"]), "--out-dir", "out", "--overwrite")

    assert again.returncode == 0, again.stderr
    assert listing(work / "out") == ["drafts", "drafts/甲.md", "errors.jsonl", "notes.txt", "prescriptions",
                                     "prescriptions/丁.md", "results.jsonl", "summary.md"]
    assert (work / "out" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert [json.loads(line)["community"] for line in
            (work / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()] == ["丁"]


def test_an_empty_out_dir_or_one_with_other_files_is_used_as_it_is(work):
    (work / "out" / "prescriptions").mkdir(parents=True)
    (work / "out" / "survey-notes.txt").write_text("mine", encoding="utf-8")
    assert batch(work, survey(work, "a.jsonl", ["甲"]), "--out-dir", "out").returncode == 0
    assert (work / "out" / "prescriptions" / "甲.md").is_file()
    assert not (work / "out" / ".shequn-batch.lock").exists()  # released, and removed


def test_an_out_dir_in_use_by_a_running_batch_is_refused_until_that_run_is_gone(work):
    survey(work, "big.jsonl", [f"群{n}" for n in range(20_000)])
    first = subprocess.Popen([*SHEQUN, "batch", "big.jsonl", "--out-dir", "out", "--kb", "kb", "--jobs", "1"],
                             cwd=work, env=shequn_env(work), stderr=subprocess.DEVNULL, preexec_fn=limit_memory)
    try:
        deadline = time.monotonic() + 20
        while not (work / "out" / "results.jsonl").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

        second = batch(work, survey(work, "a.jsonl", ["甲"]), "--out-dir", "out", "--overwrite")

        assert second.returncode == 2 and "Traceback" not in second.stderr
        assert f"输出目录 out 正被另一个 shequn batch 使用（进程 {first.pid}）" in second.stderr
        assert first.poll() is None  # the running batch goes on, its results untouched
    finally:
        first.send_signal(signal.SIGKILL)  # as the kernel's out-of-memory killer would: no clean-up at all
        first.wait()
    assert (work / "out" / ".shequn-batch.lock").exists()

    third = batch(work, "a.jsonl", "--out-dir", "out", "--overwrite")

    assert third.returncode == 0, third.stderr  # a lock left by a killed run does not block the next
    assert listing(work / "out" / "prescriptions") == ["甲.md"]


def test_a_second_lock_on_a_file_is_refused_and_the_first_release_frees_it(tmp_path):
    first, second = Lock(tmp_path / ".x.lock"), Lock(tmp_path / ".x.lock")
    assert first.acquire()
    assert not second.acquire()
    assert second.holder() == str(os.getpid())
    first.release()
    assert not (tmp_path / ".x.lock").exists()
    assert second.acquire()
    second.release()


def without_write_permission() -> tuple[str, ...]:
    """As root, the command must first lose the power to write where the mode bits say it may not."""
    if os.geteuid() != 0:
        return ()
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv, nothing is read-only")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


@pytest.mark.parametrize("read_only", ["parent", "out-dir", "prescriptions"])
def test_a_folder_that_cannot_be_written_is_a_message(work, read_only):
    survey(work, "a.jsonl", ["甲"])
    target = {"parent": work / "locked", "out-dir": work / "locked", "prescriptions": work / "locked/prescriptions"}
    target[read_only].mkdir(parents=True)
    out = "locked/out" if read_only == "parent" else "locked"
    target[read_only].chmod(0o555)
    try:
        done = run_shequn("batch", "a.jsonl", "--out-dir", out, "--kb", "kb", cwd=work,
                          prefix=without_write_permission())
    finally:
        target[read_only].chmod(0o755)

    named = {"parent": "locked/out", "out-dir": "locked/.shequn-batch.lock", "prescriptions": "locked/prescriptions"}
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "PermissionError" not in done.stderr
    assert f"写不了 {named[read_only]}" in done.stderr and "Permission denied" in done.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])  # written by a thread of the run's own process, or renamed there
def test_a_write_that_fails_midway_stops_the_run_with_a_message_and_a_marked_summary(work, jobs):
    survey(work, "a.jsonl", [f"群{n}" for n in range(300)])

    def small_files():
        limit_memory()
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # a disk that fills up at 20 KB a file

    done = subprocess.run([*SHEQUN, "batch", "a.jsonl", "--out-dir", "out", "--kb", "kb", "--jobs", jobs,
                           "--overwrite"], cwd=work,
                          env=shequn_env(work), capture_output=True, text=True, timeout=120, preexec_fn=small_files)

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "写不了 out/results.jsonl" in done.stderr and "File too large" in done.stderr
    summary = (work / "out" / "summary.md").read_text(encoding="utf-8")
    assert "**这次运行没有做完**：因错误中止：写不了 out/results.jsonl" in summary
    lines = (work / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert "（输入共 300 个）" in summary and f"已诊断 {len(lines)} 个" in summary
    # every prescription has its line and every line its prescription: nothing counted that is not there
    named = sorted(json.loads(line)["file"] for line in lines)
    assert sorted(f"prescriptions/{p.name}" for p in (work / "out" / "prescriptions").iterdir()) == named


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_jobs_below_one_is_a_usage_error(work, jobs):
    done = batch(work, survey(work, "a.jsonl", ["甲"]), "--out-dir", "out", "--jobs", jobs)
    assert done.returncode == 2
    assert f"--jobs 应是正整数，不能是 {jobs}" in done.stderr
    assert not (work / "out").exists()


def test_jobs_above_the_cores_are_capped_with_a_note(work):
    done = batch(work, survey(work, "a.jsonl", ["甲", "乙"]), "--out-dir", "out", "--jobs", "999")
    assert done.returncode == 0, done.stderr
    assert f"--jobs 999 超过了 CPU 核数，只用 {default_jobs()} 个进程" in done.stderr
    assert listing(work / "out" / "prescriptions") == ["乙.md", "甲.md"]
