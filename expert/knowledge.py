"""A knowledge base: the folder of questionnaire, rules, templates and examples, found and loaded once.

The built-in one ships inside the wheel (expert/kb/); in a source checkout it is the repository's top
level. `--kb DIR` points at any folder with the same layout.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from expert.actions import Catalogue, assemble_catalogue, build_action_file
from expert.errors import KnowledgeBaseError, Problem
from expert.messages import language, t
from expert.policy import POLICY_FILE, build_policy, default_policy
from expert.questionnaire import Questionnaire, build_questionnaire
from expert.records import record
from expert.rulebase import RuleBase, assemble, build_rule_file
from expert.files import decode_text, read_bytes, reason
from expert.languages import builtin_dir  # noqa: F401 - where the loader (and `shequn init`) finds it
from expert.yamlio import parse_yaml, yaml_problem

TEMPLATE_NAME = "prescription.{lang}.md.j2"


def display_path(path: Path) -> str:
    """A path as the user best recognises it: relative to where they stand, if it is below it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        return str(path)


@record
class KnowledgeBase:
    """A whole knowledge base, loaded and checked: what a diagnosis, a plan and a prescription are made from."""

    root: Path
    questionnaire: Questionnaire
    rules: RuleBase
    actions: Catalogue
    templates: dict[str, Path]
    examples: list[Path]
    warnings: list[Problem] = field(default_factory=list)
    # what the engines work out from the conditions (expert/preparation.py): kept in the cache entry
    preparation: Any = field(default=None, compare=False, repr=False)

    @property
    def languages(self) -> list[str]:
        return list(self.questionnaire.languages)

    def language(self, requested: str | None = None) -> str:
        """--lang, else SHEQUN_LANG, else the knowledge base's first language: the order every command
        follows when it has no answers file to take a language from."""
        for candidate in (requested, language()):
            if candidate in self.languages:
                return candidate
        return self.languages[0]

    @property
    def name(self) -> str:
        return display_path(self.root)


# The folders whose files make a knowledge base. Their files are read once, through `Sources`, and the
# cache key is the digest of exactly those bytes; a new kind of file is one more name here, and the
# loader reads it through the same `Sources`.
KB_PARTS = ("questionnaires", "rules", "actions", "templates")


class Sources:
    """Every file of a knowledge base's parts, each read once: what the loader parses is what the cache
    key hashes, so a file edited while a command loads can never leave a stale entry behind."""

    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, bytes | OSError] = {}  # "rules/ip.yaml": its bytes, or why they cannot be read
        for part in KB_PARTS:
            try:
                names = sorted(os.listdir(root / part))
            except OSError:
                continue  # the loader says what is missing
            for name in names:
                try:
                    self.files[f"{part}/{name}"] = read_bytes(root / part / name)
                except OSError as exc:
                    self.files[f"{part}/{name}"] = exc

    def paths(self, part: str, suffix: str) -> list[Path]:
        return [self.root / rel for rel in self.files if rel.startswith(f"{part}/") and rel.endswith(suffix)]

    def is_file(self, path: Path) -> bool:
        return isinstance(self.files.get(self._rel(path)), bytes)

    def text(self, path: Path) -> str:
        """The text of one of the files; raises OSError as reading it did."""
        data = self.files[self._rel(path)]
        if isinstance(data, OSError):
            raise data
        return decode_text(data, path)

    def digest(self) -> str:
        """The digest of every file's name and bytes (or why it could not be read). BLAKE2b, which
        hashes these 150 KB in half the instructions SHA-256 takes; each file's bytes are preceded by
        their length, so no two sets of files run together into the same stream."""
        digest = hashlib.blake2b()
        for rel, data in self.files.items():
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if isinstance(data, bytes):
                digest.update(b"%d\0" % len(data))
                digest.update(data)
            else:
                digest.update(b"error %d\0" % (data.errno or 0))
        return digest.hexdigest()

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


class _Reader:
    def __init__(self, sources: Sources, problems: list[Problem]):
        self.sources = sources
        self.problems = problems
        self.unreadable = False

    def load(self, path: Path):
        name = display_path(path)
        try:
            text = self.sources.text(path)
        except OSError as exc:
            self.problems.append(Problem(t("kb.cannot_read_file", reason=exc.strerror or exc), name))
            self.unreadable = True
            return None, name
        try:
            data = parse_yaml(text, name)
        except yaml.YAMLError as exc:
            self.problems.append(yaml_problem(exc, name))
            self.unreadable = True
            return None, name
        if data is None:  # nothing but comments: without a problem of its own it would go unexplained
            self.problems.append(Problem(t("kb.empty_file"), name))
        return data, name


def load_knowledge_base(root: str | Path | None = None, cache: bool = True) -> KnowledgeBase:
    """Load and check a whole knowledge base; raises KnowledgeBaseError listing every problem.

    With `cache`, a knowledge base already validated with these very files is taken from the cache
    (expert/cache.py) instead of being parsed and checked again; `shequn check` always reads the files.
    """
    root = Path(root) if root is not None else builtin_dir()
    sources = Sources(root)
    if not cache:
        return _load(root, sources)
    from expert import cache as kb_cache

    # messages name files relative to the working directory, and speak the current language: both are
    # part of the key
    key = kb_cache.key_of("kb", os.getcwd(), str(root), sources.digest(), language())
    classes = _cached_classes()
    kb = kb_cache.load(key, classes)
    if isinstance(kb, KnowledgeBase):
        # where the files are is the caller's, not the entry's
        kb.root = root
        kb.templates = {lang: root / "templates" / TEMPLATE_NAME.format(lang=lang) for lang in kb.templates}
        kb.examples = _examples(root)  # not part of the key: read afresh
        return kb
    kb = _load(root, sources)
    from expert.preparation import prepare

    kb.preparation = prepare(kb)  # worked out once, with the knowledge base it is made from
    # kept without where its files are (the root, the templates' paths, the examples), which a load
    # takes from the caller and the folder as they are then: three dozen paths not rebuilt for nothing
    places = kb.root, kb.templates, kb.examples
    kb.root, kb.templates, kb.examples = None, dict.fromkeys(kb.templates), []
    try:
        kb_cache.store(key, kb, classes)
    finally:
        kb.root, kb.templates, kb.examples = places
    return kb


