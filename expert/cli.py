"""The command line: parse arguments, call the library, print, and map our errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from expert import __version__
from expert.errors import ShequnError, UsageError
from expert.messages import set_language, t

DESCRIPTION = """社群体检:找出社群不活跃的症结,开出处方。
shequn — find out why a community is not active, and write its operator a prescription."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shequn", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"shequn {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志 / log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def kb_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--kb", metavar="DIR", help="知识库目录(默认内置)/ knowledge base folder (default: built-in)")

    def lang_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("zh", "en"), help="输出语言 / language of the output (default: zh)")

    p = sub.add_parser("diagnose", help="诊断一份答卷,输出处方 / diagnose an answers file",
                       description="诊断一份答卷并输出处方。/ Diagnose an answers file and write the prescription.")
    p.add_argument("answers", metavar="ANSWERS.yaml", help="答卷文件 / the answers file")
    p.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出 / write to FILE, not stdout")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown",
                   help="输出格式 / output format (default: markdown)")
    lang_option(p)
    kb_option(p)

    p = sub.add_parser("check", help="检查知识库并跑黄金案例 / check the knowledge base and its golden cases",
                       description="加载并校验整个知识库,运行黄金案例。/ Load and validate the whole knowledge base "
                                   "and run its golden cases.")
    lang_option(p)
    kb_option(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    set_language(getattr(args, "lang", None))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except ShequnError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `shequn diagnose x.yaml | head`
        return 0


def _diagnose(args: argparse.Namespace) -> int:
    from expert.checkup import Checkup

    path = Path(args.answers)
    if not path.is_file():
        raise UsageError(t("cli.file_missing", file=args.answers))
    checkup = Checkup.load(args.kb)
    answers = checkup.read(path, args.answers)
    report = checkup.report(answers, args.format, args.lang)
    _output(report.text, args.output)
    return 0


def _output(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from expert.yamlio import write_atomically

    try:
        write_atomically(Path(output), text)
    except OSError as exc:
        raise UsageError(t("cli.cannot_write", file=output, reason=exc.strerror or exc)) from None
    print(t("cli.written", file=output), file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from expert.check import check_knowledge_base

    report = check_knowledge_base(args.kb)
    for problem in report.problems:
        tag = "warning" if problem.level == "warning" else "error"
        print(f"{tag}: {problem}", file=sys.stderr)
    if report.errors:
        print(t("cli.check_failed", n=len(report.errors)), file=sys.stderr)
        return 2 if report.unreadable else 1
    kb = report.kb
    print(t("cli.check_ok", kb=kb.name, questions=len(kb.questionnaire.questions), rules=len(kb.rules.rules),
            findings=len(kb.rules.findings), cases=report.cases))
    return 0


COMMANDS = {"diagnose": _diagnose, "check": _check}
