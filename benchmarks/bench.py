"""How fast shequn diagnoses: one run prints every number issue 14 asks for, the last line machine-readable.

    .venv/bin/python benchmarks/bench.py [--n 2000] [--kb DIR] [--rows 10000] [--mem-rows 50000] [--jobs N]
        [--batch-repeat 3]

Answers are drawn at random from the questionnaire's own types, ranges and skip logic
(expert/sampling.py), so every case is valid and the rules see the whole range of answers.
Targets on a 2-core machine with the built-in knowledge base:
- diagnosis (experta matching and chaining) ≥ 1,500 cases/s on one core, and ≥ half of the same rules
  in CLIPS (benchmarks/in_clips.py, measured in the same run when clipspy is installed: the `bench`
  extra; both must conclude the same findings on every case);
- the Markdown prescription rendered in ≤ 250 µs a case;
- `shequn batch` ≥ 800 rows/s with --jobs 1 (reading, rendering and writing included), --jobs 2
  ≥ 1.8× that, and the peak memory of a 50,000-row batch within 10 % of a 10,000-row one;
- `shequn diagnose` ≤ 1.3× the import floor, `shequn --help` ≤ 0.6× it.
The last line: per_s=… vs_clips=… render_us=… batch_rows_s=… batch_scaling=… mem_growth=… diagnose_over_floor=…

A run writes some 120,000 files and removes them at its end. On ext4 without a journal, files created in the
same folder tree within about six minutes of that (the next run's) are slowed by every inode removed: leave six
minutes between runs there, or the next run's batches measure the last run's deletions.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
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
RENDER_PASSES = 3  # rendering timed over this many passes of new cases; the fastest counts
# the import floor: what any Python program using experta, Jinja and PyYAML pays before doing
# anything. experta 1.9.4 cannot be imported on Python ≥ 3.10 without the collections.Mapping alias.
FLOOR = ("import collections, collections.abc; collections.Mapping = collections.abc.Mapping; "
         "import experta, jinja2, yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="random answer sets to diagnose (default 2000)")
    parser.add_argument("--kb", default=None, help="knowledge base folder (default: the built-in one)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the batches timed with --jobs 1 and N")
    parser.add_argument("--mem-rows", type=int, default=50_000,
                        help="rows of the longer batch whose peak memory is compared with --rows' (0: skip)")
    parser.add_argument("--naive", type=int, default=100, help="cases diagnosed the naive way (default 100)")
    parser.add_argument("--jobs", type=int, default=None, help="processes for 'all cores' (default: all)")
    parser.add_argument("--repeat", type=int, default=21, help="runs of each command timed (median)")
    parser.add_argument("--batch-repeat", type=int, default=3,
                        help="timed runs of each batch, alternating --jobs 1 and N (the fastest counts)")
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
    renderer.keep_templates()  # as `shequn batch` renders, the one place where many prescriptions are made at once
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
    # This process's own data, the knowledge base and 2,000 answer sets (some 100,000 objects), kept out of
    # the collector's full passes, as `shequn batch` keeps its knowledge base out (gc.freeze): otherwise a
    # full pass over them, tens of ms, lands in whichever per-case timing below happens to trigger it.
    gc.freeze()
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
    vs_clips = _versus_clips(kb, cases)
    # the rendering passes below each meet cases of their own, as many as the cases allow, up to 500 a pass
    per_pass = min(500, max(1, (len(cases) - 50) // RENDER_PASSES))
    diagnosed = [(answers, diagnoser.diagnose(answers)) for answers in cases[:50 + per_pass * RENDER_PASSES]]
    start = time.perf_counter()
    for answers, diagnosis in diagnosed:
        diagnosis.plan = prescriber.prescribe(answers, diagnosis)
    print(f"the plan (second stage) alone: {len(diagnosed) / (time.perf_counter() - start):.0f}/s")
    lang = kb.languages[0]
    for answers, diagnosis in diagnosed[-50:]:  # texts compiled, caches warm
        renderer.markdown(answers, diagnosis, lang)
    gc.freeze()  # the diagnoses too, as above
    # Each pass renders cases of its own, none rendered before; but texts are kept by the answers they read (a
    # choice, a date), and those recur from case to case, so the kept renderings fill over the first few hundred
    # cases, as in the first rows of any long batch. The fastest pass counts, as with the batches below and with
    # timeit (a slow spell of the machine only ever adds); all are printed. The passes are a fraction of a second
    # each and this machine's slow spells last seconds, so they are spread over the run: one now, one after the
    # all-cores diagnosis, one after the naive way.
    passes: list[float] = []

    def render_pass() -> None:
        n = len(passes)
        if n == RENDER_PASSES:  # the cases hold RENDER_PASSES passes and no more
            return
        start = time.perf_counter()
        for answers, diagnosis in diagnosed[n * per_pass:(n + 1) * per_pass]:
            renderer.markdown(answers, diagnosis, lang)
        passes.append((time.perf_counter() - start) / per_pass * 1e6)

    render_pass()

    # ------------------------------------------------------------------ all cores
    context = _processes()
    global _diagnoser
    _diagnoser = diagnoser
    start = time.perf_counter()
    with context.Pool(jobs, initializer=_init, initargs=(args.kb,)) as pool:
        count = sum(pool.imap(_count_findings, cases, chunksize=32))
    all_cores = len(cases) / (time.perf_counter() - start)
    assert count >= 0
    print(f"all cores ({jobs} processes, pool start included): {all_cores:.0f} diagnoses/s = "
          f"{all_cores / per_s:.2f}× one process")
    render_pass()

    # ------------------------------------------------------------------ the naive way
    sample = cases[: args.naive]
    start = time.perf_counter()
    for answers in sample:
        Diagnoser(kb).diagnose(answers)  # the engine class and its Rete network built for every case
    naive = len(sample) / (time.perf_counter() - start)
    speedup = per_s / naive
    print(f"naive way (a new engine for every case, {len(sample)} cases): {naive:.1f} diagnoses/s; "
          f"reused engine is {speedup:.1f}× faster")
    while len(passes) < RENDER_PASSES:
        render_pass()
    render_us = min(passes)
    print(f"the Markdown prescription ({lang}) of a diagnosis with its plan: {render_us:.0f} µs a case "
          f"(the fastest of {RENDER_PASSES} passes over {per_pass} new cases each, after 50 to warm up, spread over "
          f"the run: {' / '.join(f'{us:.0f}' for us in passes)} µs)")

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
    print(f"`shequn --help`: {ms(wall['help'])} = {wall['help'] / wall['floor']:.2f}× the floor")

    # ------------------------------------------------------------------ batches
    # Speed and memory are measured in separate runs: watching memory means reading /proc a hundred
    # times a second, CPU that a batch on every core would otherwise have, so a timed run is not watched.
    # Each run writes into a new folder of its own, as a user's run would; all are removed at the end,
    # so no run's timing includes removing another's 10,000 files.
    work = Path(tempfile.mkdtemp(prefix="shequn-bench-"))
    rates: dict[int, float] = {}
    peaks: dict[int, int] = {}
    runs = itertools.count()
    try:
        source = work / "survey.csv"
        _write_csv(source, q, args.rows, random.Random(args.seed + 1))

        def batch(n_jobs: int, path: Path) -> list[str]:
            out = work / f"out-{next(runs)}"
            command = [*shequn, "batch", str(path), "--out-dir", str(out), "--jobs", str(n_jobs)]
            return command + (["--kb", args.kb] if args.kb else [])

        timed: dict[int, list[float]] = {n_jobs: [] for n_jobs in sorted({1, jobs})}
        gauges: list[tuple[float, float, float]] = []
        for _ in range(args.batch_repeat):  # the job counts in turn, so that a slow spell weighs on each alike
            gauges.append((*_machine(jobs), _disk(work)))
            for n_jobs in timed:
                timed[n_jobs].append(_wall(batch(n_jobs, source)))
        for n_jobs, seconds in timed.items():
            rates[n_jobs] = args.rows / min(seconds)
            print(f"batch of {args.rows} CSV rows with --jobs {n_jobs}: "
                  f"{', '.join(f'{s:.1f}' for s in seconds)} s; fastest {rates[n_jobs]:.0f} rows/s")
        readings = "; ".join(f"{one * 1000:.0f} ms, {together:.2f}×, {disk * 1e6 / DISK_FILES:.0f} µs a file"
                             for one, together, disk in gauges)
        print(f"the machine before each pair of batches: the same pure-Python loop in 1 process, how much more {jobs} "
              f"processes get through at once (work that shares nothing: {jobs}× is all {jobs} cores can give), and "
              f"{DISK_FILES} new files of 12 KB written in the batches' folder: {readings}")
        if args.mem_rows:
            longer = work / "survey-long.csv"
            _write_csv(longer, q, args.mem_rows, random.Random(args.seed + 2))
            for path, rows in ((source, args.rows), (longer, args.mem_rows)):
                _, peaks[rows], summed = _peak_memory(batch(jobs, path))
                print(f"batch of {rows} CSV rows with --jobs {jobs}: peak memory {peaks[rows] / 1024:.0f} MB for "
                      f"all processes together (sum of each process's own peak: {summed / 1024:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    batch_rows_s = rates[1]
    scaling = rates[jobs] / rates[1]
    print(f"--jobs {jobs} is {scaling:.2f}× --jobs 1")
    growth = float("nan")
    if args.mem_rows and args.rows in peaks and args.mem_rows in peaks:
        growth = peaks[args.mem_rows] / peaks[args.rows] - 1
        print(f"peak memory of {args.mem_rows} rows is {growth * 100:+.1f} % of {args.rows} rows' (--jobs {jobs})")

    print(f"per_s={per_s:.0f} vs_clips={vs_clips:.2f} render_us={render_us:.0f} batch_rows_s={batch_rows_s:.0f} "
          f"batch_scaling={scaling:.2f} mem_growth={growth:.3f} diagnose_over_floor={over:.2f}")


def _versus_clips(kb, cases) -> float:
    """The same rules in CLIPS, timed on the same cases in turn with experta, in a child process (CLIPS
    prints a complaint about its memory when its environment is freed at exit; the child leaves
    without freeing it). Both engines must conclude the same findings on every case. NaN when clipspy
    is not installed."""
    try:
        import clips  # noqa: F401
    except ImportError:
        print("CLIPS: clipspy is not installed (pip install -e '.[bench]'); vs_clips=nan")
        return float("nan")
    context = _processes()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_clips_child, args=(send, str(kb.root), cases))
    child.start()
    send.close()
    result = receive.recv()
    child.join()
    if "error" in result:
        raise SystemExit(result["error"])
    clips_per_s, experta_per_s = result["clips_per_s"], result["experta_per_s"]
    print(f"CLIPS (clipspy {result['version']}), the same {len(cases)} cases, one round trip each: "
          f"{clips_per_s:.0f}/s ({1e6 / clips_per_s:.0f} µs); experta in turn with it {experta_per_s:.0f}/s; "
          f"identical findings on all {len(cases)} cases; experta is {experta_per_s / clips_per_s:.2f}× CLIPS")
    return experta_per_s / clips_per_s


def _clips_child(send, kb_root: str, cases) -> None:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from importlib.metadata import version

        from in_clips import ClipsDiagnoser

        from expert.engine import Diagnoser
        from expert.knowledge import load_knowledge_base

        kb = load_knowledge_base(kb_root)
        engine = ClipsDiagnoser(kb)
        if engine.unsupported:
            raise ValueError(f"rules the CLIPS translation does not cover: {engine.unsupported}")
        diagnoser = Diagnoser(kb)
        for answers in cases[:200]:  # warm up
            engine.concluded(answers.values)
            diagnoser.diagnose(answers)
        # blocks of 100 cases, each engine in turn: whatever else the machine does weighs on both alike
        seconds = {"clips": 0.0, "experta": 0.0}
        for block in range(0, len(cases), 100):
            start = time.perf_counter()
            concluded = [engine.concluded(answers.values) for answers in cases[block:block + 100]]
            seconds["clips"] += time.perf_counter() - start
            start = time.perf_counter()
            for answers in cases[block:block + 100]:
                diagnoser.diagnose(answers)
            seconds["experta"] += time.perf_counter() - start
            for answers, found in zip(cases[block:block + 100], concluded):
                diagnoser.diagnose(answers)
                if set(diagnoser.engine.results) != found:
                    raise ValueError(f"{answers.name}: CLIPS concluded {sorted(found)}, "
                                     f"experta {sorted(diagnoser.engine.results)}")
        send.send({"clips_per_s": len(cases) / seconds["clips"], "experta_per_s": len(cases) / seconds["experta"],
                   "version": version("clipspy")})
    except Exception as exc:  # noqa: BLE001 - said by the parent
        send.send({"error": f"CLIPS comparison failed: {type(exc).__name__}: {exc}"})
    finally:
        send.close()
        sys.stdout.flush()
        os._exit(0)


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


def _wall(command: list[str]) -> float:
    """A command's wall time, nothing else running in this process meanwhile."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed with exit code {done.returncode}:\n{done.stderr.decode()}")
    return seconds


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


