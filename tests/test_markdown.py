"""The prescription is Markdown that renders the same in every CommonMark renderer with GFM tables
(markdown-it-py here; pandoc's gfm reader agrees): no emphasis left as literal asterisks, no table
syntax outside a table, and every heading of the Markdown a heading of the HTML."""

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from conftest import EXAMPLES

CASES = [(path, lang) for path in sorted(EXAMPLES.glob("*.yaml")) for lang in ("zh", "en")]
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


class _Html(HTMLParser):
    """What a reader sees of rendered HTML: the text outside code, whether it sits in a table, and the
    headings."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []  # outside code
        self.outside_tables: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._open.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((int(tag[1]), ""))

    def handle_endtag(self, tag):
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data):
        if "code" in self._open or "pre" in self._open:
            return
        self.text.append(data)
        if "table" not in self._open:
            self.outside_tables.append(data)
        if any(re.fullmatch(r"h[1-6]", tag) for tag in self._open):
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)


def markdown_headings(markdown: str) -> list[tuple[int, str]]:
    """The ATX headings of a Markdown text, read line by line as its author meant them."""
    headings, fenced = [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := ATX_HEADING.match(line)):
            headings.append((len(match.group(1)), match.group(2)))
    return headings


def letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def problems(markdown: str) -> list[str]:
    """Where CommonMark with tables renders `markdown` otherwise than its author meant."""
    page = _Html()
    page.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    found = []
    for line in "".join(page.text).splitlines():
        if "**" in line or "__" in line:
            found.append(f"emphasis left literal: {line.strip()}")
    for line in "".join(page.outside_tables).splitlines():
        if "|" in line:
            found.append(f"table syntax outside a table: {line.strip()}")
    meant = [(level, letters(text)) for level, text in markdown_headings(markdown)]
    rendered = [(level, letters(text)) for level, text in page.headings]
    if meant != rendered:
        found.append(f"headings differ: Markdown {meant}, HTML {rendered}")
    return found


@pytest.mark.parametrize("example, lang", CASES, ids=[f"{p.stem}-{lang}" for p, lang in CASES])
def test_every_examples_prescription_renders_as_written(checkup, example, lang):
    markdown = checkup.report(checkup.read(example), "markdown", lang).text
    assert problems(markdown) == []


def test_bold_that_ends_after_full_width_punctuation_before_a_letter_stays_literal():
    # `。**诊` : the closing ** is not right-flanking, so CommonMark prints both pairs of asterisks
    assert problems("**先治这一条：标题。**诊断如下。\n") == ["emphasis left literal: **先治这一条：标题。**诊断如下。"]
    assert problems("**先治这一条：标题**。诊断如下。\n") == []


def test_a_table_row_without_a_table_above_it_is_caught():
    assert problems("指标如下：\n| 发言比例 | 3.1% |\n") == ["table syntax outside a table: | 发言比例 | 3.1% |"]


def test_a_line_that_becomes_a_heading_unmeant_is_caught():
    assert problems("结语\n---\n") == ["headings differ: Markdown [], HTML [(2, '结语')]"]


def test_a_heading_inside_code_is_not_a_heading():
    assert problems("```\n# not a heading\n```\n") == []
