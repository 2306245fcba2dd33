"""Editors validate what the loader validates: the checked-in schemas are `shequn schema`'s output, every
built-in file points its editor at one, and the files and the schemas agree."""

import json
import textwrap

import jsonschema
import pytest
import yaml

from expert.schemas import KINDS, schema_for

from conftest import EXAMPLES, FIXTURES, ROOT, apply_mistake, mini_kb_files

SCHEMAS = ROOT / "schemas"
BUILT_IN = {
    "questionnaire": sorted((ROOT / "questionnaires").glob("*.yaml")),
    "rules": sorted(p for p in (ROOT / "rules").glob("*.yaml") if p.name != "policy.yaml"),
    "policy": [ROOT / "rules" / "policy.yaml"],
    "actions": sorted((ROOT / "actions").glob("*.yaml")),
    "answers": sorted(EXAMPLES.glob("*.yaml")),
}


def load_schema(kind):
    return json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", KINDS)
def test_the_checked_in_schema_is_what_shequn_schema_prints(kind, kb, capsys):
    from expert.cli import main

    assert main(["schema", kind]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema_for(kind, kb)
    assert load_schema(kind) == printed, f"regenerate: shequn schema {kind} > schemas/{kind}.schema.json"


@pytest.mark.parametrize("kind,path", [(k, p) for k, paths in BUILT_IN.items() for p in paths],
                         ids=lambda v: getattr(v, "name", v))
def test_every_built_in_file_names_its_schema_for_the_editor_and_passes_it(kind, path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=../schemas/{kind}.schema.json"
    jsonschema.validate(yaml.safe_load(text), load_schema(kind))


@pytest.mark.parametrize("fixture", ["unknown_key_typo", "missing_field"])
def test_the_editor_rejects_what_the_loader_rejects(tmp_path, fixture):
    spec = yaml.safe_load((FIXTURES / "broken" / f"{fixture}.yaml").read_text(encoding="utf-8"))
    schema = load_schema("rules")
    clean = yaml.safe_load(textwrap.dedent(mini_kb_files()[spec["file"]]))
    jsonschema.validate(clean, schema)
    broken = yaml.safe_load((apply_mistake(tmp_path, spec) / spec["file"]).read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_an_answers_file_with_an_unknown_question_or_a_wrong_choice_fails_the_schema():
    schema = load_schema("answers")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"answers": {"memebrs": 10}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"answers": {"removal_rule": "sometimes"}}, schema)
