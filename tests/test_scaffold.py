"""`shequn init DIR`: a copy of the built-in knowledge base that an operator owns and edits."""

from __future__ import annotations

import re

import pytest

from expert.cli import main
from expert.errors import UsageError
from expert.scaffold import PARTS, copy_knowledge_base, next_steps

from conftest import ROOT

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def schema_comments(root):
    """(file, the schema its first line names, resolved) for every YAML file under root."""
    found = []
    for path in sorted(root.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = MODELINE.match(first)
        assert match, f"{path} does not start with a schema comment: {first!r}"
        found.append((path, match.group(1), (path.parent / match.group(1)).resolve()))
    return found


def test_init_copies_every_part_of_the_built_in_knowledge_base(tmp_path):
    copied = copy_knowledge_base(tmp_path / "kb")
    for part in PARTS:
        built_in = sorted(p.name for p in (ROOT / part).iterdir() if p.is_file())
        assert sorted(p.name for p in (tmp_path / "kb" / part).iterdir()) == built_in, part
        assert copied.counts[part] == len(built_in)
    assert (tmp_path / "kb" / "rules" / "policy.yaml").read_bytes() == (ROOT / "rules" / "policy.yaml").read_bytes()


def test_every_schema_comment_resolves_inside_the_copy(tmp_path):
    copy_knowledge_base(tmp_path / "kb")
    comments = schema_comments(tmp_path / "kb")
    assert {name for _, name, _ in comments} == {f"../schemas/{kind}.schema.json" for kind in
                                                 ("questionnaire", "rules", "policy", "actions", "answers")}
    for path, name, target in comments:
        assert target.is_file() and target.is_relative_to(tmp_path / "kb"), f"{path}: {name}"


def test_the_copy_passes_check_with_the_same_golden_agreement(tmp_path):
    from expert.check import check_knowledge_base

    copy_knowledge_base(tmp_path / "kb")
    report = check_knowledge_base(tmp_path / "kb")
    assert report.errors == [] and report.warnings == []
    a = report.agreement
    assert (a.verdicts, a.verdicts_of, a.first, a.first_of) == (160, 160, 32, 32)


def test_init_says_what_it_copied_and_the_commands_to_run_next(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "init", "我的知识库")
    assert code == 0 and err == ""
    assert out.startswith("已把内置知识库复制到 我的知识库：问卷 1 份、规则 7 个文件（含判定政策 policy.yaml）、")
    assert "  shequn check --kb 我的知识库\n" in out
    assert "  shequn diagnose --kb 我的知识库 我的知识库/examples/alumni_notice_board.yaml\n" in out


def test_the_next_commands_quote_a_folder_name_with_a_space(tmp_path):
    copied = copy_knowledge_base(tmp_path / "my kb")
    text = next_steps(copied, "my kb", "en")
    assert "  shequn check --kb 'my kb'\n" in text
    assert text.startswith("The built-in knowledge base is copied into my kb: 1 questionnaire, ")


def test_a_folder_that_holds_something_is_refused_and_left_alone(capsys, tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "notes.txt").write_text("mine", encoding="utf-8")
    code, out, err = run(capsys, "init", tmp_path / "kb")
    assert code == 2 and out == ""
    assert err == (f"{tmp_path / 'kb'} 里已经有 1 样东西（notes.txt），复制进去会和它们混在一起。请换一个空文件夹或新名字；"
                   "确实要写进去就加 --force（同名的文件会被替换，其余不动）\n")
    assert sorted(p.name for p in (tmp_path / "kb").iterdir()) == ["notes.txt"]


def test_force_writes_into_a_folder_replacing_only_files_of_the_same_name(tmp_path):
    kb = tmp_path / "kb"
    (kb / "rules").mkdir(parents=True)
    (kb / "rules" / "ip.yaml").write_text("stale", encoding="utf-8")
    (kb / "notes.txt").write_text("mine", encoding="utf-8")
    copy_knowledge_base(kb, force=True)
    assert (kb / "rules" / "ip.yaml").read_bytes() == (ROOT / "rules" / "ip.yaml").read_bytes()
    assert (kb / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_empty_folder_is_used_as_it_is(tmp_path):
    (tmp_path / "kb").mkdir()
    assert copy_knowledge_base(tmp_path / "kb").counts["rules"] == 7


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    (tmp_path / "kb").write_text("", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        copy_knowledge_base(tmp_path / "kb", force=True)
    assert caught.value.message == f"{tmp_path / 'kb'} 已经存在，而且不是文件夹：请换一个文件夹名"


def test_the_knowledge_base_is_never_copied_onto_itself(tmp_path):
    source = copy_knowledge_base(tmp_path / "kb").root
    with pytest.raises(UsageError) as caught:
        copy_knowledge_base(tmp_path / "kb", force=True, source=source)
    assert "内置知识库本身" in caught.value.message


def test_a_folder_that_cannot_be_made_is_a_message_not_a_traceback(capsys, tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    code, out, err = run(capsys, "init", tmp_path / "file" / "kb")
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"写不了 {tmp_path / 'file' / 'kb'}")
