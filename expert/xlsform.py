"""The questionnaire as an XLSForm, for ODK and KoboToolbox: operators who will not use a terminal put it on a
server, members answer on a phone, and the server's CSV export goes straight into `shequn batch`.

Skip logic and bounds are translated from our condition AST into XPath, keeping its three-valued logic: in our
language a comparison with an unanswered question holds neither way, while in XPath `'' != 'x'` is true and
`count-selected('')` is 0. Each condition is therefore written twice over, as "known true" and "known false"
(`not` swaps them), and a comparison that XPath would wrongly call true on a blank answer is guarded by
`${q} != ''` for the questions that may be blank. What XPath cannot say (snap(), findings) is refused, naming the
question and line, rather than exported with different meaning.
"""

from __future__ import annotations

from typing import Any, Callable

from expert import conditions as c
from expert.batch.sheets import write_xlsx
from expert.errors import ExportError, Problem
from expert.messages import t
from expert.questionnaire import Question, Questionnaire

LANGUAGE_NAMES = {"zh": "Chinese", "en": "English", "ja": "Japanese", "ko": "Korean", "fr": "French", "de": "German",
                  "es": "Spanish", "pt": "Portuguese", "ru": "Russian", "it": "Italian", "vi": "Vietnamese",
                  "th": "Thai", "id": "Indonesian", "ms": "Malay", "ar": "Arabic"}
TYPES = {"integer": "integer", "number": "decimal", "text": "text"}
YESNO_LIST = "shequn_yesno"
XPATH_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
FUNCTIONS = {"ceil": "ceiling", "floor": "floor", "round": "round", "abs": "abs", "min": "min", "max": "max",
             "count": "count-selected", "default": "coalesce"}


def language_column(column: str, lang: str) -> str:
    """`label::Chinese (zh)`: ODK's way of naming a column's language."""
    return f"{column}::{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


class _Untranslatable(Exception):
    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


class XPath:
    """Our condition AST as XPath over the form's fields."""

    def __init__(self, questionnaire: Questionnaire):
        self.questions = questionnaire.questions

    def may_be_blank(self, qid: str) -> bool:
        """A question whose field may be empty where our answers say "not answered" (a required multiple choice
        left empty is an answer, [], and reads back as one)."""
        q = self.questions[qid]
        return bool(q.ask_if) or not q.required

    def holds(self, node: c.Node) -> str:
        """Where the condition is known to be true."""
        return self._truth(node, True)

    def _truth(self, node: c.Node, positive: bool) -> str:
        if isinstance(node, c.Not):
            return self._truth(node.item, not positive)
        if isinstance(node, c.BoolOp):
            joins_with = "and" if (node.op == "and") == positive else "or"
            parts = [self._truth(item, positive) for item in node.items]
            return "(" + f" {joins_with} ".join(parts) + ")"
        if isinstance(node, c.Compare):
            return self._compare(node.op if positive else c.NEGATED[node.op], node.left, node.right)
        if isinstance(node, c.Truthy):
            return f"{self.value(node.arg)} = '{'yes' if positive else 'no'}'"
        if isinstance(node, c.Call) and node.func == "answered":
            return f"{self.value(node.args[0])} {'!=' if positive else '='} ''"
        if isinstance(node, c.Const) and isinstance(node.value, bool):
            return "true()" if node.value == positive else "false()"
        if isinstance(node, c.Found):
            raise _Untranslatable("xlsform.why_found")
        raise _Untranslatable("xlsform.why_other")

    def _compare(self, op: str, left: c.Node, right: c.Node) -> str:
        if op in ("in", "not in"):
            test = f"selected({self.value(right)}, {self.value(left)})"
            text = test if op == "in" else f"not({test})"
        else:
            left_text, right_text = self._side(left, right), self._side(right, left)
            text = f"{left_text} {XPATH_OPS[op]} {right_text}"
        guards = [f"${{{qid}}} != ''" for qid in self._unguarded(left, right, op)]
        return "(" + " and ".join(guards + [text]) + ")" if guards else text

    def _side(self, node: c.Node, other: c.Node) -> str:
        """A yes/no answer compared with true/false is compared with the field's 'yes'/'no'."""
        if isinstance(node, c.Const) and isinstance(node.value, bool) and isinstance(other, c.Answer):
            return "'yes'" if node.value else "'no'"
        return self.value(node)

    def _unguarded(self, left: c.Node, right: c.Node, op: str) -> list[str]:
        """The questions a blank answer of which XPath would not read as "unknown" in this comparison."""
        risky = op in ("!=", "not in") or any(isinstance(n, c.Call) and n.func == "count"
                                               for side in (left, right) for n in c.walk(side))
        if not risky:
            return []
        return [qid for qid in c.answers_used(c.Compare(op, left, right)) if self.may_be_blank(qid)]

    def value(self, node: c.Node) -> str:
        if isinstance(node, c.Answer):
            return f"${{{node.qid}}}"
        if isinstance(node, c.Const) and not isinstance(node, c.Invalid):
            return _literal(node.value)
        if isinstance(node, c.Arith):
            if node.op == "neg":
                return f"-{self.value(node.args[0])}"
            a, b = (self.value(x) for x in node.args)
            return f"({a} {'div' if node.op == '/' else node.op} {b})"
        if isinstance(node, c.Call) and node.func in FUNCTIONS:
            return f"{FUNCTIONS[node.func]}({', '.join(self.value(a) for a in node.args)})"
        if isinstance(node, c.ChoiceNumber):
            text = "''"
            for value, number in reversed(node.table):
                text = f"if({self.value(node.arg)} = {_literal(value)}, {_literal(number)}, {text})"
            return text
        if isinstance(node, c.ChoiceSnap):
            raise _Untranslatable("xlsform.why_snap")
        raise _Untranslatable("xlsform.why_other")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if value is None:
        return "''"
    text = str(value)
    return f'"{text}"' if "'" in text else f"'{text}'"


