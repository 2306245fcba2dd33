"""Survey layouts: which question, or which choice of a question, each column of a survey export holds, and how
survey tools write the options ticked in one cell.

Exports come as the tools make them, never as we would: 问卷星 numbers its headers ("3、…") and splits a multiple
choice into one 0/1 column per option ("3、(选项)"); 腾讯问卷 writes "Q3." and "Q3_选项"; Google Forms puts a grid's
row in brackets ("Question [Row]") and joins ticked boxes with ", "; ODK and KoboToolbox prefix a question with its
group ("group/q") and add a 0/1 "q/choice" column next to the space-separated one. Every tool adds columns of its
own (序号, 提交答卷时间, Timestamp, _uuid …), which are no answers and are skipped with one note.

A column that is none of these is usually a question of the operator's own survey that the questionnaire does not
ask (微信号, 其他建议): it is skipped and named, with the question it is closest to. Only a column that looks like
a misspelling of a question no other column holds stops the run, for reading on without it would lose that
question's answers without a word.

A column is described by a plain value so that it crosses to the worker processes as it is: a question id (or one
of the answers document's own keys), a (question id, choice value) pair for a 0/1 column of one option, or None for
a column that is not read.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Union

# how a cell names an option is shared with answers files: it lives in expert/coercion.py
from expert.coercion import NO, YES, choice_names, norm, one_choice, split_choices
from expert.coercion import title as _title
from expert.errors import AnswersError, Problem
from expert.messages import t
from expert.questionnaire import Questionnaire

Column = Union[str, tuple, None]  # question id or ROW_KEYS entry | (question id, choice value) | skipped

ROW_KEYS = ("date", "lang")  # answers-document keys a column may hold, e.g. the date of the survey

# Columns survey tools add on their own, compared after normalisation (NFKC, lower case, no spaces).
# 问卷星: 序号 提交答卷时间 所用时间 来源 来源详情 来自IP 总分; 腾讯问卷: 编号 用户ID 开始答题时间 结束答题时间 答题时长
# 自定义字段 IP 地理位置; Google Forms: Timestamp / 时间戳记, Email Address / 电子邮件地址, Score / 分数;
# ODK and KoboToolbox: start end today deviceid … and every column whose name starts with "_" or "meta/".
METADATA = {
    "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自ip", "总分", "答卷编号", "作答序号",
    "编号", "用户id", "开始答题时间", "结束答题时间", "答题时长", "自定义字段", "ip", "ip地址", "地理位置",
    "地理位置(国家)", "地理位置(省)", "地理位置(市)", "答题人", "微信昵称", "昵称", "填写设备", "浏览器", "操作系统",
    "timestamp", "时间戳记", "时间戳", "emailaddress", "email", "电子邮件地址", "score", "分数",
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit",
    "instanceid", "instancename", "key", "submissiondate", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "status", "reviewstate", "edits", "formversion",
    # 腾讯问卷's further columns, and what 问卷星 and 金数据 write when asked for more
    "答题状态", "来源渠道", "渠道", "答题设备", "设备", "openid", "unionid", "提交时间", "填写时间", "填写时长",
    "答卷时间", "作答时间", "答题序号", "提交者", "填写人", "ip属地", "ua", "useragent",
}
METADATA_PREFIXES = ("_", "meta/", "meta-", "formhub/", "formhub-")

# "1、", "1.", "1:", "Q1.", "Q1、", "Q1:", "第1题", "第 1 题：" in front of a question's text; "Q3_" in front of a choice
_NUMBERING = re.compile(
    r"^\s*(?:第\s*(?P<nth>\d+)\s*题|[Qq]\s*(?P<q>\d+)|(?P<n>\d+))"
    r"(?:\s*[、.．:：)）]\s*|(?P<under>_)|\s+|(?=[(（])|$)")
_JOINED = re.compile(r"^(?P<head>.+?)\s*(?:[:：_—–]|\s-\s|-)\s*(?P<label>[^:：_—–-]+?)\s*$")
_IN_BRACKETS = re.compile(r"^(?P<head>.*?)\s*(?:\[(?P<sq>[^\[\]]+)\]|[(（](?P<round>[^()（）]+)[)）])\s*$")
_ODK_PATH = re.compile(r"^[A-Za-z0-9_.:]+(?:[/-][A-Za-z0-9_.:]+)+$")

PLACEHOLDERS = {"(跳过)", "(空)", "跳过", "(skipped)"}  # 问卷星 and 腾讯问卷 fill skipped or empty answers with these


@dataclass
class Header:
    """What each column of an export holds, the names of the columns skipped as the tool's own, and the columns
    that are no question of the questionnaire: (column number, name, closest question id or None)."""

    columns: list[Column]
    skipped: list[str] = field(default_factory=list)
    unknown: list[tuple[int, str, str | None]] = field(default_factory=list)


class _Matcher:
    """Matches one header cell at a time against the questionnaire."""

    def __init__(self, questionnaire: Questionnaire):
        self.questions = questionnaire.questions
        self.order = list(self.questions)
        self.by_title: dict[str, str] = {}
        for q in self.questions.values():
            for text in q.text.values():
                self.by_title.setdefault(_title(text), q.id)
        for q in self.questions.values():  # the short name messages use (群人数) is a header people write too
            for text in (q.label.values() if q.label else ()):
                self.by_title.setdefault(_title(text), q.id)
        self.choice_names = {q.id: choice_names(q) for q in self.questions.values() if q.choices}

    def question(self, text: str) -> str | None:
        name = text.strip()
        if name in self.questions:
            return name
        if name.lower() in self.questions:  # "Members" for members, as a spreadsheet capitalises it
            return name.lower()
        return self.by_title.get(_title(name)) if name else None

    def choice(self, qid: str, label: str) -> str | None:
        names = self.choice_names.get(qid, {})
        return names.get(norm(label)) or names.get(_title(label))

    def closest(self, name: str) -> str | None:
        """The question whose id or text is nearest to a header nobody knows, if any is near enough."""
        _, rest, _ = _numbering(name)
        key = _title(rest or name)
        best, score = None, 0.6
        for q in self.questions.values():
            names = [*q.text.values(), *(q.label.values() if q.label else ())]
            for candidate in (q.id.lower(), *(_title(text) for text in names)):
                ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
                if ratio >= score:
                    best, score = q.id, ratio
        return best

    def title_of(self, qid: str) -> str:
        """How a message names a question: its id and its text in the reader's language."""
        from expert.messages import language

        text = self.questions[qid].text
        return f"{qid}「{text.get(language()) or next(iter(text.values()))}」"

    def odk(self, name: str) -> Column:
        """`group/q`, `group/q/choice` (or `group-q` as ODK Central writes it)."""
        if not _ODK_PATH.match(name):
            return None
        parts = re.split(r"[/-]", name)
        if parts[-1] in self.questions:
            return parts[-1]
        if len(parts) >= 2 and parts[-2] in self.questions and self.questions[parts[-2]].type == "multiple":
            choice = self.choice(parts[-2], parts[-1])
            if choice:
                return (parts[-2], choice)
        return None


