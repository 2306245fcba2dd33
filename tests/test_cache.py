"""The knowledge base cache: a second load of the same files skips parsing; any change is a miss."""

from __future__ import annotations

import pytest

from expert.answers import validate_answers
from expert.checkup import Checkup
from expert.errors import AnswersError, KnowledgeBaseError
from expert.knowledge import load_knowledge_base

CASE = dict(community_name="读书会", members=500, leaders=2, kind="personal", attraction=["content"], by_sales=False)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQUN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SHEQUN_CACHE", raising=False)
    return tmp_path / "cache"


def entries(cache_dir) -> list:
    """The knowledge base entries: pickles in the cache's private subfolder."""
    return sorted((cache_dir / "kb").glob("*.kb"))


def findings(checkup: Checkup, **values) -> list[str]:
    answers = validate_answers({"answers": {**CASE, **values}}, checkup.kb.questionnaire, "case")
    return checkup.diagnose(answers).ids


def test_a_second_load_comes_from_the_cache_and_diagnoses_the_same(mini_kb, cache_dir, monkeypatch):
    first = Checkup.load(mini_kb)
    assert len(entries(cache_dir)) == 1
    monkeypatch.setattr("expert.knowledge._load", None)  # a second load that parsed would fail
    second = Checkup.load(mini_kb)
    assert findings(first) == findings(second) == ["too_few_leaders"]
    assert [r.id for r in second.kb.rules.rules] == [r.id for r in first.kb.rules.rules]
    answers = validate_answers({"answers": CASE}, first.kb.questionnaire, "case")
    assert first.report(answers).text == second.report(answers).text


def test_changing_a_rule_file_is_a_miss(mini_kb, cache_dir):
    assert findings(Checkup.load(mini_kb)) == ["too_few_leaders"]
    rules = mini_kb / "rules" / "leaders.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("leaders * 100 < members", "leaders * 500 < members"),
                     encoding="utf-8")
    assert findings(Checkup.load(mini_kb)) == []


def test_the_engines_preparation_kept_in_the_cache_is_what_is_worked_out_afresh(cache_dir, monkeypatch):
    from expert.preparation import prepare

    from conftest import ROOT

    load_knowledge_base(ROOT)  # a miss: parsed, prepared and stored
    monkeypatch.setattr("expert.knowledge._load", None)  # the next load must come from the entry
    monkeypatch.setattr("expert.preparation.prepare", None)  # and so must its preparation
    cached = load_knowledge_base(ROOT)
    monkeypatch.undo()
    fresh = load_knowledge_base(ROOT, cache=False)
    assert fresh.preparation is None  # `shequn check` reads the files and prepares nothing it does not use
    assert cached.preparation == prepare(fresh)
    # the comparison is not empty: alternatives, chains, evidence and both engines' questions
    assert len(cached.preparation.rule_alternatives) == len(fresh.rules.rules)
    assert cached.preparation.chained and cached.preparation.plan_questions
    assert any(len(alts) > 1 for alts in cached.preparation.rule_alternatives.values())


def test_the_preparation_of_an_edited_rule_is_worked_out_again(mini_kb, cache_dir):
    from expert.preparation import prepare

    before = load_knowledge_base(mini_kb).preparation
    rules = mini_kb / "rules" / "leaders.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("leaders * 100 < members",
                                                                         "leaders * 500 < members or leaders < 3"),
                     encoding="utf-8")
    after = load_knowledge_base(mini_kb)
    assert after.preparation == prepare(load_knowledge_base(mini_kb, cache=False)) != before
    assert len(after.preparation.rule_alternatives["too_few_leaders"]) == 2
    assert len(entries(cache_dir)) == 2
    assert findings(Checkup(after), leaders=2) == ["too_few_leaders"]  # read by the new alternative
    assert findings(Checkup(after), leaders=4) == []


