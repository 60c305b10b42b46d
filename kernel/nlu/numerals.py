"""Chinese numerals as citizens write them in case numbers: 二〇二二, 二零二二, 一二三四, 一千二百三十四."""

from __future__ import annotations

from kernel.nlu.digits import fold_width

#: Characters read as a single digit (also Arabic ones, so 二0二二 works). O/o are common
#: stand-ins for 〇 in typed years.
DIGIT_VALUES = {
    **{str(d): d for d in range(10)},
    **dict.fromkeys("〇零○OoＯｏ", 0),
    **dict.fromkeys("一壹", 1),
    **dict.fromkeys("二贰两", 2),
    **dict.fromkeys("三叁", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
UNIT_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000}
#: Characters a Chinese numeral in a case number may consist of (for regexes).
NUMERAL_CHARS = "〇零○一二三四五六七八九十百千万壹贰两叁肆伍陆柒捌玖拾佰仟"


def digit_string(text: str) -> str | None:
    """Read digit by digit: '二〇二二' → '2022', '一二三四' → '1234'. None if any char is not a digit."""
    text = fold_width(text)
    if not text or any(ch not in DIGIT_VALUES for ch in text):
        return None
    return "".join(str(DIGIT_VALUES[ch]) for ch in text)


def positional_value(text: str) -> int | None:
    """Read with units: '一千二百三十四' → 1234, '十二' → 12, '一千零五' → 1005, '一万二千' → 12000."""
    if not text or not any(ch in UNIT_VALUES for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGIT_VALUES and ch not in "Oo":
            if digit is not None and DIGIT_VALUES[ch] != 0:
                return None  # two digits in a row without a unit: not positional
            digit = DIGIT_VALUES[ch] or None
        elif ch in UNIT_VALUES:
            unit = UNIT_VALUES[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def chinese_number(text: str) -> str | None:
    """Digits for any way of writing a natural number in a case number, else None."""
    digits = digit_string(text)
    if digits is not None:
        return digits
    value = positional_value(text)
    return None if value is None else str(value)
