"""A follow-up checkup: the same community diagnosed again, compared with the checkup before.

Design: compare two diagnoses, never two sets of answers. Each checkup is diagnosed on its own by the
same knowledge base (the earlier answers read through today's questionnaire), and this module reads
only the two `Diagnosis` objects and their dates: findings are matched by id (cured: concluded before
and not now; remaining: both times; new: only now), each self-check's verdict moves along the policy's
scale (健康 < 注意 < 危险), and each metric (the 1990 rule's figures) is subtracted. Nothing is inferred
here and no rule runs again, so whether a treatment "见效了" is exactly what the rules conclude the
second time, and the comparison cannot disagree with the prescription it is printed in. Like every
other number of the prescription, the comparison's words and numbers are made here, in the operator's
language, and the template only lays them out.

A checkup's date is the answers file's `date:`; without one, the earlier file's modification time (the
moment its last answer was saved) and, for this checkup, today, as the prescription's own date is.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expert.answers import Answers
from expert.errors import UsageError
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase
from expert.messages import t
from expert.policy import VERDICTS
from expert.report import format_date, format_number

# the plan runs four weeks (expert/plan.py); sooner than three, most steps cannot have shown anything yet
EARLY_DAYS = 21
DATED_BY = ("answers", "file", "today", "unknown")  # where a checkup's date came from


@dataclass
class Checkpoint:
    """One checkup of a community: its answers, the date it was taken, and (once run) its diagnosis."""

    answers: Answers
    date: dt.date | None
    dated_by: str  # one of DATED_BY
    diagnosis: Diagnosis | None = None


def earlier(answers: Answers, path: str | Path | None = None) -> Checkpoint:
    """The checkup a follow-up is compared with: dated by its `date:`, else by its file's last change."""
    if answers.date is not None:
        return Checkpoint(answers, answers.date, "answers")
    if path is not None:
        try:
            return Checkpoint(answers, dt.date.fromtimestamp(os.stat(path).st_mtime), "file")
        except (OSError, ValueError, OverflowError):
            pass
    return Checkpoint(answers, None, "unknown")


def read_earlier(path: str, questionnaire) -> Checkpoint:
    """The last checkup (--since PATH), read and dated; a name that is not there at all is said to be missing,
    anything else is read and the reader says what is wrong with it."""
    from expert.answers import read_answers

    if not os.path.lexists(path):
        raise UsageError(t("cli.file_missing", file=path))
    return earlier(read_answers(path, questionnaire), path)


def current(answers: Answers, diagnosis: Diagnosis) -> Checkpoint:
    """This checkup, dated as its prescription is: its `date:`, else today."""
    if answers.date is not None:
        return Checkpoint(answers, answers.date, "answers", diagnosis)
    return Checkpoint(answers, dt.date.today(), "today", diagnosis)


def _trend(before: str, after: str) -> str:
    step = VERDICTS.index(after) - VERDICTS.index(before)
    return "better" if step < 0 else "worse" if step > 0 else "same"


