"""Administrative units (省/市/区/县/镇/乡/街道) named in report titles and texts.

Questions are usually about one place ("紫金县2021年的目标是什么"), so every document carries the
unit it reports on, its level and, when it can be told, the unit above it. Place names are
recognised by their administrative suffix, not from a gazetteer, so unseen places work too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from core.text import place_rules, starts_suffix_word

__all__ = [
    "LEVEL_RANK",
    "Unit",
    "is_anonymised",
    "parse_unit_sequence",
    "parse_units_at",
    "units_from_government",
    "units_from_issuer",
    "units_from_meeting",
]

# Suffix -> level (longer suffixes first), shared with query parsing: core/resources/places.toml.
_SUFFIX_LEVEL: tuple[tuple[str, str], ...] = place_rules().suffix_levels
# Smaller rank = higher level. A parent must rank strictly above its child.
LEVEL_RANK = {"省": 0, "市": 1, "区": 2, "县": 2, "镇": 3, "乡": 3, "街道": 3}

_SUFFIXES = "|".join(s for s, _ in _SUFFIX_LEVEL)
# Characters standing for a redacted name ("XX市", "某区", "*区", "xxx县").
_MASK = "XxＸｘ*＊某□○×"
_NAME_CHAR = rf"[\u4e00-\u9fff{re.escape(_MASK)}]"
# One unit: a short name plus a suffix. 州/乡/镇 also occur inside names (广州市, 东乡县, 镇江市),
# so they only end a unit when no other suffix follows immediately.
_UNIT_RE = re.compile(
    rf"(?P<name>{_NAME_CHAR}{{1,8}}?)(?P<suffix>{_SUFFIXES})"
    r"(?:(?<=[州乡镇])(?![市县区旗盟])|(?<![州乡镇]))"
)
# One-character "names" that are really determiners or numbers: 全市, 我县, 本区, 各镇, 两区.
_NOT_A_NAME = set("全我本各该此每辖两一二三四五六七八九十多城乡县市区镇省州某")
# What may follow a unit at the start of a title: another unit, the government, a year, a
# quoted programme name, a report word … but not arbitrary prose ("推进全区重点项目" is no unit).
_AFTER_UNIT = re.compile(
    r"(?:$|人民政府|政府|人大|人民代表|委员会|党委|党工委|管委会|\d|“|\"|「|关于|实施|"
    r"工作|国民经济|经济|上半年|下半年|年度|第|全年|\s|[(（])"
)
# An issuing organ between the place and the rest of a title ("云岭县教育局2024年…").
_ORGANS = "|".join(map(re.escape, place_rules().organs)) or "(?!)"
_ORGAN = re.compile(rf"[\u4e00-\u9fff]{{0,10}}?(?:{_ORGANS})")
_AFTER_ORGAN = "|".join(map(re.escape, place_rules().title_after_organ)) or "(?!)"
_ORGAN_IN_TITLE = re.compile(rf"{_ORGAN.pattern}(?={_AFTER_UNIT.pattern}|{_AFTER_ORGAN})")
_YEAR_PREFIX = re.compile(
    r"^(?:关于)?(?:(?:(?:19|20)\d{2}\s*|[一二][〇零○一二三四五六七八九]{3})年"
    r"(?:度|上半年|下半年|第?[一二三四]季度|前[二两三]季度|1[-—至~～]\d{1,2}月)?)?(?:关于)?"
)


@dataclass(frozen=True)
class Unit:
    """An administrative unit as written (``name`` includes the suffix, e.g. ``紫金县``)."""

    name: str
    level: str
    anonymised: bool

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]


def is_anonymised(name: str) -> bool:
    """Whether a unit name is redacted (``XX市``, ``某区``, ``*区``, ``xxx县``)."""
    return any(ch in _MASK for ch in name)


def _level_of(suffix: str) -> str:
    for s, level in _SUFFIX_LEVEL:
        if suffix == s:
            return level
    raise ValueError(suffix)


def parse_units_at(text: str, pos: int = 0) -> tuple[list[Unit], list[int]]:
    """Parse consecutive units starting exactly at ``pos`` (``阳江市阳东区…`` -> two units).

    Returns the units and, for each, the position just after it.
    """
    units: list[Unit] = []
    ends: list[int] = []
    while True:
        m = _UNIT_RE.match(text, pos)
        if not m:
            break
        name, suffix = m.group("name"), m.group("suffix")
        anonymised = is_anonymised(name)
        if len(name) == 1 and name in _NOT_A_NAME and not anonymised:
            break
        if any(organ in name for organ in place_rules().organs):
            break  # "东江市生态环境局关于全市…": an organ and what it reports on, no place
        if (name + suffix).endswith(place_rules().area_endings) or starts_suffix_word(
            text, name + suffix, m.end()
        ):
            break  # "…市住房和城乡建设局": 城乡 is no township, nor is "某某乡村…" one
        units.append(Unit(name + suffix, _level_of(suffix), anonymised))
        pos = m.end()
        ends.append(pos)
    return units, ends


def parse_unit_sequence(title: str) -> list[Unit]:
    """Units a title starts with, after a leading year (``2021年紫金县政府工作报告`` ->
    [紫金县]); empty when the title does not start with a place."""
    m = _YEAR_PREFIX.match(title)
    start = m.end() if m else 0
    # "中共芷陂镇委员会2024年工作总结": the party's name is no part of the place
    start += next((len(p) for p in place_rules().issuer_prefixes if title.startswith(p, start)), 0)
    units, ends = parse_units_at(title, start)
    for k in range(len(units), 0, -1):
        if _AFTER_UNIT.match(title, ends[k - 1]) or _ORGAN_IN_TITLE.match(title, ends[k - 1]):
            return units[:k]
    return []


def units_from_issuer(head: str, lines: int = 4) -> list[Unit]:
    """Units of the organ issuing a document, from a short line of its head that is nothing
    but place and organ ("柘溪县人民政府" above "关于2023年上半年全县经济运行情况的汇报",
    "中共槐溪镇委员会　槐溪镇人民政府"), or []."""
    rules = place_rules()
    for line in [ln.strip() for ln in head.split("\n") if ln.strip()][:lines]:
        for part in line.split():
            part = _LATIN_TAIL.sub("", part)  # "某市统计局HEXU MUNICIPAL BUREAU…": its English name
            part = next((part[len(p) :] for p in rules.issuer_prefixes if part.startswith(p)), part)
            while cut := next((e for e in rules.issuer_suffixes if part.endswith(e)), ""):
                part = part[: -len(cut)]  # "…商务局门户网站！"
            units, ends = parse_units_at(part, 0)
            if units and _ORGAN.fullmatch(part, ends[-1]):
                return units
    return []


_LATIN_TAIL = re.compile(r"(?<=[\u4e00-\u9fff])[A-Za-z].*$")


# "2021年2月1日在阳江市阳东区第八届人民代表大会": the meeting statement names the reporting unit
# with its parent, anchored by 在 … 第N届.
_MEETING_RE = re.compile(r"在(?P<units>[\u4e00-\u9fff]{2,20}?)第[一二三四五六七八九十百零〇\d]+届")
# "古丁镇人民政府镇长李平": the government named in the speaker line.
_GOV_RE = re.compile(
    r"(?P<units>[\u4e00-\u9fff]{2,12}?)人民政府(?:代理|代)?(?:省长|市长|区长|县长|镇长|乡长|主任)"
)


def units_from_meeting(text: str) -> list[list[Unit]]:
    """Unit sequences named by meeting statements in ``text`` (most common first)."""
    found: Counter[tuple[Unit, ...]] = Counter()
    for m in _MEETING_RE.finditer(text):
        chunk = m.group("units")
        units, ends = parse_units_at(chunk, 0)
        if units and ends[-1] == len(chunk):
            found[tuple(units)] += 1
    return [list(seq) for seq, _ in found.most_common()]


# Words that cannot be part of a place name; the name starts after the last of them.
_NAME_BOUNDARIES = (
    "报告", "会议上", "会上", "大会", "政府", "代表", "各位", "同志", "讲话", "发言",
)  # fmt: skip


def units_from_government(text: str) -> list[Unit]:
    """Units whose government speaks in ``text`` ("…揭阳市榕城区人民政府区长…"), or [].

    The text before 人民政府 is unbounded, so the chunk is cut after the last word that cannot
    belong to a place name and must then parse completely as units.
    """
    for m in _GOV_RE.finditer(text):
        chunk = m.group("units")
        cut = max((chunk.rfind(w) + len(w) for w in _NAME_BOUNDARIES if w in chunk), default=0)
        units, ends = parse_units_at(chunk, cut)
        if units and ends[-1] == len(chunk):
            return units
    return []
