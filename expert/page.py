"""The printable page: a prescription's Markdown as one self-contained HTML file that prints on A4.

The Markdown stays the one source of the document's content, and it is rewritten freely, so this module
reads nothing but its structure: markdown-it-py converts it (CommonMark with GFM tables; raw HTML and
images are not let through, since the text carries answers), and what print needs that Markdown cannot
say is added from that structure alone. Each block that starts at an h3 and runs to the next heading of
level 3 or above becomes a <section>; it and a table are kept on one page when they are short enough
that moving them whole to the next page costs little. Browsers push a block that must not break to the
next page even when it cannot fit there either, leaving a page mostly blank; hence the estimate below.
"""

from __future__ import annotations

import html
import math
import unicodedata
from functools import lru_cache
from importlib.resources import files
from string import Template

# A4 and its margins, in millimetres; the stylesheet's @page rule is written from these
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "right": 16, "bottom": 18, "left": 16}
FONT_PT = 10.5  # the body text size in page.css
LINE_HEIGHT = {"zh": 1.75, "en": 1.55}  # as page.css sets them per language (CJK needs more)
KEEP_WHOLE = 0.55  # a section estimated at most this share of a page is kept on one page
SHORT_CELL_EMS = 8  # a table column no wider than this keeps each cell on one line
HEADER_CHARS = 40  # a longer community name is cut short in the page header

_SHELL = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
$css
$page_rule
</style>
</head>
<body>
<main>
$body</main>
</body>
</html>
""")

_PAGE_RULE = Template("""@page {
  size: A4;
  margin: ${top}mm ${right}mm ${bottom}mm ${left}mm;
  @top-left { content: $community; }
  @top-right { content: $date; }
}""")


def html_page(markdown: str, *, lang: str, title: str, community: str, date: str) -> str:
    """The whole page. `title` is the browser's title (and a saved PDF's name); the community's name and
    the date go into every printed page's header."""
    header = community if len(community) <= HEADER_CHARS else community[:HEADER_CHARS - 1] + "…"
    page_rule = _PAGE_RULE.substitute(MARGINS_MM, community=css_string(header), date=css_string(date))
    return _SHELL.substitute(
        lang=html.escape("zh-CN" if lang == "zh" else lang, quote=True),
        title=html.escape(title, quote=True),
        css=_stylesheet(),
        page_rule=page_rule,
        body=body(markdown, lang),
    )


def body(markdown: str, lang: str = "zh") -> str:
    """The Markdown as HTML, with the h3 blocks wrapped in sections."""
    md = _markdown()
    tokens = md.parse(markdown)
    _tables(tokens, lang)
    return md.renderer.render(_sections(tokens, lang), md.options, {})


def css_string(text: str) -> str:
    """`text` as a CSS string literal that can end neither the string nor the <style> element: everything
    but letters, digits, spaces and other printable non-ASCII characters becomes a hex escape."""
    out = []
    for ch in text:
        printable = ch.isalnum() or ch == " " or (ord(ch) > 0x7F and unicodedata.category(ch)[0] not in "CZ")
        out.append(ch if printable else "\\%06x" % (ord(ch) or 0xFFFD))  # CSS cannot escape NUL
    return '"' + "".join(out) + '"'


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # html=False escapes raw HTML; no images, since a page with answers in it must load nothing
    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return files("expert").joinpath("page.css").read_text(encoding="utf-8").strip()


def _tables(tokens: list, lang: str) -> None:
    """Mark a short table `keep` (on one page), and the cells of a column whose every cell is short
    `short`: they keep their words whole, which a long text's `overflow-wrap: anywhere` would let a
    table squeeze into one letter a line."""
    for i, token in enumerate(tokens):
        if token.type != "table_open":
            continue
        end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
        if _share_of_page(tokens[i:end + 1], lang) <= KEEP_WHOLE:
            token.attrSet("class", "keep")
        cells: dict[int, list] = {}  # column -> its th/td tokens
        widest: dict[int, float] = {}
        column = 0
        for j in range(i, end):
            if tokens[j].type == "tr_open":
                column = 0
            elif tokens[j].type in ("th_open", "td_open"):
                cells.setdefault(column, []).append(tokens[j])
                widest[column] = max(widest.get(column, 0.0), _ems(tokens[j + 1].content))
                column += 1
        short = [column for column in cells if widest[column] <= SHORT_CELL_EMS]
        if sum(widest[column] for column in short) > _line_ems() / 2:
            continue  # so many short columns that kept on one line they could push the table off the page
        for column in short:
            for cell in cells[column]:
                cell.attrSet("class", "short")


def _sections(tokens: list, lang: str) -> list:
    """The tokens with each h3 block wrapped in <section>, marked `keep` when it should not break."""
    out: list = []
    start = None  # where the open section's first token is in `out`
    for token in tokens:
        if token.type == "heading_open" and token.tag in ("h1", "h2", "h3"):
            if start is not None:
                _close(out, start, lang)
                start = None
            if token.tag == "h3":
                out.append(None)  # the opening tag, once the block's length is known
                start = len(out)
        out.append(token)
    if start is not None:
        _close(out, start, lang)
    return out


def _close(out: list, start: int, lang: str) -> None:
    keep = _share_of_page(out[start:], lang) <= KEEP_WHOLE
    out[start - 1] = _raw('<section class="keep">\n' if keep else "<section>\n")
    out.append(_raw("</section>\n"))


def _raw(text: str):
    from markdown_it.token import Token

    token = Token("html_block", "", 0)
    token.content = text
    return token


def _share_of_page(tokens: list, lang: str) -> float:
    """A rough height of a block as a share of the printable page: lines of text at the body size, with a
    line's width in ems counted from East Asian widths. Generous on purpose: too high only lets a block
    break, too low can leave most of a page blank."""
    em_mm = FONT_PT * 25.4 / 72
    width = _line_ems()
    line_mm = em_mm * LINE_HEIGHT.get(lang, LINE_HEIGHT["zh"])
    page_lines = (PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) / line_mm
    lines = 0.0
    columns = 1  # of the table being read, else 1
    row = None  # the tallest cell of the table row being read, in lines
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            first_row = tokens[i:next(j for j in range(i, len(tokens)) if tokens[j].type == "tr_close")]
            columns = max(1, sum(1 for t in first_row if t.type in ("th_open", "td_open")))
        elif token.type == "table_close":
            columns = 1
            lines += 0.6
        elif token.type == "tr_open":
            row = 0.0
        elif token.type == "tr_close":
            lines += row
            row = None
        elif token.type == "inline":
            indent = 2 * max(0, (token.level - 1) // 2)  # list items are indented
            column = max((width - indent) / columns, 4)
            height = sum(max(1, math.ceil(_ems(line) / column)) for line in token.content.split("\n"))
            if row is None:
                lines += height
            else:
                row = max(row, height)
        elif token.type in ("paragraph_close", "bullet_list_close", "ordered_list_close") and not token.hidden:
            lines += 0.6  # the space between blocks (a tight list's items have none)
        elif token.type == "heading_close":
            lines += 1.2
    return lines / page_lines


def _line_ems() -> float:
    """How many ems of body text a printed line holds."""
    return (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / (FONT_PT * 25.4 / 72)


def _ems(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)