def read_header(header: list[str], questionnaire: Questionnaire, file: str, line: int = 1) -> Header:
    """The column of each header cell; raises AnswersError naming every cell that is neither a question, one
    option of a question, nor a column survey tools add."""
    m = _Matcher(questionnaire)
    columns: list[Column] = []
    skipped: list[str] = []
    pending: dict[str, list[tuple[int, str]]] = defaultdict(list)  # question number → (column index, option)
    numbered: dict[str, str] = {}  # question number → question id, from headers that name the question
    problems: list[Problem] = []
    unknown: list[tuple[int, str, str | None]] = []
    for index, cell in enumerate(header):
        name = cell.strip()
        column: Column = None
        if not name:
            columns.append(None)  # an empty trailing column, as spreadsheets leave
            continue
        if name in ROW_KEYS:
            columns.append(name)
            continue
        column = m.question(name) or m.odk(name)
        if column is None and _is_metadata(name):
            skipped.append(name)
            columns.append(None)
            continue
        if column is None:
            number, rest, under = _numbering(name)
            qid = m.question(rest) if rest else None
            if qid:
                column = qid
                if number:
                    numbered.setdefault(number, qid)
            else:
                column = _one_option(m, rest)
                if column is None and number and (under or _bracketed(rest) is not None):
                    pending[number].append((index, _bracketed(rest) if not under else rest))
                    columns.append(None)
                    continue
        if column is None:
            unknown.append((index + 1, name, m.closest(name)))
        columns.append(column)
    for number, cells in pending.items():
        qid = _question_of_options(m, number, [label for _, label in cells], numbered)
        if qid is None:
            labels = "、".join(label for _, label in cells)
            problems.append(Problem(t("batch.options_without_question", number=number, labels=labels), file, line,
                                    cells[0][0] + 1))
            continue
        for index, label in cells:
            columns[index] = (qid, m.choice(qid, label))
    _settle_duplicates(columns, header, m, problems, file, line)
    held = {c if isinstance(c, str) else c[0] for c in columns if c is not None}
    if not held - set(ROW_KEYS) and not problems:  # another table altogether: every row would only fail
        names = t("batch.column_list_sep").join(repr(c.strip()) for c in header if c.strip())
        raise AnswersError(t("batch.bad_header", file=file, n=1), [Problem(t("batch.no_question_column", names=names,
                                                                             example=_example(m)), file, line)])
    for number, name, near in unknown:
        if near is not None and near not in held:  # a misspelling of a question that has no column of its own
            problems.append(Problem(t("batch.unknown_column", name=name, question=m.title_of(near)), file, line,
                                    number))
    if problems:
        raise AnswersError(t("batch.bad_header", file=file, n=len(problems)), problems)
    return Header(columns, skipped, unknown)