@dataclass
class FollowUp:
    """What changed between two checkups of one community."""

    before: Checkpoint
    after: Checkpoint
    cured: list[str]  # finding ids, in the earlier order of treatment
    remaining: list[str]  # in this checkup's order of treatment
    new: list[str]
    verdicts: dict[str, tuple[str, str]]  # check -> (before, after), in questionnaire order
    overall: tuple[str, str]
    metrics: dict[str, tuple[Any, Any]]  # metric id -> (before, after); None where it has no value
    notes: list[str] = field(default_factory=list)

    @property
    def days(self) -> int | None:
        if self.before.date is None or self.after.date is None:
            return None
        return (self.after.date - self.before.date).days

    @property
    def outcome(self) -> str:
        """worked (every earlier finding gone), partly, not_yet (none gone); with none before, clear
        (none now either) or arisen (some now)."""
        if not self.cured and not self.remaining:
            return "arisen" if self.new else "clear"
        if not self.remaining:
            return "worked"
        return "partly" if self.cured else "not_yet"

    def as_dict(self) -> dict[str, Any]:
        before = self.before.diagnosis
        return {
            "since": {
                "community": self.before.answers.name,
                "date": self.before.date.isoformat() if self.before.date else None,
                "dated_by": self.before.dated_by,
                "verdict": self.overall[0],
                "verdicts": {check: pair[0] for check, pair in self.verdicts.items()},
                "findings": [f.id for f in before.findings] if before else [],
            },
            "date": self.after.date.isoformat() if self.after.date else None,
            "days": self.days,
            "outcome": self.outcome,
            "cured": self.cured,
            "remaining": self.remaining,
            "new": self.new,
            "verdict": {"before": self.overall[0], "after": self.overall[1],
                        "trend": _trend(*self.overall)},
            "verdicts": {check: {"before": b, "after": a, "trend": _trend(b, a)}
                         for check, (b, a) in self.verdicts.items()},
            "metrics": {mid: {"before": b, "after": a, "change": _change(b, a)} for mid, (b, a) in self.metrics.items()},
            # what the prescription points out: same_day, early, renamed, same_file, same_answers
            "notes": [note.split(".", 1)[1] for note in self.notes],
        }

    # ------------------------------------------------------------------ what the prescription shows

    def context(self, kb: KnowledgeBase, lang: str) -> dict[str, Any]:
        """The follow-up section's words and numbers, in `lang`; the template lays them out."""
        findings = kb.rules.findings

        def title(fid: str) -> str:
            return findings[fid].text.title.get_text(lang)

        def entry(finding) -> dict[str, Any]:
            return {"id": finding.id, "title": title(finding.id),
                    "severity_label": t(f"severity.{finding.severity}", lang) if finding.severity else ""}

        old = {f.id: f for f in self.before.diagnosis.findings}
        now = {f.id: f for f in self.after.diagnosis.findings}
        titles = {s.check: s.title.get_text(lang) for s in kb.questionnaire.checks}
        checks = [{"id": check, "title": titles.get(check, check),
                   "before": t(f"verdict.{b}", lang), "after": t(f"verdict.{a}", lang),
                   "trend": t(f"followup.trend_{_trend(b, a)}", lang)} for check, (b, a) in self.verdicts.items()]
        labels = {m.id: m for m in kb.rules.metrics}
        metrics = []
        for mid, (b, a) in self.metrics.items():
            metric = labels[mid]
            unit = metric.unit.get_text(lang) if metric.unit else ""
            change = _change(b, a)
            # a share moves by percentage points, not by percent: 2.3% → 11.9% is +9.6 points
            step = t("followup.points", lang) if unit == "%" else unit
            metrics.append({"id": mid, "label": metric.label.get_text(lang), "unit": unit,
                            "before": _shown(b, unit, lang), "after": _shown(a, unit, lang),
                            "change": "—" if change is None else ("±0" if change == 0 else
                                                                   f"{'+' if change > 0 else '−'}"
                                                                   f"{format_number(abs(change))}{step}")})
        reference = self.after.date
        before_date = (format_date(self.before.date, lang, reference) if self.before.date
                       else t("followup.date_unknown", lang))
        when = t(f"followup.dated_by_{self.before.dated_by}", lang, date=before_date)
        days = self.days
        return {
            "before_date": before_date,
            "after_date": format_date(self.after.date, lang, reference) if self.after.date else "",
            "when": when + (t("followup.days", lang, days=days) if days is not None and days > 0
                            else t("followup.when_end", lang)),
            "headline": self._headline(lang),
            "summary": self._summary(lang),
            "advice": self._advice(lang),
            "overall_before": t(f"verdict.{self.overall[0]}", lang),
            "overall_after": t(f"verdict.{self.overall[1]}", lang),
            "overall_trend": t(f"followup.trend_{_trend(*self.overall)}", lang),
            "checks": checks,
            "cured": [entry(old[f]) for f in self.cured],
            "remaining": [entry(now[f]) for f in self.remaining],
            "new": [entry(now[f]) for f in self.new],
            "metrics": metrics,
            "notes": [t(n, lang, name=self.before.answers.name, days=days) for n in self.notes],
        }

    def _headline(self, lang: str) -> str:
        """What the first line says: how last time's problems went and, where new ones came up, that too; "见效了"
        alone over a list of new problems would tell a returning operator only the good half."""
        text = t(f"followup.headline_{self.outcome}", lang)
        if self.new and self.outcome != "arisen":
            text += t("followup.headline_and_new", lang, new=len(self.new))
        return text

    def _advice(self, lang: str) -> str:
        text = t(f"followup.advice_{self.outcome}", lang)
        if self.new and self.outcome != "arisen":
            text += t("followup.advice_and_new", lang)
        return text

    def _summary(self, lang: str) -> str:
        n = len(self.cured) + len(self.remaining)
        outcome = "clear" if self.outcome == "arisen" else self.outcome  # the new ones are said next
        problems = t("followup.problem" if n == 1 else "followup.problems", lang, n=n)
        text = t(f"followup.summary_{outcome}", lang, problems=problems, cured=len(self.cured),
                 remaining=len(self.remaining))
        if self.new:
            text += t("followup.summary_new", lang, new=len(self.new))
        elif self.outcome != "clear":
            text += t("followup.summary_no_new", lang)
        return text


