"""Chinese text rules, one copy each: width folding, sentences, years, numerals, place names.

Ingest, retrieval and answering all need to agree on what a sentence, a year, a number and a
place name are; a rule written twice drifts (one copy once lacked 街道 and 旗). The phrasing
lists (place suffixes, generic place words, metric synonyms) are data files in ``resources/``.

Normalisation is length-preserving.

Chinese government reports mix full-width and half-width forms freely (``７.５％`` next to
``7.5%``, ``１－６月`` next to ``1-6月``). Matching, deduplication and BM25 must treat those as the
same text, but citations point at exact character offsets in the source. Every function here
therefore maps the input *character by character*: the output always has the same length as the
input, so an offset into the normalised string is also an offset into the original.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).with_name("resources")


def _build_width_table() -> dict[int, str]:
    """Map each full-width form to its single-character half-width counterpart."""
    table: dict[int, str] = {0x3000: " "}  # ideographic space
    # U+FF01..U+FF5E are the full-width forms of ASCII U+0021..U+007E (digits, letters, ％, ．…).
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    # Full-width currency and sign forms; each has a one-character half-width equivalent.
    table.update(
        {
            0xFFE0: "\u00a2",  # ￠ -> ¢
            0xFFE1: "\u00a3",  # ￡ -> £
            0xFFE2: "\u00ac",  # ￢ -> ¬
            0xFFE3: "\u00af",  # ￣ -> ¯
            0xFFE4: "\u00a6",  # ￤ -> ¦
            0xFFE5: "\u00a5",  # ￥ -> ¥
            0xFFE6: "\u20a9",  # ￦ -> ₩
        }
    )
    return table


_WIDTH_TABLE = _build_width_table()


def normalize_width(text: str) -> str:
    """Fold full-width ASCII, ``％`` and the ideographic space to their half-width forms.

    The result has exactly ``len(text)`` characters, so offsets computed on it are valid in
    ``text`` too; that is what lets retrieval match ``7.5%`` against ``７.５％`` and still cite the
    original characters.
    """
    return text.translate(_WIDTH_TABLE)


#: full-width digits, letters and ％; a full-width point between two digits ("４．３")
_FIGURE_WIDTH = {c: t for c, t in _WIDTH_TABLE.items() if t.isalnum() or t == "%"}
_WIDE_POINT = re.compile(r"(?<=[０-９0-9])．(?=[０-９0-9])")


def fold_figures(text: str) -> str:
    """Fold the full-width forms of figures ("４．３万亩", "７.５％", "ＧＤＰ") to half-width
    and keep the punctuation ("，", "：", "（"): a quote stays Chinese prose. Same length as
    ``text``, like :func:`normalize_width`."""
    return _WIDE_POINT.sub(".", text).translate(_FIGURE_WIDTH)


def normalize_for_search(text: str) -> str:
    """Width-fold and lowercase ``text`` without changing its length.

    ``str.lower`` can expand a few characters (``"İ".lower()`` has two code points); such
    characters are left as they are so that offsets stay aligned.
    """
    folded = normalize_width(text)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        # lower() never shrinks a character, so equal lengths mean a one-to-one mapping.
        return lowered
    out = []
    for ch in folded:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# sentences and clauses
# --------------------------------------------------------------------------------------------

#: A sentence: text up to and including its terminators (``。！？；``, ASCII forms) or line end.
SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
#: Sentence terminators an answer may end with.
SENTENCE_END = "。！？；!?;"


#: A full sentence: up to 。！？ (or a line end); ``；`` and ``，`` stay inside it.
FULL_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
# Clause separators; an ASCII comma between digits (1,000) is a thousands separator, not one.
#: Where a clause ends: sentence terminators, commas, colons, line breaks. An ASCII comma
#: between two digits (``1,002``) is a thousands separator and a colon between two digits a
#: ratio or a time (``0.6:42.3:57.1``, ``9:30``), not a clause end.
_DIGIT_SAFE = r"|,(?!\d)|(?<!\d),|[：:](?!\d)|(?<!\d)[：:]"
CLAUSE_BREAK = re.compile(r"[；;，。！？!?\n]" + _DIGIT_SAFE)
# With enumeration commas too: "区域经济、城镇建设" is two items.
_ITEM_BREAK = re.compile(r"[；;，、。！？!?\n]" + _DIGIT_SAFE)


#: A title or a short quoted name ("《黑神话：悟空》", "“腾笼换鸟、凤凰涅槃”"): one piece, never
#: split at the colon or comma inside it.
_NAMED = re.compile(r"《[^》\n]{1,40}》|“[^”\n]{1,30}”")


def full_sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each full sentence (terminators kept; ``；`` does not end one)."""
    return [(m.start(), m.end()) for m in FULL_SENTENCE.finditer(text)]


