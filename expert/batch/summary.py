"""The summary of a run: counters kept as the results stream by, written as summary.md."""

from __future__ import annotations

import heapq
from collections import Counter

from expert.batch.outputs import ERRORS, PRESCRIPTIONS
from expert.batch.worker import Outcome
from expert.messages import t

VERDICT_RANK = {"healthy": 0, "watch": 1, "danger": 2}
WORST = 10  # communities listed in the summary's "worst state" table


POINTS = {"high": 9, "medium": 3, "low": 1}


def _severity_points(findings: tuple[tuple[str, str], ...]) -> int:
    return sum(POINTS.get(severity, 0) for _, severity in findings)


class Summary:
    """Counters over the results, kept as they stream by: memory does not grow with the rows."""

    def __init__(self, kb):
        self.kb = kb
        self.diagnosed = 0
        self.failed = 0
        self.overall: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.verdicts: dict[str, Counter[str]] = {s.check: Counter() for s in kb.questionnaire.checks}
        self.worst: list[tuple] = []  # a heap of the WORST communities in the worst state

    def add(self, outcome: Outcome, file: str) -> None:
        digest = outcome.digest
        assert digest is not None
        self.diagnosed += 1
        self.overall[digest.verdict] += 1
        dangers = 0
        for check, verdict in digest.verdicts.items():  # counted by hand: Counter's own += and update cost more
            counts = self.verdicts.get(check)
            if counts is None:
                counts = self.verdicts[check] = Counter()
            counts[verdict] = counts.get(verdict, 0) + 1
            dangers += verdict == "danger"
        findings = self.findings
        for fid, _ in digest.findings:
            findings[fid] = findings.get(fid, 0) + 1
        key = (VERDICT_RANK[digest.verdict], dangers, _severity_points(digest.findings), len(digest.findings),
               -outcome.number)
        worst = self.worst
        if len(worst) == WORST and key < worst[0][0]:
            return  # not among the worst: the entry is not even built
        entry = (key, outcome.name, outcome.number, digest.verdict, digest.treat_first, file)
        if len(worst) < WORST:
            heapq.heappush(worst, entry)
        elif entry > worst[0]:
            heapq.heapreplace(worst, entry)

    def markdown(self, source: str, lang: str, incomplete: str | None = None, total: int | None = None) -> str:
        """summary.md; `incomplete` says why the run stopped early (in `lang`), `total` how many rows the
        input has, when it stopped early and they could be counted."""
        kb = self.kb
        q = kb.questionnaire
        done = self.diagnosed + self.failed

        def pct(n: int, of: int) -> str:
            return f"{n} ({n * 100 / of:.0f}%)" if of else str(n)

        lines = [f"# {t('batch.summary_title', lang, title=q.title.get_text(lang))}", ""]
        counts = "batch.summary_counts"
        if incomplete:
            of = t("batch.of_total", lang, total=total) if total is not None else ""
            lines += [f"> {t('batch.summary_incomplete', lang, why=incomplete, done=done, of=of)}", ""]
            counts = "batch.summary_counts_partial"
        lines.append(t(counts, lang, source=source, total=done, diagnosed=self.diagnosed, failed=self.failed))
        if self.failed:
            lines.append(t("batch.summary_see_errors", lang, file=ERRORS))
        lines.append("")
        verdict_names = [t(f"verdict.{v}", lang) for v in ("healthy", "watch", "danger")]
        if self.diagnosed:
            lines.append(t("batch.summary_overall", lang) + " " + t("answer.list_sep", lang).join(
                f"{name} {pct(self.overall[v], self.diagnosed)}"
                for name, v in zip(verdict_names, ("healthy", "watch", "danger"))))
            lines.append("")

        lines += [f"## {t('batch.summary_findings', lang)}", ""]
        if self.findings:
            lines += [f"| {t('batch.col_finding', lang)} | {t('batch.col_check', lang)} | "
                      f"{t('batch.col_severity', lang)} | {t('batch.col_communities', lang)} |",
                      "| --- | --- | --- | ---: |"]
            titles = {s.check: s.title.get_text(lang) for s in q.checks}
            titles["cross"] = t("batch.cross", lang)
            for fid, n in sorted(self.findings.items(), key=lambda item: (-item[1], item[0])):
                definition = kb.rules.findings.get(fid)
                title = definition.text.title.get_text(lang) if definition else fid
                check = titles.get(definition.check, definition.check) if definition else ""
                severity = t(f"severity.{definition.severity}", lang) if definition else ""
                lines.append(f"| {_cell(title)} (`{fid}`) | {_cell(check)} | {severity} | "
                             f"{pct(n, self.diagnosed)} |")
        else:
            lines.append(t("batch.summary_no_findings", lang))
        lines.append("")

        lines += [f"## {t('batch.summary_verdicts', lang)}", "",
                  f"| {t('batch.col_check', lang)} | " + " | ".join(verdict_names) + " |",
                  "| --- | ---: | ---: | ---: |"]
        for section in q.checks:
            counts = self.verdicts.get(section.check, Counter())
            lines.append(f"| {_cell(section.title.get_text(lang))} | " + " | ".join(
                pct(counts[v], self.diagnosed) for v in ("healthy", "watch", "danger")) + " |")
        lines.append("")

        lines += [f"## {t('batch.summary_worst', lang, n=min(WORST, len(self.worst)))}", ""]
        worst = sorted(self.worst, reverse=True)
        if worst and worst[0][0][3]:
            lines += [f"| {t('batch.col_community', lang)} | {t('batch.col_row', lang)} | "
                      f"{t('batch.col_verdict', lang)} | {t('batch.col_dangers', lang)} | "
                      f"{t('batch.col_count', lang)} | {t('batch.col_first', lang)} |",
                      "| --- | ---: | --- | ---: | ---: | --- |"]
            for key, name, number, verdict, first, file in worst:
                if not key[3]:
                    break  # a community without findings is in no bad state
                definition = kb.rules.findings.get(first) if first else None
                first_title = definition.text.title.get_text(lang) if definition else "—"
                label = _cell(name or t("answer.unnamed", lang))
                link = f"{PRESCRIPTIONS}/{file}".replace(" ", "%20")
                lines.append(f"| [{label}]({link}) | {number} | {t(f'verdict.{verdict}', lang)} | {key[1]} | "
                             f"{key[3]} | {_cell(first_title)} |")
        else:
            lines.append(t("batch.summary_all_healthy", lang))
        return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")

