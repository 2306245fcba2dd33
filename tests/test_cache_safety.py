"""Nothing read from the cache runs code the user did not write, and no entry can be stale.

Each attack plants, under the very names the cache uses, a pickle that would create a marker file
when loaded, then runs the real command line and checks that the marker never appears and that the
prescription is still right.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import stat
import subprocess

import pytest
from jinja2.bccache import bc_magic

from expert import cache
from expert.answers import validate_answers
from expert.checkup import Checkup
from expert.knowledge import KB_PARTS, KnowledgeBase, Sources, _cached_classes, load_knowledge_base

from conftest import EXAMPLES, ROOT, run_guarded


class _Plant:
    """Unpickling this creates the marker file: the proof that a cache entry ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture
def folder(tmp_path):
    """An empty cache folder for the commands of one test, and the marker a planted entry would make."""
    return tmp_path / "cache", tmp_path / "ran-planted-code"


def shequn(cache_dir, *args):
    return run_guarded(args, env={"SHEQUN_CACHE_DIR": str(cache_dir)}, cwd=ROOT)


def diagnose(cache_dir):
    done = shequn(cache_dir, "diagnose", EXAMPLES / "no_leaders.yaml")
    assert done.returncode == 0, done.stderr
    return done.stdout


def plant(entries, marker, prefix: bytes = b"") -> int:
    """Replace every given entry with a pickle that would make the marker; returns how many."""
    payload = prefix + pickle.dumps(_Plant(marker))
    for entry in entries:
        entry.write_bytes(payload)
    return len(entries)


def kb_entries(cache_dir) -> list:
    return list((cache_dir / "kb").glob("*.kb"))


def test_a_pickle_planted_as_a_knowledge_base_entry_never_runs(folder):
    cache_dir, marker = folder
    expected = diagnose(cache_dir)
    entries = kb_entries(cache_dir)
    assert plant(entries, marker, cache.MAGIC) == 1  # past the format check, into the unpickler
    for entry in entries:  # and where a cache of other days would have looked
        (cache_dir / entry.name).with_suffix(".json").write_bytes(entry.read_bytes())
        (cache_dir / entry.name).with_suffix(".pickle").write_bytes(entry.read_bytes())
    assert diagnose(cache_dir) == expected
    done = shequn(cache_dir, "check")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


@pytest.mark.parametrize("loosened, mode", [
    (".", 0o777), (".", 0o775), (".", 0o1777),  # a cache folder others may write in is not used at all
    ("compiled", 0o755), ("compiled", 0o750), ("compiled", 0o711),  # compiled code only from a 0700 folder
], ids=["world-writable", "group-writable", "sticky", "compiled-755", "compiled-750", "compiled-711"])
def test_compiled_templates_are_read_only_from_a_private_folder(folder, loosened, mode):
    cache_dir, marker = folder
    expected = diagnose(cache_dir)
    assert plant(list((cache_dir / "compiled").glob("*.j2c")), marker, bc_magic) > 10
    (cache_dir / loosened).chmod(mode)
    assert diagnose(cache_dir) == expected
    assert shequn(cache_dir, "check").returncode == 0
    assert not marker.exists()


@pytest.mark.parametrize("loosened, mode", [(".", 0o777), (".", 0o775), ("kb", 0o755), ("kb", 0o750), ("kb", 0o711)],
                         ids=["world-writable", "group-writable", "kb-755", "kb-750", "kb-711"])
def test_a_knowledge_base_is_read_only_from_a_private_folder(mini_kb, tmp_path, monkeypatch, loosened, mode):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SHEQUN_CACHE_DIR", str(cache_dir))
    load_knowledge_base(mini_kb)
    [entry] = kb_entries(cache_dir)
    assert isinstance(cache.load(entry.stem, _cached_classes()), KnowledgeBase)
    (cache_dir / loosened).chmod(mode)
    assert cache.load(entry.stem, _cached_classes()) is None
    monkeypatch.setattr("expert.knowledge._load", None)  # nor can a load that believed it get past this
    with pytest.raises(TypeError):
        load_knowledge_base(mini_kb)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user takes root")
def test_an_entry_that_belongs_to_someone_else_is_ignored(folder):
    cache_dir, marker = folder
    expected = diagnose(cache_dir)
    entries = list((cache_dir / "compiled").glob("*.j2c")) + kb_entries(cache_dir)
    plant(entries[:-1], marker, bc_magic)
    plant(entries[-1:], marker, cache.MAGIC)
    for entry in entries:
        os.chown(entry, 65534, 65534)
    assert diagnose(cache_dir) == expected
    assert not marker.exists()


def test_a_link_planted_in_the_cache_is_not_followed(folder, tmp_path):
    cache_dir, marker = folder
    expected = diagnose(cache_dir)
    elsewhere = tmp_path / "elsewhere.j2c"
    plant([elsewhere], marker, bc_magic)
    for entry in (cache_dir / "compiled").glob("*.j2c"):
        entry.unlink()
        entry.symlink_to(elsewhere)
    assert diagnose(cache_dir) == expected
    assert not marker.exists()


