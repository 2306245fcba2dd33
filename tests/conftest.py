"""Shared helpers: the built-in knowledge base compiled once, and small knowledge bases built in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """The tests' knowledge-base cache lives in a folder of their own, never the user's."""
    import os

    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("SHEQUN_CACHE_DIR")
    os.environ["SHEQUN_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SHEQUN_CACHE_DIR", None)
    else:
        os.environ["SHEQUN_CACHE_DIR"] = before


@pytest.fixture(autouse=True)
def chinese_messages(monkeypatch):
    """Every test starts in the default language, Chinese, whatever the environment or an earlier test chose."""
    from expert.messages import set_language

    monkeypatch.delenv("SHEQUN_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)


@pytest.fixture
def english():
    """Messages in English, as --lang en or SHEQUN_LANG=en give them."""
    from expert.messages import set_language

    set_language("en")


@pytest.fixture(scope="session")
def checkup():
    """The built-in knowledge base with its engine, built once for the whole run."""
    from expert.checkup import Checkup

    return Checkup.load(ROOT)


@pytest.fixture(scope="session")
def kb(checkup):
    return checkup.kb


def write_tree(base: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under base (text is dedented) and return base."""
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return base


def copy_builtin_kb(dest: Path) -> Path:
    """A copy of the built-in knowledge base that a test may change."""
    for part in ("questionnaires", "rules", "actions", "templates", "examples"):
        shutil.copytree(ROOT / part, dest / part)
    return dest


MINI_QUESTIONNAIRE = """
    id: mini
    version: 1
    languages: [zh, en]
    title: {zh: 小问卷, en: Mini}
    sections:
      - id: opening
        title: {zh: 开场, en: Opening}
        questions:
          - id: community_name
            type: text
            text: {zh: 群名, en: Name}
            help: {zh: 称呼, en: To address it}
          - id: members
            type: integer
            text: {zh: 人数, en: Members}
            help: {zh: 规模, en: Size}
            min: 1
            max: 100000
          - id: leaders
            type: integer
            text: {zh: 领袖人数, en: Leaders}
            help: {zh: 1990法则, en: The 1990 rule}
            min: 0
            max: members
          - id: kind
            type: single
            text: {zh: 类型, en: Kind}
            help: {zh: 企业群不同, en: Enterprise groups differ}
            choices:
              - {value: enterprise, label: {zh: 企业, en: Enterprise}}
              - {value: personal, label: {zh: 个人, en: Personal}}
          - id: key_share
            type: integer
            text: {zh: 大客户占比, en: Key-account share}
            help: {zh: 大客户, en: Key accounts}
            ask_if: kind == enterprise
            min: 0
            max: 100
            unit: {zh: "%", en: "%"}
          - id: attraction
            type: multiple
            text: {zh: 怎么吸引人, en: How members are attracted}
            help: {zh: 情感链, en: Bonds}
            choices:
              - {value: perks, label: {zh: 福利, en: Perks}}
              - {value: content, label: {zh: 内容, en: Content}}
          - id: by_sales
            type: yesno
            text: {zh: 按销量看人, en: Valued by sales}
            help: {zh: 顾客不是粉丝, en: Customers are not fans}
      - id: lead
        check: leaders
        title: {zh: 自检二:有没有意见领袖?, en: "Check 2: Are there opinion leaders?"}
        questions: []
"""

MINI_RULES = """
    check: leaders
    metrics:
      - id: leaders_needed
        label: {zh: 需要的意见领袖, en: Leaders needed}
        value: "max(1, ceil(members / 100))"
    rules:
      - id: no_leaders
        severity: high
        priority: 90
        when: leaders == 0
        then: {finding: no_leaders}
      - id: too_few_leaders
        severity: medium
        priority: 80
        when: "leaders >= 1 and leaders * 100 < members"
        then:
          finding: too_few_leaders
          params: {more: "max(1, ceil(members / 100)) - leaders"}
      - id: bought_bond
        severity: medium
        when:
          any:
            - "perks in attraction and content not in attraction"
            - by_sales
        then: {finding: bought_bond}
      - id: few_key_accounts
        severity: low
        priority: 10
        when: "not key_share > 20"
        then: {finding: few_key_accounts}
      - id: customer_crowd
        check: cross
        severity: high
        priority: 70
        when:
          all:
            - finding: bought_bond
            - finding: too_few_leaders
        then: {finding: customer_crowd}
    findings:
      no_leaders:
        title: {zh: 群龙无首, en: No leaders}
        diagnosis: {zh: "{{ members }} 人没有一个领袖。", en: "{{ members }} members, no leader."}
        actions: [lead_first]
      too_few_leaders:
        title: {zh: 领袖太少, en: Too few leaders}
        diagnosis: {zh: "还差 {{ more }} 位。", en: "{{ more }} more needed."}
        actions: [grow_leaders]
      bought_bond:
        title: {zh: 靠利益维系, en: A bought bond}
        diagnosis: {zh: "吸引方式:{{ label('attraction') }}。", en: "Attraction: {{ label('attraction') }}."}
        actions: [content_not_perks]
      few_key_accounts:
        title: {zh: 大客户少, en: Few key accounts}
        diagnosis: {zh: "大客户占 {{ key_share }}%。", en: "Key accounts: {{ key_share }}%."}
        actions: [carry_on]
      customer_crowd:
        title: {zh: 顾客群, en: A crowd of customers}
        diagnosis: {zh: "只剩交易。", en: "Only trade is left."}
        actions: [rebuild]
"""

