"""The earlier checkups a batch run is compared with (`shequn batch --since`), keyed by community name.

They are read once, in the parent, through the same reader as the run's input (a CSV export, JSON lines or a
folder of answers files), and handed to every worker with the Checkup; each community's follow-up is then made
where its row is diagnosed (expert/followup.py). An earlier row that cannot be read, or has no name to match,
only means that community has no earlier checkup: it is counted and said once, never a reason to stop the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from expert.answers import validate_answers
from expert.errors import AnswersError
from expert.followup import Checkpoint, earlier


@dataclass
class History:
    """Earlier checkups by community name; where two share a name, the later one (by date, then order)."""

    checkups: dict[str, Checkpoint] = field(default_factory=dict)
    unreadable: int = 0  # earlier rows that could not be read or validated
    nameless: int = 0  # earlier rows without a community name to match on
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, why) of each unreadable row
    repeated: dict[str, list[str]] = field(default_factory=dict)  # name -> where each of its checkups is
    kept: dict[str, str] = field(default_factory=dict)  # name -> where the checkup compared with is

    def get(self, name: str) -> Checkpoint | None:
        return self.checkups.get(name) if name else None

    def __len__(self) -> int:
        return len(self.checkups)


def read_history(path: str | Path, checkup, lang: str | None = None) -> History:
    """Every earlier checkup in PATH (what `shequn batch` reads as INPUT); raises UsageError when PATH as a
    whole cannot be read, as the run's own input would."""
    from expert.batch.rows import Source
    from expert.batch.worker import Worker

    source = Source(path, checkup.kb.questionnaire)
    reader = Worker(checkup, source.columns, "json", lang)
    history = History()
    for row in source:
        try:
            answers = validate_answers(reader.document(row), checkup.kb.questionnaire, row.where, lang)
        except (AnswersError, RecursionError, MemoryError) as exc:
            history.unreadable += 1
            first = exc.problems[0] if isinstance(exc, AnswersError) and exc.problems else None
            history.problems.append((row.where, first.message if first is not None and first.message else
                                     getattr(exc, "message", "") or type(exc).__name__))
            continue
        if not answers.name:
            history.nameless += 1
            continue
        # a folder's answers file without a date: dated by when it was last saved
        point = earlier(answers, row.raw if row.kind == "yaml" else None)
        known = history.checkups.get(answers.name)
        if known is not None:
            history.repeated.setdefault(answers.name, [history.kept[answers.name]]).append(row.where)
        if known is None or known.date is None or (point.date is not None and point.date >= known.date):
            history.checkups[answers.name] = point
            history.kept[answers.name] = row.where
    return history


def unreadable_note(history: History, lang: str | None = None, shown: int = 3) -> str | None:
    """One line naming the earlier rows that could not be read (the first few) and why the first could not."""
    from expert.messages import t

    if not history.problems:
        return None
    where = [w for w, _ in history.problems]
    rows = t("batch.column_list_sep", lang).join(where[:shown]) + ("…" if len(where) > shown else "")
    return t("batch.since_unreadable", lang, n=len(where), rows=rows, reason=history.problems[0][1])


def repeated_note(history: History, lang: str | None = None) -> str | None:
    """One line naming the communities that appear more than once among the earlier checkups, and which of their
    checkups each is compared with."""
    from expert.messages import t

    if not history.repeated:
        return None
    sep = t("batch.column_list_sep", lang)
    items = [t("batch.since_repeated_item", lang, name=name, n=len(places), kept=history.kept[name])
             for name, places in history.repeated.items()]
    return t("batch.since_repeated", lang, n=len(items), items=sep.join(items))
