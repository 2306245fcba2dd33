"""A bad answers file gets a message naming the file, the line and the question, and exit code 2:
never a traceback, a hang or a wrong message.

Each fixture in tests/fixtures/bad_answers/ holds one mistake for the small knowledge base of
conftest, and after `# | ` the exact message that `shequn diagnose` prints.
"""

from __future__ import annotations

import pytest

from expert.cli import main

from conftest import FIXTURES

BAD_ANSWERS = sorted((FIXTURES / "bad_answers").glob("*.yaml"))


def expected_message(fixture) -> str:
    lines = fixture.read_text(encoding="utf-8").splitlines()
    return "\n".join(line[4:] for line in lines if line.startswith("# | ")) + "\n"


@pytest.mark.parametrize("fixture", BAD_ANSWERS, ids=[p.stem for p in BAD_ANSWERS])
def test_each_bad_answers_file_gets_its_exact_message(fixture, mini_kb, monkeypatch, capsys):
    monkeypatch.chdir(fixture.parent)
    monkeypatch.delenv("SHEQUN_LANG", raising=False)
    code = main(["diagnose", fixture.name, "--kb", str(mini_kb)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == expected_message(fixture)


def test_every_message_of_the_catalogue_can_be_filled_in_both_languages():
    """A placeholder may have any name, `key` and `lang` too, and both languages take the same ones."""
    import string

    from expert.messages import CATALOGUE, t

    for key, entry in CATALOGUE.items():
        names = [{field for _, field, _, _ in string.Formatter().parse(text) if field} for text in entry.values()]
        assert names[0] == names[-1], key
        for lang in entry:
            t(key, lang, **{name: "x" for name in names[0]})
