"""Text for a terminal that may show Chinese: display widths, and the verdict table the interview ends with.

A Chinese character takes two columns, so padding by `len()` would break every column after it; widths
come from wcwidth (a dependency of prompt_toolkit). Only characters of unambiguous width are used for
rules and ellipses, because East Asian terminals draw the "ambiguous" ones (─, —, …) two columns wide.
"""

from __future__ import annotations

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


def wrap(text: str, columns: int) -> list[str]:
    """The text in lines of at most `columns` columns, broken between characters (Chinese has no spaces)."""
    lines, current, used = [], [], 0
    for ch in text:
        w = max(wcwidth(ch), 0)
        if used + w > columns and current:
            lines.append("".join(current).rstrip())
            current, used = [], 0
            if ch == " ":
                continue
        current.append(ch)
        used += w
    if current:
        lines.append("".join(current).rstrip())
    return lines or [""]


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
