"""The printable page in a real browser: headless Chromium prints it to PDF, which is read back with pypdf.

Chromium is driven over the DevTools protocol on a pipe (no port, no network), which also lets the
page be measured at the printed width. Without Chromium these tests are skipped; .ci/run installs it.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
import yaml

from expert.answers import validate_answers
from expert.page import MARGINS_MM, PAGE_MM

from conftest import EXAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium to print with (Debian: apt-get install chromium fonts-noto-cjk)")

MM_PER_PT = 25.4 / 72
PX_PER_MM = 96 / 25.4
PRINTED_WIDTH_PX = math.floor((PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) * PX_PER_MM)
# pages each example may take: one finding fits on two pages, ten on no more than eight
PAGES = {"healthy": (1, 3), "no_leaders": (2, 6), "deal_seeker": (3, 8), "city_running_club_founder_left": (3, 8)}
CASES = [(name, lang) for name in PAGES for lang in ("zh", "en")]

# Every text node and element that reaches past the right edge of the page's printable width.
OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth, over = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    range.selectNodeContents(node);
    for (const rect of range.getClientRects())
      if (rect.right > width + 0.5) over.push(node.textContent.trim().slice(0, 80));
  }
  for (const element of document.body.querySelectorAll("*"))
    if (element.getBoundingClientRect().right > width + 0.5) over.push("<" + element.localName + ">");
  return {width, scrollWidth: document.documentElement.scrollWidth, over: [...new Set(over)]};
})()"""


class Chromium:
    """One headless browser for the module, spoken to over --remote-debugging-pipe: JSON messages ending in
    NUL, written to its fd 3 and read from its fd 4 (here: its stdin and stdout, moved by the shell)."""

    def __init__(self, profile: Path):
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        self.process = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', *command],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.events: list[dict] = []
        self.buffer = b""

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _receive(self) -> dict:
        while b"\0" not in self.buffer:
            chunk = self.process.stdout.read1(1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, session: str) -> None:
        while not any(e.get("method") == event and e.get("sessionId") == session for e in self.events):
            self.events.append(self._receive())
        self.events = [e for e in self.events if e.get("sessionId") != session]

    def print_page(self, page: Path) -> tuple[bytes, dict]:
        """The page printed as the print dialog would (its own @page size, backgrounds as the CSS asks, no
        browser header or footer), and what overflows when it is laid out at the printed width."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            self.send("Page.enable", session=session)
            self.send("Page.navigate", {"url": page.as_uri()}, session)
            self.wait_for("Page.loadEventFired", session)
            self.send("Emulation.setEmulatedMedia", {"media": "print"}, session)
            self.send("Emulation.setScrollbarsHidden", {"hidden": True}, session)  # paper has none
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": PRINTED_WIDTH_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session)
            overflow = self.send("Runtime.evaluate", {"expression": OVERFLOW, "returnByValue": True},
                                 session)["result"]["value"]
            self.send("Emulation.clearDeviceMetricsOverride", session=session)
            self.send("Emulation.setEmulatedMedia", {"media": ""}, session)
            pdf = self.send("Page.printToPDF", {"preferCSSPageSize": True, "displayHeaderFooter": False,
                                                "printBackground": False}, session)["data"]
        finally:
            self.send("Target.closeTarget", {"targetId": target})
        return base64.b64decode(pdf), overflow


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    browser = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


class Printed:
    """A printed prescription: its HTML's headings and table header rows, and its PDF's pages, each as lines
    of text with their height on the page."""

    def __init__(self, page_html: str, pdf: bytes, overflow: dict):
        from pypdf import PdfReader

        self.headings = _Headings.of(page_html, r"h[1-6]")
        self.table_headers = _Headings.of(page_html, "thead")
        self.overflow = overflow
        reader = PdfReader(BytesIO(pdf))
        self.sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
        self.pages = [_lines(p) for p in reader.pages]

    def text(self, page: int) -> str:
        return "".join(text for _, text in self.pages[page])

    def header(self, page: int) -> str:
        """The text in the top margin."""
        top = self.sizes[page][1] - MARGINS_MM["top"] / MM_PER_PT
        return "".join(text for y, text in self.pages[page] if y > top)

    def body_lines(self, page: int) -> list[tuple[float, str]]:
        """The lines between the top and bottom margins, top first."""
        height = self.sizes[page][1]
        low, high = MARGINS_MM["bottom"] / MM_PER_PT, height - MARGINS_MM["top"] / MM_PER_PT
        return [(y, text) for y, text in self.pages[page] if low <= y <= high]


class _Headings(HTMLParser):
    """The text of each heading and of each table's header row, by tag."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.inside = False

    @classmethod
    def of(cls, page_html: str, tags: str) -> list[str]:
        parser = cls()
        parser.feed(page_html)
        return [text for tag, text in parser.found if re.fullmatch(tags, tag) and text.strip()]

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]|thead", tag):
            self.found.append((tag, ""))
            self.inside = True

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]|thead", tag):
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            tag, text = self.found[-1]
            self.found[-1] = (tag, text + data)