def clause_spans(
    text: str, start: int = 0, end: int | None = None, *, enumeration: bool = False
) -> list[tuple[int, int]]:
    """``(start, end)`` of the clauses of ``text[start:end]``, offsets into ``text``, with
    separators, sentence ends and surrounding spaces left out.

    Report prose lists figures as clauses ("地区生产总值增长7%左右；固定资产投资增长10%"), so the
    clause is the unit of a short answer and of an extracted figure. ``enumeration`` also
    splits at ``、`` (list items)."""
    end = len(text) if end is None else end
    breaks = _ITEM_BREAK if enumeration else CLAUSE_BREAK
    names = [(n.start(), n.end()) for n in _NAMED.finditer(text, start, end)]
    found = [
        m for m in breaks.finditer(text, start, end) if not any(a < m.start() < b for a, b in names)
    ]
    spans: list[tuple[int, int]] = []
    pos = start
    for m in [*found, None]:
        s, e = pos, (m.start() if m else end)
        while s < e and (text[s].isspace() or text[s] in SENTENCE_END + "。"):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in SENTENCE_END + "。"):
            e -= 1
        if e > s:
            spans.append((s, e))
        pos = m.end() if m else end
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (see :data:`SENTENCE`)."""
    return [(m.start(), m.end()) for m in SENTENCE.finditer(text)]


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (terminators kept)."""
    return [m.group(0) for m in SENTENCE.finditer(text)]


# --------------------------------------------------------------------------------------------
# years
# --------------------------------------------------------------------------------------------

#: A year written with digits and 年: group 1 is the year.
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
#: A year written with digits or Chinese digits (二〇二一年): group 1 digits, group 2 Chinese.
ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年|([一二][〇零○一二三四五六七八九]{3})年")
YEAR_WORD = re.compile(r"(?:19|20)\d{2}\s*年?")
_CN_YEAR_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}


def years(text: str) -> list[int]:
    """Years named as ``2021年`` in ``text``, sorted and unique."""
    return sorted({int(y) for y in YEAR.findall(text)})


def report_years(text: str, report_nouns: tuple[str, ...], gap: int = 8) -> list[int]:
    """Years that name a report ("2023年国务院政府工作报告", "据2025年浙江省政府工作报告"),
    not the period a figure is about: a noun of ``report_nouns`` follows the year within
    ``gap`` characters, with no punctuation or other year between."""
    out = set()
    for m in YEAR.finditer(text):
        after = re.split(r"[，。？！、；：,.?!;:（）()\d]", text[m.end() : m.end() + gap + 8])[0]
        if any(0 <= after.find(noun) <= gap for noun in report_nouns):
            out.add(int(m.group(1)))
    return sorted(out)


def years_in_order(text: str) -> list[int]:
    """Years written as "2021年" or "二〇二一年", in text order, within a plausible range."""
    out = []
    for m in ANY_YEAR.finditer(text):
        digits = m.group(1) or "".join(_CN_YEAR_DIGITS[c] for c in m.group(2))
        year = int(digits)
        if 1949 <= year <= 2100:
            out.append(year)
    return out


def strip_years(text: str, repl: str = " ") -> str:
    """``text`` with years (``2021年``, ``2021``) replaced by ``repl``."""
    return YEAR_WORD.sub(repl, text)


def replace_year(text: str, year: int) -> str:
    """``text`` with its first ``NNNN年`` replaced by ``year``年, or prefixed with it."""
    if YEAR.search(text):
        return YEAR.sub(f"{year}年", text, count=1)
    return f"{year}年{text}"


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
#: Characters of a Chinese numeral (for heading markers such as 一、 and （三）).
CN_NUMERAL_CHARS = "一二三四五六七八九十百零〇"
_CN_NUMBER = re.compile(
    r"(百分之)?([零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)"
    r"(亿|万)?"
)
_NUMBER = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:[-~至到]\s*(\d+(?:\.\d+)?))?\s*(%|‰|亿|万)?")

Number = tuple[str, float]


