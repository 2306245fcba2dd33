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
    "file.terminal": {"zh": "这是终端，不是文件；请把答卷用管道或 < 重定向进来，如 {program} diagnose - < 答卷.yaml",
                      "en": "it is a terminal, not a file; pipe or redirect the answers into it, e.g. "
                            "{program} diagnose - < answers.yaml"},
    "file.stdin": {"zh": "标准输入", "en": "standard input"},
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
    "yaml.syntax": {"zh": "YAML 语法错误：{what}{context}", "en": "YAML syntax error: {what}{context}"},
    "yaml.context": {"zh": "（{context}）", "en": " ({context})"},
    "yaml.context_from": {"zh": "{context}；它从第 {line} 行第 {column} 列开始",
                          "en": "{context}, which starts at line {line}, column {column}"},
    "yaml.mapping_not_allowed": {"zh": "这里不能写「键: 值」；是缩进不对，还是值里的冒号要加引号？",
                                 "en": "mapping values are not allowed here"},
    "yaml.no_colon": {"zh": "找不到应有的「:」", "en": "could not find expected ':'"},
    "yaml.tab": {"zh": "制表符（Tab）不能用来缩进，请改用空格", "en": "a tab cannot indent YAML; use spaces"},
    "yaml.bad_character_here": {"zh": "这个字符不能用在这里", "en": "found character that cannot start any token"},
    "yaml.stray_punctuation": {"zh": "第 {line} 行第 {column} 列的「{char}」是 YAML 在这里不认的全角标点；删掉它{twin}，"
                                     "或者把整个值放进半角引号 \"…\" 里",
                               "en": "line {line}, column {column}: YAML cannot read the full-width \u201c{char}\u201d "
                                     "here; delete it{twin}, or put the whole value in ASCII quotes \"…\""},
    "yaml.or_twin": {"zh": "、改成半角的「{twin}」", "en": ", type the ASCII \u201c{twin}\u201d"},
    "yaml.tab_at": {"zh": "第 {line} 行第 {column} 列是制表符（Tab）；YAML 只能用空格缩进",
                    "en": "line {line}, column {column} is a tab; YAML indents with spaces only"},
    "yaml.bad_character": {"zh": "字符 {x} 不能出现在这里", "en": "found character {x} that cannot start any token"},
    "yaml.indentation": {"zh": "缩进没有对齐：这里应结束上一层，却是 {x}", "en": "expected <block end>, but found {x}"},
    "yaml.flow_unclosed": {"zh": "这里应是「,」或「{close}」，却是 {x}", "en": "expected ',' or '{close}', but got {x}"},
    "yaml.flow_unclosed_here": {"zh": "这里应是「,」或「{close}」", "en": "did not find expected ',' or '{close}'"},
    "yaml.no_value": {"zh": "这里少了一个值", "en": "did not find expected node content"},
    "yaml.no_key": {"zh": "这里应是一个键（缩进对齐了吗？）", "en": "did not find expected key"},
    "yaml.no_dash": {"zh": "这里应是列表项的「-」（缩进对齐了吗？）", "en": "did not find expected '-' indicator"},
    "yaml.not_found": {"zh": "找不到应有的 {x}", "en": "did not find expected {x}"},
    "yaml.unexpected_end": {"zh": "文件意外结束；是不是少了收尾的引号或括号？", "en": "found unexpected end of stream; is a closing quote or bracket missing?"},
    "yaml.undefined_alias": {"zh": "别名 {x} 没有定义", "en": "found undefined alias {x}"},
    "yaml.duplicate_key": {"zh": "键 {x} 重复了", "en": "found duplicate key {x}"},
    "yaml.unhashable_key": {"zh": "键不能是列表或映射", "en": "found unhashable key"},
    "yaml.unknown_escape": {"zh": "未知的转义字符 {x}", "en": "found unknown escape character {x}"},
    "yaml.unknown_tag": {"zh": "不认识的标签 {x}", "en": "could not determine a constructor for the tag {x}"},
    "yaml.trailing": {"zh": "这里应是注释或换行，却是 {x}", "en": "expected a comment or a line break, but found {x}"},
    "yaml.two_documents": {"zh": "文件里只能有一个 YAML 文档，却又遇到一个（多了 ---？）",
                           "en": "expected a single document, but found another document"},
    "yaml.unexpected_colon": {"zh": "意外的「:」", "en": "found unexpected ':'"},
    "yaml.in_key": {"zh": "读一个键时", "en": "while scanning a simple key"},
    "yaml.in_token": {"zh": "读下一个记号时", "en": "while scanning for the next token"},
    "yaml.in_mapping": {"zh": "读一个映射时", "en": "while parsing a block mapping"},
    "yaml.in_list": {"zh": "读一个列表时", "en": "while parsing a block collection"},
    "yaml.in_flow_list": {"zh": "读一个方括号里的列表时", "en": "while parsing a flow sequence"},
    "yaml.in_flow_mapping": {"zh": "读一个花括号里的映射时", "en": "while parsing a flow mapping"},
    "yaml.in_flow_node": {"zh": "读方括号或花括号里的一个值时", "en": "while parsing a flow node"},
    "yaml.in_block_node": {"zh": "读一个值时", "en": "while parsing a block node"},
    "yaml.in_quoted": {"zh": "读一段带引号的文字时", "en": "while scanning a quoted scalar"},
    "yaml.in_alias": {"zh": "读一个锚点或别名时", "en": "while scanning an anchor or alias"},
    "yaml.in_stream": {"zh": "读整个文件时", "en": "expected a single document in the stream"},
    "yaml.full_width": {"zh": "第 {line} 行第 {column} 列是全角的「{char}」，请改成半角的「{twin}」",
                        "en": "line {line}, column {column} is a full-width \u201c{char}\u201d; type the ASCII "
                              "\u201c{twin}\u201d"},
    "yaml.full_width_space": {"zh": "第 {line} 行第 {column} 列是全角空格（U+3000），请改成半角空格",
                              "en": "line {line}, column {column} is a full-width space (U+3000); type an ASCII space"},
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
    "answers.unfinished": {
        "zh": "答卷 {file} 还没答完：还有 {n} 道必答题没有回答，从「{first}」起。",
        "en": "the answers file {file} is unfinished: {n} required question(s) are still unanswered, from "
              "\u201c{first}\u201d on."},
    "answers.missing_many": {"zh": "还有 {n} 道必答题没有回答，从「{first}」起",
                             "en": "{n} required questions are not answered, from \u201c{first}\u201d on"},
    "answers.not_asked": {"zh": "按这份答卷不会问这道题（ask_if: {condition}），回答没有用上",
                          "en": "not asked for these answers (ask_if: {condition}); ignored"},
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
    "value.choice_named": {"zh": "{value}「{label}」", "en": "{value} \u201c{label}\u201d"},
    "value.choice_sep": {"zh": "、", "en": ", "},
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
    "number.point_whole": {"zh": "“{text}”里的点是小数点还是千位分隔？这一题填整数：一千写 1000 或 1,000",
                           "en": "is the point in “{text}” a decimal point or a thousands separator? This question "
                                 "takes a whole number: write a thousand as 1000 or 1,000"},
    "number.comma_groups": {"zh": "“{text}”里的逗号只能分千位（三位一组，如 12,345），小数点用“.”",
                            "en": "a comma in “{text}” can only separate thousands (groups of three, as in 12,345); "
                                  "decimals take a point"},
    "number.too_long": {"zh": "数字太长了：最多 {digits} 位", "en": "too many digits: at most {digits}"},
    # knowledge base
    "kb.problems": {"zh": "知识库 {kb} 有 {n} 处问题：", "en": "the knowledge base {kb} has {n} problem(s):"},
    "kb.unreadable": {"zh": "读不了知识库目录 {kb}：{reason}", "en": "cannot read the knowledge base folder {kb}: {reason}"},
    "kb.not_found": {"zh": "找不到知识库目录 {kb}（需要 questionnaires/、rules/、templates/）",
                     "en": "no knowledge base at {kb} (it needs questionnaires/, rules/, templates/)"},
    # knowledge-base files against their models (for the people who edit the knowledge base)
    "schema.expected_mapping": {"zh": "这里应是一个映射（键: 值），却是 {found}", "en": "expected a mapping here, found {found}"},
    "schema.unknown_key": {"zh": "未知的键 {key}{hint}", "en": "unknown key {key}{hint}"},
    "schema.did_you_mean": {"zh": "；是不是 {name}？", "en": "; did you mean {name}?"},
    "schema.allowed": {"zh": "；可用的键：{names}", "en": "; allowed: {names}"},
    "schema.missing": {"zh": "缺少 {key}：{what}", "en": "missing {key}: {what}"},
    "schema.should_be": {"zh": "{key} 应是{what}，却是 {found}", "en": "{key} should be {what}, found {found}"},
    "schema.should_be_only": {"zh": "{key} 应是{what}", "en": "{key} should be {what}"},
    "schema.one_of": {"zh": "以下之一：{values}{hint}", "en": "one of {values}{hint}"},
    "schema.or": {"zh": "或", "en": " or "},
    "schema.nothing": {"zh": "空", "en": "nothing"},
    "schema.bad_id_key": {"zh": "{key} 里的 {name} 不是合法的 id（小写字母、数字、_）",
                          "en": "{name} in {key} is not a valid id (lower-case letters, digits, _)"},
    "schema.bad_int_key": {"zh": "{key} 里的 {name} 应是整数", "en": "{name} in {key} should be a whole number"},
    "schema.texts_per_language": {"zh": "每种语言一段文字（{langs}）", "en": "texts per language ({langs})"},
    "schema.lists_per_language": {"zh": "每种语言一个列表（{langs}）", "en": "lists per language ({langs})"},
    "schema.undeclared_language": {"zh": "{key} 有语言 {lang}，知识库没有声明它（{langs}）",
                                   "en": "{key} has language {lang}, which the knowledge base does not declare ({langs})"},
    "schema.no_text": {"zh": "{key} 没有 {lang} 的文字", "en": "{key} has no {lang} text"},
    "schema.type_id": {"zh": "一个 id（小写字母、数字、_）", "en": "an id (lower-case letters, digits, _)"},
    "schema.type_local_text": {"zh": "每种语言一段文字", "en": "a text per language"},
    "schema.type_local_list": {"zh": "每种语言一个文字列表", "en": "a list of texts per language"},
    "schema.type_expr": {"zh": "一个条件或表达式", "en": "a condition or expression"},
    "schema.type_text": {"zh": "一段文字", "en": "a text"},
    "schema.type_non_empty_text": {"zh": "一段不为空的文字", "en": "a non-empty text"},
    "schema.type_non_empty_list": {"zh": "一个不为空的文字列表", "en": "a non-empty list of texts"},
    "schema.type_int": {"zh": "整数", "en": "a whole number"},
    "schema.type_number": {"zh": "数字", "en": "a number"},
    "schema.type_bool": {"zh": "布尔值（true 或 false）", "en": "true or false"},
    "schema.type_list": {"zh": "一个列表", "en": "a list"},
    "schema.type_mapping": {"zh": "一个映射", "en": "a mapping"},
    "schema.type_value": {"zh": "一个值", "en": "a value"},
    # the condition language (for the people who edit the knowledge base)
    "cond.at_column": {"zh": "（第 {col} 列）", "en": " at column {col}"},
    "cond.cannot_read": {"zh": "读不了条件 {text}：{reason}{where}", "en": "cannot read condition {text}: {reason}{where}"},
    "cond.cannot_read_expression": {"zh": "读不了表达式 {text}：{reason}{where}",
                                    "en": "cannot read expression {text}: {reason}{where}"},
    "cond.unexpected_character": {"zh": "意外的字符 {char}{hint}", "en": "unexpected character {char}{hint}"},
    "cond.use_double_equals": {"zh": "，比较相等要用 ==", "en": " (use == to compare)"},
    "cond.write_as": {"zh": "，请写成 {twin}", "en": " (type {twin} instead)"},
    "cond.delete_it": {"zh": "，请删掉它", "en": " (delete it)"},
    "cond.full_width_quotes": {"zh": "条件两边是全角引号{left}…{right}，整条条件成了一段文字；请改成半角的 \"…\" 或者去掉引号",
                               "en": "the condition is inside full-width quotes {left}…{right}, which makes it one text; "
                                     "type ASCII quotes \"…\" or none"},
    "cond.full_width": {"zh": "这是全角的「{char}」，请改成半角的「{twin}」",
                        "en": "this is a full-width \u201c{char}\u201d; type the ASCII \u201c{twin}\u201d"},
    "cond.too_deep": {"zh": "嵌套太深（超过 {limit} 层）", "en": "nested too deeply (over {limit} levels)"},
    "cond.expected": {"zh": "这里应是 {want}，却是{got}", "en": "expected {want} but found {got}"},
    "cond.the_end": {"zh": "结尾", "en": "the end"},
    "cond.unexpected": {"zh": "多出了 {got}", "en": "unexpected {got}"},
    "cond.expected_value": {"zh": "这里应是一个值，却是{got}", "en": "expected a value but found {got}"},
    "cond.unknown_function": {"zh": "没有函数 {func}（有：{known}）", "en": "unknown function {func} (known: {known})"},
    "cond.arity": {"zh": "{func}() 要 {want} 个参数，给了 {got} 个", "en": "{func}() takes {want} argument(s), got {got}"},
    "cond.no_arguments": {"zh": "{func}() 至少要一个参数", "en": "{func}() needs at least one argument"},
    "cond.found_takes_id": {"zh": "found() 要的是一个发现 id", "en": "found() takes a finding id"},
    "cond.too_long": {"zh": "它有 {n} 个字符，超过了上限 {limit}", "en": "it is {n} characters long, over the limit of {limit}"},
    "cond.condition_too_deep": {"zh": "这个条件嵌套太深（超过 {limit} 层）",
                                "en": "this condition is nested too deeply (over {limit} levels)"},
    "cond.more_than_power": {"zh": "10^{power} 以上", "en": "more than 10^{power}"},
    "cond.too_complex": {"zh": "这个条件太复杂：展开后的情形数是 {n}（上限 {limit}）；请拆成几条规则",
                         "en": "this condition is too complex: written out it has {n} alternatives (the limit is "
                               "{limit}); split it into several rules"},
    "cond.nothing": {"zh": "空", "en": "nothing"},
    "cond.bad_map": {"zh": "条件映射只能有一个键，是 all、any、not、finding 之一；这里是 {keys}",
                     "en": "a condition map has exactly one key of all, any, not, finding; found {keys}"},
    "cond.finding_takes_id": {"zh": "finding: 后面是一个发现 id", "en": "finding: takes one finding id"},
    "cond.needs_list": {"zh": "{key}: 后面是一个不为空的条件列表", "en": "{key}: takes a non-empty list of conditions"},
    "cond.bad_type": {"zh": "条件应是一个字符串或 all/any/not/finding 映射，不能是 {got}",
                      "en": "a condition is a string or an all/any/not/finding map, not {got}"},
    "cond.bad_value": {"zh": "应是一个数字或表达式，不能是 {got}", "en": "expected a number or an expression, not {got}"},
    "cond.asked_later": {"zh": "{name} 在这道题或它之后才问；跳题条件和上下限只能用之前的回答",
                         "en": "{name} is asked at or after this question; skip logic and bounds may only use "
                               "answers given before it"},
    "cond.unknown_answer": {"zh": "问卷里没有题目 {name}{hint}", "en": "unknown answer id {name}{hint}"},
    "cond.not_a_choice": {"zh": "{value} 不是 {question} 的选项{hint}；选项有：{known}",
                          "en": "{value} is not a choice of {question}{hint}; choices: {known}"},
    "cond.found_outside_rules": {"zh": "found()/finding: 只能用在规则里", "en": "found()/finding: can only be used in rules"},
    "cond.unknown_finding": {"zh": "没有发现 {name}{hint}", "en": "unknown finding id {name}{hint}"},
    "cond.not_a_condition": {"zh": "这不是条件：请比较它（如 x > 3），或者用一道是非题",
                             "en": "this is not a condition: compare it (e.g. x > 3) or use a yes/no question"},
    "cond.in_needs_multiple": {"zh": "'{op}' 右边要是一道多选题的回答", "en": "'{op}' needs a multiple-choice answer on its right"},
    "cond.compares_numbers": {"zh": "'{op}' 比较的是数字，这一边却是{kind}",
                              "en": "'{op}' compares numbers, but this side is {kind}"},
    "cond.compares_kinds": {"zh": "'{op}' 两边一边是{left}，一边是{right}", "en": "'{op}' compares {left} with {right}"},
    "cond.arithmetic_needs_numbers": {"zh": "算术要用数字，{what} 却是{kind}",
                                      "en": "arithmetic needs numbers, but {what} is {kind}"},
    "cond.takes_question": {"zh": "{func}() 要的是一个题目 id", "en": "{func}() takes a question id"},
    "cond.count_needs_multiple": {"zh": "count() 要的是一道多选题；{name} 不是",
                                  "en": "count() takes a multiple-choice question; {name} is not one"},
    "cond.number_needs_numbers": {"zh": "number() 要的是一道选项带 number: 的单选题；{name} 不是",
                                  "en": "number() takes a single-choice question whose choices have a number:; "
                                        "{name} is not one"},
    "cond.snap_needs_numbers": {"zh": "snap(x, q) 的 q 要是一道选项带 number: 的单选题",
                                "en": "snap(x, q) takes a single-choice question whose choices have a number: as q"},
    "cond.func_needs_numbers": {"zh": "{func}() 要用数字，{what} 却是{kind}",
                                "en": "{func}() needs numbers, but {what} is {kind}"},
    "cond.expected_number": {"zh": "这里应是数字，却是{kind}", "en": "expected a number, but this is {kind}"},
    "cond.this": {"zh": "这一项", "en": "this"},
    "cond.kind_number": {"zh": "数字", "en": "number"},
    "cond.kind_text": {"zh": "文字", "en": "text"},
    "cond.kind_list": {"zh": "多选的列表", "en": "list"},
    "cond.kind_bool": {"zh": "是非", "en": "bool"},
    # the knowledge base's files, rules and policy (for the people who edit the knowledge base)
    "kb.cannot_read_file": {"zh": "读不了这个文件：{reason}", "en": "cannot read the file: {reason}"},
    "kb.empty_file": {"zh": "文件是空的", "en": "the file is empty"},
    "kb.none": {"zh": "一个也没有", "en": "none"},
    "kb.one_questionnaire": {"zh": "知识库要有且只有一个问卷文件；找到的是：{found}",
                             "en": "a knowledge base has exactly one questionnaire file; found {found}"},
    "kb.no_rules": {"zh": "没有规则：rules/ 里没有 .yaml 文件", "en": "no rules: rules/ has no .yaml file"},
    "kb.no_actions": {"zh": "没有处方动作：actions/ 里没有 .yaml 文件；发现要点名治它的动作",
                      "en": "no actions: actions/ has no .yaml file; findings name the actions that treat them"},
    "kb.no_template": {"zh": "缺少语言 {lang} 的处方模板", "en": "missing the prescription template for language {lang}"},
    "kb.no_policy": {"zh": "没有 {file}：结论按默认规则（有重的发现就是危险，有中的就是注意），问题按写下的顺序治",
                     "en": "no {file}: verdicts follow the default (any high finding is danger, any medium is watch) "
                           "and findings are treated in the order they are written"},
    "rules.needs_severity": {"zh": "问题规则要有 severity：high、medium 或 low（见 rules/policy.yaml）",
                             "en": "a problem rule needs a severity: high, medium or low (see rules/policy.yaml)"},
    "rules.no_severity": {"zh": "{kind} 规则没有 severity：它从不改变结论", "en": "a {kind} rule has no severity: it never "
                                                                                 "changes a verdict"},
    "rules.unknown_check": {"zh": "check {check} 不是问卷里的自检（{checks}）",
                            "en": "check {check} is not a self-check of the questionnaire ({checks})"},
    "rules.duplicate_id": {"zh": "规则 id {id} 用了两次（第一次在 {first}）", "en": "rule id {id} is used twice (first at {first})"},
    "rules.priority": {"zh": "priority 应在 0 到 100 之间，却是 {priority}",
                       "en": "priority should be from 0 to 100, found {priority}"},
    "rules.texts_twice": {"zh": "发现 {finding} 的文字写在了两个文件里（另一个是 {other}）",
                          "en": "finding {finding} has texts in two files (also {other})"},
    "rules.metric_twice": {"zh": "指标 id {id} 用了两次（另一处在 {other}）", "en": "metric id {id} is used twice (also in {other})"},
    "rules.no_texts": {"zh": "得出发现 {finding}，可任何规则文件里都没有它的文字（title、diagnosis、prescription）",
                       "en": "concludes finding {finding}, which has no texts (title, diagnosis, prescription) in any "
                             "rules file"},
    "rules.disagree": {"zh": "把 {finding} 当作自检 {check} 的 {kind} 得出，规则 {other} 却把它当作 {other_check} 的 "
                             "{other_kind}；同一发现的规则要在自检和种类上一致",
                       "en": "concludes {finding} as a {kind} of check {check}, but rule {other} concludes it as a "
                             "{other_kind} of {other_check}; all rules of a finding agree on its check and kind"},
    "rules.orphan_texts": {"zh": "发现 {finding} 有文字，却没有规则得出它", "en": "finding {finding} has texts but no rule "
                                                                             "concludes it"},
    "rules.decisive_not_high": {"zh": "只有 high 的规则才能 decisive：medium 或 low 的事实不能单独决定结论",
                                "en": "only a high rule can be decisive: a medium or low fact does not decide a verdict "
                                      "alone"},
    "rules.cycle": {"zh": "规则绕成了圈：{cycle}", "en": "rules chain in a cycle: {cycle}"},
    "policy.threshold": {"zh": "结论的门槛数的是发现的个数，至少是 1，这里是 {severity}: {need}",
                         "en": "a verdict threshold counts findings and must be at least 1, found {severity}: {need}"},
    "policy.listed_twice": {"zh": "发现 {finding} 在 order 里出现了两次", "en": "finding {finding} is listed twice in order"},
    "policy.not_concluded": {"zh": "{key} 里的 {finding} 没有规则得出{hint}", "en": "{key} names {finding}, which no rule "
                                                                              "concludes{hint}"},
    "policy.no_place": {"zh": "发现 {finding} 在 order 里没有位置：写明它在哪儿治，病根在症状之前",
                        "en": "finding {finding} has no place in order: say where it is treated, root before symptom"},
    "policy.root_after": {"zh": "{root} 是 {finding} 的病根，在 order 里却排在它后面：病根要先治",
                          "en": "{root} is a root of {finding} but comes after it in order: a root is treated first"},
    "policy.roots_circle": {"zh": "roots 绕成了圈：{cycle}", "en": "roots go round in a circle: {cycle}"},
    "actions.group_twice": {"zh": "组 {group} 声明了两次（另一处在 {other}）", "en": "group {group} is declared twice (also in "
                                                                               "{other})"},
    "actions.duplicate_id": {"zh": "动作 id {id} 用了两次（第一次在 {first}）", "en": "action id {id} is used twice (first at "
                                                                             "{first})"},
    "actions.param_name_taken": {"zh": "参数 {name} 和某道题、某个指标或前面的参数重名了；换个名字",
                                 "en": "param {name} has the name of a question, a metric or an earlier param; give it "
                                       "another"},
    "actions.unknown_group": {"zh": "组 {group} 没有在任何动作文件的 groups: 下声明{hint}",
                              "en": "group {group} is not declared under groups: in any actions file{hint}"},
    "actions.not_an_action": {"zh": "{key} 里的 {name} 不是动作{hint}", "en": "{key} names {name}, which is not an action{hint}"},
    "actions.problem_needs_action": {"zh": "问题至少要在 actions: 里点名一个动作（actions/*.yaml 里的 id）",
                                     "en": "a problem needs at least one action in actions: (ids from actions/*.yaml)"},
    "actions.group_both": {"zh": "{first} 和 {second} 同属互斥的组 {group}：一个发现只点名组里的一个动作",
                           "en": "{first} and {second} are both of exclusive group {group}: a finding names one action "
                                 "of a group"},
    "actions.unused": {"zh": "没有发现点名这个动作，哪份处方都不会有它",
                       "en": "no finding names this action, so no plan can contain it"},
    "actions.empty_group": {"zh": "组 {group} 里没有动作", "en": "group {group} has no actions"},
    "actions.after_circle": {"zh": "after 绕成了圈：{cycle}", "en": "after goes round in a circle: {cycle}"},
    "questionnaire.unknown_language": {"zh": "languages 里有未知的语言代码 {lang}", "en": "unknown language code {lang} in languages"},
    "questionnaire.section_twice": {"zh": "部分 id {id} 用了两次", "en": "section id {id} is used twice"},
    "questionnaire.question_twice": {"zh": "题目 id {id} 用了两次（第一次在第 {line} 行）",
                                     "en": "question id {id} is used twice (first at line {line})"},
    "questionnaire.check_twice": {"zh": "自检 {check} 有不止一个部分", "en": "self-check {check} has more than one section"},
    "questionnaire.cross_reserved": {"zh": "'cross' 留给综合判断的规则；部分不能用它",
                                     "en": "'cross' is reserved for cross-cutting rules; a section cannot use it"},
    "questionnaire.needs_choices": {"zh": "{type} 题要有 choices", "en": "a {type} question needs choices"},
    "questionnaire.no_choices_here": {"zh": "只有 single 和 multiple 题有 choices，这道是 {type}",
                                      "en": "only single and multiple questions have choices, this one is {type}"},
    "questionnaire.choice_twice": {"zh": "选项值 {value} 用了两次", "en": "choice value {value} is used twice"},
    "questionnaire.no_bounds_here": {"zh": "min/max 只用于 integer 和 number 题，不用于 {type}",
                                     "en": "min/max apply to integer and number questions, not to {type}"},
    "questionnaire.labels_scale_only": {"zh": "labels 只用于 scale 题", "en": "labels apply to scale questions only"},
    "questionnaire.max_length_type": {"zh": "max_length 只用于文字题，不用于 {type} 题",
                                      "en": "max_length applies to text questions, not to {type}"},
    "questionnaire.max_length_range": {"zh": "max_length 应在 1 到 {hi} 之间", "en": "max_length must be between 1 and {hi}"},
    "questionnaire.labels_points": {"zh": "打分题的 labels 只能给 1 到 5 分", "en": "scale labels are for the points 1 to 5"},
    "questionnaire.choices_multiple_only": {"zh": "min_choices/max_choices 只用于 multiple 题",
                                            "en": "min_choices/max_choices apply to multiple questions only"},
    "questionnaire.min_choices": {"zh": "min_choices 应在 0 到 {n} 之间", "en": "min_choices must be between 0 and {n}"},
    "questionnaire.max_choices": {"zh": "max_choices 应在 1 到 {n} 之间", "en": "max_choices must be between 1 and {n}"},
    "questionnaire.bad_default": {"zh": "默认值 {default} 不合这道题：{reason}",
                                  "en": "default {default} does not fit the question: {reason}"},
    "analysis.group_both_possible": {"zh": "互斥组 {group} 里的 {first} 和 {second} 可能同时被选中：给它们互相排斥的条件",
                                     "en": "{first} and {second} of exclusive group {group} can both be chosen: give "
                                           "them conditions that exclude each other"},
    "render.cannot_read_named": {"zh": "读不了模板 {template}：{reason}", "en": "cannot read the template {template}: {reason}"},
    "render.cannot_read": {"zh": "读不了模板：{reason}", "en": "cannot read the template: {reason}"},
    "render.cannot_render": {"zh": "{part} 套不出来：{reason}{hint}", "en": "cannot render {part}: {reason}{hint}"},
    "render.cannot_render_template": {"zh": "模板套不出来：{reason}", "en": "cannot render the template: {reason}"},
    "render.syntax": {"zh": "模板语法错误：{reason}", "en": "template syntax error: {reason}"},
    "render.too_deep": {"zh": "嵌套太深（是宏调用了自己，还是模板包含了自己？）",
                        "en": "it nests too deeply (a macro that calls itself, or a template that includes itself?)"},
    "render.no_memory": {"zh": "它要的内存比现有的多", "en": "it needs more memory than there is"},
    "render.unset_params": {"zh": "（参数 {params} 按这份答卷没有值：它的表达式除以了零或用了没回答的题；用 `is none` 检验它）",
                            "en": " (parameter {params} has no value for these answers: its expression divides by "
                                  "zero or uses an unanswered question; test it with `is none`)"},
    "render.no_such_label": {"zh": "label({qid})：没有这道题", "en": "label({qid}): no such question"},
    "render.no_such_choice": {"zh": "choice_label({qid}, {number})：这道题没有哪个选项代表它",
                              "en": "choice_label({qid}, {number}): no choice of that question stands for it"},
    "sandbox.steps": {"zh": "它要走的步数超过 {limit}（循环圈数和调用）", "en": "it takes more than {limit} steps (loop turns and calls)"},
    "sandbox.seconds": {"zh": "它用的时间超过 {limit} 秒", "en": "it takes longer than {limit} seconds"},
    "sandbox.output": {"zh": "它的输出超过 {limit} 个字符", "en": "its output is longer than {limit} characters"},
    "sandbox.a_text": {"zh": "一段文字", "en": "a text"},
    "sandbox.a_collection": {"zh": "一个集合", "en": "a collection"},
    "sandbox.too_many_items": {"zh": "它做出了有 {n} 项的{what}，超过了上限 {limit}",
                               "en": "it makes {what} of {n} items, over the limit of {limit}"},
    "sandbox.big_number": {"zh": "它做出了超过 {limit} 位（二进制）的数", "en": "it makes a number of over {limit} bits"},
    "sandbox.argument": {"zh": "{what} {value} 超过了上限 {limit}", "en": "{what} {value} is over the limit of {limit}"},
    "sandbox.width": {"zh": "宽度或精度", "en": "a width or precision of"},
    "sandbox.filter_argument": {"zh": "|{name}() 的参数", "en": "|{name}() of"},
    "sandbox.method_argument": {"zh": "{name}() 的参数", "en": "{name}() of"},
    "sandbox.star_width": {"zh": "模板里的格式串不能用 * 给宽度", "en": "a width given as * in a format string is not allowed "
                                                               "in templates"},
    "sandbox.nested_field": {"zh": "模板里的格式串不能在格式字段里再套格式字段",
                             "en": "a format field inside a format field is not allowed in templates"},
    "sandbox.replace": {"zh": "replace() 会做出超过 {limit} 个字符的文字", "en": "replace() would make a text of over {limit} "
                                                                          "characters"},
    "sandbox.long_text": {"zh": "它会做出超过 {limit} 个字符的文字", "en": "it would make a text of over {limit} characters"},
    "sandbox.range": {"zh": "range() 超过 {limit} 个数", "en": "range() of more than {limit} numbers"},
    "sandbox.sum": {"zh": "|sum() 只能加数字", "en": "|sum() adds numbers only"},
    "sandbox.power": {"zh": "{left} ** {right} 是超过 {limit} 位（二进制）的数", "en": "{left} ** {right} is a number of over "
                                                                               "{limit} bits"},
    "sandbox.product": {"zh": "乘积超过 {limit} 位（二进制）", "en": "a product of over {limit} bits"},
    "sandbox.repeat": {"zh": "把 {n} 项重复 {times} 次超过了上限 {limit}", "en": "repeating {n} item(s) {times} times is over "
                                                                         "the limit of {limit}"},
    "sandbox.join": {"zh": "连起来超过 {limit} 项", "en": "joining them makes over {limit} items"},
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
    "cli.no_stdout": {"zh": "标准输出已关闭，结果无处可印；用 -o 文件名 写到文件里",
                      "en": "standard output is closed, so the result has nowhere to go; write it to a file with -o FILE"},
    "cli.written": {"zh": "处方已写入 {file}", "en": "Prescription written to {file}"},
    "cli.workbook_to_terminal": {"zh": ".xlsx 工作簿没法显示在终端上：用 -o 文件名.xlsx 写到文件，或用 -o - 接管道",
                                 "en": "an .xlsx workbook cannot be shown on a terminal: write it with -o FILE.xlsx, "
                                       "or pipe -o - into another program"},
    "cli.file_written": {"zh": "已写入 {file}", "en": "written to {file}"},
    "cli.check_ok": {"zh": "知识库 {kb} 没有错误：{questions} 道题，{rules} 条规则，{findings} 种发现，"
                           "{cases} 个黄金案例全部通过；警告 {warnings} 条。",
                     "en": "knowledge base {kb} has no errors: {questions} questions, {rules} rules, {findings} "
                           "findings, all {cases} golden cases pass; {warnings} warning(s)."},
    "cli.check_failed": {"zh": "知识库检查：{n} 个错误，{warnings} 条警告。",
                         "en": "knowledge-base check: {n} error(s), {warnings} warning(s)."},
    "cli.error": {"zh": "错误", "en": "error"},
    "cli.warning": {"zh": "警告", "en": "warning"},
    "cli.problem": {"zh": "{level}：{problem}", "en": "{level}: {problem}"},
    "check.jinja_syntax": {"zh": "{where}：Jinja 语法错误：{reason}", "en": "{where}: Jinja syntax error: {reason}"},
    "check.never_fires": {"zh": "没有哪个黄金案例让这条规则成立；请加一个体现它的例子",
                          "en": "no golden case makes this rule fire; add an example that shows it"},
    "check.always_fires": {"zh": "每个黄金案例都让这条规则成立；请加一个它不成立的例子",
                           "en": "every golden case makes this rule fire; add an example where it stays silent"},
    "check.untreated": {"zh": "处方里没有一步治 {findings}：给这个发现一个在这里条件成立的处方动作",
                        "en": "no step of the plan treats {findings}: give the finding an action whose condition "
                              "holds here"},
    "check.first_step": {"zh": "处方的第一步（{action}）不治先治的问题（{first}）；有个排在它前面的动作挡了路",
                         "en": "the plan's first step ({action}) does not treat the first problem ({first}); an "
                               "action it comes after is in the way"},
    "check.week_too_full": {"zh": "处方本周有 {n} 步，多于 {limit} 步", "en": "the plan has {n} steps this week, more than {limit}"},
    "check.unknown_expected": {"zh": "expect 里有不存在的发现：{findings}", "en": "expect names unknown findings: {findings}"},
    "check.unknown_checks": {"zh": "expect.verdicts 里有不存在的自检：{stray}（自检有：{checks}）",
                             "en": "expect.verdicts names unknown self-checks: {stray} (the checks are {checks})"},
    "analysis.always_false": {"zh": "其中有一个永远不成立的条件", "en": "it contains a condition that is always false"},
    "analysis.out_of_range": {"zh": "{question} 不可能 {op} {bound}，同时又满足它的其他范围{note}",
                              "en": "{question} cannot be {op} {bound} together with its other bounds{note}"},
    "analysis.both_values": {"zh": "{question} 不可能既是 {a} 又是 {b}", "en": "{question} cannot be both {a} and {b}"},
    "analysis.is_and_is_not": {"zh": "{question} 不可能既是 {value} 又不是 {value}",
                               "en": "{question} cannot be {value} and not {value}"},
    "analysis.no_choice_left": {"zh": "{question} 的每个选项都被排除了", "en": "{question} is excluded from every one of its choices"},
    "analysis.in_and_not_in": {"zh": "{value} 不可能既在 {question} 里又不在", "en": "{value} cannot be both in and not in {question}"},
    "analysis.found_and_not": {"zh": "它要求发现 {finding} 既成立又不成立",
                               "en": "it needs finding {finding} both concluded and not concluded"},
    "analysis.compares_unanswered": {"zh": "它比较 {question}，又要求这道题没有回答",
                                     "en": "it compares {question} while requiring it to be unanswered"},
    "analysis.scale_range": {"zh": "（打分题是 1 到 5）", "en": " (a scale runs from 1 to 5)"},
    "analysis.allowed_range": {"zh": "（这道题允许 {lo} 到 {hi}）", "en": " (the question allows {lo} to {hi})"},
    "analysis.never_holds": {"zh": "这个条件永远不会成立：{reason}", "en": "this condition can never hold: {reason}"},
    "analysis.unreachable": {"zh": "这条规则永远不会被用到：没有规则能得出 {findings}",
                             "en": "this rule can never be reached: no rule can conclude {findings}"},
    "analysis.duplicate": {"zh": "与规则 {where} 重复：条件相同，结论相同",
                           "en": "duplicates rule {where}: same condition, same conclusion"},
    "analysis.contradicts": {"zh": "与规则 {where} 矛盾：同样的条件，这条对自检 {check} 得出 {this}，那条得出 {that}",
                             "en": "contradicts rule {where}: from the same condition it concludes {this} where that "
                                   "one concludes {that} for check {check}"},
    "analysis.unknown_text_variable": {
        "zh": "{where} 用了 {name}，它既不是题目 id、指标，也不是得出 {finding} 的规则 {rules} 的参数",
        "en": "{where} uses {name}, which is neither a question id, a metric nor a param of rule(s) {rules} that "
              "conclude {finding}"},
    "analysis.untested_answer": {
        "zh": "{where} 读了 {question}，可 {finding} 的规则都没有检验它：文字可能说出回答并不支持的话；请在规则的条件里"
              "检验它（至少 answered({qid})）",
        "en": "{where} reads {question}, which no rule of {finding} tests: the text may say what the answers do not "
              "support; test it in the rule's condition (answered({qid}) at least)"},
    "analysis.unknown_action_variable": {
        "zh": "{where} 用了 {name}，它既不是题目 id、指标、动作的参数，也不是日期（{dates}）",
        "en": "{where} uses {name}, which is neither a question id, a metric, a param of the action nor a date "
              "({dates})"},
    "analysis.unknown_template_variable": {"zh": "模板用了 {name}，处方并不提供它（提供的有：{provided}）",
                                           "en": "the template uses {name}, which the prescription does not provide "
                                                 "(it provides: {provided})"},
    "analysis.unused_question": {"zh": "没有任何规则、跳题条件、上下限、指标或文字用到这个回答：问了也白问",
                                 "en": "no rule, skip condition, bound, metric or text uses this answer: the operator "
                                       "is asked for nothing"},
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
    # follow-up checkups: diagnose --since, interview --since, batch --since
    "followup.reversed": {
        "zh": "--since 的答卷 {file} 写的日期是 {before}，比这次的 {after} 还晚：两份答卷是不是放反了？"
              "--since 后面放上一次的答卷",
        "en": "the --since answers {file} are dated {before}, later than these ({after}): are the two files the "
              "wrong way round? --since takes the earlier checkup's answers"},
    "followup.date_unknown": {"zh": "日期不详", "en": "an unknown date"},
    "followup.dated_by_answers": {"zh": "上次体检是 {date}", "en": "The last checkup was on {date}"},
    "followup.dated_by_file": {"zh": "上次体检是 {date}（答卷没写日期，按文件最后保存的时间算）",
                               "en": "The last checkup was on {date} (its answers carry no date; this is when "
                                     "the file was last saved)"},
    "followup.dated_by_unknown": {"zh": "上次体检的日期不详", "en": "The date of the last checkup is not known"},
    "followup.days": {"zh": "，到这次隔了 {days} 天。", "en": ", {days} days before this one."},
    "followup.when_end": {"zh": "。", "en": "."},
    "followup.points": {"zh": " 个百分点", "en": " percentage points"},
    "followup.trend_better": {"zh": "好转", "en": "better"},
    "followup.trend_worse": {"zh": "变差", "en": "worse"},
    "followup.trend_same": {"zh": "没变", "en": "unchanged"},
    "followup.headline_worked": {"zh": "见效了", "en": "It worked"},
    "followup.headline_partly": {"zh": "一部分见效了", "en": "Partly working"},
    "followup.headline_not_yet": {"zh": "还没见效", "en": "Not working yet"},
    "followup.headline_clear": {"zh": "两次都没查出问题", "en": "Clear both times"},
    "followup.headline_arisen": {"zh": "这次查出了新问题", "en": "New problems this time"},
    "followup.headline_and_new": {"zh": "，又冒出 {new} 个新问题", "en": ", but {new} new problem(s) came up"},
    "followup.advice_and_new": {"zh": "新冒出来的问题计划里已经排上了，趁它们还没扎根先治。",
                                "en": " The new problems are in this plan: treat them before they take root."},
    "followup.same_file": {"zh": "--since 给的就是这次的答卷，两次比的是同一个文件：--since 后面应放上一次体检的答卷。",
                           "en": "--since names this checkup's own answers file, so the file was compared with "
                                 "itself: --since takes the previous checkup's answers."},
    "followup.same_answers": {"zh": "两次的回答一模一样，一个数字都没动：群真的没变，说明上次计划里的步骤还没做起来；"
                                    "要是 --since 放错了文件，换成上一次体检的答卷再比。",
                              "en": "Every answer is the same as last time, not one figure moved: if the community "
                                    "really has not changed, last time's steps have not started yet; if --since names "
                                    "the wrong file, compare again with the previous checkup's answers."},
    "followup.problems": {"zh": "{n} 个问题", "en": "{n} problems"},
    "followup.problem": {"zh": "{n} 个问题", "en": "{n} problem"},
    "followup.summary_worked": {"zh": "上次查出 {problems}，这次一个都没再出现。",
                                "en": "Last time found {problems}: all gone now."},
    "followup.summary_partly": {"zh": "上次查出 {problems}，{cured} 个这次没再出现，{remaining} 个还在。",
                                "en": "Last time found {problems}: {cured} gone, {remaining} still there."},
    "followup.summary_not_yet": {"zh": "上次查出 {problems}，这次都还在。",
                                 "en": "Last time found {problems}: all still there."},
    "followup.summary_clear": {"zh": "上次没查出问题。", "en": "Last time found no problem."},
    "followup.summary_new": {"zh": "这次新查出 {new} 个。", "en": " New this time: {new}."},
    "followup.summary_no_new": {"zh": "没有新冒出来的。", "en": " Nothing new came up."},
    "followup.advice_worked": {
        "zh": "别因为见效了就松手：热闹是一天天攒出来的，按这次的计划接着做，四周后再来对一次数。",
        "en": "Do not let go because it worked: activity is built day by day. Keep to this plan and compare "
              "the numbers again in four weeks."},
    "followup.advice_partly": {
        "zh": "见效的那几条说明路子对了；还没见效的，先别急着换方子，对一对上次计划里的步骤做了几步、做足了没有。",
        "en": "What worked shows the approach is right. For what has not, do not change the remedy yet: check how "
              "many of last time's steps were done, and done fully."},
    "followup.advice_not_yet": {
        "zh": "还没见效，先别急着换方子：对一对上次计划里的步骤做了几步、做足了没有。社群不是一两周就能热起来的，"
              "病根在哪里，就从哪里接着治。",
        "en": "Not working yet; do not change the remedy yet: check how many of last time's steps were done, and "
              "done fully. A community does not warm up in a week or two; keep treating the root where it is."},
    "followup.advice_arisen": {
        "zh": "上次没有的问题这次冒了出来：按这次的计划先治它，别等它扎下根。",
        "en": "Problems that were not there last time have come up: treat them by this plan now, before they "
              "take root."},
    "followup.advice_clear": {"zh": "保持住，四周后再来对一次数。",
                              "en": "Keep it up, and compare the numbers again in four weeks."},
    "followup.early": {"zh": "离上次体检才 {days} 天：处方里的步骤大多要几周才见分晓，四周后再对一次更准。",
                       "en": "Only {days} days since the last checkup: most steps of a prescription take weeks to "
                             "show; compare again after four weeks for a fairer picture."},
    "followup.same_day": {"zh": "两次体检是同一天：处方里的步骤还来不及做，四周后再对一次才看得出效果。",
                          "en": "Both checkups are of the same day: no step of the prescription could have been "
                                "taken yet; compare again after four weeks to see an effect."},
    "followup.renamed": {"zh": "上次的答卷里群名是「{name}」，和这次不一样；确认比的是同一个群。",
                         "en": "Last time's answers name the community \u201c{name}\u201d, not as now; make sure "
                               "this is the same community."},
    "batch.since_read": {
        "zh": "从 {file} 读到上次体检的 {n} 个社群，按群名和这次对上（读不了的 {unreadable} 行、没写群名的 {nameless} 行"
              "不参与比较）。",
        "en": "{file}: {n} earlier checkups, matched to this run by community name ({unreadable} unreadable and "
              "{nameless} nameless rows left out)."},
    "batch.since_unreadable": {"zh": "上次的结果里有 {n} 行读不了，不参与比较：{rows}（第一行的原因：{reason}）",
                               "en": "{n} earlier row(s) could not be read and are left out of the "
                                     "comparison: {rows} (the first because: {reason})"},
    "batch.since_repeated": {"zh": "上次的结果里有 {n} 个群名出现了不止一次，各取日期最晚的一份（同一天的取后出现的）来比：{items}",
                             "en": "{n} community name(s) occur more than once among the earlier checkups; each is "
                                   "compared with its latest (of one day, the last listed): {items}"},
    "batch.since_repeated_item": {"zh": "「{name}」{n} 次，用 {kept}", "en": "\u201c{name}\u201d {n} times, using {kept}"},
    # shequn init: a knowledge base of one's own
    "init.not_a_folder": {"zh": "{dir} 已经存在，而且不是文件夹：请换一个文件夹名",
                          "en": "{dir} exists and is not a folder: choose another folder name"},
    "init.is_the_source": {"zh": "{dir} 就是内置知识库本身，不能复制到它自己里面；请换一个文件夹",
                           "en": "{dir} is the built-in knowledge base itself; copy it into another folder"},
    "init.not_empty": {
        "zh": "{dir} 里已经有 {n} 样东西（{names}），复制进去会和它们混在一起。请换一个空文件夹或新名字；"
              "确实要写进去就加 --force（同名的文件会被替换，其余不动）",
        "en": "{dir} already holds {n} item(s) ({names}); the copy would mix with them. Choose an empty or new "
              "folder, or add --force to write into it anyway (files of the same name are replaced, the rest stay)"},
    "init.cannot_write": {"zh": "写不了 {dir}：{reason}", "en": "cannot write {dir}: {reason}"},
    "init.done": {"zh": "已把内置知识库复制到 {dir}：{parts}。",
                  "en": "The built-in knowledge base is copied into {dir}: {parts}."},
    "init.part_questionnaires": {"zh": "问卷 {n} 份", "en": "{n} questionnaire"},
    "init.part_rules": {"zh": "规则 {n} 个文件（含判定政策 policy.yaml）",
                        "en": "{n} rules files (the judgement policy, policy.yaml, among them)"},
    "init.part_actions": {"zh": "处方动作 {n} 个文件", "en": "{n} actions files"},
    "init.part_templates": {"zh": "处方模板 {n} 个", "en": "{n} prescription templates"},
    "init.part_examples": {"zh": "专家案例 {n} 份", "en": "{n} golden cases"},
    "init.part_schemas": {"zh": "JSON Schema {n} 个", "en": "{n} JSON Schemas"},
    "init.next": {"zh": "接下来：", "en": "Next:"},
    "init.after_edit": {
        "zh": "改了文件就再跑一次 {program} check --kb {kb}；VS Code 等编辑器按每个文件第一行的 $schema 注释边写边校验。",
        "en": "After each edit, run {program} check --kb {kb} again; VS Code and other editors validate each file as "
              "you type, by the $schema comment on its first line."},
    # the import template (`shequn template`)
    "template.bad_kind": {"zh": "模板只有 csv 和 xlsx 两种，没有 {kind!r}", "en": "a template is csv or xlsx, not {kind!r}"},
    "template.one_of": {"zh": "选一个：{labels}", "en": "one of: {labels}"},
    "template.some_of": {"zh": "可选多个，用 ; 分隔：{labels}", "en": "any of, separated by ;: {labels}"},
    "template.yesno": {"zh": "是 或 否", "en": "yes or no"},
    "template.scale": {"zh": "1 到 5 的整数", "en": "a whole number from 1 to 5"},
    "template.integer": {"zh": "整数，{lo} 到 {hi}", "en": "a whole number, {lo} to {hi}"},
    "template.number": {"zh": "数字，{lo} 到 {hi}", "en": "a number, {lo} to {hi}"},
    "template.text": {"zh": "文字", "en": "text"},
    "template.only_if": {"zh": "；仅当 {condition} 时填写", "en": "; only when {condition}"},
    "template.optional": {"zh": "；可不填", "en": "; may be left empty"},
    "template.col_question": {"zh": "题目（表头）", "en": "Question (header)"},
    "template.col_id": {"zh": "题目 id", "en": "Question id"},
    "template.col_allowed": {"zh": "可以填什么", "en": "What may be written"},
    "template.sheet_answers": {"zh": "答卷", "en": "Answers"},
    "template.sheet_allowed": {"zh": "可填的值", "en": "Allowed values"},
    "template.csv_readme": {"zh": "# 每个社群填一行，从表头下一行开始；以 # 开头的行是说明，shequn batch 会跳过。各列可填：",
                            "en": "# One community per row, below the header; lines starting with # are notes that "
                                  "shequn batch skips. What each column takes:"},
    # the XLSForm (`shequn export xlsform`)
    "xlsform.untranslatable": {
        "zh": "{file} 第 {line} 行 [{question}]：{what} {expr!r} 无法写成 XLSForm 的 XPath 表达式（{why}）",
        "en": "{file} line {line} [{question}]: the {what} {expr!r} cannot be written as an XLSForm XPath expression "
              "({why})"},
    "xlsform.what_ask_if": {"zh": "跳题条件", "en": "skip condition"},
    "xlsform.what_bound": {"zh": "上下限", "en": "bound"},
    "xlsform.why_snap": {"zh": "snap() 在 XPath 里没有对应", "en": "snap() has no XPath counterpart"},
    "xlsform.why_found": {"zh": "表单里没有发现，只有回答", "en": "a form has answers, not findings"},
    "xlsform.why_other": {"zh": "XPath 里没有对应", "en": "it has no XPath counterpart"},
    "xlsform.between": {"zh": "应在 {lo} 到 {hi} 之间", "en": "must be between {lo} and {hi}"},
    "xlsform.at_least": {"zh": "不能小于 {lo}", "en": "must be at least {lo}"},
    "xlsform.at_most": {"zh": "不能大于 {hi}", "en": "must be at most {hi}"},
    "xlsform.min_choices": {"zh": "至少选 {n} 项", "en": "tick at least {n}"},
    "xlsform.max_choices": {"zh": "最多选 {n} 项", "en": "tick at most {n}"},
    "xlsform.yes": {"zh": "是", "en": "Yes"},
    "xlsform.no": {"zh": "否", "en": "No"},
    # batch runs
    "batch.unknown_input": {"zh": "不知道怎么读 {file}:应是 .csv、.xlsx、.jsonl 文件或一个放答卷 YAML 的目录",
                            "en": "cannot tell how to read {file}: expected a .csv, .xlsx or .jsonl file, or a folder "
                                  "of answers YAML files"},
    # survey exports: spreadsheets, encodings, the columns survey tools write
    "batch.old_spreadsheet": {"zh": "{file} 是旧式或其他软件的表格；请在表格软件里另存为 .xlsx 或“CSV UTF-8”",
                              "en": "{file} is an old-style or other program's spreadsheet; save it as .xlsx or as "
                                    "\"CSV UTF-8\" from the spreadsheet program"},
    "batch.needs_xlsx": {"zh": "读写 .xlsx（{file}）需要 openpyxl：pip install 'shequn[xlsx]'",
                         "en": "reading and writing .xlsx ({file}) needs openpyxl: pip install 'shequn[xlsx]'"},
    "batch.bad_xlsx": {"zh": "{file} 不是能读的 .xlsx 工作簿：{reason}", "en": "{file} is not a readable .xlsx workbook: {reason}"},
    "batch.unknown_encoding": {"zh": "{file} 既不是 UTF-8 也不是 GB18030/GBK 编码；用 --encoding 指明它的编码"
                                     "（例如 --encoding big5），或在表格软件里另存为“CSV UTF-8”",
                               "en": "{file} is neither UTF-8 nor GB18030/GBK; name its encoding with --encoding (e.g. "
                                     "--encoding big5), or save it as \"CSV UTF-8\" from the spreadsheet program"},
    "batch.bad_encoding": {"zh": "不认识编码 {encoding!r}（可以写 utf-8、gb18030、gbk、big5、utf-16 等）",
                           "en": "unknown encoding {encoding!r} (try utf-8, gb18030, gbk, big5, utf-16 …)"},
    "batch.read_as": {"zh": "{file} 不是 UTF-8，按 {encoding} 编码读取（中文版 Excel 的默认编码）；不对的话用 --encoding 指明",
                      "en": "{file} is not UTF-8 and is read as {encoding} (Chinese Excel's default); if that is "
                            "wrong, name the encoding with --encoding"},
    "batch.row_bad_encoding": {"zh": "这一行不是 {encoding} 编码", "en": "this row is not {encoding}"},
    "batch.skipped_columns": {"zh": "跳过了 {n} 个问卷平台自带的列（不是题目）：{names}",  # names joined by column_list_sep
                              "en": "skipped {n} column(s) the survey tool adds (not questions): {names}"},
    "batch.options_without_question": {
        "zh": "第 {number} 题的选项列（{labels}）对不上问卷里任何一道多选题",
        "en": "the option columns of question {number} ({labels}) match no multiple-choice question of the "
              "questionnaire"},
    "batch.not_a_tick": {"zh": "选项 {choice} 这一列应填 1 或 0（选了或没选），不是 {value!r}",
                         "en": "the column of option {choice} should hold 1 or 0 (ticked or not), not {value!r}"},
    "batch.not_utf8": {"zh": "{file} 不是 UTF-8 编码；请在表格软件里另存为“CSV UTF-8”",
                       "en": "{file} is not UTF-8; save it as \"CSV UTF-8\" from the spreadsheet program"},
    "batch.empty_csv": {"zh": "{file} 是空的：第一行应是题目 id", "en": "{file} is empty: its first row should be question ids"},
    "batch.bad_header": {"zh": "{file} 的表头有 {n} 处问题：", "en": "the header of {file} has {n} problem(s):"},
    "batch.unknown_column": {"zh": "列 {name!r} 不是问卷里的题目；像是题目 {question}写错了，而这道题没有别的列。"
                                   "请把表头改成题目原文或题目 id",
                             "en": "column {name!r} is not a question of the questionnaire; it looks like a "
                                   "misspelling of question {question}, which has no other column. Write the "
                                   "question's text or id as its header"},
    "batch.skipped_unknown": {"zh": "{file}：{n} 列不是问卷里的题目，没有读：{columns}",
                              "en": "{file}: {n} column(s) are no question of the questionnaire and were not read: "
                                    "{columns}"},
    "batch.unknown_near": {"zh": "{column}（最接近的题目：{question}，它已有自己的列）",
                           "en": "{column} (closest question: {question}, which has its own column)"},
    "batch.unknown_far": {"zh": "{column}（问卷里没有相近的题目）", "en": "{column} (no question of the questionnaire "
                                                                          "is close)"},
    "batch.by_position": {"zh": "{file}：{questions} 的单元格是选项序号（问卷星“按选项序号”导出），已按问卷里选项的顺序"
                                "读取（{example}）",
                          "en": "{file}: the cells of {questions} are option numbers (问卷星's \"by option number\" "
                                "export) and were read by the questionnaire's order of options ({example})"},
    "batch.title_rows": {"zh": "{file} 的第 {rows} 行只有一个单元格，当作标题跳过；表头是第 {header} 行",
                         "en": "{file}: row(s) {rows} hold a single cell and were skipped as a title; the header is "
                               "row {header}"},
    "batch.no_question_column": {"zh": "表头没有一列是问卷里的题目（表头是 {names}）：这是别的表格，还是表头不在第一行？"
                                       "每道题一列，表头写题目原文或题目 id，例如 {example}",
                                 "en": "no column of the header is a question of the questionnaire (the header is "
                                       "{names}): is this another table, or is the header not on the first row? One "
                                       "column per question, headed by its text or id, e.g. {example}"},
    "batch.column_at": {"zh": "第 {number} 列 {name!r}", "en": "column {number} {name!r}"},
    "batch.column_list_sep": {"zh": "、", "en": ", "},
    "batch.duplicate_column": {"zh": "题目 {name}占了不止一列：{columns}；只留一列，删掉或改名其余的",
                               "en": "question {name} has more than one column: {columns}; keep one, and delete "
                                     "or rename the others"},
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
              "已经有填好的答卷？请用：{program} diagnose ANSWERS.yaml",
        "en": "shequn interview asks its questions in a terminal, but standard input or output is not one.\n"
              "Already have an answers file? Use: {program} diagnose ANSWERS.yaml"},
    "interview.no_dash": {
        "zh": "interview 边答边把答卷存进文件，最后把处方写进文件，{option} 要给一个文件名，不能是 -。\n"
              "想把处方印到屏幕上：答完后用 {program} diagnose 答卷.yaml -o -",
        "en": "interview saves the answers to a file as they are given and writes the prescription to a file: "
              "{option} takes a file name, not -.\nTo print the prescription instead: {program} diagnose "
              "ANSWERS.yaml -o - once the interview is done"},
    "interview.answers_exist": {
        "zh": "答卷 {file} 已经存在，里面是之前的回答，不会覆盖它。\n接着答或改答案：{resume}\n"
              "再做一次体检（上次的答卷和处方都保留；答完了的话，上次的回答填作默认值，处方里比一比变化）：{fresh}",
        "en": "the answers file {file} already exists and holds earlier answers; it is not overwritten.\n"
              "To continue it or change answers: {resume}\nFor a new checkup (the last one's files are kept; "
              "if it was finished, its answers are the defaults and the prescription says what changed): {fresh}"},
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
    "interview.since": {"zh": "上次体检的回答（{file}）已填作每道题的默认值：没变的直接回车，变了的改掉。",
                        "en": "Your answers from the last checkup ({file}) are each question's default: press "
                              "Enter where nothing changed, change what did."},
    "interview.diagnosing": {"zh": "题目都答完了，正在诊断……", "en": "All questions answered; diagnosing..."},
    "interview.col_check": {"zh": "自检", "en": "Self-check"},
    "interview.col_verdict": {"zh": "结论", "en": "Verdict"},
    "interview.col_problems": {"zh": "问题", "en": "Problems"},
    "interview.treat_first": {"zh": "先治这一条：{title}（{check}）", "en": "Treat this first: {title} ({check})"},
    "interview.no_findings": {"zh": "没有发现问题，保持住。", "en": "No problem found; keep it up."},
    "interview.answers_kept": {"zh": "答卷在 {file}。改了答案后，用这条命令重新开处方：\n  {command}",
                               "en": "The answers are in {file}. After changing them, write the prescription "
                                     "again with:\n  {command}"},
    "interview.prescription_failed": {
        "zh": "处方写不进 {file}：{reason}。回答都在 {answers}，可以用 {command} 写到别处。",
        "en": "cannot write the prescription to {file}: {reason}. The answers are safe in {answers}; "
              "{command} writes it elsewhere."},
}
