"""The printable page: one self-contained HTML file made from the prescription's Markdown, safe whatever
the answers say, its h3 blocks in sections that print on one page when they are short."""

import json
import re

import yaml
from hypothesis import given
from hypothesis import strategies as st

from expert.cli import main
from expert.page import body, css_string

from conftest import write_tree

HOSTILE = '</title><script>alert(1)</script>"; } @page { @top-left { content: "x'

ANSWERS = {
    "questionnaire": "mini", "version": 1, "date": "2026-11-24",
    "answers": {"community_name": "城西跑团", "members": 500, "leaders": 2, "kind": "personal",
                "attraction": ["perks"], "by_sales": False},
}


def answers_file(tmp_path, **values):
    document = {**ANSWERS, "answers": {**ANSWERS["answers"], **values}}
    return write_tree(tmp_path, {"answers.yaml": yaml.safe_dump(document, allow_unicode=True)}) / "answers.yaml"


def diagnose(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def style_of(page: str) -> str:
    return re.search(r"<style>(.*?)</style>", page, re.S).group(1)


def unescape_css(literal: str) -> str:
    assert literal[0] == literal[-1] == '"'
    return re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), literal[1:-1])


def test_diagnose_writes_one_self_contained_page_in_the_answers_language(capsys, mini_kb, tmp_path):
    page = diagnose(capsys, "diagnose", answers_file(tmp_path), "--kb", mini_kb, "--format", "html")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert "<h1>城西跑团</h1>" in page
    assert "<title>城西跑团 · 小问卷 · 2026-11-24</title>" in page
    # nothing to fetch: no links to style sheets, scripts, images or fonts, and a policy that forbids them
    assert not re.search(r"<(link|script|img|iframe|object)\b|url\(|@import", page)
    assert "default-src 'none'" in page


def test_an_english_page_says_so(capsys, mini_kb, tmp_path):
    page = diagnose(capsys, "diagnose", answers_file(tmp_path), "--kb", mini_kb, "--format", "html", "--lang", "en")
    assert '<html lang="en">' in page and "Mini" in page


def test_every_printed_page_is_headed_with_the_community_and_the_date(capsys, mini_kb, tmp_path):
    style = style_of(diagnose(capsys, "diagnose", answers_file(tmp_path), "--kb", mini_kb, "--format", "html"))
    assert "size: A4;" in style
    assert '@top-left { content: "城西跑团"; }' in style
    assert "@top-right { content: " + css_string("2026-11-24") + "; }" in style


def test_a_community_named_like_markup_stays_text(capsys, mini_kb, tmp_path):
    page = diagnose(capsys, "diagnose", answers_file(tmp_path, community_name=HOSTILE), "--kb", mini_kb,
                    "--format", "html")
    assert "<script" not in page and page.count("</title>") == 1 and page.count("</style>") == 1
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;; }" in page
    header = re.search(r"@top-left \{ content: (\"[^\"]*\"); \}", style_of(page)).group(1)
    assert unescape_css(header) == HOSTILE[:39] + "…"  # and cut short, so that it leaves room for the date


@given(st.text())
def test_a_css_string_is_one_string_whatever_the_text(text):
    literal = css_string(text)
    assert re.fullmatch(r'"([^"\\<>\n\r\f\x00]|\\[0-9a-f]{6})*"', literal)
    assert unescape_css(literal) == text.replace("\0", "\ufffd")


def test_raw_html_in_the_markdown_is_shown_not_run():
    assert body("<script>alert(1)</script>\n") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_an_image_in_the_markdown_is_not_fetched():
    assert "<img" not in body("![seen](https://example.com/pixel.png)\n")


def test_each_h3_block_is_a_section_up_to_the_next_heading_of_level_3_or_above():
    html = body("# T\n\n## A\n\nlead\n\n### A.1\n\nsymptom\n\n#### detail\n\n- step\n\n### A.2\n\nx\n\n## B\n\ny\n")
    assert re.sub(r"\s+", "", html) == re.sub(r"\s+", "", """
        <h1>T</h1><h2>A</h2><p>lead</p>
        <section class="keep"><h3>A.1</h3><p>symptom</p><h4>detail</h4><ul><li>step</li></ul></section>
        <section class="keep"><h3>A.2</h3><p>x</p></section>
        <h2>B</h2><p>y</p>""")


def test_a_block_longer_than_half_a_page_may_break():
    html = body("### Long\n\n" + "".join(f"{n}. 一二三四五六七八九十，" * 6 + "\n" for n in range(1, 40)), "zh")
    assert "<section>\n<h3>Long</h3>" in html


def test_a_short_table_stays_on_one_page_and_its_short_columns_keep_words_whole():
    html = body("| Self-check | Verdict |\n| --- | --- |\n| Check 1: Is the pull of its centre strong enough? "
                "| Healthy |\n")
    assert '<table class="keep">' in html
    assert '<th>Self-check</th>\n<th class="short">Verdict</th>' in html
    assert '<td class="short">Healthy</td>' in html


def test_many_short_columns_may_still_wrap_so_that_the_table_fits_the_page():
    html = body("|" + " Healthy |" * 12 + "\n|" + " --- |" * 12 + "\n")
    assert "short" not in html


def test_a_long_table_may_break_between_rows():
    html = body("| a | b |\n| --- | --- |\n" + "| row | 一二三四五六七八九十 |\n" * 80)
    assert "<table>" in html


def test_batch_writes_one_page_per_community(mini_kb, tmp_path, capsys):
    source = tmp_path / "survey.jsonl"
    source.write_text("".join(json.dumps({**ANSWERS["answers"], "community_name": name}, ensure_ascii=False) + "\n"
                              for name in ("城西跑团", "城东读书会")), encoding="utf-8")
    assert main(["batch", str(source), "--out-dir", str(tmp_path / "out"), "--kb", str(mini_kb),
                 "--format", "html", "--jobs", "1"]) == 0
    pages = sorted((tmp_path / "out" / "prescriptions").iterdir())
    assert [p.name for p in pages] == ["城东读书会.html", "城西跑团.html"]
    assert all(p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for p in pages)


def test_the_explanation_goes_onto_the_page_too(capsys, mini_kb, tmp_path):
    page = diagnose(capsys, "diagnose", answers_file(tmp_path), "--kb", mini_kb, "--format", "html", "--explain")
    assert "<h2>为什么这么诊断</h2>" in page