def _cn_int(text: str) -> int:
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def count_value(text: str) -> int:
    """A small count written either way: "4" or "四" → 4, "十二" → 12; 0 when it is neither."""
    if text.isdigit():
        return int(text)
    return _cn_int(text) if all(c in _CN_DIGITS or c in _CN_UNITS for c in text) else 0


def _cn_value(text: str) -> float:
    whole, _, frac = text.partition("点")
    value = float(_cn_int(whole))
    if frac:
        value += float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    return value


def numbers(text: str) -> set[Number]:
    """Normalised numbers in ``text`` as (kind, value): kind ``%`` (‰ as its tenth) or ``n``
    (亿/万 scaled).

    ``7.5%`` = ``７.５％`` = ``百分之七点五``; ``1002.18亿`` = ``10021800万``.
    """
    norm = normalize_width(text)
    out: set[Number] = set()
    for m in _CN_NUMBER.finditer(norm):
        if len(m.group(2)) < 2 and not m.group(1):
            continue  # a lone 一/十 in prose is not a figure
        value = _cn_value(m.group(2))
        if m.group(1):
            out.add(("%", round(value, 4)))
        elif m.group(3):
            out.add(("n", round(value * (1e8 if m.group(3) == "亿" else 1e4), 2)))
    for m in _NUMBER.finditer(norm):
        raw = m.group(1).replace(",", "")
        unit = m.group(3)
        for part in filter(None, (raw, m.group(2))):
            value = float(part)
            if unit == "%":
                out.add(("%", round(value, 4)))
            elif unit == "‰":  # a rate per mille ("婴儿死亡率3.14‰"): 0.314%
                out.add(("%", round(value / 10, 5)))
            elif unit in ("亿", "万"):
                out.add(("n", round(value * (1e8 if unit == "亿" else 1e4), 2)))
            else:
                out.add(("n", round(value, 4)))
    return out


# --------------------------------------------------------------------------------------------
# place names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRules:
    """Place-name suffixes and generic place words, from ``resources/places.toml``."""

    suffix_levels: tuple[tuple[str, str], ...]
    droppable: tuple[str, ...]
    mention: re.Pattern[str]
    generic: frozenset[str]
    #: a place right after another ("丰顺县潭江镇", "阳江市阳东区"): general to specific
    nested: re.Pattern[str]
    bare_names: tuple[str, ...]
    national_markers: tuple[str, ...] = ()
    national_words: tuple[str, ...] = ()
    national_region: str = "全国"
    organs: tuple[str, ...] = ()
    area_endings: tuple[str, ...] = ()
    suffix_words: tuple[str, ...] = ()
    zone_suffixes: tuple[str, ...] = ()
    zone_short: tuple[tuple[str, str], ...] = ()
    village_generic: tuple[str, ...] = ()
    issuer_prefixes: tuple[str, ...] = ()
    issuer_suffixes: tuple[str, ...] = ()
    title_after_organ: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def place_rules() -> PlaceRules:
    """The place-name rules (read once)."""
    data = tomllib.loads((RESOURCES / "places.toml").read_text(encoding="utf-8"))
    suffixes = "|".join(sorted(data["mention"], key=len, reverse=True))
    # a 2-4 character stem that is not a function word, then a place suffix
    name = (
        # "三家省实验室": a count of things before a level word is no place's name
        rf"(?![一二三四五六七八九十两几多数][个家所项座条位名类批](?:{suffixes}))"
        r"([^\x00-\u33ff\uff00-\uffef这那该此本全我各个里给做学作的了是和与及年上下中内外新老大小在让使被将由]{2,4}"
        rf"(?:{suffixes}))(?!级)"  # "纳入市级调度": a level, not a place
    )
    mention = re.compile(  # "其中乙县增长7.8%": 其中 opens the part a figure is of
        r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[年的在和与给对向从把让使被将由])|(?<=其中))" + name
    )
    return PlaceRules(
        suffix_levels=tuple((s, lvl) for s, lvl in data["suffix_levels"]),
        droppable=tuple(data["droppable"]),
        mention=mention,
        generic=frozenset(data["generic"]),
        nested=re.compile(name),
        bare_names=tuple(data.get("bare_names", ())),
        national_markers=tuple(data.get("national_markers", ())),
        national_words=tuple(data.get("national_words", ())),
        national_region=str(data.get("national_region", "全国")),
        organs=tuple(sorted(data.get("organs", ()), key=len, reverse=True)),
        issuer_prefixes=tuple(data.get("issuer_prefixes", ())),
        issuer_suffixes=tuple(data.get("issuer_suffixes", ())),
        title_after_organ=tuple(data.get("title_after_organ", ())),
        area_endings=tuple(data.get("area_endings", ())),
        suffix_words=tuple(data.get("suffix_words", ())),
        village_generic=tuple(data.get("village_generic", ())),
        zone_suffixes=tuple(data.get("zone_suffixes", ())),
        zone_short=tuple((long, short) for long, short in data.get("zone_short", ())),
    )


