"""A knowledge-base file that is empty, oversized, or holds a condition beyond the language's bounds
is reported with its file, line and rule, by `shequn check` (exit 1) and by every command that loads
it (exit 2): never a traceback, a hang, or a count of problems without the problems."""

from __future__ import annotations

import pytest

from expert.check import check_knowledge_base
from expert.cli import main


def problems_of(kb) -> list[str]:
    return [str(p) for p in check_knowledge_base(kb).errors]


@pytest.mark.parametrize("rel", ["questionnaires/mini.yaml", "rules/leaders.yaml"])
def test_an_empty_file_is_named(mini_kb, monkeypatch, capsys, rel):
    (mini_kb / rel).write_text("# nothing yet\n", encoding="utf-8")
    monkeypatch.chdir(mini_kb)
    assert problems_of(".")[0] == f"{rel}: the file is empty"
    assert main(["diagnose", "answers.yaml", "--kb", "."]) == 2
    err = capsys.readouterr().err
    assert err.startswith("知识库 . 有 ") and f"  {rel}: the file is empty\n" in err
    count = int(err.split(" 有 ")[1].split(" ")[0])
    assert count == err.count("\n  ") >= 1  # the count and the list agree
