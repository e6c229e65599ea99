"""Answer normalisation for scoring: is a gold answer contained in a generated answer?

Reports, gold answers and model outputs spell the same fact in many ways: ``7.5%`` / ``７.５％`` /
``百分之七点五``, ``1002.18亿元`` / ``1,002.18 亿元``, ``第2家`` / ``第二家``, ``5.95亿元`` /
``59500万元``. Exact string matching would score those as wrong, and naive substring matching
would score ``17%`` as containing ``7%``. So both sides are folded to one canonical form
(:func:`normalize_text`), containment respects number boundaries (:func:`contains`), and amounts
with a 万/亿 multiplier are also compared by value (:func:`quantity_match`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "Quantity",
    "answer_matches",
    "cn_to_number",
    "contains",
    "loose_contains",
    "normalize_text",
    "parse_quantity",
    "quantity_match",
    "strip_citation_markers",
]

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_CN_NUM_CHARS = "零〇一二两三四五六七八九十百千"

# Measure words and units after which a Chinese numeral is a quantity (三个 → 3个). Only then is
# it converted: 十三五, 一是, 统一 must stay words.
_MEASURES = (
    "万亿|亿|万|%|元|个|户|人|家|项|倍|年|月|日|天|次|所|条|亩|公里|千米|米|吨|座|名|位|宗|批|"
    "套|间|辆|台|场|期|届|轮|处|类|支|件|种|片|栋|层|成|周|季度|小时|公顷|平方|立方|度|股|只"
)
_CN_RUN = rf"[{_CN_NUM_CHARS}]+(?:[万亿][{_CN_NUM_CHARS}]+)*"
_PERCENT_CN = re.compile(rf"百分之({_CN_RUN}(?:点[{_CN_NUM_CHARS}]+)?|\d+(?:\.\d+)?)")
_DECIMAL_CN = re.compile(rf"({_CN_RUN})点([零〇一二两三四五六七八九]+)")
_QUANTITY_CN = re.compile(rf"({_CN_RUN})(?=(?:{_MEASURES}))")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACE = re.compile(r"\s+")
_QUOTES = re.compile(r"[“”‘’\"'「」『』《》〈〉]")
_CITATION = re.compile(r"\[\d+(?:\s*[,，、]\s*\d+)*\]|【\d+】")

_MULTIPLIERS = {
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "亿": 10**8,
    "千万": 10**7,
    "百万": 10**6,
    "万": 10**4,
}
_QTY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万亿|千亿|百亿|亿|千万|百万|万)?")
_GOLD_QTY = re.compile(r"(\d+(?:\.\d+)?)(万亿|千亿|百亿|亿|千万|百万|万)?([^\d.]{0,3})")


def cn_to_number(text: str) -> float | None:
    """Value of a Chinese numeral (``七点五`` → 7.5, ``一百零二`` → 102, ``二〇二一`` → 2021).

    Returns None for text that is not a numeral, so callers can leave it untouched.
    """
    if not text:
        return None
    whole, _, frac = text.partition("点")
    if frac and not all(c in _CN_DIGITS for c in frac):
        return None
    value = _cn_integer(whole)
    if value is None:
        return None
    if frac:
        return float(f"{value}." + "".join(str(_CN_DIGITS[c]) for c in frac))
    return float(value)


def _cn_integer(text: str) -> int | None:
    if not text:
        return None
    if any(c not in _CN_DIGITS and c not in _CN_UNITS and c not in _CN_BIG for c in text):
        return None
    if all(c in _CN_DIGITS for c in text):
        # Digit-by-digit spelling (二〇二一) or a single digit.
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[c]  # 十五 = 15: a bare 十 means 一十
            digit = 0
        else:  # 万 / 亿 close a section
            total = (total + section + digit) * _CN_BIG[c]
            section, digit = 0, 0
    return total + section + digit


def _format_number(value: float) -> str:
    """``7.5`` → ``"7.5"``, ``15.0`` → ``"15"``: the way reports write numbers."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def _replace_cn(pattern: re.Pattern[str], template: str, text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        value = cn_to_number(m.group(1)) if not m.group(1)[0].isdigit() else float(m.group(1))
        if value is None:
            return m.group(0)
        return template.format(_format_number(value))

    return pattern.sub(repl, text)


def _decimal_repl(m: re.Match[str]) -> str:
    value = cn_to_number(f"{m.group(1)}点{m.group(2)}")
    return m.group(0) if value is None else _format_number(value)


def strip_citation_markers(text: str) -> str:
    """Drop inline citation markers (``[1]``, ``[1, 2]``) so their digits never match a number."""
    return _CITATION.sub("", text)


