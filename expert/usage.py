"""argparse's own words in the operator's language: a mistyped command line is answered in Chinese first,
like every other message. argparse looks its texts up through the module-level `_` (gettext) each time
it needs one, so installing a lookup there is enough; a text we have no translation for stays as it is."""

from __future__ import annotations

import argparse

from expert.messages import default_language

# msgid → Chinese, with argparse's own %-placeholders
ZH = {
    "usage: ": "用法：",
    "%(prog)s: error: %(message)s\n": "%(prog)s：命令行有误：%(message)s\n（shequn --help 列出所有命令，shequn 命令 --help 列出它的选项）\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这一项（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "后面要跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "expected %s argument": "后面要跟 %s 个值",
    "expected %s arguments": "后面要跟 %s 个值",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s 值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能和参数 %s 一起用",
    "one of the arguments %s is required": "参数 %s 至少要给一个",
    "ignored explicit argument %r": "这个选项不带值，多给的 %r 用不上",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有 %(parser_name)r 这个命令（可选：%(choices)s）",
}


def given(argv: list[str], option: str) -> str | None:
    """The value of `option` (--kb DIR or --kb=DIR) anywhere in argv, read before parsing; the last one wins,
    as it does for argparse."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith(option + "="):
            found = arg[len(option) + 1:]
    return found


def named_command(argv: list[str], commands) -> str | None:
    """The command a line names, when nothing before it could change how the line is parsed: only -v,
    --verbose and --lang with its value may come first. None for any other line (-h, an abbreviated
    option, no command): it is then parsed with every command built, as the shortcut would parse it
    the same (tests/test_cli.py compares the two)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in commands:
            return arg
        if arg in ("-v", "--verbose") or arg.startswith("--lang="):
            i += 1
        elif arg == "--lang":
            i += 2
        else:
            return None
    return None


def requested_language(argv: list[str]) -> str:
    """--lang as given anywhere in argv (for the parser's own errors), else SHEQUN_LANG."""
    lang = given(argv, "--lang")
    return lang if lang in ("zh", "en") else default_language()


def speak(lang: str) -> None:
    """argparse's texts in `lang` from now on (its own English for anything but zh)."""
    table = ZH if lang == "zh" else {}

    def gettext(text: str) -> str:
        return table.get(text, text)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