def _change(before: Any, after: Any) -> Any:
    if isinstance(before, bool) or isinstance(after, bool) or not isinstance(before, (int, float)) \
            or not isinstance(after, (int, float)):
        return None
    change = after - before
    return round(change, 1) if isinstance(change, float) else change


def _shown(value: Any, unit: str, lang: str) -> str:
    return t("answer.none", lang) if value is None else f"{format_number(value)}{unit}"


def _same_file(one: str | None, other: str | None) -> bool:
    if not one or not other or one == "-" or other == "-":
        return False
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def compare(before: Checkpoint, after: Checkpoint) -> FollowUp:
    """The follow-up of `before` by `after`, both diagnosed; raises UsageError when the earlier checkup
    is dated, by both files' own `date:`, after this one (the two files given the wrong way round)."""
    if before.diagnosis is None or after.diagnosis is None:
        raise ValueError("both checkups must be diagnosed before they are compared")
    if before.dated_by == after.dated_by == "answers" and before.date > after.date:
        raise UsageError(t("followup.reversed", file=before.answers.file or "", before=before.date.isoformat(),
                           after=after.date.isoformat()))
    old, now = before.diagnosis, after.diagnosis
    old_ids = {f.id for f in old.findings}
    now_ids = {f.id for f in now.findings}
    checks = list(now.checks)
    old_verdicts, now_verdicts = old.verdicts, now.verdicts
    verdicts = {check: (old_verdicts.get(check, "healthy"), now_verdicts[check]) for check in checks}
    metric_ids = list(dict.fromkeys([*now.metrics, *old.metrics]))
    notes = []
    days = (after.date - before.date).days if before.date is not None and after.date is not None else None
    if days == 0:
        notes.append("followup.same_day")
    elif days is not None and 0 < days < EARLY_DAYS:
        notes.append("followup.early")
    if before.answers.name and after.answers.name and before.answers.name != after.answers.name:
        notes.append("followup.renamed")
    if _same_file(before.answers.file, after.answers.file):  # `diagnose X --since X`
        notes = [n for n in notes if n != "followup.same_day"] + ["followup.same_file"]
    elif before.answers.values == after.answers.values:  # nothing changed, or this checkup's answers copied
        notes.append("followup.same_answers")
    return FollowUp(
        before=before,
        after=after,
        cured=[f.id for f in old.findings if f.id not in now_ids],
        remaining=[f.id for f in now.findings if f.id in old_ids],
        new=[f.id for f in now.findings if f.id not in old_ids],
        verdicts=verdicts,
        overall=(old.overall, now.overall),
        metrics={mid: (old.metrics.get(mid), now.metrics.get(mid)) for mid in metric_ids},
        notes=notes,
    )

