"""The wheel, installed into a fresh virtual environment, finds its built-in knowledge base anywhere.

This is also the proof that experta (which pins frozendict 1.2) imports on this Python after a plain
`pip install`.
"""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


def sh(*cmd, cwd=None):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", ROOT)
    [wheel] = (tmp / "dist").glob("shequn-*.whl")
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    sh(bin_dir / "python", "-m", "pip", "install", "-q", wheel)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return bin_dir, elsewhere


def test_installed_shequn_checks_its_built_in_knowledge_base_from_any_directory(installed):
    bin_dir, elsewhere = installed
    result = sh(bin_dir / "shequn", "check", cwd=elsewhere)
    assert "没有错误" in result.stdout
    assert "Traceback" not in result.stderr


def test_installed_shequn_diagnoses_an_example(installed):
    bin_dir, elsewhere = installed
    example = next(EXAMPLES.glob("*.yaml"))
    result = sh(bin_dir / "shequn", "diagnose", example, "--format", "json", cwd=elsewhere)
    assert '"verdicts"' in result.stdout


def test_the_wheel_carries_the_knowledge_base_not_the_checkout(installed):
    bin_dir, elsewhere = installed
    code = "from expert.knowledge import builtin_dir; print(builtin_dir())"
    where = Path(sh(bin_dir / "python", "-c", code, cwd=elsewhere).stdout.strip())
    assert "site-packages" in where.parts and (where / "rules").is_dir()


def test_installed_shequn_writes_the_printable_page_with_its_style_sheet(installed):
    bin_dir, elsewhere = installed
    example = next(EXAMPLES.glob("*.yaml"))
    result = sh(bin_dir / "shequn", "diagnose", example, "--format", "html", cwd=elsewhere)
    assert "size: A4;" in result.stdout and "thead { display: table-header-group; }" in result.stdout


def test_the_wheel_ships_the_schemas_its_files_name(installed):
    bin_dir, elsewhere = installed
    code = "from expert.knowledge import builtin_dir; print(builtin_dir())"
    where = Path(sh(bin_dir / "python", "-c", code, cwd=elsewhere).stdout.strip())
    for path in where.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        name = first.split("$schema=", 1)[1]
        assert (path.parent / name).is_file(), f"{path}: {first}"


def test_installed_shequn_init_makes_a_knowledge_base_that_checks_clean(installed):
    bin_dir, elsewhere = installed
    result = sh(bin_dir / "shequn", "init", "我的知识库", cwd=elsewhere)
    assert "shequn check --kb 我的知识库" in result.stdout
    kb = elsewhere / "我的知识库"
    assert {p.name for p in kb.iterdir()} == {"questionnaires", "rules", "actions", "templates", "examples", "schemas"}
    for path in kb.rglob("*.yaml"):
        name = path.read_text(encoding="utf-8").splitlines()[0].split("$schema=", 1)[1]
        assert (path.parent / name).resolve().is_relative_to(kb.resolve()) and (path.parent / name).is_file()
    checked = sh(bin_dir / "shequn", "check", "--strict", "--kb", "我的知识库", cwd=elsewhere)
    assert "自检结论 160/160，先治的问题 32/32" in checked.stdout and "警告 0 条" in checked.stdout
    diagnosed = sh(bin_dir / "shequn", "diagnose", "--kb", "我的知识库", "我的知识库/examples/no_leaders.yaml",
                   cwd=elsewhere)
    assert diagnosed.stdout.startswith("# 春芽宝妈育儿交流群 · 社群体检处方")


def test_installed_shequn_compares_a_follow_up_checkup(installed):
    bin_dir, elsewhere = installed
    old = EXAMPLES / "no_leaders.yaml"
    new = elsewhere / "new.yaml"
    new.write_text(old.read_text(encoding="utf-8").replace("date: '2026-11-24'", "date: '2026-12-22'"),
                   encoding="utf-8")
    result = sh(bin_dir / "shequn", "diagnose", new, "--since", old, cwd=elsewhere)
    assert "## 复查：还没见效\n\n上次体检是 11月24日，到这次隔了 28 天。" in result.stdout
    assert "| 最近 7 天只看不说的人（围观者） | 254 | 254 | ±0 |" in result.stdout
