"""Numbers as operators type them: what is read, and what is refused rather than guessed at."""

import pytest

from expert.numbers import parse_number


@pytest.mark.parametrize("typed, whole, read", [
    ("300", True, 300),
    ("３００", True, 300),              # full-width digits from a Chinese input method
    ("300人", True, 300),               # the question's unit after the number
    ("300 members", True, 300),
    ("１，０００人", True, 1000),       # full-width comma as a thousands separator
    ("1,000", True, 1000),
    ("12,345,678", True, 12345678),
    ("1,000", False, 1000),             # groups of three are thousands, even where decimals are taken
    ("2.5", False, 2.5),
    ("2,5", False, 2.5),                # a decimal comma where the question takes decimals
    ("2。5", False, 2.5),               # the input method's full stop
    ("1,000.25", False, 1000.25),
    ("30%", True, 30),
    ("３０％", True, 30),
    ("-5", True, -5),
    (" 7 ", True, 7),
    ("1.000", False, 1.0),              # where decimals are taken, a point is a decimal point
    ("2.0", True, 2.0),                 # a whole number with a decimal part of nothing, for the question to take
])
def test_what_people_type_is_read(typed, whole, read):
    value = parse_number(typed, whole=whole, units=["人", "members", "%"])
    assert value == read and type(value) is type(read)


@pytest.mark.parametrize("typed, message", [
    ("1e2", "看不懂“1e2”：请只填数字，例如 300 或 1,000"),          # not 100
    ("1_000", "看不懂“1_000”：请只填数字，例如 300 或 1,000"),      # not 1000
    ("3,5", "“3,5”里的逗号只能分千位（三位一组，如 1,000）；这一题填整数"),  # not 35
    ("12,34", "“12,34”里的逗号只能分千位（三位一组，如 1,000）；这一题填整数"),
    ("0x10", "看不懂“0x10”：请只填数字，例如 300 或 1,000"),
    ("inf", "看不懂“inf”：请只填数字，例如 300 或 1,000"),
    ("三百", "看不懂“三百”：请只填数字，例如 300 或 1,000"),
    ("约300", "看不懂“约300”：请只填数字，例如 300 或 1,000"),
    ("300个", "看不懂“300个”：请只填数字，例如 300 或 1,000"),     # not the question's unit
    ("1 000", "看不懂“1 000”：请只填数字，例如 300 或 1,000"),
    ("1.000", "“1.000”里的点是小数点还是千位分隔？这一题填整数：一千写 1000 或 1,000"),  # not 1
    ("1。500", "“1。500”里的点是小数点还是千位分隔？这一题填整数：一千写 1000 或 1,000"),  # not 1.5, refused as such
])
def test_a_whole_number_question_refuses_what_it_would_have_to_guess(typed, message):
    with pytest.raises(ValueError) as info:
        parse_number(typed, whole=True, units=["人"], lang="zh")
    assert str(info.value) == message


def test_a_decimal_question_refuses_mixed_separators_with_a_message_in_english_too():
    with pytest.raises(ValueError) as info:
        parse_number("1.000,5", whole=False, lang="en")
    assert str(info.value) == ("a comma in “1.000,5” can only separate thousands (groups of three, as in "
                               "12,345); decimals take a point")
    with pytest.raises(ValueError) as info:
        parse_number("1e2", whole=False, lang="en")
    assert str(info.value) == "cannot read “1e2” as a number: type digits, such as 300, 1,000 or 2.5"


def test_an_endless_number_is_refused_before_it_is_converted():
    with pytest.raises(ValueError) as info:
        parse_number("9" * 5000, whole=True, lang="zh")
    assert str(info.value) == "数字太长了：最多 30 位"


def test_digits_with_a_sign_and_spaces_read_as_the_integer_they_spell():
    # the usual cell, "300", is read without the checks for separators and decimals: it must read as they would
    import random
    import unicodedata

    rng = random.Random(3)
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 34)))
        typed = digits if rng.random() < 0.7 else digits.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
        sign = rng.choice(["", "", "-", "+", "\u2212", "\u2013"])
        typed = rng.choice(["", " ", "\u3000"]) + sign + typed + rng.choice(["", " ", "人"])
        whole = rng.random() < 0.5
        expected_sign = -1 if sign and sign != "+" else 1
        if len(digits) > 30:
            with pytest.raises(ValueError, match="最多 30 位"):
                parse_number(typed, whole=whole, units=["人"], lang="zh")
        else:
            assert parse_number(typed, whole=whole, units=["人"]) == expected_sign * int(unicodedata.normalize("NFKC", digits))
