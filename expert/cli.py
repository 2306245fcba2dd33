"""The command line: parse arguments, call the library, print, and map our errors to exit codes."""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from pathlib import Path

from expert import __version__
from expert.messages import set_language, t

# `shequn --help` stays quick: logging, our errors (and with them dataclasses and inspect) and every command's
# modules are imported only once a command runs
STDIN = "-"  # as expert.files reads it; not imported from there
DESCRIPTION = """社群体检：找出社群不活跃的症结，开出处方。
shequn — find out why a community is not active, and write its operator a prescription."""


EPILOG = """环境变量 / environment:
  SHEQUN_LANG=en     没给 --lang 时的语言（默认 zh）/ the language when --lang is not given (default: zh)
  SHEQUN_CACHE=0     不用知识库缓存 / do not cache the knowledge base
  SHEQUN_CACHE_DIR   缓存目录（默认 ~/.cache/shequn）/ where the cache lives (default: ~/.cache/shequn)

补全 / completion:  shequn completion bash|zsh|fish"""


def _parser(languages: tuple[str, ...] = ("zh", "en"), command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; `languages` are the knowledge base's, the choices of --lang. Given the
    `command` a line names (expert/usage.py's `named_command`), the other commands are not built: the
    line cannot reach them, and building them all was a sixth of what `shequn diagnose` adds to Python's
    own start."""
    # -v and --lang may come before the command or after it: both parsers know them, and neither
    # sets a default, so the one given is not overwritten by the other's default
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="输出调试日志 / log what happens")
    common.add_argument("--lang", choices=languages, default=argparse.SUPPRESS,
                        help=f"输出语言：{'、'.join(languages)}（默认取 SHEQUN_LANG，否则 {languages[0]}）/ language "
                             f"of the output (default: $SHEQUN_LANG, else {languages[0]})")
    parser = argparse.ArgumentParser(prog="shequn", description=DESCRIPTION, epilog=EPILOG, parents=[common],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"shequn {__version__}")
    # every command takes -v and --lang
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=functools.partial(argparse.ArgumentParser, parents=[common]))
    if command is not None:
        sub = _OnlyCommand(sub, command)

    def kb_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--kb", metavar="DIR", help="知识库目录（默认内置）/ knowledge base folder (default: built-in)")

    def since_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--since", metavar="OLD.yaml",
                       help="上次体检的答卷：处方里加一节复查，哪些见效了、哪些还没见效 / the last checkup's answers: "
                            "add a follow-up section, what worked and what has not yet")

    p = sub.add_parser("interview", help="在终端里逐题问答，最后写出处方 / answer the questions, get the prescription",
                       description="在终端里逐题问答，每答一题就保存，最后写出处方。/ Answer the questions in the "
                                   "terminal; every answer is saved as you go, and the prescription is written at "
                                   "the end.")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="处方写到哪里 / where to write the prescription (default: shequn-prescription.md)")
    p.add_argument("--answers", metavar="FILE",
                   help="答卷保存在哪里 / where the answers are saved (default: shequn-answers.yaml)")
    p.add_argument("--resume", action="store_true", help="接着上次的答卷答 / continue the answers file")
    since_option(p)
    kb_option(p)

    p = sub.add_parser("diagnose", help="诊断一份答卷，输出处方 / diagnose an answers file",
                       description="诊断一份答卷并输出处方。/ Diagnose an answers file and write the prescription.")
    p.add_argument("answers", metavar="ANSWERS.yaml", help="答卷文件（- 即标准输入）/ the answers file (- is stdin)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="写入文件而不是标准输出（- 即标准输出）/ write to FILE, not stdout (- is stdout)")
    p.add_argument("--format", choices=("markdown", "json", "html"), default="markdown",
                   help="输出格式：markdown；json 给其他程序；html 是一页自带样式、可直接用浏览器打印成 A4 的网页 / "
                        "output format: markdown; json for other programs; html, one self-contained page that "
                        "any browser prints on A4 (default: markdown)")
    p.add_argument("--explain", action="store_true",
                   help="附上每个发现的推理过程（json 除外）/ append the reasoning behind each finding (not to json)")
    since_option(p)
    kb_option(p)

    p = sub.add_parser("explain", help="解释每个发现从哪条规则、哪些回答得出 / explain each finding",
                       description="说明每个发现由哪条规则得出、条件里你的回答是多少、由哪些发现推出。/ "
                                   "Show the rule behind each finding, its condition with your answers, and the "
                                   "findings it was chained from.")
    p.add_argument("answers", metavar="ANSWERS.yaml", help="答卷文件（- 即标准输入）/ the answers file (- is stdin)")
    p.add_argument("finding", metavar="FINDING", nargs="?", help="只解释这一个发现 / only this finding")
    kb_option(p)

    p = sub.add_parser("why", help="一道题被哪些规则和跳题条件用到 / what uses a question",
                       description="列出用到某道题的规则、跳题条件、上下限和指标。/ List the rules, skip "
                                   "conditions, bounds and metrics that use a question.")
    p.add_argument("question", metavar="QUESTION_ID", help="题目 id / the question id")
    kb_option(p)

    p = sub.add_parser("schema", help="输出文件的 JSON Schema / print the JSON Schema of a file kind",
                       description="输出问卷、规则或答卷文件的 JSON Schema，供编辑器校验和补全。/ Print the "
                                   "JSON Schema of questionnaire, rules or answers files for editors.")
    p.add_argument("kind", choices=("questionnaire", "rules", "policy", "actions", "answers"),
                   help="文件种类 / file kind")
    kb_option(p)

    p = sub.add_parser("check", help="检查知识库并跑黄金案例 / check the knowledge base and its golden cases",
                       description="加载并校验整个知识库，运行黄金案例。/ Load and validate the whole knowledge base "
                                   "and run its golden cases.")
    p.add_argument("--strict", action="store_true", help="警告也算失败 / fail on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text 给人看，json 给编辑器和 CI / text for people, json for editors and CI")
    kb_option(p)

    p = sub.add_parser("init", help="把内置知识库复制到一个文件夹，自己改 / copy the built-in knowledge base to edit",
                       description="把内置的问卷、规则、处方动作、模板、专家案例和 JSON Schema 复制到 DIR，之后用 "
                                   "--kb DIR 使用它。/ Copy the built-in questionnaire, rules, actions, templates, "
                                   "golden cases and JSON Schemas into DIR; then use it with --kb DIR.")
    p.add_argument("dir", metavar="DIR", help="新的知识库文件夹 / the new knowledge base folder")
    p.add_argument("--force", action="store_true",
                   help="文件夹不空也写进去，替换同名文件 / write into a folder that is not empty, replacing files "
                        "of the same name")

    p = sub.add_parser("batch", help="批量诊断很多社群 / diagnose many communities at once",
                       description="批量诊断：每个社群一份处方，外加 results.jsonl、errors.jsonl 和 summary.md。/ "
                                   "Diagnose many communities: one prescription each, plus results.jsonl, "
                                   "errors.jsonl and summary.md.")
    p.add_argument("input", metavar="INPUT",
                   help="问卷平台导出的 CSV 或 .xlsx（表头是题目 id 或原文）、JSONL，或放答卷 YAML 的目录 / a survey "
                        "tool's CSV or .xlsx export (a header of question ids or texts), a JSONL file, or a folder "
                        "of answers files")
    p.add_argument("--out-dir", metavar="DIR", required=True, help="输出目录 / where to write the results")
    p.add_argument("--jobs", "-j", metavar="N", type=int,
                   help="并行进程数（默认且最多为 CPU 核数）/ processes to use (default and most: the number of cores)")
    p.add_argument("--overwrite", action="store_true",
                   help="先删掉输出目录里上次运行的结果 / remove an earlier run's results from the out-dir first")
    p.add_argument("--since", metavar="DIR_OR_FILE",
                   help="上次体检的 INPUT（CSV、JSONL 或答卷目录），按群名对上，每份处方加一节复查 / the last "
                        "checkups (a CSV, JSONL or folder), matched by community name: each prescription gets a "
                        "follow-up section")
    p.add_argument("--format", choices=("markdown", "json", "html"), default="markdown",
                   help="处方格式，html 每个社群一页可打印的网页 / format of the prescriptions; html writes one "
                        "printable page per community (default: markdown)")
    p.add_argument("--encoding", metavar="NAME",
                   help="CSV 的编码（默认自动识别 UTF-8、UTF-16 和 GB18030/GBK）/ the CSV's encoding (default: tells "
                        "UTF-8, UTF-16 and GB18030/GBK apart)")
    kb_option(p)

    p = sub.add_parser("template", help="生成批量导入用的空表格 / write an import template for batch",
                       description="写出一张空表格：表头是问卷的题目，每个社群填一行，再交给 shequn batch。"
                                   "xlsx 的第二张表、csv 开头以 # 开头的几行写明每列可以填什么。/ Write an empty table "
                                   "whose headers are the questionnaire's questions, one community per row, for "
                                   "shequn batch; what each column takes is on the second sheet (xlsx) or in the "
                                   "# lines at the top (csv).")
    p.add_argument("kind", choices=("csv", "xlsx"), help="表格格式 / format")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="写到哪里（csv 默认打印到标准输出，xlsx 默认 shequn-template.xlsx）/ where to write it "
                        "(csv: stdout by default; xlsx: shequn-template.xlsx)")
    kb_option(p)

    p = sub.add_parser("export", help="把问卷导出成别的工具的格式 / export the questionnaire for other tools",
                       description="xlsform：把问卷写成 XLSForm（ODK、KoboToolbox 用的表单），成员可以在手机上填；"
                                   "服务器导出的 CSV 直接交给 shequn batch。/ xlsform: write the questionnaire as an "
                                   "XLSForm for ODK or KoboToolbox, so members answer on a phone; the server's CSV "
                                   "export goes straight into shequn batch.")
    p.add_argument("kind", choices=("xlsform",), help="导出格式 / format")
    p.add_argument("-o", "--output", metavar="FILE", default="shequn-xlsform.xlsx",
                   help="写到哪里 / where to write it (default: shequn-xlsform.xlsx)")
    kb_option(p)

    p = sub.add_parser("completion", help="输出 shell 补全脚本 / print a shell completion script",
                       description="输出 bash、zsh 或 fish 的补全脚本，安装方法见 README。/ Print the completion "
                                   "script for bash, zsh or fish; the README shows how to install it.")
    p.add_argument("shell", choices=SHELLS, help="哪种 shell / which shell")
    return parser


SHELLS = ("bash", "zsh", "fish")


class _OnlyCommand:
    """The commands of a line that names `command`: that one is built, the others not at all."""

    def __init__(self, sub, command: str):
        self.sub, self.command = sub, command

    def add_parser(self, name: str, **kwargs):
        return self.sub.add_parser(name, **kwargs) if name == self.command else _NotBuilt()


class _NotBuilt:
    """A command the line does not name: its options are not added."""

    def add_argument(self, *args, **kwargs) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    """The program: a Ctrl-C at any moment, while the line is read or the first modules load as well
    as while the command runs, ends it with the interrupted message and 130, never a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    _speak_utf8()
    from expert.languages import declared_languages

    from expert.usage import given, named_command, requested_language, speak

    arguments = sys.argv[1:] if argv is None else list(argv)
    command = named_command(arguments, COMMANDS)
    if argv is None and command in ONE_SHOT:
        gc.disable()  # the program itself, about to run a one-shot command (see below) and end: from now on
    speak(requested_language(arguments))  # before the parser is built: a mistyped line is answered in zh too
    parser = _parser(declared_languages(given(arguments, "--kb")), command)  # its languages: the choices of --lang
    args = parser.parse_args(arguments)
    args.lang = getattr(args, "lang", None)
    args.verbose = getattr(args, "verbose", False)
    set_language(args.lang)
    import logging

    from expert.errors import ShequnError

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 0
    collecting = gc.isenabled()
    one_shot = args.command in ONE_SHOT
    if one_shot:
        # A one-shot command keeps what it allocates until it exits, so the cyclic collector would
        # only rescan the knowledge base and engine it just built. Left off, and everything frozen
        # before the interpreter's final collection, that is a sixth of `shequn diagnose`.
        gc.disable()
    try:
        code = COMMANDS[args.command](args)
    except ShequnError as exc:
        print(str(exc), file=sys.stderr)
        code = exc.exit_code
    except BrokenPipeError:  # `shequn diagnose x.yaml | head`
        code = 0
    finally:
        if one_shot and argv is None:  # the program itself, not a caller that goes on running
            gc.freeze()
        if collecting:
            gc.enable()
    if one_shot and argv is None:
        _end(code)
    return code


ONE_SHOT = {"diagnose", "explain", "why", "schema", "completion"}  # `check` may analyse at length: it keeps collecting


def _end(code: int) -> None:
    """End the program itself now that its one-shot command is done, as Python's own exit would but
    for the one step that does nothing the user could see: the output is flushed and atexit's handlers
    run (logging's among them), then the process exits without taking every module and object apart
    one by one, a twentieth of `shequn diagnose`. Where the output cannot be flushed (a reader that has
    gone away) or a thread is still running, this returns and Python's own exit deals with it as it
    always has."""
    threading = sys.modules.get("threading")
    if (threading is not None and threading.active_count() > 1) or not _flushed():
        return
    import atexit

    atexit._run_exitfuncs()
    if _flushed():
        os._exit(code)


def _flushed() -> bool:
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


def _speak_utf8() -> None:
    """Write UTF-8 whatever the locale says (PYTHONIOENCODING=cp1252, LANG=C on an old system): a
    prescription printed and redirected is then the same bytes as one written with -o, and no Chinese
    text fails to encode."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8")
            except (ValueError, OSError):  # a stream that cannot change now; it keeps its encoding
                pass


def _diagnose(args: argparse.Namespace) -> int:
    from expert.checkup import Checkup

    checkup = Checkup.load(args.kb)
    answers = _read(checkup, args.answers)
    since = checkup.read_earlier(args.since) if args.since else None
    _output(checkup.report(answers, args.format, args.lang, explain=args.explain, since=since).text, args.output,
            keep=(*_inputs(args.answers), *([args.since] if args.since else [])))
    return 0


def _read(checkup, path_text: str):
    # only a name that is not there at all is "missing"; a directory, a FIFO or a broken link is
    # read, and the reader says what it is; `-` is standard input
    if path_text == STDIN:
        return checkup.read(Path(STDIN), t("file.stdin"))
    if not os.path.lexists(path_text):
        from expert.errors import UsageError

        raise UsageError(t("cli.file_missing", file=path_text))
    return checkup.read(Path(path_text), path_text)


def _inputs(path_text: str) -> tuple[str, ...]:
    """What -o must not overwrite: the answers file, which for `-` is whatever standard input is."""
    return ("/dev/stdin",) if path_text == STDIN else (path_text,)


def _explain(args: argparse.Namespace) -> int:
    from expert.checkup import Checkup
    from expert.explanation import Explainer

    checkup = Checkup.load(args.kb)
    answers = _read(checkup, args.answers)
    lang = checkup.language(answers, args.lang)
    _output(Explainer(checkup.kb, lang).explain(answers, checkup.diagnose(answers), args.finding), None)
    return 0


def _why(args: argparse.Namespace) -> int:
    from expert.explanation import uses_of
    from expert.knowledge import load_knowledge_base

    kb = load_knowledge_base(args.kb)
    _output(uses_of(kb, args.question, kb.language(args.lang)), None)
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from expert.knowledge import load_knowledge_base
    from expert.schemas import schema_for

    kb = load_knowledge_base(args.kb) if args.kind == "answers" else None
    _output(json.dumps(schema_for(args.kind, kb), ensure_ascii=False, indent=2) + "\n", None)
    return 0


def _output(text: str, output: str | None, keep: tuple[str, ...] = ()) -> None:
    """Print, or with -o FILE write the file (never one of `keep`, the command's inputs); -o - prints."""
    if not output or output == "-":
        stdout = _stdout()
        stdout.write(text)
        stdout.flush()
        return
    from expert.errors import UsageError
    from expert.files import reason, write_atomically

    try:
        write_atomically(output, text, keep)
    except OSError as exc:
        raise UsageError(t("cli.cannot_write", file=output, reason=reason(exc))) from None
    print(t("cli.written", file=output), file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from expert.check import check_knowledge_base

    report = check_knowledge_base(args.kb)
    code = report.exit_code(args.strict)
    if args.format == "json":
        import json

        print(json.dumps({**report.as_dict(), "exit_code": code}, ensure_ascii=False, indent=2))
        return code
    for problem in report.errors + report.warnings:
        print(t("cli.problem", level=t("cli." + problem.level), problem=problem), file=sys.stderr)
    a = report.agreement
    if a.verdicts_of or a.first_of or a.findings_of:
        print(t("cli.agreement", v=a.verdicts, vn=a.verdicts_of, f=a.first, fn=a.first_of, d=a.findings,
                dn=a.findings_of), file=sys.stderr if code else sys.stdout)
    if code:
        print(t("cli.check_failed", n=len(report.errors), warnings=len(report.warnings)), file=sys.stderr)
        return code
    kb = report.kb
    print(t("cli.check_ok", kb=kb.name, questions=len(kb.questionnaire.questions), rules=len(kb.rules.rules),
            findings=len(kb.rules.findings), cases=report.cases, warnings=len(report.warnings)))
    return 0


def _batch(args: argparse.Namespace) -> int:
    from expert.batch import ERRORS, run_batch

    result = run_batch(args.input, args.out_dir, jobs=args.jobs, fmt=args.format, lang=args.lang, kb_dir=args.kb,
                       overwrite=args.overwrite, since=args.since,
                       encoding=args.encoding)
    print(t("batch.done", diagnosed=result.diagnosed, out=args.out_dir), file=sys.stderr)
    if result.failed:
        print(t("batch.some_failed", failed=result.failed, file=str(Path(args.out_dir) / ERRORS)), file=sys.stderr)
    return result.exit_code


def _init(args: argparse.Namespace) -> int:
    from expert.scaffold import copy_knowledge_base, next_steps

    print(next_steps(copy_knowledge_base(args.dir, force=args.force), args.dir), end="")
    return 0


def _template(args: argparse.Namespace) -> int:
    from expert.batch.template import import_template
    from expert.knowledge import load_knowledge_base

    kb = load_knowledge_base(args.kb)
    output = args.output or ("shequn-template.xlsx" if args.kind == "xlsx" else None)
    content = import_template(kb.questionnaire, args.kind, kb.language(args.lang), name=output or "-")
    _output_file(content, output)
    return 0


def _export(args: argparse.Namespace) -> int:
    from expert.knowledge import load_knowledge_base
    from expert.xlsform import xlsform

    _output_file(xlsform(load_knowledge_base(args.kb).questionnaire, args.output), args.output)
    return 0


def _stdout():
    """Standard output, to print a result on; a usage error when the program was started without one
    (`shequn diagnose x.yaml >&-`): the result has nowhere to go but a file named with -o."""
    if sys.stdout is None:
        from expert.errors import UsageError

        raise UsageError(t("cli.no_stdout"))
    return sys.stdout


def _output_file(content: str | bytes, output: str | None) -> None:
    """Like _output, for a file that is not a prescription (and may be a workbook, never printed)."""
    if isinstance(content, str) and (not output or output == "-"):
        return _output(content, None)
    if output == "-":  # a workbook to standard output: for a pipe, never for a terminal
        stdout = _stdout()
        if stdout.isatty():
            from expert.errors import UsageError

            raise UsageError(t("cli.workbook_to_terminal"))
        stdout.flush()
        stdout.buffer.write(content)
        stdout.buffer.flush()
        return
    from expert.errors import UsageError
    from expert.files import reason, write_atomically

    try:
        write_atomically(output, content)
    except OSError as exc:
        raise UsageError(t("cli.cannot_write", file=output, reason=reason(exc))) from None
    print(t("cli.file_written", file=output), file=sys.stderr)


def _interview(args: argparse.Namespace) -> int:
    from expert.interview import run_interview  # questionary and prompt_toolkit load only here

    return run_interview(args.kb, args.answers, args.output, args.resume, args.lang, since=args.since)


def _completion(args: argparse.Namespace) -> int:
    from expert.completion import completion_script

    _output(completion_script(_parser(), args.shell), None)
    return 0


COMMANDS = {"interview": _interview, "diagnose": _diagnose, "check": _check, "explain": _explain, "why": _why,
            "schema": _schema, "batch": _batch, "init": _init, "template": _template, "export": _export,
            "completion": _completion}
