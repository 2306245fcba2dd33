"""What a package index shows and what pip installs: the licence, the metadata, every imported
distribution declared, and README links that work away from the repository."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def _name(requirement: str) -> str:
    """'jinja2>=3.1,<4' -> 'jinja2', normalised as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group(0)).lower()


def _imports(top_level_only: bool = False) -> set[str]:
    """Third-party top-level modules imported anywhere in expert/ (or only at module level: what every
    import of that module pays for)."""
    found = set()
    for path in (ROOT / "expert").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in (tree.body if top_level_only else ast.walk(tree)):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"expert", "__future__"}


def _optional() -> set[str]:
    """Distributions of the extras a user may install for one feature (not the test or bench tools)."""
    extras = PROJECT.get("optional-dependencies", {})
    return {_name(r) for extra, reqs in extras.items() if extra not in ("test", "bench") for r in reqs}


def test_every_imported_distribution_is_declared_not_only_pulled_in_by_another():
    declared = {_name(r) for r in PROJECT["dependencies"]} | _optional()
    owners = packages_distributions()
    for module in sorted(_imports()):
        distributions = {_name(d) for d in owners.get(module, [])}
        assert distributions, f"{module} is imported but no installed distribution provides it"
        assert distributions & declared, f"{module} is imported; declare {sorted(distributions)} in pyproject.toml"


def test_an_optional_extra_is_imported_only_where_its_feature_runs():
    required = {_name(r) for r in PROJECT["dependencies"]}
    owners = packages_distributions()
    for module in sorted(_imports(top_level_only=True)):
        distributions = {_name(d) for d in owners.get(module, [])}
        assert distributions & required, f"{module} is imported at module level but is only an optional extra"


def test_wcwidth_and_prompt_toolkit_are_declared_dependencies():
    declared = {_name(r) for r in PROJECT["dependencies"]}
    assert {"wcwidth", "prompt-toolkit"} <= declared


def test_the_licence_is_mit_by_pep_639_and_the_file_ships():
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    # license-files is read from hatchling 1.27 on
    [requirement] = PYPROJECT["build-system"]["requires"]
    assert requirement == "hatchling>=1.27"


def test_classifiers_name_the_supported_pythons_the_console_and_both_languages():
    classifiers = set(PROJECT["classifiers"])
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert {"Environment :: Console", "Natural Language :: Chinese (Simplified)",
            "Natural Language :: English"} <= classifiers
    assert not any(c.startswith("License ::") for c in classifiers), "PEP 639: the licence is the expression alone"


def test_project_urls_and_readme_links_point_at_the_same_repository():
    urls = PROJECT["urls"]
    base = urls["Source"]
    assert urls["Homepage"].startswith(base) and urls["Issues"] == base + "/issues"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert links
    for link in links:
        # a relative link breaks on a package index's page: every link is absolute, into the same repository
        assert link.startswith("https://"), f"relative link in README.md: {link}"
        if "github.com" in link:
            assert link.startswith(base + "/"), link
            if "/blob/main/" in link:
                assert (ROOT / link.split("/blob/main/", 1)[1].split("#")[0]).exists(), link