MINI_ACTIONS = """
    actions:
      - id: lead_first
        phase: week
        text: {zh: "先当好第一个领袖。", en: "Be the first leader."}
      - id: grow_leaders
        phase: month
        params: {more: "max(1, ceil(members / 100)) - leaders"}
        text: {zh: "再培养 {{ more }} 位。", en: "Grow {{ more }} more."}
      - id: content_not_perks
        phase: week
        text: {zh: "少发福利，多做内容。", en: "Fewer perks, more content."}
      - id: carry_on
        phase: later
        text: {zh: "照常。", en: "Carry on."}
      - id: rebuild
        phase: month
        after: [content_not_perks]
        text: {zh: "重建认同。", en: "Rebuild identification."}
"""

MINI_POLICY = """
    verdicts:
      danger: {high: 1}
      watch: {medium: 1}
    severities:
      high: {zh: 重, en: high}
      medium: {zh: 中, en: medium}
      low: {zh: 轻, en: low}
    order:
      - too_few_leaders
      - no_leaders
      - bought_bond
      - few_key_accounts
      - customer_crowd
    roots:
      customer_crowd: [bought_bond]
    outcomes: []
"""

MINI_TEMPLATE = """
    # {{ community }}
    {% for c in checks %}{{ c.title }}: {{ c.verdict_label }}
    {% for f in c.findings %}- {{ f.title }}: {{ f.diagnosis }}
    {% endfor %}{% endfor %}{% for f in cross %}* {{ f.title }}
    {% endfor %}{% for m in metrics %}{{ m.label }}={{ m.value }}
    {% endfor %}
"""


def mini_kb_files(**overrides: str) -> dict[str, str]:
    files = {
        "questionnaires/mini.yaml": MINI_QUESTIONNAIRE,
        "rules/leaders.yaml": MINI_RULES,
        "rules/policy.yaml": MINI_POLICY,
        "actions/mini.yaml": MINI_ACTIONS,
        "templates/prescription.zh.md.j2": MINI_TEMPLATE,
        "templates/prescription.en.md.j2": MINI_TEMPLATE,
    }
    files.update(overrides)
    return files


def mini_kb_with_builtin_templates(folder: Path, **overrides: str) -> Path:
    """The small knowledge base (with `overrides`) and the built-in prescription templates, as an operator's
    interview renders them, written to `folder`."""
    files = {k: v for k, v in mini_kb_files(**overrides).items() if not k.startswith("templates/")}
    base = write_tree(folder, files)
    shutil.copytree(ROOT / "templates", base / "templates")
    return base


@pytest.fixture
def mini_kb(tmp_path) -> Path:
    """A small, valid knowledge base of one self-check, written to tmp_path/kb."""
    return write_tree(tmp_path / "kb", mini_kb_files())


def apply_mistake(tmp_path: Path, spec: dict) -> Path:
    """The small knowledge base with one fixture's mistake applied, written under tmp_path/kb."""
    files = {k: textwrap.dedent(v).lstrip("\n") for k, v in mini_kb_files().items()}
    text = files[spec["file"]]
    for step in [spec, spec.get("also")]:
        if step:
            assert text.count(step["replace"]) == 1, f"fixture must match exactly once: {step['replace']!r}"
            text = text.replace(step["replace"], step["with"])
    files[spec["file"]] = text
    kb = tmp_path / "kb"
    for rel, body in files.items():
        (kb / rel).parent.mkdir(parents=True, exist_ok=True)
        (kb / rel).write_text(body, encoding="utf-8")
    return kb


SCRIPT = Path(sys.executable).with_name("shequn")
SHEQUN = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "expert"]
MEMORY = 1 << 30  # address space of each process a command-line test starts: far above a normal run


def shequn_env(tmp: Path) -> dict[str, str]:
    """The environment of a `shequn` started by a test: its own cache, Chinese messages."""
    env = {**os.environ, "SHEQUN_CACHE_DIR": str(tmp / "cache")}
    env.pop("SHEQUN_LANG", None)
    return env


def limit_memory() -> None:
    """preexec_fn: the command, and each process it forks, gets at most MEMORY of address space."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_shequn(*args: str, cwd: Path, timeout: float = 120, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run the installed command under a timeout and an address-space limit; a hang or a blow-up fails the test."""
    return subprocess.run([*prefix, *SHEQUN, *args], cwd=cwd, env=shequn_env(cwd), capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit_memory)


MEMORY_LIMIT = 1 << 30  # 1 GiB of address space for a command run by `run_guarded`


def run_guarded(args, cwd=None, timeout: float = 30, memory: int = MEMORY_LIMIT, env=None):
    """Run `shequn ARGS` in a child process under a timeout and an address-space limit, so that an
    input which makes it hang or swallow memory fails the test instead of the machine.

    Returns the CompletedProcess (stdout and stderr as text); a timeout fails the test."""
    import os
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    full_env = {k: v for k, v in os.environ.items() if k != "SHEQUN_LANG"}  # messages in Chinese
    full_env.update(env or {})
    try:
        return subprocess.run([sys.executable, "-m", "expert", *map(str, args)], cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"shequn {' '.join(map(str, args))} ran longer than {timeout} s")