DISK_FILES = 500


def _disk(folder: Path) -> float:
    """Seconds to create DISK_FILES files of a prescription's size in `folder` and write them, as a batch does:
    a file system busy with earlier deletions can make this several times slower, which a batch's rows/s shows
    too. The files stay until the batches' outputs go: on ext4 without a journal, a file created within minutes
    of a deletion nearby is slowed by every inode deleted (the allocator skips them one by one), so removing
    the gauge's files here would slow the very batch that follows it."""
    from expert.batch.outputs import write_file  # how a batch writes a prescription

    text = "社群体检" * 1000
    gauge = folder / f"disk-{time.monotonic_ns()}"
    gauge.mkdir()
    start = time.perf_counter()
    for n in range(DISK_FILES):
        write_file(os.path.join(gauge, f"{n}.md"), text)
    return time.perf_counter() - start


def _processes():
    """Child processes as this run makes them: forked where the platform can (they start with the parent's
    engine and cases, as `shequn batch`'s workers do), else the platform's default."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)


def _loop(_: object = None) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.perf_counter() - start


def _machine(jobs: int) -> tuple[float, float]:
    """What the machine gives at this moment: a pure-Python loop's time in one process, and how many times
    more loops `jobs` processes get through at once (each its own loop, started together, nothing shared) than
    one alone. A virtual machine's cores may be busy with other guests' work: this says how much of the
    batch's own scaling the cores themselves allowed."""
    one = min(_loop() for _ in range(2))
    if jobs < 2:
        return one, 1.0
    context = _processes()
    barrier = context.Barrier(jobs)
    results = context.Queue()
    processes = [context.Process(target=_looped_together, args=(barrier, results)) for _ in range(jobs)]
    for process in processes:
        process.start()
    together = max(results.get() for _ in processes)
    for process in processes:
        process.join()
    return one, jobs * one / together


def _looped_together(barrier, results) -> None:
    _loop()  # warm, as the one-process loop was
    barrier.wait()
    results.put(_loop())


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
