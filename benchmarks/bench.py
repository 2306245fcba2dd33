"""How fast shequn diagnoses: one run prints every number issue 6 asks for, the last line machine-readable.

    .venv/bin/python benchmarks/bench.py [--n 2000] [--kb DIR] [--rows 10000] [--jobs N]

Answers are drawn at random from the questionnaire's own types, ranges and skip logic
(expert/sampling.py), so every case is valid and the rules see the whole range of answers.
Targets on a 2-core machine with the built-in knowledge base: ≥ 200 diagnoses/s in one process,
≥ 5× the naive way, all cores ≥ 1.7× one process, `shequn diagnose` ≤ 1.5× the import floor,
`shequn --help` ≤ 120 ms, a 10,000-row batch ≤ 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the import floor: what any Python program using experta, Jinja and PyYAML pays before doing
# anything. experta 1.9.4 cannot be imported on Python ≥ 3.10 without the collections.Mapping alias.
FLOOR = ("import collections, collections.abc; collections.Mapping = collections.abc.Mapping; "
         "import experta, jinja2, yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="random answer sets to diagnose (default 2000)")
    parser.add_argument("--kb", default=None, help="knowledge base folder (default: the built-in one)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the batch whose memory is measured")
    parser.add_argument("--naive", type=int, default=100, help="cases diagnosed the naive way (default 100)")
    parser.add_argument("--jobs", type=int, default=None, help="processes for 'all cores' (default: all)")
    parser.add_argument("--repeat", type=int, default=21, help="runs of each command timed (median)")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()

    from expert.batch import default_jobs

    jobs = args.jobs or default_jobs()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; {jobs} processes for 'all cores'")

    # ------------------------------------------------------------------ load + compile
    t0 = time.perf_counter()
    from expert.answers import validate_answers
    from expert.engine import Diagnoser
    from expert.plan import Prescriber
    from expert.knowledge import load_knowledge_base
    from expert.render import Renderer
    from expert.sampling import random_answers

    t1 = time.perf_counter()
    kb = load_knowledge_base(args.kb, cache=False)
    t2 = time.perf_counter()
    diagnoser = Diagnoser(kb)
    t3 = time.perf_counter()
    prescriber = Prescriber(kb)
    t3b = time.perf_counter()
    renderer = Renderer(kb)
    load_knowledge_base(args.kb)  # fills the cache if need be
    t4 = time.perf_counter()
    load_knowledge_base(args.kb)
    t5 = time.perf_counter()
    print(f"knowledge base {kb.name}: {len(kb.questionnaire.questions)} questions, {len(kb.rules.rules)} rules, "
          f"{len(kb.rules.findings)} findings, {len(kb.actions.actions)} actions")
    print(f"compile the prescribing engine {ms(t3b - t3)}")
    print(f"import {ms(t1 - t0)}; load + validate {ms(t2 - t1)}; compile engine (Rete network) {ms(t3 - t2)}; "
          f"load + compile {ms(t3 - t1)}; from the knowledge-base cache {ms(t5 - t4, 1)} + compile")

    # ------------------------------------------------------------------ cases
    rng = random.Random(args.seed)
    q = kb.questionnaire
    cases = [validate_answers({"answers": random_answers(q, rng)}, q, f"case {i}") for i in range(args.n)]
    found = [len(diagnoser.diagnose(a).findings) for a in cases[:200]]  # also warms up
    print(f"{args.n} random valid answer sets; {statistics.mean(found):.1f} findings per case on average")

    # ------------------------------------------------------------------ one process, engine reused
    times = []
    start = time.perf_counter()
    for answers in cases:
        t = time.perf_counter()
        diagnoser.diagnose(answers)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    per_s = len(cases) / total
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"diagnosis, engine reused: median {ms(statistics.median(times), 2)}, p95 {ms(p95, 2)}; "
          f"1 process {per_s:.0f} diagnoses/s")
    diagnosed = [(answers, diagnoser.diagnose(answers)) for answers in cases[:500]]
    start = time.perf_counter()
    for answers, diagnosis in diagnosed:
        diagnosis.plan = prescriber.prescribe(answers, diagnosis)
    print(f"the plan (second stage) alone: {len(diagnosed) / (time.perf_counter() - start):.0f}/s")
    start = time.perf_counter()
    for answers in cases[:500]:
        diagnosis = diagnoser.diagnose(answers)
        diagnosis.plan = prescriber.prescribe(answers, diagnosis)
        renderer.markdown(answers, diagnosis, "zh")
    print(f"diagnosis + plan + Markdown prescription: {min(500, len(cases)) / (time.perf_counter() - start):.0f}/s")

    # ------------------------------------------------------------------ all cores
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    global _diagnoser
    _diagnoser = diagnoser
    start = time.perf_counter()
    with context.Pool(jobs, initializer=_init, initargs=(args.kb,)) as pool:
        count = sum(pool.imap(_count_findings, cases, chunksize=32))
    all_cores = len(cases) / (time.perf_counter() - start)
    assert count >= 0
    print(f"all cores ({jobs} processes, pool start included): {all_cores:.0f} diagnoses/s = "
          f"{all_cores / per_s:.2f}× one process")

    # ------------------------------------------------------------------ the naive way
    sample = cases[: args.naive]
    start = time.perf_counter()
    for answers in sample:
        Diagnoser(kb).diagnose(answers)  # the engine class and its Rete network built for every case
    naive = len(sample) / (time.perf_counter() - start)
    speedup = per_s / naive
    print(f"naive way (a new engine for every case, {len(sample)} cases): {naive:.1f} diagnoses/s; "
          f"reused engine is {speedup:.1f}× faster")

    # ------------------------------------------------------------------ commands
    shequn = _shequn()
    example = kb.examples[0] if kb.examples else None
    commands = {"floor": [sys.executable, "-c", FLOOR], "help": [*shequn, "--help"]}
    if example is not None:
        commands["diagnose"] = [*shequn, "diagnose", str(example)] + (["--kb", args.kb] if args.kb else [])
    wall = _median_runs(commands, args.repeat)
    print(f"import floor `python -c \"import experta, jinja2, yaml\"` (with the Mapping alias): {ms(wall['floor'])}"
          f" (median of {args.repeat}, runs interleaved with the commands below; bytecode caches as installed)")
    over = float("nan")
    if example is not None:
        over = wall["diagnose"] / wall["floor"]
        print(f"`shequn diagnose {example.name}`: {ms(wall['diagnose'])} = {over:.2f}× the floor")
    else:
        print("`shequn diagnose`: the knowledge base has no example to diagnose")
    print(f"`shequn --help`: {ms(wall['help'])}")

    # ------------------------------------------------------------------ a 10,000-row batch
    work = Path(tempfile.mkdtemp(prefix="shequn-bench-"))
    try:
        source = work / "survey.csv"
        _write_csv(source, q, args.rows, random.Random(args.seed + 1))
        for n_jobs in sorted({1, jobs}):
            command = [*shequn, "batch", str(source), "--out-dir", str(work / f"out{n_jobs}"), "--jobs", str(n_jobs)]
            command += ["--kb", args.kb] if args.kb else []
            seconds, peak_tree, peaks = _peak_memory(command)
            print(f"batch of {args.rows} CSV rows with --jobs {n_jobs}: {seconds:.1f} s, "
                  f"{args.rows / seconds:.0f} rows/s; peak memory {peak_tree / 1024:.0f} MB for all processes together "
                  f"(sum of each process's own peak: {peaks / 1024:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"per_s={per_s:.0f} speedup_vs_naive={speedup:.1f} diagnose_over_floor={over:.2f}")


_diagnoser = None


def _init(kb_dir) -> None:
    global _diagnoser
    if _diagnoser is None:  # not inherited through fork: build this process's own
        from expert.engine import Diagnoser
        from expert.knowledge import load_knowledge_base

        _diagnoser = Diagnoser(load_knowledge_base(kb_dir))


def _count_findings(answers) -> int:
    return len(_diagnoser.diagnose(answers).findings)


def ms(seconds: float, digits: int = 0) -> str:
    return f"{seconds * 1000:.{digits}f} ms"


def _shequn() -> list[str]:
    script = Path(sys.executable).parent / "shequn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "expert"]


def _env() -> dict[str, str]:
    """The environment of timed commands: Python may write bytecode, as an installed package has it
    (pip compiles it at install time; a PYTHONDONTWRITEBYTECODE development shell would not)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _median_runs(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, the runs of all commands interleaved so that whatever else
    the machine is doing weighs on each alike. One untimed run first fills the caches."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for rnd in range(repeat + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
            if rnd:
                times[name].append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return {name: statistics.median(values) for name, values in times.items()}


def _write_csv(path: Path, questionnaire, rows: int, rng: random.Random) -> None:
    """A survey export: BOM, a header of question ids, multiple choices joined by ;."""
    from expert.batch import to_cell
    from expert.sampling import random_answers

    ids = list(questionnaire.questions)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ids)
        for _ in range(rows):
            values = random_answers(questionnaire, rng)
            writer.writerow([to_cell(questionnaire.questions[qid], values.get(qid)) for qid in ids])


def _peak_memory(command: list[str]) -> tuple[float, int, int]:
    """Run a command; its wall time, the peak of its process tree's summed resident memory (KB), and
    the sum of each process's own peak (VmHWM), an upper bound that polling cannot miss."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    peak = [0]
    hwm: dict[int, int] = {}

    def watch() -> None:
        while process.poll() is None:
            tree = _tree(process.pid)
            peak[0] = max(peak[0], sum(rss for rss, _ in tree.values()))
            for pid, (_, high) in tree.items():
                hwm[pid] = max(hwm.get(pid, 0), high)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    watcher.join()
    seconds = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    return seconds, peak[0], sum(hwm.values())


def _tree(pid: int) -> dict[int, tuple[int, int]]:
    """{pid: (VmRSS, VmHWM)} in KB of a process and its descendants, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    memory: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        p = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(p)
        memory[p] = tuple(int(fields[k].split()[0]) if k in fields else 0 for k in ("VmRSS", "VmHWM"))
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        if p in memory:
            found[p] = memory[p]
        todo.extend(children.get(p, []))
    return found


if __name__ == "__main__":
    main()
