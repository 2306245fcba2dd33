"""The command line: what each command prints, and the exit code it returns."""

import json
import os
import subprocess
import sys

import pytest

from expert import __version__
from expert.cli import main

from conftest import ROOT, write_tree

ANSWERS = """
    questionnaire: mini
    version: 1
    date: 2026-11-24
    answers:
      community_name: 城西跑团
      members: 500
      leaders: 2
      kind: personal
      attraction: [perks]
      by_sales: false
"""


@pytest.fixture
def answers(tmp_path):
    return write_tree(tmp_path, {"answers.yaml": ANSWERS}) / "answers.yaml"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_diagnose_prints_the_markdown_prescription(capsys, mini_kb, answers):
    code, out, err = run(capsys, "diagnose", answers, "--kb", mini_kb)
    assert code == 0, err
    assert out.startswith("# 城西跑团")
    assert "还差 3 位。" in out
    assert "* 顾客群" in out  # the chained, cross-cutting finding


def test_diagnose_in_english(capsys, mini_kb, answers):
    code, out, _ = run(capsys, "diagnose", answers, "--kb", mini_kb, "--lang", "en")
    assert code == 0
    assert "3 more needed." in out and "Attraction: “Perks”." in out


def test_diagnose_json_has_verdicts_and_findings_with_evidence_and_trail(capsys, mini_kb, answers):
    code, out, _ = run(capsys, "diagnose", answers, "--kb", mini_kb, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["verdicts"] == {"leaders": "watch"}
    # the high combined finding is treated through its root (policy.yaml), which takes its urgency
    assert data["treat_first"] == "bought_bond"
    assert data["treatment_order"] == ["bought_bond", "too_few_leaders"]
    crowd = next(f for f in data["findings"] if f["id"] == "customer_crowd")
    assert crowd["severity"] == "high" and crowd["check"] == "cross"
    assert crowd["trail"] == ["bought_bond", "too_few_leaders", "customer_crowd"]
    few = next(f for f in data["findings"] if f["id"] == "too_few_leaders")
    assert few["params"] == {"more": 3} and few["evidence"] == {"leaders": 2, "members": 500}


def test_diagnose_writes_to_a_file(capsys, mini_kb, answers, tmp_path):
    out_file = tmp_path / "rx.md"
    code, out, err = run(capsys, "diagnose", answers, "--kb", mini_kb, "-o", out_file)
    assert code == 0 and out == ""
    assert str(out_file) in err
    assert out_file.read_text(encoding="utf-8").startswith("# 城西跑团")


def test_same_answers_always_give_the_same_document(capsys, mini_kb, answers):
    first = run(capsys, "diagnose", answers, "--kb", mini_kb)[1]
    assert run(capsys, "diagnose", answers, "--kb", mini_kb)[1] == first


def test_the_same_answers_give_the_same_json_in_every_process():
    """Rules of equal salience fire in an order that follows Python's hash seed; nothing the JSON says may."""
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        command = [sys.executable, "-m", "expert", "diagnose", "examples/healthy.yaml", "--format", "json"]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_bad_answers_exit_2_listing_every_problem(capsys, mini_kb, tmp_path):
    bad = write_tree(tmp_path, {"bad.yaml": ANSWERS.replace("members: 500", "members: -5")
                                .replace("kind: personal", "kind: shop")}) / "bad.yaml"
    code, out, err = run(capsys, "diagnose", bad, "--kb", mini_kb)
    assert code == 2 and out == ""
    assert "有 2 处问题" in err
    assert "[members]" in err and "[kind]" in err


def test_missing_answers_file_is_a_clear_error(capsys, mini_kb, tmp_path):
    code, _, err = run(capsys, "diagnose", tmp_path / "nope.yaml", "--kb", mini_kb)
    assert code == 2 and "找不到文件" in err


def test_check_passes_on_a_clean_knowledge_base(capsys, mini_kb):
    code, out, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 0, err
    assert "没有错误" in out


def test_check_lists_every_problem_with_file_and_line(capsys, mini_kb):
    rules = mini_kb / "rules" / "leaders.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("when: leaders == 0", "when: leaderz == 0")
                     .replace("- finding: too_few_leaders", "- finding: too_few_leader"), encoding="utf-8")
    code, _, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 1
    assert "rules/leaders.yaml:10 [no_leaders]: 问卷里没有题目 'leaderz'" in err
    assert "[customer_crowd]: 没有发现 'too_few_leader'（是不是 'too_few_leaders'？）" in err