def _lines(page) -> list[tuple[float, str]]:
    """The page's text as lines (top first), whitespace removed, each with its baseline's height in pt."""
    pieces: dict[float, list[tuple[float, str]]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            y = round(tm[5] * cm[3] + cm[5])
            pieces.setdefault(y, []).append((tm[4] * cm[0] + cm[4], text))

    page.extract_text(visitor_text=visit)
    return [(y, normal("".join(text for _, text in sorted(pieces[y])))) for y in sorted(pieces, reverse=True)]


def normal(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", html.unescape(text)))


def pattern(text: str) -> str:
    """A regular expression for `text` as found in a PDF's text: Chromium's PDFs map some ideographs back to
    the CJK radical that shares their glyph (见 comes out as ⻅), so an ideograph also matches a radical."""
    return "".join(f"[{re.escape(ch)}\u2e80-\u2fdf]" if unicodedata.east_asian_width(ch) == "W" and ch.isalpha()
                   else re.escape(ch) for ch in normal(text))


def found(text: str, within: str) -> bool:
    return re.search(pattern(text), within) is not None


@pytest.fixture(scope="module")
def printed(chromium, checkup, tmp_path_factory):
    """Each example's page, printed once and kept for every test that reads it."""
    folder = tmp_path_factory.mktemp("printed")
    cache: dict[tuple[str, str], tuple[Printed, str]] = {}

    def get(example: str, lang: str, **values) -> tuple[Printed, str]:
        key = (example, lang, *sorted(values.items()))
        if key not in cache:
            document = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
            document["answers"].update(values)
            answers = validate_answers(document, checkup.kb.questionnaire, f"{example}.yaml")
            page = checkup.report(answers, "html", lang).text
            path = folder / f"{example}-{lang}-{len(cache)}.html"
            path.write_text(page, encoding="utf-8")
            cache[key] = (Printed(page, *chromium.print_page(path)), answers.name)
        return cache[key]

    return get


@pytest.mark.parametrize("example, lang", CASES)
def test_the_page_prints_on_a4_in_a_number_of_pages_that_fits_its_length(printed, example, lang):
    pages, _ = printed(example, lang)
    low, high = PAGES[example]
    assert low <= len(pages.pages) <= high
    assert all(abs(w * MM_PER_PT - PAGE_MM[0]) < 1 and abs(h * MM_PER_PT - PAGE_MM[1]) < 1 for w, h in pages.sizes)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_more_findings_take_more_pages(printed, lang):
    examples = ("healthy", "no_leaders", "city_running_club_founder_left")  # 1, 4 and 10 findings
    counts = [len(printed(example, lang)[0].pages) for example in examples]
    assert counts == sorted(counts) and counts[0] < counts[-1]


@pytest.mark.parametrize("example, lang", CASES)
def test_every_heading_is_printed(printed, example, lang):
    pages, _ = printed(example, lang)
    text = "".join(pages.text(n) for n in range(len(pages.pages)))
    missing = [heading for heading in pages.headings if not found(heading, text)]
    assert pages.headings and missing == []


@pytest.mark.parametrize("example, lang", CASES)
def test_every_page_is_headed_with_the_community_and_the_date(printed, example, lang):
    pages, name = printed(example, lang)
    for n in range(len(pages.pages)):
        header = pages.header(n)
        assert found(name, header) and found("2026-11-24", header), f"page {n + 1}: {header}"


@pytest.mark.parametrize("example, lang", CASES)
def test_no_page_ends_with_a_heading_or_a_table_header(printed, example, lang):
    pages, _ = printed(example, lang)
    for n in range(len(pages.pages) - 1):
        last = pages.body_lines(n)[-1][1]
        ends = [text for text in pages.headings + pages.table_headers if re.fullmatch(pattern(text), last)]
        assert ends == [], f"page {n + 1} ends with {last}"


@pytest.mark.parametrize("example, lang", CASES)
def test_no_page_but_the_last_is_left_mostly_blank(printed, example, lang):
    """Keeping a finding on one page moves it whole to the next; that may cost at most part of a page."""
    pages, _ = printed(example, lang)
    for n in range(len(pages.pages) - 1):
        lines = pages.body_lines(n)
        top, bottom = lines[0][0], lines[-1][0]
        usable = pages.sizes[n][1] - (MARGINS_MM["top"] + MARGINS_MM["bottom"]) / MM_PER_PT
        assert (top - bottom) / usable > 0.4, f"page {n + 1} is {(top - bottom) / usable:.0%} full"


@pytest.mark.parametrize("example, lang", CASES)
def test_no_line_is_wider_than_the_printed_page(printed, example, lang):
    pages, _ = printed(example, lang)
    assert pages.overflow["width"] == PRINTED_WIDTH_PX
    assert pages.overflow["over"] == [] and pages.overflow["scrollWidth"] <= PRINTED_WIDTH_PX


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_url_for_a_name_wraps_instead_of_running_off_the_page(printed, lang):
    # as long as a group's name may be (max_length in the questionnaire), and no space to break at
    name = ("https://example.com/communities/" + "a-very-long-community-name-without-any-space-" * 6)[:100]
    pages, _ = printed("no_leaders", lang, community_name=name)
    assert pages.overflow["over"] == [] and pages.overflow["scrollWidth"] <= PRINTED_WIDTH_PX
    assert found(name[:39] + "…", pages.header(0))  # cut short, leaving room for the date


def test_the_overflow_check_sees_a_line_that_runs_off_the_page(chromium, tmp_path):
    page = tmp_path / "overflowing.html"
    page.write_text("<!DOCTYPE html><html><body><p>" + "x" * 400 + "</p></body></html>", encoding="utf-8")
    _, overflow = chromium.print_page(page)
    assert overflow["over"] == ["x" * 80]
    assert overflow["scrollWidth"] > PRINTED_WIDTH_PX
