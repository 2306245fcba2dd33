"""What the operator reads, in Chinese first and English second: one catalogue, one current language."""

from __future__ import annotations

import os
import reprlib

LANGUAGES = ("zh", "en")
_current = {"lang": "zh"}


def default_language() -> str:
    """Chinese unless SHEQUN_LANG says otherwise."""
    lang = os.environ.get("SHEQUN_LANG", "").lower()[:2]
    return lang if lang in LANGUAGES else "zh"


def set_language(lang: str | None) -> str:
    _current["lang"] = lang if lang in LANGUAGES else default_language()
    return _current["lang"]


def language() -> str:
    return _current["lang"]


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The message `key` in `lang` (default: the current language), filled with `values`.

    `key` and `lang` are positional only, so a message may have a `{key}` or `{lang}` of its own."""
    entry = CATALOGUE[key]
    text = entry.get(lang or _current["lang"]) or entry["zh"]
    return text.format(**values) if values else text


class _Brief(reprlib.Repr):
    """repr() that stops after a few items and characters: a value quoted in a message is never
    walked whole, however large (a billion-laughs document expands to gigabytes when printed)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict, self.maxset = 2, 4, 4, 4, 4
        self.maxstring, self.maxother, self.maxlong = 80, 80, 40

    def repr1(self, x: object, level: int) -> str:
        # the YAML loader's dict and list subclasses would otherwise be printed by their own repr, whole
        if isinstance(x, str):
            return self.repr_str(str(x), level)
        if isinstance(x, dict) and type(x) is not dict:
            return self.repr_dict(x, level)
        if isinstance(x, list) and type(x) is not list:
            return self.repr_list(x, level)
        if isinstance(x, int) and not isinstance(x, bool):
            try:
                return self.repr_int(x, level)
            except ValueError:  # more digits than Python converts to text
                return f"<a number of {x.bit_length()} bits>"
        return super().repr1(x, level)


def brief(value: object) -> str:
    """A value as a message quotes it: its repr, cut short."""
    return _Brief().repr(value)


