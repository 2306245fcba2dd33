"""The worked example of docs/rules.md, applied exactly as written to a copy of the knowledge base."""

import re

import yaml

from expert.check import check_knowledge_base
from expert.checkup import Checkup

from conftest import ROOT, copy_builtin_kb

BLOCK = re.compile(r"<!-- worked-example: (\w+)((?: [\w.]+=\S+)*) -->\n```yaml\n(.*?)```", re.S)


def guide_blocks():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for kind, attrs, body in BLOCK.findall(text):
        options = dict(a.split("=", 1) for a in attrs.split())
        yield kind, options, yaml.safe_load(body)


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def apply_guide(kb):
    for kind, options, data in guide_blocks():
        if kind == "question":
            path = kb / "questionnaires" / "community.yaml"
            doc = load(path)
            next(s for s in doc["sections"] if s["id"] == options["section"])["questions"].extend(data)
        elif kind == "rule":
            path = kb / options["file"]
            doc = load(path)
            doc["rules"].extend(data)
        elif kind == "finding":
            path = kb / options["file"]
            doc = load(path)
            doc["findings"][options["id"]] = data
        elif kind == "action":
            path = kb / options["file"]
            doc = load(path)
            doc["actions"].extend(data)
        elif kind == "order":
            path = kb / "rules" / "policy.yaml"
            doc = load(path)
            at = doc["order"].index(options["after"]) + 1
            doc["order"][at:at] = data
        elif kind == "example":
            doc = load(kb / options["from"])
            qid, value = options["answer"].split(":", 1)
            doc["answers"][qid] = yaml.safe_load(value)
            doc.update(data)
            path = kb / "examples" / "no_welcome.yaml"
        dump(path, doc)


def test_the_guide_has_the_four_steps():
    assert [kind for kind, _, _ in guide_blocks()] == ["question", "rule", "finding", "action", "order", "example"]


def test_the_worked_example_works_exactly_as_the_guide_says(tmp_path):
    kb = copy_builtin_kb(tmp_path / "kb")
    apply_guide(kb)
    report = check_knowledge_base(kb)
    assert report.errors == []
    checkup = Checkup.load(kb)
    answers = checkup.read(kb / "examples" / "no_welcome.yaml")
    report_text = checkup.report(answers, "markdown", "zh").text
    diagnosis = checkup.diagnose(answers)
    assert "no_welcome_ritual" in diagnosis.ids and diagnosis.ids == sorted(answers.expect.findings)
    assert diagnosis.first is None and set(diagnosis.verdicts.values()) == {"healthy"}  # advice, as the guide says
    members = answers.values["members"]
    assert "新人入群没有破冰" in report_text
    assert f"按规模大约 {max(1, round(members / 50))} 位新人" in report_text
