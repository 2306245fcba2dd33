"""The import template: an empty table whose headers are the questionnaire's questions, for operators who
collect answers in a spreadsheet of their own and feed it to `shequn batch`.

The headers are the question texts in the chosen language (what `batch` matches, whatever the tool); what may be
written under each goes on a second sheet of the .xlsx, or in "# …" lines above the header of the CSV, which
`batch` skips.
"""

from __future__ import annotations

import csv
import io

from expert.batch.sheets import write_xlsx
from expert.errors import UsageError
from expert.messages import t
from expert.questionnaire import Question, Questionnaire

KINDS = ("csv", "xlsx")


def allowed(q: Question, lang: str) -> str:
    """What may be written in a question's column, in a few words."""
    if q.type in ("single", "multiple"):
        labels = " | ".join(ch.label.get_text(lang) for ch in q.choices or [])
        return t("template.one_of" if q.type == "single" else "template.some_of", lang, labels=labels)
    if q.type == "yesno":
        return t("template.yesno", lang)
    if q.type == "scale":
        return t("template.scale", lang)
    if q.type in ("integer", "number"):
        lo = q.min if q.min is not None else "-∞"
        hi = q.max if q.max is not None else "∞"
        key = "template.integer" if q.type == "integer" else "template.number"
        return t(key, lang, lo=lo, hi=hi)
    return t("template.text", lang)


def _rows(questionnaire: Questionnaire, lang: str) -> list[list[str]]:
    rows = []
    for q in questionnaire.questions.values():
        note = allowed(q, lang)
        if q.ask_if:
            note += t("template.only_if", lang, condition=q.ask_if)
        if not q.required:
            note += t("template.optional", lang)
        rows.append([q.text_in(lang), q.id, note])
    return rows


def import_template(questionnaire: Questionnaire, kind: str, lang: str, name: str = "shequn-template.xlsx") -> str | bytes:
    """The template as CSV text or .xlsx bytes; `name` is the file a message about the workbook names."""
    if kind not in KINDS:
        raise UsageError(t("template.bad_kind", lang, kind=kind))
    headers = [q.text_in(lang) for q in questionnaire.questions.values()]
    rows = _rows(questionnaire, lang)
    if kind == "xlsx":
        columns = [t("template.col_question", lang), t("template.col_id", lang), t("template.col_allowed", lang)]
        return write_xlsx([(t("template.sheet_answers", lang), [headers]),
                           (t("template.sheet_allowed", lang), [columns] + rows)], name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([t("template.csv_readme", lang)])
    for text, qid, note in rows:
        writer.writerow([f"# {text} ({qid}): {note}"])
    writer.writerow(headers)
    return "\ufeff" + buffer.getvalue()  # the BOM tells Excel it is UTF-8
