"""A generated corpus of malformed answers files and knowledge bases, each run through the real command
line in a child process under a timeout and a 1 GiB address-space limit.

For every input: exit code 2 (1 for what `shequn check` finds in a knowledge base it could read), no
traceback, the file named (and the question or rule where there is one), no input or output file
changed, and nothing run from the cache, where every knowledge-base entry has been replaced by a pickle
that would create a marker file.
"""

from __future__ import annotations

import os
import pickle
import textwrap

import pytest

from expert.cache import MAGIC

from conftest import MINI_QUESTIONNAIRE, MINI_RULES, mini_kb_files, run_guarded, write_tree

VALID = {"community_name": "城西跑团", "members": 500, "leaders": 2, "kind": "personal", "attraction": ["perks"],
         "by_sales": False}
HEAD = "questionnaire: mini\nversion: 1\n"


def answers_text(**changes) -> str:
    values = {**VALID, **changes}
    return HEAD + "answers:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items() if v is not _DROP)


_DROP = object()
LAUGHS = "".join(f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n" for a, b in zip("bcdefghi", "abcdefgh"))

# name: (text of answers.yaml, what stderr must name besides the file)
ANSWERS = {
    "a_list": ("- members: 500\n", None),
    "a_scalar": ("just some words\n", None),
    "nothing_but_comments": ("# to do\n", None),
    "answers_a_list": (HEAD + "answers: [500, 2]\n", None),
    "answers_at_the_top_level": (HEAD + "".join(f"{k}: {v}\n" for k, v in VALID.items()), "community_name"),
    "an_unknown_top_level_key": (answers_text() + "comment: hi\n", "comment"),
    "a_duplicate_key": (answers_text() + "version: 2\n", None),
    "a_tab_indent": (HEAD + "answers:\n\tmembers: 500\n", None),
    "an_unclosed_list": (answers_text(attraction="[perks"), None),
    "a_date_that_does_not_exist": (answers_text() + "date: 2026-02-30\n", "date"),
    "a_thirteenth_month": (answers_text() + "date: 2026-13-01\n", "date"),
    "a_date_that_is_a_list": (answers_text() + "date: [2026, 11, 24]\n", "date"),
    "another_questionnaire": (answers_text().replace("questionnaire: mini", "questionnaire: maxi"), "maxi"),
    "a_version_that_is_a_mapping": (answers_text().replace("version: 1", "version: {a: 1}"), "version"),
    "infinite_members": (answers_text(members=".inf"), "[members]"),
    "minus_infinite_members": (answers_text(members="-.inf"), "[members]"),
    "nan_leaders": (answers_text(leaders=".nan"), "[leaders]"),
    "members_of_5000_digits": (answers_text(members="9" * 5000), None),
    "members_a_list": (answers_text(members="[500]"), "[members]"),
    "members_a_mapping": (answers_text(members="{n: 500}"), "[members]"),
    "members_a_fraction": (answers_text(members="500.5"), "[members]"),
    "members_negative": (answers_text(members="-1"), "[members]"),
    "leaders_more_than_members": (answers_text(leaders="501"), "[leaders]"),
    "a_choice_that_is_not_one": (answers_text(kind="government"), "[kind]"),
    "ticks_repeated": (answers_text(attraction="[perks, perks]"), "[attraction]"),
    "ticks_unknown": (answers_text(attraction="[perks, bribes]"), "[attraction]"),
    "yes_no_as_text": (answers_text(by_sales="'maybe'"), "[by_sales]"),
    "a_name_that_is_a_mapping": (answers_text(community_name="{a: b}"), "[community_name]"),
    "a_required_answer_missing": (answers_text(members=_DROP), "[members]"),
    "an_unknown_question": (answers_text() + "  memberz: 3\n", "[memberz]"),
    "billion_laughs": (HEAD + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS
                       + "answers:\n  community_name: *i\n", None),
    "an_alias_inside_itself": (HEAD + "answers: &x\n  attraction: [*x]\n", None),
    "lists_1000_deep": (HEAD + "answers:\n  attraction: " + "[" * 1000 + "]" * 1000 + "\n", None),
    "mappings_300_deep": (HEAD + "answers:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300)) + "\n", None),
    "not_utf8": ((HEAD + "answers:\n  community_name: 跑团\n").encode("gb18030"), None),
    "a_key_of_5000_characters": (answers_text() + "? " + "k" * 5000 + "\n: 1\n", None),
    "a_million_values": ("a: [" + "1," * 1_040_000 + "1]\n", None),  # just under the size limit
    "over_two_megabytes": ("a: [" + "1," * 1_100_000 + "1]\n", None),
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A cache folder whose every knowledge-base entry is a pickle that would make `marker`."""
    folder = tmp_path_factory.mktemp("corpus")
    kb = write_tree(folder / "kb", mini_kb_files())
    cache, marker = folder / "cache", folder / "ran-planted-code"
    write_tree(folder, {"valid.yaml": answers_text()})
    done = run_guarded(["diagnose", "valid.yaml", "--kb", kb], cwd=folder, env={"SHEQUN_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    entries = list((cache / "kb").glob("*.kb"))
    assert entries
    for entry in entries:  # past the format check, into the unpickler, which must refuse it
        entry.write_bytes(MAGIC + pickle.dumps(_Plant(marker)))
    yield kb, cache, marker
    assert not marker.exists(), "a cache entry ran code"


class _Plant:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def run(args, cwd, cache):
    return run_guarded(args, cwd=cwd, env={"SHEQUN_CACHE_DIR": str(cache)}, timeout=30)


@pytest.mark.parametrize("name", ANSWERS)
def test_a_malformed_answers_file(planted, tmp_path, name):
    kb, cache, _ = planted
    text, named = ANSWERS[name]
    answers = tmp_path / f"{name}.yaml"
    answers.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    before = answers.read_bytes()
    (tmp_path / "rx.md").write_text("an earlier prescription\n", encoding="utf-8")
    done = run(["diagnose", answers.name, "--kb", kb, "-o", "rx.md"], tmp_path, cache)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert answers.name in done.stderr.splitlines()[0]
    if named:
        assert named in done.stderr
    assert answers.read_bytes() == before
    assert (tmp_path / "rx.md").read_text(encoding="utf-8") == "an earlier prescription\n"


# ---------------------------------------------------------------------------- knowledge bases

RULES = "rules/leaders.yaml"
QUESTIONNAIRE = "questionnaires/mini.yaml"
TEMPLATE = "templates/prescription.zh.md.j2"


def rule_when(condition: str) -> dict[str, str]:
    return {RULES: textwrap.dedent(MINI_RULES).replace("when: leaders == 0", f"when: {condition}")}


# name: (files to change, or a function making the change; the check exit code; what stderr must name)
KNOWLEDGE_BASES = {
    "an_empty_rules_file": ({RULES: ""}, 1, RULES),
    "an_empty_questionnaire": ({QUESTIONNAIRE: "# to do\n"}, 1, QUESTIONNAIRE),
    "a_questionnaire_that_is_a_list": ({QUESTIONNAIRE: "- id: mini\n"}, 1, QUESTIONNAIRE),
    "rules_with_an_alias_bomb": ({RULES: 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
                                  + LAUGHS}, 2, RULES),
    "rules_nested_300_deep": ({RULES: "check: leaders\nx: " + "[" * 300 + "]" * 300 + "\n"}, 2, RULES),
    "a_rules_file_not_utf8": ({RULES: "# 规则\n".encode("gb18030")}, 2, RULES),
    "a_condition_of_500_parentheses": (rule_when('"' + "(" * 500 + "leaders == 0" + ")" * 500 + '"'), 1,
                                       "[no_leaders]"),
    "a_condition_of_one_megabyte": (rule_when('"leaders == 0' + " or leaders == 0" * 65_536 + '"'), 1,
                                    "[no_leaders]"),
    "a_constant_of_5000_digits": (rule_when("leaders == " + "9" * 5000), 1, "[no_leaders]"),
    "a_priority_of_5000_digits": ({RULES: textwrap.dedent(MINI_RULES).replace("priority: 90", "priority: " + "9" * 5000)},
                                  2, RULES),
    "26_alternatives_joined_by_and": (rule_when('"' + " and ".join(["(leaders == 1 or members == 2)"] * 26) + '"'),
                                      1, "[no_leaders]"),
    "a_parameter_of_5000_digits": ({RULES: textwrap.dedent(MINI_RULES).replace(
        '"max(1, ceil(members / 100)) - leaders"', '"leaders + ' + "9" * 5000 + '"')}, 1, "[too_few_leaders]"),
    "an_ask_if_nested_too_deeply": ({QUESTIONNAIRE: textwrap.dedent(MINI_QUESTIONNAIRE).replace(
        "ask_if: kind == enterprise", "ask_if: " + "not " * 60 + "by_sales")}, 1, "[key_share]"),
    "a_template_looping_for_ever": ({TEMPLATE: "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}"
                                               "{% endfor %}"}, 1, TEMPLATE),
    "a_template_including_itself": ({TEMPLATE: "{% include 'prescription.zh.md.j2' %}"}, 1, TEMPLATE),
    "a_template_with_a_syntax_error": ({TEMPLATE: "{% for %}"}, 1, TEMPLATE),
    "a_rules_fifo": (lambda kb: os.mkfifo(kb / "rules" / "more.yaml"), 2, "rules/more.yaml"),
    "a_rules_directory": (lambda kb: (kb / "rules" / "more.yaml").mkdir(), 2, "rules/more.yaml"),
    "a_rules_link_in_a_loop": (lambda kb: (kb / "rules" / "more.yaml").symlink_to("more.yaml"), 2,
                               "rules/more.yaml"),
    "a_questionnaire_of_three_megabytes": ({QUESTIONNAIRE: "# " + "x" * 3_000_000 + "\n"}, 2, QUESTIONNAIRE),
}


@pytest.mark.parametrize("name", KNOWLEDGE_BASES)
def test_a_malformed_knowledge_base(planted, tmp_path, name):
    _, cache, _ = planted
    change, check_code, named = KNOWLEDGE_BASES[name]
    kb = write_tree(tmp_path / "kb", mini_kb_files())
    if callable(change):
        change(kb)
    else:
        for rel, body in change.items():
            (kb / rel).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    write_tree(tmp_path, {"answers.yaml": answers_text()})
    files = {p: p.read_bytes() for p in kb.rglob("*") if p.is_file() and not p.is_symlink()}
    for command, code in ((["check", "--kb", "kb"], check_code), (["diagnose", "answers.yaml", "--kb", "kb"], 2)):
        done = run(command, tmp_path, cache)
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
        assert named in done.stderr, done.stderr
    assert {p: p.read_bytes() for p in files} == files