CATALOGUE: dict[str, dict[str, str]] = {
    # reading files
    "file.not_found": {"zh": "没有这个文件", "en": "no such file"},
    "file.no_permission": {"zh": "没有权限", "en": "permission denied"},
    "file.symlink_loop": {"zh": "符号链接绕成了圈", "en": "the symbolic links go round in a loop"},
    "file.directory": {"zh": "这是一个目录，不是文件", "en": "it is a directory, not a file"},
    "file.not_regular": {"zh": "这是{kind}，不是普通文件", "en": "it is {kind}, not a regular file"},
    "file.kind_directory": {"zh": "一个目录", "en": "a directory"},
    "file.kind_fifo": {"zh": "一个命名管道（FIFO）", "en": "a named pipe (FIFO)"},
    "file.kind_device": {"zh": "一个设备", "en": "a device"},
    "file.kind_socket": {"zh": "一个套接字", "en": "a socket"},
    "file.kind_other": {"zh": "一个特殊文件", "en": "a special file"},
    "file.too_big": {"zh": "文件太大（上限 {limit}）", "en": "the file is too large (the limit is {limit})"},
    "file.not_utf8": {"zh": "不是 UTF-8 编码（第 {line} 行）", "en": "it is not UTF-8 (line {line})"},
    # writing files
    "files.would_overwrite_input": {"zh": "不会写进 {file}：它就是正在读的 {input}，写进去会把它毁掉",
                                    "en": "will not write to {file}: it is the input {input}, which that would destroy"},
    # YAML documents
    "yaml.too_many_values": {"zh": "内容太多：展开别名后超过 {limit} 个值（是不是别名炸弹？）",
                             "en": "too many values: over {limit} once its aliases are expanded (an alias bomb?)"},
    "yaml.too_many_plain_values": {"zh": "内容太多：超过 {limit} 个值", "en": "too many values: over {limit}"},
    "yaml.too_deep": {"zh": "嵌套太深：列表和映射套了超过 {limit} 层", "en": "nested too deeply: over {limit} levels "
                                                                    "of lists and mappings"},
    "yaml.contains_itself": {"zh": "别名指向了包含它自己的值", "en": "an alias refers to a value that contains it"},
    "yaml.long_number": {"zh": "数字太长：{digits} 位（上限 {limit} 位）",
                         "en": "a number of {digits} digits is too long (the limit is {limit})"},
    # answers files
    "answers.unreadable": {"zh": "读不了答卷文件 {file}：{reason}", "en": "cannot read the answers file {file}: {reason}"},
    "answers.not_mapping": {"zh": "{file} 不是答卷：应是一个含 answers: 的 YAML 映射",
                            "en": "{file} is not an answers file: expected a YAML mapping with answers:"},
    "answers.problems": {"zh": "答卷 {file} 有 {n} 处问题：", "en": "the answers file {file} has {n} problem(s):"},
    "answers.unknown_key": {"zh": "未知的顶层键 {key}（可用：{allowed}）",
                            "en": "unknown top-level key {key} (allowed: {allowed})"},
    "answers.no_answers": {"zh": "缺少 answers: 映射", "en": "missing the answers: mapping"},
    "answers.at_top_level": {
        "zh": "{keys} 是问卷里的题目，但写在了顶层；回答要缩进写在 answers: 下面",
        "en": "{keys}: question ids at the top level; answers belong under answers:, indented"},
    "answers.wrong_questionnaire": {"zh": "这份答卷属于问卷 {got}，而知识库的问卷是 {want!r}",
                                    "en": "these answers belong to questionnaire {got}, the knowledge base's is {want!r}"},
    "answers.wrong_version": {
        "zh": "这份答卷来自问卷 {qid} 的第 {got} 版，当前是第 {want} 版；请核对答案后把 version 改为 {want}",
        "en": "these answers come from version {got} of questionnaire {qid}, the current one is {want}; "
              "check the answers, then set version: {want}"},
    "answers.unknown_question": {"zh": "问卷里没有这个问题{hint}", "en": "no such question in the questionnaire{hint}"},
    "answers.did_you_mean": {"zh": "（是不是 {name!r}？）", "en": " (did you mean {name!r}?)"},
    "answers.missing": {"zh": "必答题没有回答：{text}", "en": "required question not answered: {text}"},
    "answers.bad_expect": {
        "zh": "expect 应是一个映射：findings（发现 id 的列表）、verdicts（每项自检的 healthy/watch/danger）、first（先治的发现 id，或 null）",
        "en": "expect should be a mapping of findings (a list of finding ids), verdicts (healthy/watch/danger per "
              "self-check) and first (the finding to treat first, or null)"},
    "answers.bad_story": {"zh": "story 应是一段文字", "en": "story should be a text"},
    "answers.bad_date": {"zh": "date 应是日期，如 2026-11-24", "en": "date should be a date such as 2026-11-24"},
    # one answer
    "value.integer": {"zh": "应为整数", "en": "expected a whole number"},
    "value.number": {"zh": "应为数字", "en": "expected a number"},
    "value.not_finite": {"zh": "应为一个具体的数字，不能是无穷大或 NaN",
                         "en": "expected an actual number, not infinity or NaN"},
    "value.yesno": {"zh": "应为 是/否（true/false）", "en": "expected yes or no (true/false)"},
    "value.text": {"zh": "应为一段文字", "en": "expected a text"},
    "value.empty": {"zh": "这一题必须回答", "en": "this question needs an answer"},
    "value.scale": {"zh": "应为 1 到 5 的整数", "en": "expected a whole number from 1 to 5"},
    "value.choice": {"zh": "应为以下之一：{choices}", "en": "expected one of: {choices}"},
    "value.choices": {"zh": "应为以下选项的列表：{choices}", "en": "expected a list of: {choices}"},
    "value.duplicate_choice": {"zh": "选项 {value} 重复了", "en": "option {value} is listed twice"},
    "value.min": {"zh": "不能小于 {bound}{why}", "en": "must be at least {bound}{why}"},
    "value.max": {"zh": "不能大于 {bound}{why}", "en": "must be at most {bound}{why}"},
    "value.bound_of": {"zh": "（{expr}）", "en": " ({expr})"},
    "value.min_choices": {"zh": "至少选 {n} 项", "en": "choose at least {n}"},
    "value.max_choices": {"zh": "最多选 {n} 项", "en": "choose at most {n}"},
    "value.got": {"zh": "，实际是 {got}", "en": ", got {got}"},
    "value.too_long": {"zh": "太长了：最多 {n} 个字，这里有 {got} 个", "en": "too long: at most {n} characters, this has {got}"},
    # a number as typed (expert/numbers.py)
    "number.unreadable_whole": {"zh": "看不懂“{text}”：请只填数字，例如 300 或 1,000",
                                "en": "cannot read “{text}” as a number: type digits, such as 300 or 1,000"},
    "number.unreadable": {"zh": "看不懂“{text}”：请只填数字，例如 300、1,000 或 2.5",
                          "en": "cannot read “{text}” as a number: type digits, such as 300, 1,000 or 2.5"},
    "number.comma_whole": {"zh": "“{text}”里的逗号只能分千位（三位一组，如 1,000）；这一题填整数",
                           "en": "the comma in “{text}” can only separate thousands (groups of three, as in 1,000); "
                                 "this question takes a whole number"},
    "number.comma_groups": {"zh": "“{text}”里的逗号只能分千位（三位一组，如 12,345），小数点用“.”",
                            "en": "a comma in “{text}” can only separate thousands (groups of three, as in 12,345); "
                                  "decimals take a point"},
    "number.too_long": {"zh": "数字太长了：最多 {digits} 位", "en": "too many digits: at most {digits}"},
    # knowledge base
    "kb.problems": {"zh": "知识库 {kb} 有 {n} 处问题：", "en": "the knowledge base {kb} has {n} problem(s):"},
    "kb.unreadable": {"zh": "读不了知识库目录 {kb}：{reason}", "en": "cannot read the knowledge base folder {kb}: {reason}"},
    "kb.not_found": {"zh": "找不到知识库目录 {kb}（需要 questionnaires/、rules/、templates/）",
                     "en": "no knowledge base at {kb} (it needs questionnaires/, rules/, templates/)"},
    # the report
    "answer.none": {"zh": "未回答", "en": "not answered"},
    "answer.none_ticked": {"zh": "一项都没选", "en": "none ticked"},
    "answer.list_sep": {"zh": "、", "en": ", "},
    "answer.titles_sep": {"zh": "；", "en": "; "},  # between finding titles, which may hold commas
    "answer.yes": {"zh": "是", "en": "yes"},
    "answer.no": {"zh": "否", "en": "no"},
    "answer.unnamed": {"zh": "未命名社群", "en": "unnamed community"},
    "report.advice_mark": {"zh": "（建议）{title}", "en": "(advice) {title}"},
    "report.first_mark": {"zh": "{title}（先治）", "en": "{title} (first)"},
    "report.tally": {"zh": "要治的问题 {treat} 个，建议 {advice} 条", "en": "problems to treat: {treat}; advice: {advice}"},
    "report.tally_treat": {"zh": "要治的问题 {treat} 个", "en": "problems to treat: {treat}"},
    "report.tally_advice": {"zh": "没有要治的问题，建议 {advice} 条", "en": "nothing to treat; advice: {advice}"},
    "report.nothing": {"zh": "没有要治的问题", "en": "nothing to treat"},
    "plan.week": {"zh": "本周（{date}前）", "en": "This week (by {date})"},
    "plan.month": {"zh": "本月（{date}前）", "en": "This month (by {date})"},
    "plan.later": {"zh": "之后", "en": "Later"},
    "plan.week_name": {"zh": "本周", "en": "this week"},
    "plan.month_name": {"zh": "本月", "en": "this month"},
    "plan.later_name": {"zh": "之后", "en": "later"},
    "answer.quoted": {"zh": "「{text}」", "en": "\u201c{text}\u201d"},
    "answer.scale_label": {"zh": "{value}（{label}）", "en": "{value} ({label})"},
    "answer.list_sep_plain": {"zh": "、", "en": ", "},
    "verdict.healthy": {"zh": "健康", "en": "Healthy"},
    "verdict.watch": {"zh": "注意", "en": "Watch"},
    "verdict.danger": {"zh": "危险", "en": "Danger"},
    "severity.high": {"zh": "重", "en": "high"},
    "severity.medium": {"zh": "中", "en": "medium"},
    "severity.low": {"zh": "轻", "en": "low"},
    # explanations
    "explain.title": {"zh": "为什么这么诊断", "en": "Why this diagnosis"},
    "explain.none": {"zh": "没有任何规则成立，所以没有发现。", "en": "No rule's condition held, so there are no findings."},
    "explain.not_found": {"zh": "这份答卷没有得出发现 {finding!r}{hint}；得出的是：{found}",
                          "en": "these answers did not lead to finding {finding!r}{hint}; they led to: {found}"},
    "explain.rule": {"zh": "规则 `{rule}`（{file}:{line}），优先级 {priority}，程度 {severity}",
                     "en": "rule `{rule}` ({file}:{line}), priority {priority}, severity {severity}"},
    "explain.condition": {"zh": "条件（括号里是你的回答）：`{condition}`",
                          "en": "condition (your answers in brackets): `{condition}`"},
    "explain.also": {"zh": "同样得出这一发现的规则：{rules}", "en": "also concluded by: {rules}"},
    "explain.params": {"zh": "算出的参数：{params}", "en": "computed parameters: {params}"},
    "explain.answers": {"zh": "依据的回答：", "en": "based on these answers:"},
    "explain.chained": {"zh": "由这些发现推出：", "en": "chained from these findings:"},
    "explain.plan_title": {"zh": "为什么这样开处方", "en": "Why this plan"},
    "explain.step": {"zh": "第 {n} 步：动作 `{action}`（{file}:{line}）", "en": "Step {n}: action `{action}` ({file}:{line})"},
    "explain.named_by": {"zh": "点名要它的发现：{findings}", "en": "named by the findings: {findings}"},
    "explain.through_group": {"zh": "也治（同属「{group}」，只选一个）：{findings}",
                              "en": "also treats (one choice for \u201c{group}\u201d): {findings}"},
    "explain.when": {"zh": "选它的条件（括号里是你的回答）：`{condition}`",
                     "en": "chosen because (your answers in brackets): `{condition}`"},
    "explain.variant": {"zh": "用第 {n} 种说法，因为：`{condition}`", "en": "worded by variant {n}, because: `{condition}`"},
    "explain.phase": {"zh": "放在：{phase}", "en": "when: {phase}"},
    "why.actions": {"zh": "用到它的处方动作（{n} 个）：", "en": "actions that use it ({n}):"},
    "why.not_found": {"zh": "问卷里没有题目 {question!r}{hint}", "en": "the questionnaire has no question {question!r}{hint}"},
    "why.rules": {"zh": "用到它的规则（{n} 条）：", "en": "rules that use it ({n}):"},
    "why.skips": {"zh": "以它决定是否提问的题目（{n} 道）：", "en": "questions asked depending on it ({n}):"},
    "why.bounds": {"zh": "以它为上下限的题目（{n} 道）：", "en": "questions bounded by it ({n}):"},
    "why.metrics": {"zh": "用到它的指标（{n} 个）：", "en": "metrics that use it ({n}):"},
    "why.unused": {"zh": "没有任何规则、处方动作、跳题条件、上下限或指标用到它。",
                   "en": "no rule, action, skip condition, bound or metric uses it."},
    # command line
    "cli.file_missing": {"zh": "找不到文件 {file}", "en": "no such file: {file}"},
    "cli.cannot_write": {"zh": "写不了 {file}：{reason}", "en": "cannot write {file}: {reason}"},
    "cli.written": {"zh": "处方已写入 {file}", "en": "prescription written to {file}"},
    "cli.check_ok": {"zh": "知识库 {kb} 没有错误：{questions} 道题，{rules} 条规则，{findings} 种发现，"
                           "{cases} 个黄金案例全部通过；警告 {warnings} 条。",
                     "en": "knowledge base {kb} has no errors: {questions} questions, {rules} rules, {findings} "
                           "findings, all {cases} golden cases pass; {warnings} warning(s)."},
    "cli.check_failed": {"zh": "知识库检查：{n} 个错误，{warnings} 条警告。",
                         "en": "knowledge-base check: {n} error(s), {warnings} warning(s)."},
    "cli.error": {"zh": "错误", "en": "error"},
    "cli.warning": {"zh": "警告", "en": "warning"},
    "cli.problem": {"zh": "{level}：{problem}", "en": "{level}: {problem}"},
    "cli.golden_mismatch": {
        "zh": "黄金案例与预期不符：多出 {extra}，缺少 {missing}",
        "en": "golden case differs from its expectation: unexpected {extra}, missing {missing}"},
    "cli.golden_error": {"zh": "黄金案例无法诊断：{reason}", "en": "golden case cannot be diagnosed: {reason}"},
    "cli.golden_verdict": {"zh": "自检 {check} 的结论应为 {want}，规则给出 {got}（{why}）",
                           "en": "the verdict of check {check} should be {want}, the rules give {got} ({why})"},
    "cli.golden_first": {"zh": "先治的应为 {want}，规则给出 {got}",
                         "en": "the first problem should be {want}, the rules give {got}"},
    "cli.agreement": {"zh": "与黄金案例的一致度：自检结论 {v}/{vn}，先治的问题 {f}/{fn}，发现 {d}/{dn}。",
                      "en": "agreement with the golden cases: verdicts {v} of {vn}, first problem {f} of {fn}, "
                            "findings {d} of {dn}."},
    "cli.interrupted": {"zh": "已中断。", "en": "interrupted."},
    # batch runs
    "batch.unknown_input": {"zh": "不知道怎么读 {file}:应是 .csv、.jsonl 文件或一个放答卷 YAML 的目录",
                            "en": "cannot tell how to read {file}: expected a .csv or .jsonl file, or a folder of "
                                  "answers YAML files"},
    "batch.not_utf8": {"zh": "{file} 不是 UTF-8 编码；请在表格软件里另存为“CSV UTF-8”",
                       "en": "{file} is not UTF-8; save it as \"CSV UTF-8\" from the spreadsheet program"},
    "batch.empty_csv": {"zh": "{file} 是空的：第一行应是题目 id", "en": "{file} is empty: its first row should be question ids"},
    "batch.bad_header": {"zh": "{file} 的表头有 {n} 处问题：", "en": "the header of {file} has {n} problem(s):"},
    "batch.unknown_column": {"zh": "列 {name!r} 不是问卷里的题目{hint}",
                             "en": "column {name!r} is not a question of the questionnaire{hint}"},
    "batch.duplicate_column": {"zh": "题目 {name} 占了不止一列", "en": "question {name} has more than one column"},
    "batch.extra_cells": {"zh": "这一行有 {n} 个单元格，表头只有 {columns} 列", "en": "this row has {n} cells, the header {columns}"},
    "batch.bad_json": {"zh": "这一行不是合法的 JSON:{reason}（第 {column} 列）",
                       "en": "this line is not valid JSON: {reason} (column {column})"},
    "batch.bad_format": {"zh": "不支持的格式 {fmt!r}", "en": "unsupported format {fmt!r}"},
    "batch.bad_header_row": {"zh": "{file} 的表头读不了：{reason}", "en": "cannot read the header of {file}: {reason}"},
    "batch.record_too_long": {"zh": "这一行超过 {limit} 字节，比任何答卷都长，没有读",
                              "en": "this line is longer than {limit} bytes, more than any answers; it was not read"},
    "batch.file_too_long": {"zh": "文件有 {size} 字节，超过答卷的上限 {limit} 字节，没有读",
                            "en": "the file has {size} bytes, more than the {limit} an answers file may have; not read"},
    "batch.row_not_utf8": {"zh": "这一行不是 UTF-8 编码", "en": "this row is not UTF-8"},
    "batch.cell_too_long": {"zh": "这一行有单元格超过 {limit} 个字符（CSV 单元格的上限）",
                            "en": "a cell of this row is longer than {limit} characters, the limit of a CSV cell"},
    "batch.bad_csv_row": {"zh": "这一行不是合法的 CSV：{reason}", "en": "this row is not valid CSV: {reason}"},
    "batch.not_a_number": {"zh": "{value} 不能作为回答：数字应是有限的，整数最多 {digits} 位",
                           "en": "{value} cannot be an answer: numbers must be finite, whole numbers at most {digits} "
                                 "digits long"},
    "batch.too_big": {"zh": "这份答卷太大或嵌套太深（超过 {values} 个值或 {depth} 层），不像答卷，没有诊断",
                      "en": "this record is too big or nested too deeply (more than {values} values or {depth} levels) "
                            "to be answers; not diagnosed"},
    "batch.out_of_memory": {"zh": "诊断这一行时内存不够", "en": "ran out of memory diagnosing this row"},
    "batch.row_kb_failed": {"zh": "知识库写不出这一行的处方（{reason}）；其他行不受影响，请修改知识库",
                            "en": "the knowledge base cannot write this row's prescription ({reason}); the other rows "
                                  "are not affected; fix the knowledge base"},
    "batch.row_crashed": {"zh": "诊断这一行时出了意外错误（{reason}）；其他行不受影响。加 --verbose 可看详情，请报告这个问题",
                          "en": "an unexpected error while diagnosing this row ({reason}); the other rows are not "
                                "affected. --verbose shows the details; please report it"},
    "batch.worker_died": {"zh": "诊断这一行的进程意外退出（{reason}）", "en": "the process diagnosing this row died ({reason})"},
    "batch.bad_jobs": {"zh": "--jobs 应是正整数，不能是 {jobs}", "en": "--jobs must be a positive whole number, not {jobs}"},
    "batch.jobs_capped": {"zh": "--jobs {jobs} 超过了 CPU 核数，只用 {cores} 个进程",
                          "en": "--jobs {jobs} is more than the {cores} cores; using {cores} processes"},
    "batch.out_dir_busy": {"zh": "输出目录 {dir} 正被另一个 shequn batch 使用（进程 {pid}）；等它结束，或换一个 --out-dir",
                           "en": "the out-dir {dir} is in use by another shequn batch (process {pid}); wait for it to "
                                 "end, or choose another --out-dir"},
    "batch.out_dir_used": {"zh": "输出目录 {dir} 里已有上次运行的结果（{files}）；加 --overwrite 先删掉它们再运行，或换一个 --out-dir",
                           "en": "the out-dir {dir} holds the results of an earlier run ({files}); add --overwrite to "
                                 "remove them first, or choose another --out-dir"},
    "batch.row_problems": {"zh": "{where} 有 {n} 处问题，未诊断：", "en": "{where} has {n} problem(s), not diagnosed:"},
    "batch.unit": {"zh": "群", "en": " communities"},
    "batch.done": {"zh": "已诊断 {diagnosed} 个社群，处方、results.jsonl 和 summary.md 在 {out}",
                   "en": "diagnosed {diagnosed} communities; prescriptions, results.jsonl and summary.md are in {out}"},
    "batch.some_failed": {"zh": "{failed} 行有问题没有诊断，详见 {file}",
                          "en": "{failed} row(s) had problems and were not diagnosed; see {file}"},
    "batch.summary_title": {"zh": "{title} · 批量汇总", "en": "{title} · batch summary"},
    "batch.summary_incomplete": {
        "zh": "**这次运行没有做完**：{why}。下面只统计了已处理的 {done} 个社群{of}；其余的没有处理，这里也没有它们的结果。"
              "重跑请加 --overwrite。",
        "en": "**This run did not finish**: {why}. Only the {done} communities processed are counted below{of}; the "
              "rest were not processed and have no results here. To run again, add --overwrite."},
    "batch.of_total": {"zh": "（输入共 {total} 个）", "en": " (of {total} in the input)"},
    "batch.summary_counts_partial": {
        "zh": "输入 {source}：已处理 {total} 个社群，已诊断 {diagnosed} 个，{failed} 个有问题未诊断。",
        "en": "Input {source}: {total} communities processed, {diagnosed} diagnosed, {failed} not diagnosed because "
              "of problems."},
    "batch.why_sigint": {"zh": "被 Ctrl-C（SIGINT）中断", "en": "interrupted by Ctrl-C (SIGINT)"},
    "batch.why_sigterm": {"zh": "收到 SIGTERM，提前结束", "en": "stopped by SIGTERM"},
    "batch.why_error": {"zh": "因错误中止：{reason}", "en": "aborted by an error: {reason}"},
    "batch.interrupted": {
        "zh": "{why}：已诊断 {diagnosed} 个社群，{failed} 行有问题，其余没有处理；已写出的结果和 summary.md 在 {out}。",
        "en": "{why}: {diagnosed} communities diagnosed, {failed} row(s) with problems, the rest not processed; what "
              "was written and summary.md are in {out}."},
    "batch.interrupted_early": {"zh": "{why}。", "en": "{why}."},
    "batch.summary_counts": {"zh": "输入 {source}:共 {total} 个社群，已诊断 {diagnosed} 个，{failed} 个因答卷有问题未诊断。",
                             "en": "Input {source}: {total} communities, {diagnosed} diagnosed, {failed} not diagnosed "
                                   "because of problems in their answers."},
    "batch.summary_see_errors": {"zh": "问题详见 `{file}`。", "en": "The problems are listed in `{file}`."},
    "batch.summary_overall": {"zh": "总体结论：", "en": "Overall verdicts:"},
    "batch.summary_findings": {"zh": "各发现出现的次数", "en": "How often each finding occurs"},
    "batch.summary_no_findings": {"zh": "没有得出任何发现。", "en": "No finding was concluded."},
    "batch.summary_verdicts": {"zh": "每项自检的结论分布", "en": "Verdicts per self-check"},
    "batch.summary_worst": {"zh": "状况最差的 {n} 个社群", "en": "The {n} communities in the worst state"},
    "batch.summary_all_healthy": {"zh": "没有社群出现问题。", "en": "No community has a problem."},
    "batch.cross": {"zh": "综合判断", "en": "Cross-cutting"},
    "batch.col_finding": {"zh": "发现", "en": "Finding"},
    "batch.col_check": {"zh": "自检", "en": "Self-check"},
    "batch.col_severity": {"zh": "程度", "en": "Severity"},
    "batch.col_communities": {"zh": "社群数（占比）", "en": "Communities (share)"},
    "batch.col_community": {"zh": "社群", "en": "Community"},
    "batch.col_row": {"zh": "行", "en": "Row"},
    "batch.col_verdict": {"zh": "总体", "en": "Overall"},
    "batch.col_dangers": {"zh": "危险的自检", "en": "Checks in danger"},
    "batch.col_count": {"zh": "发现数", "en": "Findings"},
    "batch.col_first": {"zh": "先治", "en": "Treat first"},
    # the interview
    "interview.not_tty": {
        "zh": "shequn interview 要在终端里逐题问答，但标准输入或输出不是终端。\n"
              "已经有填好的答卷？请用：shequn diagnose ANSWERS.yaml",
        "en": "shequn interview asks its questions in a terminal, but standard input or output is not one.\n"
              "Already have an answers file? Use: shequn diagnose ANSWERS.yaml"},
    "interview.answers_exist": {
        "zh": "答卷 {file} 已经存在，里面是之前的回答，不会覆盖它。\n接着答或改答案：{resume}\n"
              "再做一次体检（上次的答卷和处方都保留）：{fresh}",
        "en": "the answers file {file} already exists and holds earlier answers; it is not overwritten.\n"
              "To continue it or change answers: {resume}\nFor a new checkup (the last one's files are kept): {fresh}"},
    "interview.nothing_to_resume": {"zh": "找不到答卷 {file}，没法接着答。从头开始：{command}",
                                    "en": "no answers file {file} to continue. To start from the beginning: {command}"},
    "interview.other_questionnaire": {
        "zh": "答卷 {file} 属于问卷 {got} 第 {got_version} 版，现在的问卷是 {want} 第 {want_version} 版，"
              "两份回答不能混在一起接着答。请用 --answers 另起一份答卷。",
        "en": "the answers file {file} belongs to questionnaire {got} version {got_version}, the current one is "
              "{want} version {want_version}; the two cannot be mixed. Start another file with --answers."},
    "interview.answers_busy": {
        "zh": "答卷 {file} 正在另一个 shequn interview 里作答（进程 {pid}）；同一份答卷不能同时在两处答。",
        "en": "the answers file {file} is being answered in another shequn interview (process {pid}); one answers "
              "file cannot be answered in two places at once."},
    "interview.cannot_save": {"zh": "答卷存不进 {file}：{reason}", "en": "cannot save the answers to {file}: {reason}"},
    "interview.welcome": {"zh": "{title}：大约 {n} 道题，分 {sections} 个部分。每答一题就存进 {file}。",
                          "en": "{title}: about {n} questions in {sections} parts. Each answer is saved to {file} "
                                "as soon as it is given."},
    "interview.keys": {"zh": "选择题用 ↑↓ 和回车，多选题用空格勾选；随时可按 Ctrl-C 退出，下次接着答。",
                       "en": "Choose with the arrow keys and Enter, tick with Space; press Ctrl-C at any time "
                             "and continue later."},
    "interview.resumed": {"zh": "接着上次答：已有 {n} 个回答，从第 {k} 题继续。",
                          "en": "Continuing: {n} answers kept, picking up at question {k}."},
    "interview.resumed_done": {"zh": "接着上次答：{n} 个回答，所有题目都已答完。",
                               "en": "Continuing: {n} answers kept; every question is answered."},
    "interview.section": {"zh": "【{title}】", "en": "== {title} =="},
    "interview.progress": {"zh": "[第 {k}/{n} 题 · 第 {s}/{sections} 部分]",
                           "en": "[question {k} of {n} · part {s} of {sections}]"},
    "interview.progress_about": {"zh": "[第 {k}/约 {n} 题 · 第 {s}/{sections} 部分]",
                                 "en": "[question {k} of about {n} · part {s} of {sections}]"},
    "interview.help_entry": {"zh": "为什么问这个？", "en": "Why is this asked?"},
    "interview.back_entry": {"zh": "← 上一题", "en": "← Previous question"},
    "interview.skip_entry": {"zh": "不回答，跳过", "en": "Leave it unanswered"},
    "interview.select_hint": {"zh": "（↑↓ 选择，回车确认）", "en": "(arrow keys to choose, Enter to confirm)"},
    "interview.checkbox_hint": {"zh": "（↑↓ 移动，空格勾选，回车确认）",
                                "en": "(arrow keys to move, Space to tick, Enter to confirm)"},
    "interview.text_hint": {"zh": "输入 ? 查看为什么问这个，输入 < 返回上一题",
                            "en": "type ? to see why this is asked, < to go back"},
    "interview.text_hint_first": {"zh": "输入 ? 查看为什么问这个", "en": "type ? to see why this is asked"},
    "interview.max_length": {"zh": "最多 {n} 个字", "en": "at most {n} characters"},
    "interview.prescription_exists": {"zh": "{earlier} 里是上次的处方，保留不动；这次的处方会写到 {file}。",
                                      "en": "{earlier} holds an earlier prescription and is kept; this one will be "
                                            "written to {file}."},
    "interview.optional": {"zh": "可不填，直接回车跳过", "en": "optional: press Enter to skip"},
    "interview.range": {"zh": "{lo} 到 {hi}{unit}", "en": "{lo} to {hi}{unit}"},
    "interview.at_least": {"zh": "至少 {lo}{unit}", "en": "at least {lo}{unit}"},
    "interview.at_most": {"zh": "最多 {hi}{unit}", "en": "at most {hi}{unit}"},
    "interview.why": {"zh": "为什么问：{text}", "en": "Why this is asked: {text}"},
    "interview.no_previous": {"zh": "这已经是第一题了", "en": "this is the first question"},
    "interview.dropped": {"zh": "这个改动让 {n} 个回答不再适用，已删去：{questions}",
                          "en": "after this change {n} answer(s) no longer apply and were removed: {questions}"},
    "interview.saved": {"zh": "已保存 {n} 个回答到 {file}。", "en": "{n} answer(s) saved to {file}."},
    "interview.nothing_saved": {"zh": "还没有回答任何题目，什么也没保存。", "en": "No question was answered yet; nothing was saved."},
    "interview.continue": {"zh": "接着答：{command}", "en": "To continue: {command}"},
    "interview.start_again": {"zh": "重新开始：{command}", "en": "To start again: {command}"},
    "interview.diagnosing": {"zh": "题目都答完了，正在诊断……", "en": "All questions answered; diagnosing..."},
    "interview.col_check": {"zh": "自检", "en": "Self-check"},
    "interview.col_verdict": {"zh": "结论", "en": "Verdict"},
    "interview.col_problems": {"zh": "问题", "en": "Problems"},
    "interview.treat_first": {"zh": "先治这一条：{title}（{check}）", "en": "Treat this first: {title} ({check})"},
    "interview.no_findings": {"zh": "没有发现问题，保持住。", "en": "No problem found; keep it up."},
    "interview.answers_kept": {"zh": "答卷在 {file}；改了答案后可以用 {command} 重新开处方。",
                               "en": "The answers are in {file}; after changing them, {command} writes the "
                                     "prescription again."},
    "interview.prescription_failed": {
        "zh": "处方写不进 {file}：{reason}。回答都在 {answers}，可以用 {command} 写到别处。",
        "en": "cannot write the prescription to {file}: {reason}. The answers are safe in {answers}; "
              "{command} writes it elsewhere."},
}