def test_the_cache_folders_are_made_private(folder):
    cache_dir, _ = folder
    diagnose(cache_dir)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache_dir / "compiled").stat().st_mode) == 0o700
    assert stat.S_IMODE((cache_dir / "kb").stat().st_mode) == 0o700
    assert kb_entries(cache_dir)
    for entry in [*kb_entries(cache_dir), *(cache_dir / "compiled").glob("*.j2c")]:
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_an_entry_is_rebuilt_only_into_the_knowledge_base_s_own_classes(mini_kb, tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQUN_CACHE_DIR", str(tmp_path / "cache"))
    load_knowledge_base(mini_kb)
    [entry] = kb_entries(tmp_path / "cache")
    entry.write_bytes(cache.MAGIC + pickle.dumps({"rules": [subprocess.Popen]}))  # a class that runs programs
    assert cache.load(entry.stem, _cached_classes()) is None  # a class it does not know: a miss
    assert [r.id for r in load_knowledge_base(mini_kb).rules.rules][0] == "no_leaders"
    with pytest.raises(pickle.UnpicklingError, match="unexpected class subprocess.Popen"):
        cache.decode(cache.MAGIC + pickle.dumps(subprocess.Popen), _cached_classes())
    with pytest.raises(pickle.UnpicklingError, match="unexpected class io.open"):
        cache.decode(cache.MAGIC + pickle.dumps(_Plant(tmp_path / "marker")), _cached_classes())
    assert not (tmp_path / "marker").exists()


def test_only_the_knowledge_base_s_own_classes_are_written(tmp_path):
    with pytest.raises(TypeError, match="Popen cannot be cached"):
        cache.encode({"rules": [subprocess.Popen]}, _cached_classes())
    with pytest.raises(TypeError, match="_Plant cannot be cached"):
        cache.encode([_Plant(tmp_path / "marker")], _cached_classes())


def test_a_knowledge_base_comes_back_from_the_cache_as_it_was(kb):
    classes = _cached_classes()
    again = cache.decode(cache.encode(kb, classes), classes)
    assert _same(kb, again)
    first = again.questionnaire.sections[0].questions[0]
    assert again.questionnaire.questions[first.id] is first  # shared objects stay shared


def test_an_entry_made_by_other_code_is_a_miss(mini_kb, tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQUN_CACHE_DIR", str(tmp_path / "cache"))
    load_knowledge_base(mini_kb)
    monkeypatch.setattr(cache, "code_stamp", lambda: "other code")
    monkeypatch.setattr("expert.knowledge._load", None)  # a miss has to parse: here, it cannot
    with pytest.raises(TypeError):
        load_knowledge_base(mini_kb)


def _same(a, b) -> bool:
    """Equal, of the same types all the way down, with the same extra attributes (lines of nodes)."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a) or hasattr(a, "__dict__"):
        if vars(a).keys() != vars(b).keys() or not all(_same(v, vars(b)[k]) for k, v in vars(a).items()):
            return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return dataclasses.is_dataclass(a) or a == b or a != a


# ---------------------------------------------------------------------------- a sound key

LEADERS_RULE = "leaders * 100 < members"


def findings(kb_dir) -> list[str]:
    checkup = Checkup.load(kb_dir)
    values = dict(community_name="读书会", members=500, leaders=2, kind="personal", attraction=["content"],
                  by_sales=False)
    return checkup.diagnose(validate_answers({"answers": values}, checkup.kb.questionnaire, "case")).ids


def test_a_rules_file_edited_while_a_command_loads_leaves_no_stale_entry(mini_kb, tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQUN_CACHE_DIR", str(tmp_path / "cache"))
    rules = mini_kb / "rules" / "leaders.yaml"
    before = rules.read_text(encoding="utf-8")
    after = before.replace(LEADERS_RULE, "leaders * 500 < members")
    read = Sources.__init__

    def edited_meanwhile(self, root):
        read(self, root)
        rules.write_text(after, encoding="utf-8")  # the author saves while the command is loading

    monkeypatch.setattr(Sources, "__init__", edited_meanwhile)
    assert findings(mini_kb) == ["too_few_leaders"]  # what was read, whole
    monkeypatch.setattr(Sources, "__init__", read)
    assert findings(mini_kb) == []  # the edit is seen
    rules.write_text(before, encoding="utf-8")
    assert findings(mini_kb) == ["too_few_leaders"]  # and so is undoing it
    rules.write_text(after, encoding="utf-8")
    assert findings(mini_kb) == []


@pytest.mark.parametrize("part", KB_PARTS)
def test_every_file_of_every_part_is_in_the_key(mini_kb, part):
    before = Sources(mini_kb).digest()
    (mini_kb / part).mkdir(exist_ok=True)
    (mini_kb / part / "notes.txt").write_text("a note\n", encoding="utf-8")
    changed = Sources(mini_kb).digest()
    (mini_kb / part / "notes.txt").write_text("another note\n", encoding="utf-8")
    assert len({before, changed, Sources(mini_kb).digest()}) == 3


def test_bytes_moved_from_one_file_to_the_next_change_the_key(mini_kb):
    # each file's bytes are hashed after their length: "ab" + "c" is not "a" + "bc"
    notes = mini_kb / "templates"
    digests = set()
    for first, second in [("ab", "c"), ("a", "bc"), ("abc", ""), ("", "abc")]:
        (notes / "a.txt").write_text(first, encoding="utf-8")
        (notes / "b.txt").write_text(second, encoding="utf-8")
        digests.add(Sources(mini_kb).digest())
    (notes / "b.txt").unlink()
    (notes / "b.txt").mkdir()  # cannot be read as a file: its error is in the key instead of bytes
    digests.add(Sources(mini_kb).digest())
    assert len(digests) == 5
