"""`shequn batch` stopped by SIGINT or SIGTERM at any moment, the first half second included, and by Ctrl-C
in a real terminal: it ends within seconds, says what it kept, marks the summary, and leaves no worker and no
traceback behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import SHEQUN, limit_memory, mini_kb_files, shequn_env, write_tree

ROWS = 20_000  # a run of tens of seconds: every signal below arrives while it is going on
GRACE = 15  # seconds a stopped run may take to end: a guard against a hang, not a measure of speed


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    base = tmp_path_factory.mktemp("signals")
    write_tree(base / "kb", mini_kb_files())
    with open(base / "survey.jsonl", "w", encoding="utf-8") as handle:
        for n in range(ROWS):
            handle.write(json.dumps({"community_name": f"群{n}", "members": 500, "leaders": n % 4, "kind": "personal",
                                     "attraction": ["perks"], "by_sales": False}, ensure_ascii=False) + "\n")
    return base


def start(work, out: str) -> subprocess.Popen:
    command = [*SHEQUN, "batch", "survey.jsonl", "--out-dir", out, "--kb", "kb", "--jobs", "2"]
    # a session of its own: the run and its workers are one process group, as in a terminal
    return subprocess.Popen(command, cwd=work, env=shequn_env(work), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=limit_memory)


def stopped(child: subprocess.Popen) -> str:
    try:
        _, err = child.communicate(timeout=GRACE)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"still running {GRACE} s after the signal")
    assert "Traceback" not in err
    with pytest.raises(ProcessLookupError):  # no worker left running
        os.killpg(child.pid, 0)
    return err


def wait_for_results(out) -> None:
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline:
        if (out / "results.jsonl").is_file() and (out / "results.jsonl").stat().st_size:
            return
        time.sleep(0.05)
    pytest.fail("no result was written")


def check_summary(out, why: str) -> None:
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "**这次运行没有做完**：" + why in summary
    assert f"（输入共 {ROWS} 个）" in summary
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    done = len(lines)
    assert f"已处理 {done} 个社群，已诊断 {done} 个" in summary
    # every prescription a result names, and nothing else: what workers wrote for rows never taken is gone
    named = sorted(json.loads(line)["file"] for line in lines)
    assert sorted(f"prescriptions/{p.name}" for p in (out / "prescriptions").iterdir()) == named


@pytest.mark.parametrize("signum, code, why", [(signal.SIGINT, 130, "被 Ctrl-C（SIGINT）中断"),
                                               (signal.SIGTERM, 143, "收到 SIGTERM，提前结束")])
def test_a_signal_while_rows_are_diagnosed_ends_the_run_and_marks_the_summary(work, signum, code, why):
    out = f"out-{signum}"
    child = start(work, out)
    wait_for_results(work / out)
    child.send_signal(signum)

    err = stopped(child)

    assert child.returncode == code
    assert why in err and "summary.md" in err
    check_summary(work / out, why)


@pytest.mark.parametrize("delay", [0.2, 0.3, 0.4, 0.5])
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_every_process_in_the_first_half_second_ends_the_run(work, signum, code, delay):
    """As Ctrl-C in a terminal does, the signal reaches the workers too, while they may still be starting."""
    out = f"early-{signum}-{delay}"
    child = start(work, out)
    time.sleep(delay)
    os.killpg(child.pid, signum)

    stopped(child)

    assert child.returncode in (code, -signum)  # -signum: it came before the command could take it
    summary = work / out / "summary.md"
    if summary.exists():
        assert "这次运行没有做完" in summary.read_text(encoding="utf-8")


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.45, 1.0])
def test_ctrl_c_in_a_terminal_at_any_moment_ends_the_run(work, delay):
    pexpect = pytest.importorskip("pexpect")
    out = f"tty-{delay}"
    child = pexpect.spawn(SHEQUN[0], [*SHEQUN[1:], "batch", "survey.jsonl", "--out-dir", out, "--kb", "kb"],
                          cwd=str(work), env={**shequn_env(work), "TERM": "xterm"}, encoding="utf-8",
                          dimensions=(24, 100), timeout=GRACE)
    time.sleep(delay)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)  # a hang fails here, after GRACE seconds
    child.close()

    assert child.exitstatus == 130, child.before
    assert "Traceback" not in child.before
    assert "中断" in child.before
    summary = work / out / "summary.md"
    if summary.exists():
        assert "被 Ctrl-C（SIGINT）中断" in summary.read_text(encoding="utf-8")
