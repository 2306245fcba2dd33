"""Text for a terminal that may show Chinese: display widths, and the verdict table the interview ends with.

A Chinese character takes two columns, so padding by `len()` would break every column after it; widths
come from wcwidth (a dependency of prompt_toolkit). Only characters of unambiguous width are used for
rules and ellipses, because East Asian terminals draw the "ambiguous" ones (─, —, …) two columns wide.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys

from wcwidth import wcswidth, wcwidth

ELLIPSIS = "..."


def width(text: str) -> int:
    """Columns the text takes on a terminal; a control character counts as nothing."""
    total = wcswidth(text)
    if total >= 0:
        return total
    return sum(max(wcwidth(ch), 0) for ch in text)


def fit(text: str, columns: int) -> str:
    """The text cut to at most `columns` columns, marked with ... when cut."""
    if width(text) <= columns:
        return text
    room = max(columns - len(ELLIPSIS), 0)
    kept, used = [], 0
    for ch in text:
        w = max(wcwidth(ch), 0)
        if used + w > room:
            break
        kept.append(ch)
        used += w
    return "".join(kept) + ELLIPSIS[: max(columns - used, 0)]


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


# a line does not start with closing punctuation, nor end with opening punctuation (the rule of Chinese
# and Japanese typesetting); a Latin word is not broken unless it is longer than a whole line
_CLOSING = set("，。、；：？！）」』】》〉”’,.;:?!)]}%％…·")
_OPENING = set("（「『【《〈“‘([{")


def _units(text: str) -> list[str]:
    """The text cut where a line may break: a Latin word, a space, or one wide character, each with the
    punctuation that must stay with it."""
    units: list[str] = []
    for ch in text:
        wide = max(wcwidth(ch), 0) == 2
        last = units[-1] if units else ""
        if units and ch in _CLOSING and last != " ":
            units[-1] += ch
        elif units and last[-1] in _OPENING:
            units[-1] += ch
        elif units and not wide and ch != " " and last != " " and not _is_wide(last[-1]):
            units[-1] += ch  # the word goes on
        else:
            units.append(ch)
    return units


def _is_wide(ch: str) -> bool:
    return max(wcwidth(ch), 0) == 2


def wrap(text: str, columns: int) -> list[str]:
    """The text in lines of at most `columns` columns: broken at spaces between words and between wide
    characters (Chinese has no spaces), never before closing punctuation; a line break in the text is kept."""
    columns = max(columns, 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current, used, broken = "", 0, False
        for unit in _units(paragraph):
            if broken and not current and unit == " ":  # "answer?  3 / 5" broken between its two spaces
                continue
            w = width(unit)
            if used + w <= columns:
                current, used = current + unit, used + w
                continue
            if current.strip():
                lines.append(current.rstrip())
            current, used, broken = "", 0, True
            if unit == " ":
                continue
            while width(unit) > columns:  # a word longer than the line: cut it
                head = fit_exact(unit, columns)
                lines.append(head)
                unit = unit[len(head):]
            current, used = unit, width(unit)
        lines.append(current.rstrip())
    return lines or [""]


def fit_exact(text: str, columns: int) -> str:
    """The longest start of `text` that fits in `columns` (at least one character)."""
    used = 0
    for i, ch in enumerate(text):
        used += max(wcwidth(ch), 0)
        if used > columns:
            return text[: max(i, 1)]
    return text


def wrap_fragments(fragments: list[tuple[str, str]], columns: int) -> list[tuple[str, str]]:
    """Styled text (prompt_toolkit's (style, text) pairs) wrapped like `wrap`, with "\\n" between lines."""
    plain = "".join(text for _, text in fragments)
    styles = [style for style, text in fragments for _ in text]
    out: list[tuple[str, str]] = []
    at = 0
    for n, line in enumerate(wrap(plain, columns)):
        if n:
            out.append(("", "\n"))
        # what wrap dropped before this line is spaces and line breaks only
        while at < len(plain) and plain[at] in " \n" and not plain.startswith(line, at):
            at += 1
        for i, ch in enumerate(line):
            style = styles[at + i]
            if out and out[-1][0] == style and out[-1][1] != "\n":
                out[-1] = (style, out[-1][1] + ch)
            else:
                out.append((style, ch))
        at += len(line)
    return out


NARROW = 16  # below this many columns for the last cell, a table reads better as a list


def table(headers: list[str], rows: list[list[str]], max_width: int = 100, gap: int = 2) -> str:
    """A plain table whose columns line up whatever the script; the last column is cut to fit `max_width`.
    On a terminal too narrow for that, each row becomes its first cells on a line and the last one
    wrapped below them."""
    widths = [max(width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    fixed = sum(widths[:-1]) + gap * (len(widths) - 1)
    if max_width - fixed < NARROW:
        out = []
        for row in rows:
            out.append("  ".join(row[:-1]))
            out += ["  " + part for part in wrap(row[-1], max(max_width - 2, 10))]
        return "\n".join(out)
    widths[-1] = max(min(widths[-1], max_width - fixed), width(headers[-1]), 6)
    sep = " " * gap

    def line(cells: list[str]) -> str:
        shown = [pad(fit(cell, w), w) for cell, w in zip(cells, widths)]
        return sep.join(shown).rstrip()

    rule = sep.join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def said(text: str, columns: int) -> str:
    """A text said above the prompts, wrapped like the prompts: each line keeps its indent, and an answer's
    "✓" line goes on under its text. A line that is a command we suggest is left whole for the terminal
    to fold, so that copying it gives one line to paste."""
    command = program() + " "
    out = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        if body.startswith(command) or width(line) <= columns:
            out.append(line)
            continue
        hang = indent + ("  " if body.startswith("✓ ") else "")
        first, *rest = wrap(body, max(columns - width(hang), 10))
        out.append(indent + first)
        out += [hang + part for part in rest]
    return "\n".join(out)


class Transcript:
    """What is said above the prompts (headings, help, each answer as given), each line tagged with the
    position of the question it belongs to, so that going back takes back what was said since: the
    screen shows one heading per section and one ✓ line per answer, however often the operator goes back.

    On a terminal the lines taken back are erased where they still are on the screen; when they have
    scrolled out of it, the screen is cleared and the lines kept are written again."""

    def __init__(self, out, size=None):
        self.out = out
        self.size = size  # () -> (columns, rows) of the terminal; None: not a terminal, nothing is erased
        self.lines: list[tuple[int | None, str]] = []

    def say(self, text: str = "", at: int | None = None) -> None:
        if self.size is not None:  # the terminal's own wrapping would cut English words and start lines with "、"
            text = said(text, self.size()[0] - 1)
        print(text, file=self.out, flush=True)
        self.lines.append((at, text))

    def last(self) -> int | None:
        """The position of the question the last tagged line belongs to."""
        return next((at for at, _ in reversed(self.lines) if at is not None), None)

    def take_back(self, position: int) -> None:
        """Forget, and erase from the screen, every line said from the question at `position` on."""
        keep = len(self.lines)
        while keep and (self.lines[keep - 1][0] or 0) >= position and self.lines[keep - 1][0] is not None:
            keep -= 1
        gone, self.lines = self.lines[keep:], self.lines[:keep]
        if not gone or self.size is None:
            return
        columns, rows = self.size()
        height = sum(self._rows(text, columns) for _, text in gone)
        if height < rows:  # all still on the screen: up to the first of them, and erase from there down
            self.out.write(f"\x1b[{height}F\x1b[J")
        else:
            self.out.write("\x1b[H\x1b[2J")
            for _, text in self.lines:
                self.out.write(text + "\n")
        self.out.flush()

    @staticmethod
    def _rows(text: str, columns: int) -> int:
        return sum(max(1, -(-width(line) // max(columns, 1))) for line in text.split("\n"))


def program(argv0: str | None = None, which=shutil.which) -> str:
    """How to run shequn in a command we suggest: `shequn` when that name finds this program, else the
    path it was started by (`.venv/bin/shequn`, as the quick start runs it without activating the
    virtual environment), so that a suggested command works when it is pasted back."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if os.path.basename(argv0) != "shequn" or os.sep not in argv0:  # `python -m expert`, or found on PATH
        return "shequn"
    found = which("shequn")
    if found and os.path.realpath(found) == os.path.realpath(argv0):
        return "shequn"
    return argv0 if all(ch.isalnum() or ch in "@%+=:,./-_" for ch in argv0) else shlex.quote(argv0)
