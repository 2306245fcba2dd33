"""Rendering: sandboxed, strict about unknown variables, and the same answers give the same text."""

import pytest

from expert.answers import validate_answers
from expert.checkup import Checkup
from expert.errors import KnowledgeBaseError

from conftest import MINI_RULES, mini_kb_files, write_tree

VALUES = dict(community_name="城西跑团", members=500, leaders=0, kind="personal", attraction=["content"],
              by_sales=False)


def report(kb_dir, lang="zh", **values):
    checkup = Checkup.load(kb_dir)
    answers = validate_answers({"answers": {**VALUES, **values}, "date": "2026-11-24"},
                               checkup.kb.questionnaire, "case.yaml")
    return checkup.report(answers, "markdown", lang).text


def kb_with_diagnosis(tmp_path, diagnosis_zh: str):
    rules = MINI_RULES.replace('diagnosis: {zh: "{{ members }} 人没有一个领袖。"',
                               "diagnosis: {zh: " + repr(diagnosis_zh).replace("'", '"'))
    return write_tree(tmp_path / "kb", mini_kb_files(**{"rules/leaders.yaml": rules}))


def test_finding_texts_show_this_communitys_numbers(mini_kb):
    assert "500 人没有一个领袖。" in report(mini_kb)


def test_the_date_comes_from_the_answers_so_a_report_is_reproducible(mini_kb):
    assert report(mini_kb) == report(mini_kb)


def test_a_finding_text_cannot_reach_python_internals(tmp_path):
    kb = kb_with_diagnosis(tmp_path, "{{ label.__globals__ }}")
    with pytest.raises(KnowledgeBaseError) as info:
        report(kb)
    assert "[no_leaders]" in str(info.value)


def test_a_template_cannot_call_unsafe_methods(tmp_path):
    kb = kb_with_diagnosis(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(KnowledgeBaseError):
        report(kb)


def test_an_unknown_variable_is_an_error_not_an_empty_string(tmp_path):
    kb = kb_with_diagnosis(tmp_path, "还差 {{ leaders_missing }} 位")
    with pytest.raises(KnowledgeBaseError) as info:
        report(kb)
    message = str(info.value)
    assert message.endswith("rules/leaders.yaml:43 [no_leaders]: diagnosis.zh 套不出来：'leaders_missing' is undefined")


def test_the_prescription_template_is_sandboxed_and_strict(tmp_path):
    kb = write_tree(tmp_path / "kb", mini_kb_files(**{
        "templates/prescription.zh.md.j2": "{{ checks[0].nonexistent }}\n"}))
    with pytest.raises(KnowledgeBaseError) as info:
        report(kb)
    assert "prescription.zh.md.j2" in str(info.value)


def test_the_functions_texts_may_call_are_the_ones_the_renderer_knows(mini_kb):
    # renderings are kept by what a text reads; a function the renderer did not know of would be read wrongly
    from expert.report import TEXT_FUNCTIONS

    checkup = Checkup.load(mini_kb)
    answers = validate_answers({"answers": VALUES}, checkup.kb.questionnaire, "case.yaml")
    _, functions, _, _ = checkup.renderer.builder.text_variables(answers, checkup.diagnose(answers), "zh")
    assert tuple(functions) == TEXT_FUNCTIONS


def _edit_zh_template(kb_dir, text: str) -> None:
    """The zh template rewritten, its modification time a second later, as an editor would leave it."""
    import os

    template = kb_dir / "templates" / "prescription.zh.md.j2"
    stat = template.stat()
    template.write_text(text, encoding="utf-8")
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10 ** 9))


def test_a_template_edited_on_disk_is_read_again_by_the_same_renderer(tmp_path):
    # the renderer keeps each template's globals, but Jinja still asks whether the file changed
    kb_dir = write_tree(tmp_path / "kb", mini_kb_files())
    checkup = Checkup.load(kb_dir)
    answers = validate_answers({"answers": VALUES, "date": "2026-11-24"}, checkup.kb.questionnaire, "case.yaml")
    first = checkup.report(answers, "markdown", "zh").text
    _edit_zh_template(kb_dir, "# 改过了 {{ community }}\n{{ range(3)|list }} {{ namespace(a=1).a }}\n")
    assert first != checkup.report(answers, "markdown", "zh").text == "# 改过了 城西跑团\n\n[0, 1, 2] 1\n"


def test_a_renderer_that_keeps_its_templates_renders_every_case_with_the_first_one_read(tmp_path):
    # a batch: one template for all its rows, even if the file is edited while it runs
    from expert.batch import Worker

    kb_dir = write_tree(tmp_path / "kb", mini_kb_files())
    checkup = Checkup.load(kb_dir)
    Worker(checkup, [], "markdown", None)  # what a batch run's worker does with the checkup it is given
    answers = validate_answers({"answers": VALUES, "date": "2026-11-24"}, checkup.kb.questionnaire, "case.yaml")
    first = checkup.report(answers, "markdown", "zh").text
    _edit_zh_template(kb_dir, "# 改过了 {{ community }}\n")
    assert checkup.report(answers, "markdown", "zh").text == first
    assert Checkup.load(kb_dir).report(answers, "markdown", "zh").text == "# 改过了 城西跑团\n"  # the next run reads it

