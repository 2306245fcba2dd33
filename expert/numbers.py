"""Numbers as people type them: "300", "300人", "１，０００", "2,5". One reader for the interview's prompts
and for any answer that arrives as text, so "1,000" means the same wherever it is typed.

Python's own int() and float() read far too much: "1e2" is 100, "1_000" is 1000, "infinity" is a number,
and stripping commas turns "3,5" into 35. Here a number is digits, with commas only between groups of
three ("12,345") and one decimal point or comma where the question takes decimals; anything else is
refused with a message that says what would be read, never guessed at.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Iterable

from expert.limits import MAX_NUMBER_DIGITS
from expert.messages import t

_GROUPED = r"\d{1,3}(?:,\d{3})+"
_POINT = r"(\d+|\d{1,3}(?:,\d{3})+)?\.(\d+)"
_COMMA = r"(\d+),(\d+)"


@cache
def _pattern(pattern: str) -> re.Pattern:
    """A pattern above, compiled on first use: most commands read no typed number and never need one."""
    return re.compile(pattern)


_MINUS = "-\u2212\u2013"  # hyphen-minus, the minus sign, and the en dash some keyboards give for it


def parse_number(text: str, *, whole: bool, units: Iterable[str] = (), lang: str | None = None) -> int | float:
    """The number `text` stands for: an int, or a float where it has a decimal part.

    Full-width digits and punctuation are read as their ASCII forms (a Chinese input method types them),
    and one of `units` may follow the number ("300人", "30 %"). `whole` questions take no decimal comma,
    so there "3,5" is refused rather than read as 35 or 3.5. Raises ValueError with a message in `lang`.
    """
    shown = text.strip()
    plain = unicodedata.normalize("NFKC", shown).replace("。", ".").strip()  # 。is the IME's full stop
    for unit in _units(tuple(units)) if units else ():
        if plain.lower().endswith(unit.lower()) and len(plain) > len(unit):
            plain = plain[: -len(unit)].rstrip()
            break
    sign = 1
    if plain[:1] in _MINUS or plain[:1] == "+":
        sign = -1 if plain[:1] in _MINUS else 1
        plain = plain[1:]
    if plain.isdigit() and plain.isascii():  # the usual "300": what the checks below come to for it
        if len(plain) > MAX_NUMBER_DIGITS:
            raise ValueError(t("number.too_long", lang, digits=MAX_NUMBER_DIGITS))
        return sign * int(plain)
    digits = sum(ch.isdigit() for ch in plain)
    if not plain.isascii() or digits == 0:
        raise ValueError(_unreadable(shown, whole, lang))
    if digits > MAX_NUMBER_DIGITS:
        raise ValueError(t("number.too_long", lang, digits=MAX_NUMBER_DIGITS))
    if plain.isdigit():
        return sign * int(plain)
    if _pattern(_GROUPED).fullmatch(plain) and not plain.startswith("0,"):
        return sign * int(plain.replace(",", ""))
    point = _pattern(_POINT).fullmatch(plain)
    if point and whole and point.group(1) and len(point.group(2)) == 3:
        # "1.000" is a thousand where a point separates thousands and one here: neither is guessed
        raise ValueError(t("number.point_whole", lang, text=shown))
    if point:
        return sign * float((point.group(1) or "0").replace(",", "") + "." + point.group(2))
    comma = _pattern(_COMMA).fullmatch(plain)
    if comma:
        if whole:
            raise ValueError(t("number.comma_whole", lang, text=shown))
        return sign * float(comma.group(1) + "." + comma.group(2))
    if "," in plain and re.fullmatch(r"[\d,.]+", plain):
        raise ValueError(t("number.comma_groups", lang, text=shown))
    raise ValueError(_unreadable(shown, whole, lang))


@lru_cache(maxsize=256)
def _units(units: tuple[str, ...]) -> list[str]:
    """A question's units as a number is compared with them: normalised, the longest first; made once per
    question, not once per number read."""
    return sorted({unicodedata.normalize("NFKC", u).strip() for u in units if u and u.strip()}, key=len, reverse=True)


def _unreadable(shown: str, whole: bool, lang: str | None) -> str:
    return t("number.unreadable_whole" if whole else "number.unreadable", lang, text=shown)


def unit_spacing(unit: str) -> str:
    """The space between a number and its Chinese unit, as the prescriptions write "500 人"; none before a
    sign such as %."""
    return " " if unit and unit[0].isalpha() else ""