def normalize_text(text: str) -> str:
    """Canonical form for containment: NFKC width folding, no whitespace, no quotes, lowercase,
    no thousands separators, and Chinese numerals in quantities turned into Arabic digits.

    Applied identically to gold answers and generated answers, so any rewrite it makes is
    harmless as long as it is consistent.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE.sub("", text)
    text = _QUOTES.sub("", text).lower()
    text = _THOUSANDS.sub("", text)
    text = _replace_cn(_PERCENT_CN, "{}%", text)
    text = _DECIMAL_CN.sub(_decimal_repl, text)
    text = _replace_cn(_QUANTITY_CN, "{}", text)
    return text


_CN_NUMERALS = set("零〇一二两三四五六七八九十百千万亿")


def _numeral_contains(haystack: str, needle: str) -> bool:
    """``needle`` in ``haystack`` where a Chinese numeral at its edge is not continued by
    another ("第二" is not in "第二十")."""
    pos = haystack.find(needle)
    while pos >= 0:
        before = haystack[pos - 1] if pos > 0 else ""
        after = haystack[pos + len(needle) : pos + len(needle) + 1]
        if not (needle[0] in _CN_NUMERALS and before in _CN_NUMERALS and before) and not (
            needle[-1] in _CN_NUMERALS and after in _CN_NUMERALS and after
        ):
            return True
        pos = haystack.find(needle, pos + 1)
    return False


def contains(haystack: str, needle: str) -> bool:
    """Whether normalised ``needle`` occurs in normalised ``haystack`` at number boundaries.

    ``7%`` must not be found inside ``17%`` or ``7.5`` inside ``27.5``, and ``94`` not inside
    ``940``: a needle that starts (ends) with a digit may not be preceded (followed) by one.
    """
    h, n = normalize_text(haystack), normalize_text(needle)
    if not n:
        return False
    plain = _loose(needle)
    if plain and not any(c.isdigit() for c in plain) and _numeral_contains(_loose(haystack), plain):
        return True  # "第十二" in "第十二位": a numeral the conversion reads differently alone
    starts_digit, ends_digit = n[0].isdigit(), n[-1].isdigit()
    pos = h.find(n)
    while pos >= 0:
        before = h[pos - 1] if pos > 0 else ""
        after = h[pos + len(n) : pos + len(n) + 2]
        ok_before = not (starts_digit and (before.isdigit() or before == "."))
        continues = after[:1].isdigit() or (after[:1] == "." and after[1:2].isdigit())
        ok_after = not (ends_digit and continues)
        if ok_before and ok_after:
            return True
        pos = h.find(n, pos + 1)
    return False


@dataclass(frozen=True)
class Quantity:
    """A number with its 万/亿 multiplier applied and the unit that follows it."""

    value: float
    unit: str


def parse_quantity(text: str) -> Quantity | None:
    """Parse a gold answer that is a single amount (``5.95亿元``, ``136247万元``); else None.

    Only amounts with a multiplier or a unit qualify: a bare ``2021`` has no unit to compare.
    """
    norm = normalize_text(text)
    m = _GOLD_QTY.fullmatch(norm)
    if not m or not (m.group(2) or m.group(3)):
        return None
    value = float(m.group(1)) * _MULTIPLIERS.get(m.group(2) or "", 1)
    return Quantity(value, m.group(3))


def quantity_match(answer: str, gold: str) -> bool:
    """Whether ``answer`` states the amount ``gold`` with any multiplier (5.95亿元 = 59500万元).

    The unit after the number must be the same (元 with 元, % with %), and values must agree to
    one part in a million, so a rounded restatement (``约13.6亿元`` for ``136247万元``) is not
    counted: the gold answers are the figures the reports print.
    """
    want = parse_quantity(gold)
    if want is None:
        return False
    norm = normalize_text(answer)
    for m in _QTY.finditer(norm):
        value = float(m.group(1)) * _MULTIPLIERS.get(m.group(2) or "", 1)
        if not norm.startswith(want.unit, m.end()):
            continue
        if abs(value - want.value) <= 1e-6 * max(abs(want.value), 1.0):
            return True
    return False


def _loose(text: str) -> str:
    text = strip_citation_markers(unicodedata.normalize("NFKC", text))
    return _SPACE.sub("", text).lower()


def loose_contains(haystack: str, needle: str) -> bool:
    """Plain containment after NFKC, without whitespace or ``[n]`` markers, lower-cased.

    The rule published with external benchmarks (their answers are names and dates, not
    report figures), kept separate so those scores stay comparable with other systems'.
    """
    n = _loose(needle)
    return bool(n) and n in _loose(haystack)


def answer_matches(answer: str, golds: list[str], match: str = "any") -> bool:
    """Whether ``answer`` contains the gold answers: one (``any``) or every one (``all``);
    ``loose`` is :func:`loose_contains` of any one."""
    if not golds:
        return False
    if match == "loose":
        return any(loose_contains(answer, g) for g in golds)
    text = strip_citation_markers(answer)
    hits = [contains(text, g) or quantity_match(text, g) for g in golds]
    return all(hits) if match == "all" else any(hits)
