"""The library's front door: a knowledge base compiled once, then any number of cases diagnosed and
written up. The CLI, the checker, the interview and batch runs all go through `Checkup`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from expert.answers import Answers, read_answers
from expert.coercion import keep_choice_names
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase, load_knowledge_base
from expert.messages import default_language
from expert.preparation import prepared
from expert.records import record

FORMATS = ("markdown", "json", "html")


@record
class Report:
    """One case written up: its diagnosis and the text of the prescription."""

    diagnosis: Diagnosis
    text: str
    followup: Any = None  # expert/followup.py's FollowUp, when compared with an earlier checkup


class Checkup:
    """A knowledge base with its engine built: `reset()` + run per case, never a rebuild."""

    def __init__(self, kb: KnowledgeBase):
        from expert.engine import Diagnoser  # experta is imported only when a diagnosis is wanted
        from expert.plan import Prescriber
        from expert.render import Renderer

        self.kb = kb
        # every answers file of this knowledge base is read with the choices' names worked out once
        keep_choice_names(kb.questionnaire.questions, prepared(kb).choice_names)
        self.diagnoser = Diagnoser(kb)
        self.prescriber = Prescriber(kb)
        self.renderer = Renderer(kb)

    @classmethod
    def load(cls, kb_dir: str | Path | None = None) -> "Checkup":
        return cls(load_knowledge_base(kb_dir))

    def read(self, path: str | Path, name: str | None = None) -> Answers:
        return read_answers(path, self.kb.questionnaire, name)

    def read_earlier(self, path: str):
        """An earlier checkup's answers, dated, for `report(since=...)` (expert/followup.py)."""
        from expert.followup import read_earlier

        return read_earlier(path, self.kb.questionnaire)

    def diagnose(self, answers: Answers) -> Diagnosis:
        """Both stages: the findings, then the plan that treats them."""
        diagnosis = self.diagnoser.diagnose(answers)
        diagnosis.plan = self.prescriber.prescribe(answers, diagnosis)
        return diagnosis

    def language(self, answers: Answers, lang: str | None = None) -> str:
        """--lang, else the answers file's language, else SHEQUN_LANG, else the knowledge base's first."""
        for candidate in (lang, answers.lang, default_language()):
            if candidate in self.kb.languages:
                return candidate
        return self.kb.languages[0]

    def report(self, answers: Answers, fmt: str = "markdown", lang: str | None = None, explain: bool = False,
               since=None) -> Report:
        """The prescription as Markdown, as JSON, or as a printable HTML page made from the Markdown;
        `explain` appends the reasoning behind each finding to the Markdown and so to the page; `since`,
        an earlier checkup of the same community (`read_earlier`), adds what changed since then."""
        diagnosis = self.diagnose(answers)
        followup = self.follow_up(since, answers, diagnosis) if since is not None else None
        lang = self.language(answers, lang)
        if fmt == "json":
            return Report(diagnosis, self.renderer.json(answers, diagnosis, lang, followup), followup)
        text = self.renderer.markdown(answers, diagnosis, lang, followup)
        if explain:
            from expert.explanation import Explainer

            text += "\n" + Explainer(self.kb, lang).explain(answers, diagnosis)
        if fmt == "html":
            text = self.renderer.html(text, answers, lang)
        return Report(diagnosis, text, followup)

    def follow_up(self, since, answers: Answers, diagnosis: Diagnosis):
        """The comparison of this checkup with an earlier one, both diagnosed by this knowledge base."""
        from expert.followup import compare, current

        if since.diagnosis is None:  # an earlier checkup a batch run compares with is diagnosed once
            since.diagnosis = self.diagnose(since.answers)
        return compare(since, current(answers, diagnosis))
