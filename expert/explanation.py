"""The expert system's WHY and HOW: which rule concluded a finding, its condition with this community's
values filled in, and the findings it was chained from, down to the answers."""

from __future__ import annotations

import difflib

from expert import conditions as c
from expert.answers import Answers
from expert.errors import UsageError
from expert.findings import Diagnosis, Finding
from expert.knowledge import KnowledgeBase
from expert.messages import t
from expert.report import question_and_answer


class Explainer:
    def __init__(self, kb: KnowledgeBase, lang: str):
        self.kb = kb
        self.lang = lang
        self.questions = kb.questionnaire.questions

    def explain(self, answers: Answers, diagnosis: Diagnosis, finding_id: str | None = None) -> str:
        """Markdown: every finding (or one), each traced to the answers."""
        by_id = {f.id: f for f in diagnosis.findings}
        if finding_id is not None and finding_id not in by_id:
            known = sorted(by_id)
            near = difflib.get_close_matches(finding_id, known, n=1)
            hint = t("answers.did_you_mean", self.lang, name=near[0]) if near else ""
            raise UsageError(t("explain.not_found", self.lang, finding=finding_id, hint=hint,
                               found=", ".join(known) or "—"))
        lines = [f"## {t('explain.title', self.lang)}", ""]
        if not diagnosis.findings:
            lines.append(t("explain.none", self.lang))
        chosen = [by_id[finding_id]] if finding_id else diagnosis.findings
        for finding in chosen:
            lines += self._finding(finding, answers, by_id, depth=0)
        if diagnosis.plan is not None and diagnosis.plan.steps:
            lines += self._plan(answers, diagnosis, finding_id)
        return "\n".join(lines).rstrip() + "\n"

    def _plan(self, answers: Answers, diagnosis: Diagnosis, finding_id: str | None) -> list[str]:
        """Why each step of the plan is there: which findings name it, its condition, its wording."""
        lang = self.lang
        values = answers.values
        findings = self.kb.rules.findings
        show = lambda v: self._show(v)  # noqa: E731
        out = [f"## {t('explain.plan_title', lang)}", ""]
        for step in diagnosis.plan.steps:
            if finding_id is not None and finding_id not in step.treats:
                continue
            action = self.kb.actions.actions[step.action]
            out.append(f"### {t('explain.step', lang, n=step.number, action=action.id, file=action.file, line=action.line)}")
            out.append("")
            named = [f for f in step.treats if action.id in findings[f].text.actions]
            through = [f for f in step.treats if f not in named]
            out.append("- " + t("explain.named_by", lang, findings=", ".join(f"`{f}`" for f in named) or "—"))
            if through:
                group = self.kb.actions.groups[action.group].title.get_text(lang)
                out.append("- " + t("explain.through_group", lang, group=group,
                                    findings=", ".join(f"`{f}`" for f in through)))
            if action.when_node is not None:
                out.append("- " + t("explain.when", lang, condition=c.to_text(action.when_node, values, show=show)))
            if step.variant:
                variant = action.variants[step.variant - 1]
                out.append("- " + t("explain.variant", lang, n=step.variant,
                                    condition=c.to_text(variant.when_node, values, show=show)))
            if step.params:
                out.append("- " + t("explain.params", lang, params=", ".join(f"{k} = {v}" for k, v in step.params.items())))
            out.append("- " + t("explain.phase", lang, phase=t(f"plan.{step.phase}_name", lang)))
            out.append("")
        return out

    def _finding(self, finding: Finding, answers: Answers, by_id: dict[str, Finding], depth: int) -> list[str]:
        lang = self.lang
        rule = self.kb.rules.rule(finding.rule)
        title = self.kb.rules.findings[finding.id].text.title.get_text(lang)
        pad = "  " * depth
        out = [f"{pad}- **{title}** (`{finding.id}`)" if depth else f"### {title} (`{finding.id}`)", ""]
        if depth == 0:
            pad = ""
        bullet = f"{pad}  - " if depth else "- "
        out.append(bullet + t("explain.rule", lang, rule=rule.id, file=rule.file, line=rule.line,
                              priority=rule.priority, severity=t(f"severity.{rule.severity}", lang)))
        values = answers.values
        condition = c.to_text(rule.when_node, values, show=lambda v: self._show(v))
        out.append(bullet + t("explain.condition", lang, condition=condition))
        if finding.also:
            out.append(bullet + t("explain.also", lang, rules=", ".join(finding.also)))
        if finding.params:
            params = ", ".join(f"{k} = {v}" for k, v in finding.params.items())
            out.append(bullet + t("explain.params", lang, params=params))
        parents = [by_id[f] for f in c.findings_used(rule.when_node) if f in by_id]
        own = [qid for qid in c.answers_used(rule.when_node) if qid in finding.evidence]
        if own:
            out.append(bullet + t("explain.answers", lang))
            for qid in own:
                q = self.questions[qid]
                out.append(f"{pad}    - {question_and_answer(q, values.get(qid), lang)} (`{qid}`)")
        if parents:
            out.append(bullet + t("explain.chained", lang))
            for parent in parents:
                out += self._finding(parent, answers, by_id, depth + 2)
        if depth == 0:
            out.append("")
        return out

    @staticmethod
    def _show(value) -> str:
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(map(str, value)) + "]"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