def _cached_classes() -> dict[str, type]:
    """What a knowledge base is made of: the only classes a cache entry may be rebuilt into."""
    from expert import actions as a
    from expert import conditions as c
    from expert import policy as p
    from expert import questionnaire as q
    from expert import rulebase as r
    from expert.preparation import Preparation
    from expert.schema import Id, LocalList, LocalText
    from expert.yamlio import Mapping, Sequence

    classes = [KnowledgeBase, Problem, q.Questionnaire, q.Section, q.Question, q.Choice, r.RuleBase, r.Rule,
               r.Conclusion, r.FindingText, r.FindingDef, r.Metric, p.Policy, p.VerdictPolicy, p.Thresholds,
               p.SeverityMeanings, a.Catalogue, a.Action, a.Variant, a.Group, a._Param, Id, LocalText, LocalList,
               Mapping, Sequence, Preparation]
    classes += [node for node in vars(c).values()
                if isinstance(node, type) and issubclass(node, c.Node) and node is not c.Node]
    return {cls.__name__: cls for cls in classes}


def _examples(root: Path) -> list[Path]:
    """The folder's *.yaml in name order, as sorted(Path.glob("*.yaml")) lists them, without a Path for
    every name first."""
    folder = root / "examples"
    if not folder.is_dir():
        return []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / name for name in sorted(names) if name.endswith(".yaml")]


def _load(root: Path, sources: Sources) -> KnowledgeBase:
    try:
        os.stat(root)
    except OSError as exc:
        error = KnowledgeBaseError(t("kb.unreadable", kb=display_path(root), reason=reason(exc)))
        error.unreadable = True
        raise error from None
    if not (root / "questionnaires").is_dir() or not (root / "rules").is_dir():
        error = KnowledgeBaseError(t("kb.not_found", kb=display_path(root)))
        error.unreadable = True
        raise error
    problems: list[Problem] = []
    reader = _Reader(sources, problems)

    q_files = sources.paths("questionnaires", ".yaml")
    questionnaire = None
    if len(q_files) != 1:
        found = ", ".join(display_path(p) for p in q_files) or t("kb.none")
        problems.append(Problem(t("kb.one_questionnaire", found=found),
                                display_path(root / "questionnaires")))
    else:
        raw, name = reader.load(q_files[0])
        if raw is not None:
            questionnaire = build_questionnaire(raw, name, problems)

    languages = tuple(questionnaire.languages) if questionnaire else ("zh", "en")
    rule_paths = [path for path in sources.paths("rules", ".yaml") if path.name != POLICY_FILE]
    if not rule_paths:
        problems.append(Problem(t("kb.no_rules"), display_path(root / "rules")))
    rule_files = _build_each(reader, rule_paths, build_rule_file, languages, problems)
    policy_path = root / "rules" / POLICY_FILE
    policies = _build_each(reader, [policy_path] if sources.is_file(policy_path) else [], build_policy, languages,
                           problems)
    action_paths = sources.paths("actions", ".yaml")
    if not action_paths:
        problems.append(Problem(t("kb.no_actions"), display_path(root / "actions")))
    action_files = _build_each(reader, action_paths, build_action_file, languages, problems)

    templates = {}
    for lang in languages:
        path = root / "templates" / TEMPLATE_NAME.format(lang=lang)
        if sources.is_file(path):
            templates[lang] = path
        else:
            problems.append(Problem(t("kb.no_template", lang=repr(lang)), display_path(path)))

    rules = catalogue = None
    if questionnaire is not None and not _errors(problems):
        policy = policies[0] if policies else None
        if policy is None:
            policy = default_policy(rule_files, languages)
            problems.append(Problem(t("kb.no_policy", file=POLICY_FILE), display_path(policy_path), None, None, None, "warning"))
        rules = assemble(rule_files, questionnaire, problems, policy)
        catalogue = assemble_catalogue(action_files, questionnaire, rules, problems)
    errors = _errors(problems)
    if errors or questionnaire is None or rules is None or catalogue is None:
        error = KnowledgeBaseError(t("kb.problems", kb=display_path(root), n=len(errors)), errors)
        error.unreadable = reader.unreadable
        raise error
    return KnowledgeBase(root, questionnaire, rules, catalogue, templates, _examples(root),
                         [p for p in problems if p.level == "warning"])


def _build_each(reader: _Reader, paths: list[Path], build, languages: tuple[str, ...], problems: list[Problem]
                ) -> list:
    """Each file read and validated by `build` into its model; those that fail are left out (and said)."""
    built = []
    for path in paths:
        raw, name = reader.load(path)
        if raw is not None:
            model = build(raw, name, languages, problems)
            if model is not None:
                built.append(model)
    return built


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]