class XLSForm:
    """The three sheets of an XLSForm built from a questionnaire."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        self.languages = list(questionnaire.languages)
        self.xpath = XPath(questionnaire)
        self.problems: list[Problem] = []

    def _local(self, column: str, texts: dict | None, fallback: Callable[[str], str] | None = None) -> dict:
        row = {}
        for lang in self.languages:
            text = (texts or {}).get(lang) or (fallback(lang) if fallback else "")
            if text:
                row[language_column(column, lang)] = text
        return row

    def survey(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for section in self.questionnaire.sections:
            if not section.questions:
                continue
            # a form's names are one namespace: a section may not share its id with a question
            name = section.id if section.id not in self.questionnaire.questions else f"{section.id}_section"
            rows.append({"type": "begin_group", "name": name, **self._local("label", section.title)})
            for q in section.questions:
                rows.append(self._question(q))
            rows.append({"type": "end_group", "name": name})
        return rows

    def _question(self, q: Question) -> dict[str, Any]:
        if q.type in ("single", "scale", "yesno"):
            kind = f"select_one {YESNO_LIST if q.type == 'yesno' else q.id}"
        elif q.type == "multiple":
            kind = f"select_multiple {q.id}"
        else:
            kind = TYPES[q.type]
        required = q.required and not (q.type == "multiple" and not q.min_choices)
        row: dict[str, Any] = {"type": kind, "name": q.id, **self._local("label", q.text), **self._local("hint", q.help),
                               "required": "yes" if required else "no"}
        if q.ask_if_node is not None:
            relevant = self._translate(q, "ask_if", q.ask_if_node, self.xpath.holds)
            if relevant:
                row["relevant"] = relevant.removeprefix("(").removesuffix(")") \
                    if relevant.startswith("(") and _balanced(relevant[1:-1]) else relevant
        constraint, messages = self._constraint(q)
        if constraint:
            row["constraint"] = constraint
            row.update(self._local("constraint_message", None, lambda lang: "；".join(m(lang) for m in messages)
                                   if lang == "zh" else "; ".join(m(lang) for m in messages)))
        if q.default is not None:
            row["default"] = _default(q)
        return row

    def _translate(self, q: Question, key: str, node: c.Node, how: Callable[[c.Node], str]) -> str | None:
        try:
            return how(node)
        except _Untranslatable as exc:
            what = t("xlsform.what_ask_if" if key == "ask_if" else "xlsform.what_bound")
            expr = q.ask_if if key == "ask_if" else getattr(q, key)
            line = q.key_lines.get(key, q.line)
            self.problems.append(Problem(t("xlsform.untranslatable", file=self.questionnaire.file, line=line,
                                           question=q.id, what=what, expr=expr, why=t(exc.why)),
                                         self.questionnaire.file, line, subject=q.id))
            return None

    def _constraint(self, q: Question) -> tuple[str, list[Callable[[str], str]]]:
        parts: list[str] = []
        messages: list[Callable[[str], str]] = []
        bounds = {}
        for key, op in (("min", ">="), ("max", "<=")):
            node = getattr(q, f"{key}_node")
            if node is None or q.type not in ("integer", "number"):
                continue
            value = self._translate(q, key, node, self.xpath.value)
            if value is None:
                continue
            blank = [f"${{{qid}}} = ''" for qid in c.answers_used(node) if self.xpath.may_be_blank(qid)]
            test = f". {op} {value}"
            parts.append("(" + " or ".join(blank + [test]) + ")" if blank else test)
            bounds[key] = getattr(q, key)
        if bounds:
            lo, hi = bounds.get("min"), bounds.get("max")
            key = "xlsform.between" if lo is not None and hi is not None else \
                "xlsform.at_least" if lo is not None else "xlsform.at_most"
            messages.append(lambda lang, key=key, lo=lo, hi=hi: t(key, lang, lo=lo, hi=hi))
        if q.type == "multiple":
            for key, op, n in (("xlsform.min_choices", ">=", q.min_choices), ("xlsform.max_choices", "<=", q.max_choices)):
                if n:
                    parts.append(f"count-selected(.) {op} {n}")
                    messages.append(lambda lang, key=key, n=n: t(key, lang, n=n))
        return " and ".join(parts), messages

    def choices(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for q in self.questionnaire.questions.values():
            if q.type in ("single", "multiple"):
                for ch in q.choices or []:
                    rows.append({"list_name": q.id, "name": ch.value, **self._local("label", ch.label)})
            elif q.type == "scale":
                for point in range(1, 6):
                    label = (q.labels or {}).get(point) or {}
                    rows.append({"list_name": q.id, "name": str(point),
                                 **self._local("label", {lang: f"{point} {label[lang]}" if lang in label else
                                                         str(point) for lang in self.languages})})
        if any(q.type == "yesno" for q in self.questionnaire.questions.values()):
            for value in ("yes", "no"):
                rows.append({"list_name": YESNO_LIST, "name": value,
                             **self._local("label", None, lambda lang, v=value: t(f"xlsform.{v}", lang))})
        return rows

    def settings(self) -> list[dict[str, Any]]:
        q = self.questionnaire
        first = self.languages[0]
        return [{"form_title": q.title.get_text(first), "form_id": q.id, "version": str(q.version),
                 "default_language": f"{LANGUAGE_NAMES.get(first, first)} ({first})"}]


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _default(q: Question) -> str:
    if q.type == "yesno":
        return "yes" if q.default else "no"
    if q.type == "multiple":
        return " ".join(q.default)
    return str(q.default)


def _table(rows: list[dict[str, Any]], first: list[str]) -> list[list[Any]]:
    columns = list(first)
    for row in rows:
        columns += [k for k in row if k not in columns]
    return [columns] + [[row.get(k, "") for k in columns] for row in rows]


def xlsform(questionnaire: Questionnaire, name: str = "shequn-xlsform.xlsx") -> bytes:
    """The questionnaire as an XLSForm workbook; raises ExportError naming every condition XPath cannot say.
    `name` is the file a message about the workbook names."""
    form = XLSForm(questionnaire)
    survey, choices, settings = form.survey(), form.choices(), form.settings()
    if form.problems:
        raise ExportError(form.problems[0].message if len(form.problems) == 1 else
                          "\n".join(p.message for p in form.problems), [])
    return write_xlsx([("survey", _table(survey, ["type", "name"])),
                       ("choices", _table(choices, ["list_name", "name"])),
                       ("settings", _table(settings, []))], name)