def test_an_option_relabelled_is_read_by_its_new_label_not_a_kept_one(mini_kb, cache_dir):
    def read(label: str) -> list:
        checkup = Checkup.load(mini_kb)
        answers = validate_answers({"answers": {**CASE, "attraction": [label]}}, checkup.kb.questionnaire, "case")
        return answers.values["attraction"]

    assert read("福利") == ["perks"]
    questionnaire = mini_kb / "questionnaires" / "mini.yaml"
    questionnaire.write_text(questionnaire.read_text(encoding="utf-8").replace("zh: 福利", "zh: 红包"),
                             encoding="utf-8")
    assert read("红包") == ["perks"]
    with pytest.raises(AnswersError):
        read("福利")


def test_an_entry_keeps_no_path_and_a_load_from_it_has_the_caller_s(mini_kb, cache_dir, monkeypatch):
    from expert import cache
    from expert.knowledge import _cached_classes, _examples

    (mini_kb / "examples").mkdir()
    (mini_kb / "examples" / "one.yaml").write_text("answers: {}\n", encoding="utf-8")
    first = load_knowledge_base(mini_kb)
    [entry] = entries(cache_dir)
    kept = cache.decode(entry.read_bytes(), _cached_classes())
    assert (kept.root, kept.templates, kept.examples) == (None, {"zh": None, "en": None}, [])
    assert (first.root, first.examples) == (mini_kb, [mini_kb / "examples" / "one.yaml"])  # the loader's own
    monkeypatch.setattr("expert.knowledge._load", None)  # from the entry
    second = load_knowledge_base(mini_kb)
    assert second.root == mini_kb and second.examples == _examples(mini_kb) == first.examples
    assert second.templates == first.templates == {
        lang: mini_kb / "templates" / f"prescription.{lang}.md.j2" for lang in ("zh", "en")}


def test_a_broken_knowledge_base_is_never_cached(mini_kb, cache_dir):
    (mini_kb / "rules" / "leaders.yaml").write_text("rules: [", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):
        load_knowledge_base(mini_kb)
    assert not entries(cache_dir)