def uses_of(kb: KnowledgeBase, qid: str, lang: str) -> str:
    """What reads a question: rules, skip conditions, bounds, metrics (for `shequn why`)."""
    questions = kb.questionnaire.questions
    if qid not in questions:
        near = difflib.get_close_matches(qid, list(questions), n=1)
        hint = t("answers.did_you_mean", lang, name=near[0]) if near else ""
        raise UsageError(t("why.not_found", lang, question=qid, hint=hint))
    q = questions[qid]
    lines = [f"`{qid}` — {q.text_in(lang)}", ""]
    rules = [r for r in kb.rules.rules
             if qid in c.answers_used(r.when_node) or any(qid in c.answers_used(n) for n in r.param_nodes.values())]
    lines.append(t("why.rules", lang, n=len(rules)))
    for r in rules:
        lines.append(f"- `{r.id}` ({r.file}:{r.line}) → `{r.finding}`: {c.to_text(r.when_node)}")
    asks = [o for o in questions.values() if qid in c.answers_used(o.ask_if_node)]
    lines += ["", t("why.skips", lang, n=len(asks))]
    for o in asks:
        lines.append(f"- `{o.id}` ask_if: {c.to_text(o.ask_if_node)}")
    bounds = [o for o in questions.values()
              if qid in c.answers_used(o.min_node) or qid in c.answers_used(o.max_node)]
    if bounds:
        lines += ["", t("why.bounds", lang, n=len(bounds))]
        for o in bounds:
            lines.append(f"- `{o.id}` min: {c.to_text(o.min_node) or '—'}, max: {c.to_text(o.max_node) or '—'}")
    metrics = [m for m in kb.rules.metrics if qid in c.answers_used(m.node)]
    if metrics:
        lines += ["", t("why.metrics", lang, n=len(metrics))]
        for m in metrics:
            lines.append(f"- `{m.id}`: {c.to_text(m.node)}")
    actions = []
    for a in kb.actions.actions.values():
        nodes = [("when", a.when_node), *((f"params.{k}", n) for k, n in a.param_nodes.items()),
                 *((f"variants[{i}]", v.when_node) for i, v in enumerate(a.variants, start=1))]
        used = [(where, n) for where, n in nodes if qid in c.answers_used(n)]
        if used:
            actions.append((a, used))
    if actions:
        lines += ["", t("why.actions", lang, n=len(actions))]
        for a, used in actions:
            lines.append(f"- `{a.id}` ({a.file}:{a.line}): " + "; ".join(f"{w}: {c.to_text(n)}" for w, n in used))
    if not rules and not asks and not bounds and not metrics and not actions:
        lines += ["", t("why.unused", lang)]
    return "\n".join(lines) + "\n"