def test_check_runs_golden_cases(capsys, mini_kb):
    write_tree(mini_kb, {"examples/run_club.yaml": ANSWERS + "    expect:\n      findings: [no_leaders]\n"})
    code, _, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 1
    assert "examples/run_club.yaml" in err
    assert "多出 bought_bond, customer_crowd, too_few_leaders，缺少 no_leaders" in err


def test_check_on_a_yaml_syntax_error_gives_line_and_column_and_exit_2(capsys, mini_kb):
    (mini_kb / "rules" / "leaders.yaml").write_text("check: leaders\nrules: [\n  - id: x\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--kb", mini_kb)
    assert code == 2
    assert "rules/leaders.yaml:3:3: YAML 语法错误：这里少了一个值（读方括号或花括号里的一个值时）" in err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"shequn {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "社群体检" in out and "diagnose" in out and "check" in out


def test_the_installed_command_shows_no_traceback_on_bad_input(tmp_path, mini_kb):
    bad = write_tree(tmp_path, {"bad.yaml": "answers: [\n"}) / "bad.yaml"
    result = subprocess.run([sys.executable, "-m", "expert", "diagnose", str(bad), "--kb", str(mini_kb)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "YAML 语法错误" in result.stderr


# ---------------------------------------------------------------------------- standard input and output


def _shequn(*args, stdin=None, env=None, shell=False, cwd=None):
    full_env = {k: v for k, v in os.environ.items() if k not in ("SHEQUN_LANG", "PYTHONIOENCODING")}
    full_env.update(env or {})
    command = " ".join(args) if shell else [sys.executable, "-m", "expert", *map(str, args)]
    return subprocess.run(command, input=stdin, capture_output=True, env=full_env, timeout=60, shell=shell,
                          executable="/bin/bash" if shell else None, cwd=cwd)


def _written(mini_kb, answers, tmp_path) -> bytes:
    out = tmp_path / "rx.md"
    assert main(["diagnose", str(answers), "--kb", str(mini_kb), "-o", str(out)]) == 0
    return out.read_bytes()


def test_a_dash_reads_the_answers_from_standard_input(mini_kb, answers, tmp_path):
    done = _shequn("diagnose", "-", "--kb", mini_kb, stdin=answers.read_bytes())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == _written(mini_kb, answers, tmp_path)


def test_dev_stdin_and_process_substitution_are_read_like_a_file(mini_kb, answers, tmp_path):
    expected = _written(mini_kb, answers, tmp_path)
    python = f"{sys.executable} -m expert"
    by_name = _shequn(python, "diagnose", "/dev/stdin", "--kb", str(mini_kb), f"< {answers}", shell=True, cwd=ROOT)
    substituted = _shequn(python, "diagnose", f"<(cat {answers})", "--kb", str(mini_kb), shell=True, cwd=ROOT)
    assert (by_name.returncode, by_name.stdout) == (0, expected), by_name.stderr.decode()
    assert (substituted.returncode, substituted.stdout) == (0, expected), substituted.stderr.decode()


def _program(*argv):
    """The program itself: `main()` reading sys.argv, as the `shequn` script runs it, with an exit
    handler, and a line after it that only a `main()` that returns reaches."""
    return _run_python("import atexit, sys\natexit.register(lambda: print('EXIT HANDLER RAN', file=sys.stderr))\n"
                       f"sys.argv = ['shequn', *{[str(a) for a in argv]!r}]\nfrom expert.cli import main\n"
                       "code = main()\nprint('MAIN RETURNED', file=sys.stderr)\nsys.exit(code)\n")


def _run_python(code: str):
    env = {k: v for k, v in os.environ.items() if k not in ("SHEQUN_LANG", "PYTHONIOENCODING")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60, cwd=ROOT)


def test_a_one_shot_program_ends_at_once_when_its_output_and_exit_handlers_are_done(mini_kb, answers, tmp_path):
    # Python's own exit would take every module and object apart first, which nobody sees
    done = _program("diagnose", answers, "--kb", mini_kb)
    assert done.returncode == 0 and done.stdout == _written(mini_kb, answers, tmp_path)
    assert done.stderr.decode() == "EXIT HANDLER RAN\n"
    bad = write_tree(tmp_path, {"bad.yaml": "answers: [\n"}) / "bad.yaml"
    failed = _program("diagnose", bad, "--kb", mini_kb)
    assert failed.returncode == 2 and failed.stdout == b""
    assert "YAML 语法错误" in failed.stderr.decode() and failed.stderr.decode().endswith("）\nEXIT HANDLER RAN\n")


def test_a_command_that_goes_on_returns_and_ends_as_python_always_does(mini_kb):
    done = _program("check", "--kb", mini_kb)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode().endswith("MAIN RETURNED\nEXIT HANDLER RAN\n")


def test_a_result_with_standard_output_closed_asks_for_a_file_and_a_file_still_works(mini_kb, answers, tmp_path):
    # `shequn diagnose x.yaml >&-`: Python starts without sys.stdout; the result has nowhere to go
    python = f"{sys.executable} -m expert"
    for command in (("diagnose", answers, "--kb", mini_kb), ("schema", "rules")):
        done = _shequn(python, *map(str, command), ">&-", shell=True, cwd=ROOT)
        assert done.returncode == 2 and done.stdout == b"", command
        assert done.stderr.decode() == "标准输出已关闭，结果无处可印；用 -o 文件名 写到文件里\n", command
    out = tmp_path / "rx.md"
    done = _shequn(python, "diagnose", str(answers), "--kb", str(mini_kb), "-o", str(out), ">&-", shell=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes() == _written(mini_kb, answers, tmp_path)


def test_a_named_pipe_on_disk_is_still_refused_and_not_waited_on(mini_kb, tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    done = _shequn("diagnose", tmp_path / "pipe.yaml", "--kb", mini_kb)
    assert done.returncode == 2
    assert done.stderr.decode() == f"读不了答卷文件 {tmp_path / 'pipe.yaml'}：这是一个命名管道（FIFO），不是普通文件\n"


def test_answers_from_standard_input_are_not_overwritten_by_dash_o(mini_kb, answers):
    done = _shequn(f"{sys.executable} -m expert diagnose - --kb {mini_kb} -o {answers} < {answers}", shell=True,
                   cwd=ROOT)
    assert done.returncode == 2 and "不会写进" in done.stderr.decode()
    assert answers.read_text(encoding="utf-8") == __import__("textwrap").dedent(ANSWERS).lstrip("\n")


def test_a_terminal_as_standard_input_is_named_not_waited_on(mini_kb):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "expert", "diagnose", "-", "--kb", str(mini_kb)], cwd=str(ROOT),
                          env={k: v for k, v in os.environ.items() if k != "SHEQUN_LANG"}, encoding="utf-8",
                          timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "读不了答卷文件 标准输入：这是终端，不是文件" in child.before


def test_dash_o_dash_prints_the_same_bytes_as_dash_o_file(mini_kb, answers, tmp_path):
    done = _shequn("diagnose", answers, "--kb", mini_kb, "-o", "-")
    assert (done.returncode, done.stdout) == (0, _written(mini_kb, answers, tmp_path))


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "latin-1"])
def test_output_is_utf8_whatever_the_locale_says(encoding, mini_kb, answers, tmp_path):
    env = {"PYTHONIOENCODING": encoding, "LC_ALL": "C", "LANG": "C"}
    printed = _shequn("diagnose", answers, "--kb", mini_kb, env=env)
    assert (printed.returncode, printed.stdout) == (0, _written(mini_kb, answers, tmp_path))
    missing = _shequn("diagnose", "nothing.yaml", "--kb", mini_kb, env=env, cwd=tmp_path)
    assert (missing.returncode, missing.stderr.decode("utf-8")) == (2, "找不到文件 nothing.yaml\n")


# ---------------------------------------------------------------------------- options anywhere


def test_verbose_and_lang_may_follow_the_command(capsys, mini_kb, answers):
    before = run(capsys, "--lang", "en", "-v", "diagnose", answers, "--kb", mini_kb)
    after = run(capsys, "diagnose", answers, "--kb", mini_kb, "--lang", "en", "--verbose")
    assert before[0] == after[0] == 0
    assert before[1] == after[1] and "3 more needed." in after[1]


def test_lang_after_the_command_wins_over_shequn_lang(capsys, mini_kb, answers, monkeypatch):
    monkeypatch.setenv("SHEQUN_LANG", "en")
    code, out, _ = run(capsys, "diagnose", answers, "--kb", mini_kb, "--lang", "zh")
    assert code == 0 and "还差 3 位。" in out


def test_lang_choices_are_the_languages_of_the_knowledge_base(capsys, mini_kb, answers):
    questionnaire = mini_kb / "questionnaires" / "mini.yaml"
    questionnaire.write_text(questionnaire.read_text(encoding="utf-8").replace("languages: [zh, en]",
                                                                               "languages: [zh]"), encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        main(["diagnose", str(answers), "--kb", str(mini_kb), "--lang", "en"])
    assert refused.value.code == 2
    assert "argument --lang: invalid choice: 'en' (choose from 'zh')" in capsys.readouterr().err


def test_declared_languages_read_the_flow_and_the_block_form(tmp_path):
    from expert.languages import declared_languages

    flow = write_tree(tmp_path / "flow", {"questionnaires/q.yaml": "id: q\nlanguages: [en, zh]  # English first\n"})
    block = write_tree(tmp_path / "block", {"questionnaires/q.yaml": "id: q\nlanguages:\n  - en\n  - ja\n"})
    assert declared_languages(flow) == ("en", "zh")
    assert declared_languages(block) == ("en", "ja")
    assert declared_languages(tmp_path / "nowhere") == ("zh", "en")  # loading then says what is wrong
    assert declared_languages() == ("zh", "en")
    # a BOM and Windows line ends, as a file read as text has them
    windows = write_tree(tmp_path / "windows", {"questionnaires/q.yaml": ""})
    (windows / "questionnaires" / "q.yaml").write_bytes(b"\xef\xbb\xbfid: q\r\nlanguages: [en, zh]\r\nx: 1\r\n")
    assert declared_languages(windows) == ("en", "zh")
    two = write_tree(tmp_path / "two", {"questionnaires/a.yaml": "languages: [en]\n",
                                        "questionnaires/b.yaml": "languages: [en]\n"})
    assert declared_languages(two) == ("zh", "en")


def test_declared_languages_do_not_wait_on_a_questionnaire_that_is_a_fifo(tmp_path):
    from expert.languages import declared_languages

    os.makedirs(tmp_path / "questionnaires")
    os.mkfifo(tmp_path / "questionnaires" / "q.yaml")
    assert declared_languages(tmp_path) == ("zh", "en")  # loading then says what it is


def test_help_names_shequn_lang_and_loads_no_engine_template_or_yaml():
    probe = ("import sys\nfrom expert.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('experta', 'jinja2', 'yaml', 'questionary', 'logging', 'dataclasses',\n"
             "                                   'inspect', 'expert.errors') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "SHEQUN_LANG" in done.stdout and "completion" in done.stdout
    assert done.stdout.rstrip().endswith("LOADED []")


# what a one-shot diagnosis has no use for: the interview and its prompts, batch runs, the checker,
# exports, follow-ups, explanations, the printable page, and what only a mistake's message needs
NOT_FOR_DIAGNOSE = ("questionary", "prompt_toolkit", "wcwidth", "openpyxl", "difflib", "shlex", "expert.interview",
                    "expert.prompts", "expert.terminal", "expert.batch", "expert.check", "expert.analysis",
                    "expert.xlsform", "expert.followup", "expert.explanation", "expert.page", "expert.scaffold",
                    "expert.completion", "expert.schemas")


def test_a_one_shot_diagnosis_imports_only_what_it_runs(tmp_path):
    probe = ("import sys\nfrom expert.cli import main\n"
             f"code = main(['diagnose', {str(ROOT / 'examples' / 'no_leaders.yaml')!r}])\n"
             "print('LOADED', code, sorted(m for m in sys.modules if m in NOT or m.split('.')[0] in NOT\n"
             "                             or '.'.join(m.split('.')[:2]) in NOT))")
    for cache in ("cold", "warm"):  # the knowledge base parsed, then taken from the cache
        done = subprocess.run([sys.executable, "-c", f"NOT = {NOT_FOR_DIAGNOSE!r}\n{probe}"], capture_output=True,
                              text=True, cwd=ROOT, timeout=60, env={**os.environ, "SHEQUN_CACHE_DIR": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        assert "# " in done.stdout and done.stdout.rstrip().endswith("LOADED 0 []"), (cache, done.stdout[-300:])


def test_a_one_shot_diagnosis_compiles_no_pattern_it_does_not_use(tmp_path):
    # typed numbers, ids of a knowledge base being validated and format specs in a template: none of
    # them is read by a diagnosis of a file with a cached knowledge base, so none is compiled
    from expert import coercion, files, numbers, questionnaire, sandbox, schema, yamlio

    # nor the names of choices as survey tools decorate them, descriptors the shell opened, anchors, the
    # full-width mistakes of a YAML file, or the line breaks of a text answer: the example has none
    unused = [numbers._GROUPED, numbers._POINT, numbers._COMMA, schema.ID_PATTERN, sandbox._PERCENT_SPEC,
              sandbox._BRACE_SPEC, coercion.DECORATION, coercion.TRAILING, files.OWN_DESCRIPTORS, yamlio.ANCHOR,
              yamlio.FULL_WIDTH_KEY, yamlio.FULL_WIDTH_SPACE, yamlio.WORD, yamlio.FULL_WIDTH_IN_KEY,
              questionnaire.LINE_BREAKS]
    probe = ("import re\nfrom expert.cli import main\n"
             f"code = main(['diagnose', {str(ROOT / 'examples' / 'no_leaders.yaml')!r}])\n"
             "compiled = {key[1] for cache in ('_cache', '_cache2') for key in getattr(re, cache, {})}\n"
             f"print('COMPILED', code, [p for p in {unused!r} if p in compiled])")
    for cache in ("cold", "warm"):
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60,
                              env={**os.environ, "SHEQUN_CACHE_DIR": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        # validating the knowledge base reads ids, its YAML has `&` and key lines with a `：` in the text, and
        # the ways its options may be written are worked out (then kept in the cache)
        expected = [schema.ID_PATTERN, coercion.DECORATION, coercion.TRAILING, yamlio.ANCHOR,
                    yamlio.FULL_WIDTH_KEY] if cache == "cold" else []
        assert done.stdout.rstrip().endswith(f"COMPILED 0 {expected!r}"), (cache, done.stdout[-300:])


# ---------------------------------------------------------------------------- shell completion


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_completes_every_command(shell, capsys):
    code, out, _ = run(capsys, "completion", shell)
    assert code == 0 and out.strip()
    for command in ("interview", "diagnose", "check", "explain", "why", "schema", "batch", "completion"):
        assert command in out, command
    assert "--lang" in out and "--kb" in out


def test_bash_accepts_the_bash_completion_script(capsys, tmp_path):
    script = tmp_path / "shequn.bash"
    script.write_text(run(capsys, "completion", "bash")[1], encoding="utf-8")
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_bash_completes_a_command_from_its_first_letters(capsys, tmp_path):
    script = tmp_path / "shequn.bash"
    script.write_text(run(capsys, "completion", "bash")[1], encoding="utf-8")
    probe = (f"source {script}; COMP_WORDS=(shequn di); COMP_CWORD=1; COMP_LINE='shequn di'; COMP_POINT=9; "
             "_shtab_shequn; echo ${COMPREPLY[@]}")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ["diagnose"], done.stderr


@pytest.mark.parametrize("argv, english, chinese", [
    (["why", "members"], "rules that use it", "用到它的规则"),
    (["template", "csv", "-o", "-"], "One community per row", "每个社群填一行"),
])
def test_shequn_lang_speaks_for_every_command_without_an_answers_file(capsys, mini_kb, monkeypatch, argv, english,
                                                                      chinese):
    monkeypatch.setenv("SHEQUN_LANG", "en")
    code, out, _ = run(capsys, *argv, "--kb", mini_kb)
    assert code == 0 and english in out and chinese not in out
    code, out, _ = run(capsys, *argv, "--kb", mini_kb, "--lang", "zh")
    assert code == 0 and chinese in out


def test_a_mistyped_command_line_is_answered_in_chinese_with_where_to_look(capsys, monkeypatch):
    monkeypatch.delenv("SHEQUN_LANG", raising=False)
    with pytest.raises(SystemExit) as refused:
        main(["batch", "answers.csv"])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "shequn batch：命令行有误：缺少必需的参数：--out-dir\n" in err
    assert "shequn --help" in err and "error" not in err


@pytest.mark.parametrize("argv, env, expected", [
    (["diagnose", "x.yaml", "--format", "pdf"], None, "参数 --format：没有 'pdf' 这一项（可选：'markdown', 'json', 'html'）"),
    (["diagnose", "x.yaml", "--format", "pdf", "--lang", "en"], None,
     "argument --format: invalid choice: 'pdf' (choose from 'markdown', 'json', 'html')"),
    (["diagnose", "x.yaml", "--bogus"], "en", "unrecognized arguments: --bogus"),
    (["diagnose", "x.yaml", "--bogus"], None, "不认识的参数：--bogus"),
    (["diagnsoe", "x.yaml"], None, "没有 'diagnsoe' 这一项"),
])
def test_argparse_speaks_the_language_asked_for(argv, env, expected, capsys, monkeypatch):
    if env:
        monkeypatch.setenv("SHEQUN_LANG", env)
    else:
        monkeypatch.delenv("SHEQUN_LANG", raising=False)
    with pytest.raises(SystemExit):
        main(argv)
    assert expected in capsys.readouterr().err


LINES = [
    ["diagnose", "a.yaml"], ["-v", "diagnose", "a.yaml", "--format", "json"], ["--lang", "en", "diagnose", "-"],
    ["--lang=en", "diagnose", "a.yaml", "-o", "out.md", "--explain", "--since", "old.yaml", "--kb", "kb"],
    ["diagnose"], ["diagnose", "-h"], ["diagnose", "a.yaml", "--format", "pdf"], ["diagnose", "a.yaml", "--bogus"],
    ["diagnose", "a.yaml", "--form", "json"], ["diagnose", "a.yaml", "--lang", "fr"], ["--lang", "fr", "diagnose", "a"],
    ["--lang", "diagnose", "a.yaml"], ["-v"], [], ["-h"], ["--version"], ["-h", "diagnose"], ["--verb", "diagnose", "a"],
    ["diagnos", "a.yaml"], ["explain", "a.yaml", "f1"], ["explain", "--help"], ["why"], ["why", "members"],
    ["schema", "rules"], ["schema", "other"], ["check", "--strict", "--format", "json"], ["init", "d", "--force"],
    ["batch", "in.csv"], ["batch", "in.csv", "--out-dir", "o", "-j", "x"], ["batch", "in.csv", "--out-dir", "o", "-j2"],
    ["template", "xlsx", "-o", "t.xlsx"], ["export", "xlsform"], ["completion", "tcsh"], ["completion", "zsh"],
    ["interview", "--resume", "--answers", "a.yaml"], ["-v", "--lang", "zh", "check", "-v", "--lang", "en"],
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_line_naming_one_command_is_parsed_as_the_whole_command_line_parses_it(lang, capsys):
    """The parser built for the one command a line names answers every line as the whole one does:
    the same arguments, or the same help, error and exit code."""
    from expert.cli import COMMANDS, _parser
    from expert.usage import named_command, speak

    speak(lang)

    def outcome(parser, line):
        try:
            got = ("parsed", vars(parser.parse_args(line)))
        except SystemExit as exc:
            got = ("exit", exc.code)
        return got, capsys.readouterr()

    built_for_one = 0
    try:
        for line in LINES:
            command = named_command(line, COMMANDS)
            built_for_one += command is not None
            assert outcome(_parser(("zh", "en"), command), line) == outcome(_parser(("zh", "en")), line), line
    finally:
        speak("zh")
    assert built_for_one == 28  # the others (-h first, no command, an abbreviation ...) build every command


@pytest.mark.parametrize("where", ["_parser", "set_language", "_speak_utf8"])
def test_ctrl_c_while_the_line_is_read_ends_with_the_interrupted_message_not_a_traceback(monkeypatch, capsys, where):
    import expert.cli as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, where, interrupted)
    assert cli.main(["diagnose", "examples/alumni_notice_board.yaml"]) == 130
    err = capsys.readouterr().err
    assert "已中断" in err and "Traceback" not in err