def test_a_damaged_entry_is_a_miss_not_an_error(mini_kb, cache_dir):
    load_knowledge_base(mini_kb)
    [entry] = entries(cache_dir)
    data = entry.read_bytes()
    for damaged in (b"not a pickle", data[:len(data) // 2], data[:-1], data.replace(b"shequn-cache-", b"shequn-cache-0")):
        entry.write_bytes(damaged)
        assert findings(Checkup.load(mini_kb)) == ["too_few_leaders"]


def test_entries_of_the_json_format_before_are_removed_when_an_entry_is_written(mini_kb, cache_dir):
    cache_dir.mkdir(mode=0o700)
    old = cache_dir / "0123456789abcdef0123456789abcdef01234567.json"
    old.write_text('{"format": 1, "value": {}}', encoding="utf-8")
    load_knowledge_base(mini_kb)
    assert not old.exists() and len(entries(cache_dir)) == 1


def test_shequn_cache_0_turns_it_off(mini_kb, cache_dir, monkeypatch):
    monkeypatch.setenv("SHEQUN_CACHE", "0")
    load_knowledge_base(mini_kb)
    assert not cache_dir.exists()


def test_the_checker_reads_the_files_itself(mini_kb, cache_dir):
    from expert.check import check_knowledge_base

    check_knowledge_base(mini_kb)
    assert not entries(cache_dir)  # it compiles templates, but keeps no knowledge base


def test_the_code_stamp_covers_every_module_of_the_package_in_name_order():
    import hashlib
    import sys
    from pathlib import Path

    from expert import cache

    digest = hashlib.sha256(f"{cache.FORMAT}\0{sys.version}\0".encode())
    for module in sorted(Path(cache.__file__).resolve().parent.glob("*.py")):
        info = module.stat()
        digest.update(f"{module.name}:{info.st_size}:{info.st_mtime_ns}\0".encode())
    assert cache.code_stamp.__wrapped__() == digest.hexdigest()


def test_the_examples_are_the_folder_s_yaml_files_in_name_order(tmp_path):
    from expert.knowledge import _examples

    assert _examples(tmp_path) == []
    folder = tmp_path / "examples"
    folder.mkdir()
    for name in ("b.yaml", "A.yaml", ".hidden.yaml", "c.yml", "d.YAML", "notes.txt", "a.yaml"):
        (folder / name).write_text("answers: {}\n")
    (folder / "dir.yaml").mkdir()
    assert _examples(tmp_path) == sorted(folder.glob("*.yaml"))
    assert [p.name for p in _examples(tmp_path)] == [".hidden.yaml", "A.yaml", "a.yaml", "b.yaml", "dir.yaml"]


def test_compiled_texts_stay_bounded_without_listing_the_folder_at_every_one(cache_dir, monkeypatch):
    # a first run after an upgrade compiles texts one at a time; each listing of a full folder costs ~10 ms
    from expert import cache, render

    monkeypatch.setattr(render, "MAX_COMPILED", 10)
    monkeypatch.setattr(render._PrivateBytecodeCache, "PRUNE_EVERY", 8)
    listed = []
    real_prune = cache.Folder.prune
    monkeypatch.setattr(cache.Folder, "prune", lambda self, *a: (listed.append(a), real_prune(self, *a))[1])
    compiled = render._PrivateBytecodeCache()
    env = render._STRING_ENV
    for n in range(50):
        source = f"第 {{{{ n }}}} 段文字 {n}"
        bucket = compiled.get_bucket(env, source, None, source)
        bucket.code = env.compile(source)
        compiled.set_bucket(bucket)
        assert len(list((cache_dir / "compiled").glob("*.j2c"))) <= 10 + 8
    assert len(listed) == 7  # at the 1st, 9th, 17th … 49th entry
    fresh = render._PrivateBytecodeCache()  # the next process prunes at its first entry
    bucket = fresh.get_bucket(env, "又一段 {{ n }}", None, "又一段 {{ n }}")
    bucket.code = env.compile("又一段 {{ n }}")
    fresh.set_bucket(bucket)
    assert len(list((cache_dir / "compiled").glob("*.j2c"))) == 10


def test_a_compiled_text_is_read_back_as_jinja_reads_it_whole_damaged_or_stale(cache_dir):
    # what the cache reads with marshal.loads must be what Jinja's own Bucket reads, or a miss where Jinja's is
    from jinja2.bccache import Bucket

    from expert import render

    env = render._STRING_ENV
    source = "{% for n in range(3) %}第 {{ n }} 步，{{ label('x') }}{% endfor %}"
    bucket = Bucket(env, "key", "checksum-of-the-source")
    bucket.code = env.compile(source)
    whole = bucket.bytecode_to_string()
    stale = Bucket(env, "key", "checksum-of-an-older-source")
    stale.code = bucket.code
    for data in (whole, stale.bytecode_to_string(), whole[:len(whole) // 2], whole[:-3], whole[:12], b"j2 not jinja",
                 whole.replace(b"j2", b"j3", 1), whole + b"trailing bytes"):
        theirs = Bucket(env, "key", "checksum-of-the-source")
        try:
            theirs.bytecode_from_string(data)
        except Exception:  # a damaged pickle: the cache treats it as a miss either way
            theirs.reset()
        try:
            ours = render._bytecode(data, "checksum-of-the-source")
        except Exception:
            ours = None
        assert ours == theirs.code, data[:20]
    assert render._bytecode(whole, "checksum-of-the-source") == bucket.code is not None


def test_a_one_shot_run_renders_the_same_from_compiled_entries_as_from_sources(mini_kb, cache_dir):
    answers = validate_answers({"answers": CASE}, Checkup.load(mini_kb).kb.questionnaire, "case")
    from expert import render

    first = Checkup.load(mini_kb).report(answers).text  # compiles and writes the entries
    assert list((cache_dir / "compiled").glob("*.j2c"))
    render._compiled_string.cache_clear()  # as a new process: every text from its entry
    render._environment.cache_clear()
    assert Checkup.load(mini_kb).report(answers).text == first
