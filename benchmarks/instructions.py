"""Instructions per case of each stage, counted by callgrind: repeatable whatever else the machine does,
so the way to compare a change before and after on a busy machine.

    .venv/bin/python benchmarks/instructions.py [--n 100]

Needs valgrind. The answer sets are bench.py's (the same seed). Every run loads the knowledge base,
builds the engines and runs WARM cases first (texts compiled, caches filled); then N cases go
through the stages up to one level: 1 reading and checking the answers document, 2 diagnosis, 3 the
plan, 4 the zh Markdown. A stage's cost is what its level adds over the level before, counted with N
cases and with none, divided by N, so that loading, compiling and the warm-up cancel out. The last
line is a row of `shequn batch --jobs 1` from a CSV export, all in (reading, checking, both stages,
rendering, writing, the summary's counting), counted the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LEVELS = ("read", "diagnose", "plan", "render")
WARM = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100, help="cases counted (default 100)")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)  # level, cases file, count: a run under callgrind
    args = parser.parse_args()
    if args.run:
        _run(args.run[0], Path(args.run[1]), int(args.run[2]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import random

    from expert.knowledge import load_knowledge_base
    from expert.sampling import random_answers

    q = load_knowledge_base(None).questionnaire
    rng = random.Random(20261124)
    with tempfile.TemporaryDirectory() as work:
        cases = Path(work) / "cases.json"
        cases.write_text(json.dumps([random_answers(q, rng) for _ in range(WARM + args.n)], ensure_ascii=False))
        before = 0.0
        for level in LEVELS:
            added = (_instructions(level, cases, args.n) - _instructions(level, cases, 0)) / args.n
            print(f"{level:9s} {(added - before) / 1e6:6.2f} M instructions a case")
            before = added
        row = (_instructions("batch", cases, args.n) - _instructions("batch", cases, 0)) / args.n
        print(f"{'batch row':9s} {row / 1e6:6.2f} M instructions a row (shequn batch --jobs 1, all in)")


def _instructions(level: str, cases: Path, count: int) -> int:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "callgrind.out"
        env = {**os.environ, "PYTHONHASHSEED": "0", "SHEQUN_CACHE": "0"}
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                               __file__, "--run", level, str(cases), str(count)], capture_output=True, text=True,
                              env=env)
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
        return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def _run(level: str, cases: Path, count: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from expert.answers import validate_answers
    from expert.checkup import Checkup

    checkup = Checkup.load(None)
    q = checkup.kb.questionnaire
    values = json.loads(cases.read_text())[:WARM + count]
    if level == "batch":
        import csv
        import io

        from expert.batch import run_batch, to_cell

        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "survey.csv"
            with open(source, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(list(q.questions))
                for answers in values:
                    writer.writerow([to_cell(question, answers.get(qid)) for qid, question in q.questions.items()])
            run_batch(source, Path(work) / "out", jobs=1, checkup=checkup, progress=False, stderr=io.StringIO())
        return
    depth = LEVELS.index(level)
    checkup.renderer.keep_templates()  # as `shequn batch` renders
    for answers in values:
        checked = validate_answers({"answers": answers, "date": "2026-11-24"}, q, "case")
        if depth >= 1:
            diagnosis = checkup.diagnoser.diagnose(checked)
        if depth >= 2:
            diagnosis.plan = checkup.prescriber.prescribe(checked, diagnosis)
        if depth >= 3:
            checkup.renderer.markdown(checked, diagnosis, "zh")


if __name__ == "__main__":
    main()