def short_forms(region: str) -> list[str]:
    """Names a user may use for ``region``: the full name and, if ≥ 2 chars remain, the stem."""
    rules = place_rules()
    forms = [region]
    for suffix in rules.droppable:
        if region.endswith(suffix) and len(region) - len(suffix) >= 2:
            forms.append(region[: -len(suffix)])
            break
    zone = next((z for z in rules.zone_suffixes if region.endswith(z)), "")
    if not zone:
        return forms
    zoned = [region]
    for long, short in rules.zone_short:  # "某川经济技术开发区" ↔ 某川经开区
        if zone == long:
            zoned.append(region[: -len(long)] + short)
        elif zone == short:
            zoned.append(region[: -len(short)] + long)
    forms += zoned[1:]
    if len(region) - len(zone) >= 4:  # "甲江某湾高新区" → 某湾高新区
        forms += [name[2:] for name in zoned]
    return forms


def _before_suffix_word(text: str, name: str, end: int, rules: PlaceRules) -> str:
    """``name`` (a mention ending at ``end``), cut before a word its suffix starts: "武汉市地区"
    in "武汉市地区生产总值" is 武汉市, "岚江地区" is no place; ``name`` when no word follows."""
    for word in rules.suffix_words:
        for cut in range(1, len(word)):
            if name.endswith(word[:cut]) and text.startswith(word[cut:], end):
                rest = name[:-cut]
                return rest if len(rest) >= 3 and rules.mention.fullmatch(rest) else ""
    return name


def starts_suffix_word(text: str, name: str, end: int) -> bool:
    """Whether the suffix of ``name`` (ending at ``end`` in ``text``) starts a word that ends
    no place there ("地区生产总值", "乡村")."""
    return _before_suffix_word(text, name, end, place_rules()) != name


#: "…镇东村", "东村去年": a 2-3 character stem and 村, not 村民/村委/村级
_VILLAGE = re.compile(
    r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[省市县区镇乡道年的在和与及中是为对有将把向从]))"
    r"(([\u4e00-\u9fff]{2,3}?)(?:村(?![民委级组规])|社区(?![居委])))"
)


def village_mentions(text: str) -> list[str]:
    """Villages and urban communities named in ``text`` ("东村", "北苑社区"), the units under a
    town or a street; generic ones ("示范村", "农村", "城市社区") left out."""
    generic = place_rules().village_generic
    return [m.group(1) for m in _VILLAGE.finditer(text) if not m.group(2).endswith(generic)]


def place_mentions(text: str) -> list[str]:
    """Specific place names (``XX省``, ``XX县`` …) written in ``text``; generic words left out."""
    rules = place_rules()
    found = []
    for m in rules.mention.finditer(text):
        name = _before_suffix_word(text, m.group(1), m.end(), rules)
        if not name:
            continue  # "岚江地区生产总值": 地区 starts the metric's name
        found.append(name)
        end = m.end()
        while inner := rules.nested.match(text, end):
            found.append(inner.group(1))
            end = inner.end()
    found = [p for p in found if p not in rules.generic and not p.endswith(rules.area_endings)]
    found += [n for n in rules.bare_names if n in text and not any(n in p for p in found)]
    return found


__all__ = [
    "ANY_YEAR",
    "CLAUSE_BREAK",
    "CN_NUMERAL_CHARS",
    "FULL_SENTENCE",
    "SENTENCE",
    "SENTENCE_END",
    "YEAR",
    "YEAR_WORD",
    "Number",
    "PlaceRules",
    "clause_spans",
    "count_value",
    "fold_figures",
    "full_sentence_spans",
    "normalize_for_search",
    "normalize_width",
    "numbers",
    "place_mentions",
    "place_rules",
    "replace_year",
    "report_years",
    "sentence_spans",
    "sentences",
    "short_forms",
    "starts_suffix_word",
    "strip_years",
    "village_mentions",
    "years",
    "years_in_order",
]