def _example(m: _Matcher) -> str:
    first = m.questions[m.order[0]]
    return f"{first.id} / {next(iter(first.text.values()))}"


def unknown_note(found: Header, questionnaire: Questionnaire, file: str) -> str | None:
    """One line naming the columns that were not read because they are no question, each with the question it is
    closest to."""
    if not found.unknown:
        return None
    m = _Matcher(questionnaire)
    names = [t("batch.unknown_near", column=t("batch.column_at", number=number, name=name),
               question=m.title_of(near)) if near else
             t("batch.unknown_far", column=t("batch.column_at", number=number, name=name))
             for number, name, near in found.unknown]
    return t("batch.skipped_unknown", file=file, n=len(names), columns=t("batch.column_list_sep").join(names))


def _is_metadata(name: str) -> bool:
    low = re.sub(r"\s+", "", norm(name))
    return low in METADATA or low.startswith(METADATA_PREFIXES) or _title(name) in METADATA


def _numbering(name: str) -> tuple[str | None, str, bool]:
    """("3", the rest, whether an underscore followed) for "3、…", "Q3.…", "Q3_…", "第3题…"; (None, name, False)."""
    match = _NUMBERING.match(unicodedata.normalize("NFKC", name))
    if not match:
        return None, name, False
    number = match.group("nth") or match.group("q") or match.group("n")
    return str(int(number)), unicodedata.normalize("NFKC", name)[match.end():].strip(), bool(match.group("under"))


def _bracketed(text: str) -> str | None:
    """The option of "(选项)" or "（选项）", a header that names only an option."""
    match = re.fullmatch(r"\s*[(（](.+)[)）]\s*", text)
    return match.group(1).strip() if match else None


def _one_option(m: _Matcher, text: str) -> Column:
    """"Question [Option]" (Google Forms' grids), "Question(Option)", or the question and the option joined by
    ":", "_", "-" or "—" (腾讯问卷 and others): one 0/1 column of one option."""
    for pattern in (_IN_BRACKETS, _JOINED):
        match = pattern.match(text)
        if not match:
            continue
        qid = m.question(match.group("head"))
        found = match.groupdict()
        label = found.get("sq") or found.get("round") or found.get("label")
        if qid and m.questions[qid].type == "multiple":
            choice = m.choice(qid, label)
            if choice:
                return (qid, choice)
    return None


def _question_of_options(m: _Matcher, number: str, labels: list[str], numbered: dict[str, str]) -> str | None:
    """The multiple-choice question whose options these columns are: the one another header gave this number, else
    the only question that has every one of these options, else the number-th question if it has them."""
    fits = [qid for qid, q in m.questions.items()
            if q.type == "multiple" and all(m.choice(qid, label) for label in labels)]
    if numbered.get(number) in fits:
        return numbered[number]
    if len(fits) == 1:
        return fits[0]
    nth = int(number) - 1
    if 0 <= nth < len(m.order) and m.order[nth] in fits:
        return m.order[nth]
    return None


def _settle_duplicates(columns: list[Column], header: list[str], m: _Matcher, problems: list[Problem], file: str,
                       line: int) -> None:
    """A question in two columns is a mistake, except the 0/1 option columns ODK and Kobo write beside the
    question's own column: those repeat it and are not read."""
    whole = {c for c in columns if isinstance(c, str)}
    for i, c in enumerate(columns):
        if isinstance(c, tuple) and c[0] in whole:
            columns[i] = None
    where: dict[Column, list[int]] = defaultdict(list)
    for i, c in enumerate(columns):
        if c is not None:
            where[c].append(i)
    for column, indexes in where.items():
        if len(indexes) > 1:
            qid = column if isinstance(column, str) else column[0]
            name = m.title_of(qid) if qid in m.questions else qid
            if isinstance(column, tuple):
                name += f" / {column[1]}"
            cells = t("batch.column_list_sep").join(t("batch.column_at", number=i + 1, name=header[i].strip())
                                                     for i in indexes)
            problems.append(Problem(t("batch.duplicate_column", name=name, columns=cells), file, line,
                                    indexes[1] + 1))


def is_placeholder(cell: str) -> bool:
    """A cell survey tools fill in for a question that was skipped or left empty."""
    return norm(cell).replace(" ", "") in PLACEHOLDERS


def ticked(cell: str, label_names: set[str]) -> bool | None:
    """A 0/1 option column: True ticked, False not, None neither (the cell says something else)."""
    key = norm(cell)
    if not key or key in NO or is_placeholder(cell):
        return False
    if key in YES or key in label_names:
        return True
    return None
